"""Reported indicators against the approved performance targets (批复绩效目标, issue 20).

The targets come with the audit's options (`options["targets"]`: `core.targets.ApprovedTarget`s, of
one unit or of many, told apart by 预算编码); without them these checks find nothing. Each table of
the package (附件3 for the unit as a whole, each 附件4–7 by its project's name) is paired with the
targets approved for it, and each approved 三级指标 with the reported one of the same name (under the
same 二级指标 first). Then: approved but not reported, reported but not approved, the 年度指标值
eased (direction turned, a ≥ target lowered, a ≤ target or a deadline raised, a figure replaced by
words), otherwise changed, and the 分值 changed. A unit that lowers a target after the year scores
full marks against a target nobody approved: the first thing a bureau reviewer looks for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...core.indicators import TargetError, parse_target
from ...core.model import Indicator, SelfEvalTable, Source, Target
from ...core.numbers import fmt_score, units_compatible
from ...core.targets import ApprovedTarget, direction, name_key, project_key
from ..findings import Finding
from ..registry import AuditContext, check
from ._common import table_form, table_where


@dataclass
class Pair:
    approved: ApprovedTarget
    indicator: Indicator
    index: int  # the indicator's place in its table (its canonical path)


@dataclass
class TableMatch:
    """One table of the package and the targets approved for it."""

    table: SelfEvalTable
    path: str  # canonical path: overall, projects[2], fund_types[0].tables[1]
    pairs: list[Pair] = field(default_factory=list)
    missing: list[ApprovedTarget] = field(default_factory=list)
    added: list[tuple[int, Indicator]] = field(default_factory=list)


@dataclass
class Matching:
    tables: list[TableMatch] = field(default_factory=list)
    absent: dict[str, list[ApprovedTarget]] = field(default_factory=dict)  # project with targets, no table
    unapproved: list[tuple[SelfEvalTable, str]] = field(default_factory=list)  # tables without any target


def unit_targets(ctx: AuditContext) -> list[ApprovedTarget]:
    """The targets of the package's unit and year. `options["targets_scope"]` "unit": the caller
    passed its unit's own (the web knows the unit whatever the draft says); else the targets are a
    file's, of any number of units, and those of the package's 预算编码 count (a package without one:
    the file's, when it holds one unit only)."""
    given = list(ctx.options.get("targets") or [])
    code = ctx.package.unit.budget_code.strip()
    if ctx.options.get("targets_scope") != "unit":
        codes = {t.budget_code for t in given}
        given = [t for t in given if t.budget_code == code] if code or len(codes) > 1 else given
    year = ctx.package.year
    return [t for t in given if t.year is None or not year or t.year == year]


def _not_found(ctx: AuditContext) -> list[Finding]:
    """Targets were given, none of them this unit's: say so rather than report nothing as if checked."""
    if not ctx.options.get("targets") or unit_targets(ctx):
        return []
    code = ctx.package.unit.budget_code.strip()
    who = f"预算编码为“{code}”的单位" if code else "本单位（数据包中没有预算编码）"
    return [Finding(rule="targets.missing", severity="info",
                    message=f"批复目标中没有{who}{ctx.package.year or ''}年度的绩效目标，未与批复目标比对。",
                    location=Source(form="附件3"), stated=code or "无预算编码", expected="批复目标中的本单位")]


def _tables(ctx: AuditContext) -> list[tuple[SelfEvalTable, str]]:
    pkg = ctx.package
    out = [(pkg.overall, "overall")] if pkg.overall is not None else []
    out += [(t, f"projects[{i}]") for i, t in enumerate(pkg.projects)]
    out += [(t, f"fund_types[{i}].tables[{j}]") for i, d in enumerate(pkg.fund_types) for j, t in enumerate(d.tables)]
    return out


def _pair(table: SelfEvalTable, path: str, approved: list[ApprovedTarget]) -> TableMatch:
    """Each approved indicator with the reported one of the same name, under the same 二级指标 first."""
    match = TableMatch(table, path)
    left = dict(enumerate(table.indicators))
    rest = []
    for same_level in (True, False):
        for a in (approved if same_level else rest):
            hit = next((i for i, ind in left.items() if name_key(ind.name) == name_key(a.name)
                        and (not same_level or name_key(ind.level2) == name_key(a.level2))), None)
            if hit is None:
                if same_level:
                    rest.append(a)
                else:
                    match.missing.append(a)
                continue
            match.pairs.append(Pair(a, left.pop(hit), hit))
    match.added = sorted(left.items())
    return match


def matching(ctx: AuditContext) -> Matching:
    return ctx.cached("targets.matching", lambda: _matching(ctx))


def _matching(ctx: AuditContext) -> Matching:
    out = Matching()
    targets = unit_targets(ctx)
    if not targets:
        return out
    by_project: dict[str, list[ApprovedTarget]] = {}
    for t in targets:
        by_project.setdefault(project_key(t.project), []).append(t)
    for table, path in _tables(ctx):
        key = "" if table.kind == "overall" else project_key(table.name)
        if not key and table.kind != "overall":
            continue  # a 附件5–7 table without a name: nothing to pair it by
        approved = by_project.pop(key, None)
        if approved is None:
            out.unapproved.append((table, path))
        else:
            out.tables.append(_pair(table, path, approved))
    out.absent = {group[0].table_name: group for group in by_project.values()}
    return out


# --- places and words --------------------------------------------------------------------------


def _where(table: SelfEvalTable, ind: Indicator | None = None, column: str = "", path: str = "") -> Source:
    form, title = table_form(table.kind, table.name)
    src = ind.src.get("target") if ind is not None else None
    return Source(form=form, table=title, row=ind.name if ind is not None else "", column=column,
                  line=src.line if src is not None else None, text=src.text if src is not None else "", path=path)


def _approved_text(a: ApprovedTarget) -> str:
    parts = [p for p in (a.level1, a.level2) if p]
    weight = f"，{fmt_score(a.weight)}分" if a.weight is not None else ""
    return f"“{a.name}”（{'／'.join(parts) + '，' if parts else ''}指标值 {a.value}{weight}）"


def _reparsed(a: ApprovedTarget, bare: str) -> Target:
    """The approved 指标值 read as the package's own are (the profile's comparator for a bare figure)."""
    try:
        return parse_target(a.value, bare)
    except TargetError:
        return a.target


def eased(approved: Target, reported: Target) -> str:
    """Why the reported target is easier to meet than the approved one, or ''."""
    a_dir, r_dir = direction(approved), direction(reported)
    if a_dir != "定性" and r_dir == "定性":
        return "定量目标改成了文字表述"
    if approved.kind == "date" and reported.kind == "date":
        later = approved.when is not None and reported.when is not None and reported.when > approved.when
        return "完成时限推后" if later else ""
    if approved.kind != "quantitative" or reported.kind != "quantitative":
        return ""
    if a_dir != r_dir:
        return f"方向由“{a_dir}”改为“{r_dir}”"
    if approved.value is None or reported.value is None or not _same_unit(approved, reported):
        return ""
    if a_dir == "≥" and reported.value < approved.value:
        return "目标值调低"
    if a_dir == "≤" and reported.value > approved.value:
        return "目标值调高（反向指标）"
    return ""


def _same_unit(a: Target, b: Target) -> bool:
    return (a.unit == "%") == (b.unit == "%") and (a.unit == b.unit or units_compatible(a.unit, b.unit))


def same_target(approved: Target, reported: Target) -> bool:
    """The same promise: the same kind and direction and figure (or date), or the same words."""
    if approved.kind != reported.kind:
        return False
    if approved.kind == "qualitative":
        return name_key(approved.raw) == name_key(reported.raw)
    if approved.kind == "date":
        return approved.when == reported.when
    return (direction(approved) == direction(reported) and approved.value == reported.value
            and _same_unit(approved, reported))


# --- the checks ----------------------------------------------------------------------------------


@check("targets.missing", "批复目标未填报",
       "对照批复的绩效目标（`jixiao audit --targets 批复目标.csv`，或财政局在任务中导入的批复目标）：批复了的三级指标在相应"
       "自评表（附件3为部门整体，附件4按项目名称）中没有填报，或批复了绩效目标的项目整张自评表都没有，逐项列出。")
def targets_missing(ctx: AuditContext) -> list[Finding]:
    m = matching(ctx)
    out = _not_found(ctx)
    for t in m.tables:
        where = table_where(t.table.kind, t.table.name)
        for a in t.missing:
            out.append(Finding(
                rule="targets.missing", severity="warning",
                message=f"批复的绩效目标{_approved_text(a)}在{where}中没有填报。自评应对照批复目标逐项填报，请补上该指标。",
                location=_where(t.table, path=f"{t.path}.indicators"), stated="未填报", expected=a.value,
                evidence=f"批复目标第{a.row}行" if a.row else ""))
    for name, group in m.absent.items():
        listed = "、".join(f"“{a.name}”" for a in group[:5]) + ("等" if len(group) > 5 else "")
        form = "附件3" if group[0].whole_unit else f"附件4·{name}"
        out.append(Finding(
            rule="targets.missing", severity="warning",
            message=f"“{name}”批复了{len(group)}项绩效目标（{listed}），数据包中没有它的自评表。",
            location=Source(form=form), stated="没有自评表", expected=f"{len(group)}项批复指标",
            evidence=f"批复目标第{group[0].row}行" if group[0].row else ""))
    return out


@check("targets.added", "填报了未批复的指标",
       "对照批复的绩效目标：自评表中的三级指标不在该表批复的目标之中（按指标名称比对），提示核实新增依据；"
       "整张自评表都没有批复目标的项目提示一次，不逐项比对。")
def targets_added(ctx: AuditContext) -> list[Finding]:
    m = matching(ctx)
    if not m.tables and not m.absent:
        return []
    out = []
    for t in m.tables:
        where = table_where(t.table.kind, t.table.name)
        for i, ind in t.added:
            out.append(Finding(
                rule="targets.added", severity="warning",
                message=f"{where}的指标“{ind.name}”（指标值 {ind.target.raw or '空'}）不在批复的绩效目标中，请核实新增的依据。",
                location=_where(t.table, ind, "三级指标", f"{t.path}.indicators[{i}].name"),
                stated=ind.name, expected="批复目标中的指标"))
    for table, path in m.unapproved:
        out.append(Finding(
            rule="targets.added", severity="info",
            message=f"{table_where(table.kind, table.name)}没有批复的绩效目标，未与批复目标比对。",
            location=_where(table, path=path), stated=table.name or "部门整体", expected="批复目标中的项目"))
    return out


@check("targets.direction", "指标值较批复目标放宽",
       "对照批复的绩效目标：填报的年度指标值比批复的容易达到——方向改变（批复“≥95%”填“≤95%”）、正向指标调低"
       "（批复“≥300批次”填“≥200批次”）、反向指标调高、完成时限推后、定量目标改成文字。降低目标后再评分会使得分虚高，报为错误。")
def targets_direction(ctx: AuditContext) -> list[Finding]:
    bare = ctx.profile["bare_target_comparator"]
    out = []
    for t in matching(ctx).tables:
        for p in t.pairs:
            approved = _reparsed(p.approved, bare)
            why = eased(approved, p.indicator.target)
            if not why:
                continue
            out.append(_target_finding(
                t, p, "targets.direction", "error",
                f"{table_where(t.table.kind, t.table.name)}“{p.indicator.name}”的年度指标值“{p.indicator.target.raw}”"
                f"较批复的“{p.approved.value}”放宽（{why}）。按放宽后的目标评分会使得分虚高，请按批复目标填报。",
                f"批复 {p.approved.value} → 填报 {p.indicator.target.raw}"))
    return out


@check("targets.value", "指标值与批复目标不一致",
       "对照批复的绩效目标：填报的年度指标值与批复的不同（按方向、数值和单位比对，“95%”与“≥95%”按评分方案视为相同；"
       "文字目标按去掉空白和标点后的文字比对），而又不是放宽（放宽见 targets.direction）时提示。")
def targets_value(ctx: AuditContext) -> list[Finding]:
    bare = ctx.profile["bare_target_comparator"]
    out = []
    for t in matching(ctx).tables:
        for p in t.pairs:
            approved = _reparsed(p.approved, bare)
            if same_target(approved, p.indicator.target) or eased(approved, p.indicator.target):
                continue
            out.append(_target_finding(
                t, p, "targets.value", "warning",
                f"{table_where(t.table.kind, t.table.name)}“{p.indicator.name}”的年度指标值“{p.indicator.target.raw or '空'}”"
                f"与批复的“{p.approved.value}”不一致，请按批复目标填报，或说明调整的依据。",
                f"批复 {p.approved.value} ≠ 填报 {p.indicator.target.raw or '空'}"))
    return out


def _target_finding(t, p, rule: str, severity: str, message: str, formula: str) -> Finding:
    """A reported 年度指标值 against its approved one: both values, the field, the approved row."""
    return Finding(rule=rule, severity=severity, message=message,
                   location=_where(t.table, p.indicator, "年度指标值", f"{t.path}.indicators[{p.index}].target"),
                   stated=p.indicator.target.raw, expected=p.approved.value, formula=formula,
                   evidence=f"批复目标第{p.approved.row}行" if p.approved.row else "")


@check("targets.weight", "分值与批复目标不一致",
       "对照批复的绩效目标：批复写明了分值的指标，填报的分值与之不同或未填（如批复10分、填报15分）。")
def targets_weight(ctx: AuditContext) -> list[Finding]:
    out = []
    for t in matching(ctx).tables:
        for p in t.pairs:
            want, got = p.approved.weight, p.indicator.weight
            if want is None or (got is not None and got == want):
                continue
            stated = fmt_score(got) if got is not None else "未填"
            out.append(Finding(
                rule="targets.weight", severity="warning",
                message=(f"{table_where(t.table.kind, t.table.name)}“{p.indicator.name}”的分值{stated}"
                         f"{'分' if got is not None else ''}与批复的{fmt_score(want)}分不一致，请按批复目标填报。"),
                location=_where(t.table, p.indicator, "分值", f"{t.path}.indicators[{p.index}].weight"),
                stated=stated, expected=fmt_score(want), formula=f"批复 {fmt_score(want)} ≠ 填报 {stated}",
                evidence=f"批复目标第{p.approved.row}行" if p.approved.row else ""))
    return out
