"""Cross-document checks: the same quantity stated in several places must agree (DESIGN §5 item 4).

`xref.same_quantity` walks the catalogue in quantities.py and compares, for each
quantity, every value the tables and structured places state, at printed
precision. A stated total that the engine already proves wrong against its own
parts (支出合计 ≠ 基本 + 项目) is left out here: the arithmetic checks report it, and
one defect is reported once. Prose figures join a disagreement the tables already
have; a prose figure that disagrees with every table is `prose.figure`'s.

`xref.project_totals` compares 附件4 with 附件3's 项目支出 row (Σ of the projects)
and each project with its rows in 附件2 and the narrative's 项目支出 table.
"""

from __future__ import annotations

from ...core.model import Line, Package, SelfEvalTable, Source
from ...core.numbers import ZERO, normalize
from ..findings import Finding
from ..registry import AuditContext, check
from ._common import FORM_BASIC_DATA, FORM_NARRATIVE, show, table_form
from ._places import disagreement, disproved_ids, group, same
from .prose import prose_places_of
from .quantities import CATALOGUE, Place, Quantity, clean_label, places_of, project_core, stated_places


def compare_quantity(pkg: Package, q: Quantity, disproved: set[int], prose: list[Place],
                     stated: list[Place] | None = None) -> Finding | None:
    """`prose`: the quantity's figures in running text (narrative.figures and Package.texts);
    `stated`: `stated_places(pkg, q)` when the caller has it already."""
    stated = stated_places(pkg, q) if stated is None else stated
    tables = [p for p in stated if not p.prose and id(p.value) not in disproved]
    groups = group(tables, q.unit)
    if len(groups) < 2:
        return None
    for p in prose:
        if p.prose:
            for g in groups:
                if same(g[0].value, p.value, q.unit):
                    g.append(p)
                    break
    return disagreement("xref.same_quantity", q.label, q.unit, groups, q.severity)


@check("xref.same_quantity", "同一数据多处不一致",
       "同一数据（基本支出、人员经费、公用经费、项目支出、三公经费及其明细、年初/全年预算、编制与在职人数、满意度、"
       "综合得分等）在封面表格、绩效评价报告表格与文字、§七指标输入、附件1–3 中所载数值按打印精度逐一比对，"
       "每项不一致只报告一次并列出全部出处。")
def same_quantity(ctx: AuditContext) -> list[Finding]:
    disproved = disproved_ids(ctx)
    prose = prose_places_of(ctx)
    out = []
    for q in CATALOGUE:
        f = compare_quantity(ctx.package, q, disproved, prose.get(q.id, []), places_of(ctx, q))
        if f is not None:
            out.append(f)
    return out


# --- projects ---------------------------------------------------------------------------------

_COLUMNS = {"initial": "年初预算数", "annual": "全年预算数", "executed": "全年执行数"}


def _sum_projects(ctx: AuditContext, col: str) -> list[Finding]:
    pkg = ctx.package
    row = pkg.overall.fund("project") if pkg.overall is not None else None
    stated = getattr(row, col, None) if row is not None else None
    totals = [(p.name, p.fund("total")) for p in pkg.projects]
    values = [(name, getattr(t, col)) for name, t in totals if t is not None and getattr(t, col) is not None]
    if stated is None or not values or len(values) != len(pkg.projects):
        return []
    total = sum((v for _, v in values), ZERO)
    if same(stated, total, "万元", len(values)):
        return []
    form, title = table_form("overall", "")
    terms = " + ".join(show(v, "万元") for _, v in values)
    loc = row.src.get(col) or Source(form, title, row.label, _COLUMNS[col])
    return [Finding(
        rule="xref.project_totals", severity="error",
        message=(f"附件3“项目支出”{_COLUMNS[col]} {show(stated, '万元')}万元与各附件4项目“年度资金总额”{_COLUMNS[col]}"
                 f"之和 {show(total, '万元')}万元不符（{len(values)}个项目：{'、'.join(n for n, _ in values)}）。"),
        location=loc, stated=show(stated, "万元"), expected=show(total, "万元"),
        formula=(f"附件3 项目支出{_COLUMNS[col]} {show(stated, '万元')} ≠ Σ 附件4 年度资金总额{_COLUMNS[col]} "
                 f"{terms} = {show(total, '万元')}"),
        evidence=loc.text)]


def _project_line(table, name: str, parent_prefix: str = "") -> Line | None:
    """The row of a project in a line table: a child row (of 项目支出 where given) with the same name core."""
    if table is None:
        return None
    core = project_core(name)
    for ln in table.lines:
        if ln.parent and clean_label(ln.parent).startswith(parent_prefix) and project_core(ln.label) == core:
            return ln
    return None


def _project_places(pkg: Package, project: SelfEvalTable, col: str) -> list[Place]:
    form, title = table_form("project", project.name)
    out: list[Place] = []
    total = project.fund("total")
    if total is not None and getattr(total, col) is not None:
        out.append(Place(f"{form} 年度资金总额·{_COLUMNS[col]}", getattr(total, col),
                         total.src.get(col) or Source(form, title, "年度资金总额", _COLUMNS[col])))
    narrative = pkg.narrative.tables.get("project_expenditure")
    ncol = {"executed": "spent", "initial": "initial"}.get(col)
    for table, tcol, tform, parent in ((narrative, ncol, FORM_NARRATIVE, ""),
                                       (pkg.basic_data.costs, "actual" if col == "executed" else None,
                                        FORM_BASIC_DATA, "项目支出")):
        ln = _project_line(table, project.name, parent)
        if ln is None or tcol is None or ln.values.get(tcol) is None:
            continue
        colname = table.columns.get(tcol, tcol)
        out.append(Place(f"{tform} {table.title}·{clean_label(ln.label)}·{colname}", ln.values[tcol],
                         ln.src.get(tcol) or Source(tform, table.title, ln.label, colname)))
    return out


@check("xref.project_totals", "项目支出与附件4不一致",
       "附件3“项目支出”行的年初预算数、全年预算数、全年执行数应等于各附件4“年度资金总额”之和；每个项目的执行数、"
       "年初预算数在附件4、附件2经费控制情况与绩效评价报告项目支出表中应一致。")
def project_totals(ctx: AuditContext) -> list[Finding]:
    out: list[Finding] = []
    for col in _COLUMNS:
        out += _sum_projects(ctx, col)
    disproved = disproved_ids(ctx)
    for project in ctx.package.projects:
        for col in ("initial", "executed"):
            places = [p for p in _project_places(ctx.package, project, col) if id(p.value) not in disproved]
            groups = group(places, "万元")
            if len(groups) > 1:
                out.append(disagreement("xref.project_totals", f"项目“{project.name}”{_COLUMNS[col]}", "万元",
                                        groups, "error"))
    return out


# --- the cover's quantitative goals restate 附件3's indicators ----------------------------------


def _same_text(a: str, b: str) -> bool:
    return compact_text(a) == compact_text(b)


def compact_text(s: str) -> str:
    return "".join(normalize(s or "").split())


@check("xref.cover_indicators", "封面定量目标与附件3指标不一致",
       "自评报告三、“整体支出绩效定量目标”是附件3 绩效指标的摘录：同名指标的年度指标值与实际完成值应与附件3相同。"
       "指标值是带比较符的数字而两处数值不同，为错误；仅文字不同，为警告；封面有而附件3没有的指标，为提示。"
       "例：封面“岗位信息＞100条”而附件3写“岗位信息＞120条”。")
def cover_indicators(ctx: AuditContext) -> list[Finding]:
    pkg = ctx.package
    if not pkg.cover_indicators or pkg.overall is None:
        return []
    annex = {compact_text(i.name): i for i in pkg.overall.indicators}
    out = []
    for ind in pkg.cover_indicators:
        other = annex.get(compact_text(ind.name))
        loc = ind.src.get("name") or Source(form="自评报告", table="整体支出绩效定量目标", row=ind.name)
        if other is None:
            out.append(Finding(rule="xref.cover_indicators", severity="info",
                               message=f"封面定量目标“{ind.name}”在附件3绩效指标中找不到同名指标，请核实两处是否一致。",
                               location=loc, stated=ind.name, expected="附件3中的同名指标"))
            continue
        for field, label in (("target", "年度指标值"), ("actual", "实际完成值")):
            mine, theirs = getattr(ind, field), getattr(other, field)
            if _same_text(mine.raw, theirs.raw):
                continue
            numeric = (mine.value is not None and theirs.value is not None and
                       (mine.value != theirs.value or getattr(mine, "comparator", "") != getattr(theirs, "comparator", "")))
            out.append(Finding(
                rule="xref.cover_indicators", severity="error" if numeric else "warning",
                message=f"指标“{ind.name}”的{label}封面与附件3不一致：封面“{mine.raw}”，附件3“{theirs.raw}”。",
                location=ind.src.get(field) or loc, stated=mine.raw, expected=theirs.raw,
                formula=f"封面 {mine.raw} ≠ 附件3 {theirs.raw}", evidence=mine.raw))
    return out
