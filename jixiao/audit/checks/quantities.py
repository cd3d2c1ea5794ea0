"""The catalogue of quantities a package states in more than one place (DESIGN §5 item 4).

Each quantity (基本支出决算数, 公务接待费预算数, 满意度 …) is defined once, with the
accessors that read it from every place in the model that states it: the cover
form's tables, the narrative's tables and prose figures, the §七 framework's
inputs, 附件2 cost lines, 附件3 fund rows and the notice. `stated_places(pkg, id)`
returns every stated value with where it was found; the consistency and prose
checks compare them.

Line labels are matched after stripping numbering ("1、", "其中：") and spaces, so
"3、商品和服务支出" is the same row as "商品和服务支出". Keep the catalogue to
quantities whose meaning is the same in every place listed: a place whose column
means something else in some packages (附件2's per-project 预算数 is 年初 in some
rows and 全年 in others) is left out rather than compared loosely.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ...core.memo import text_cache
from ...core.model import LineTable, Package, SelfEvalTable, Source
from ..registry import AuditContext
from ._common import FORM_BASIC_DATA, FORM_COVER, FORM_NARRATIVE, SECTION_FRAMEWORK, table_form


@dataclass(slots=True)
class Place:
    """One place that states a quantity."""

    where: str  # Chinese, for the message: 绩效评价报告 基本支出情况表·人员经费·决算数
    value: Decimal
    location: Source
    evidence: str = ""
    prose: bool = False  # a figure in running text rather than a table cell
    formula: str = ""  # for a derived place (Σ of rows), the sum written out
    parts: int = 0  # rounded parts summed into `value`


@dataclass(frozen=True, slots=True)
class Quantity:
    id: str
    label: str  # Chinese name: 基本支出决算数
    unit: str  # 万元 | ratio | 人 | 分
    accessors: tuple[Callable[[Package], list[Place]], ...]
    severity: str = "error"


# --- label matching ---------------------------------------------------------------------

_NUMBERING = re.compile(r"^[\s　]*(?:其中[:：]?|[（(]?[一二三四五六七八九十\d]+[)）、.．]|[\d]+、)*")
_QUOTES = str.maketrans("", "", "“”\"'‘’ 　")


@text_cache(8192)
def clean_label(label: str) -> str:
    """'  3、商品和服务支出' → '商品和服务支出'; '“三公”经费' → '三公经费'."""
    return _NUMBERING.sub("", label or "").translate(_QUOTES).rstrip("：:")


def find_line(table: LineTable | None, labels: tuple[str, ...]):
    if table is None:
        return None
    wanted = {clean_label(x) for x in labels}
    for ln in table.lines:
        if clean_label(ln.label) in wanted:
            return ln
    return None


# --- accessors ---------------------------------------------------------------------------


def _one_row(rows: list) -> object | None:
    """The row that speaks for the unit: the 汇总 row when filled, else the only institution row."""
    members = [r for r in rows if not r.is_summary]
    summaries = [r for r in rows if r.is_summary]
    if len(members) == 1:
        return members[0]
    return summaries[0] if summaries else None


def cover_cell(table_attr: str, table_title: str, field: str, column: str) -> Callable[[Package], list[Place]]:
    def read(pkg: Package) -> list[Place]:
        row = _one_row(getattr(pkg, table_attr))
        value = getattr(row, field, None) if row is not None else None
        if value is None:
            return []
        src = row.src.get(field) or Source(FORM_COVER, table_title, row.institution, column)
        return [Place(f"{FORM_COVER} {table_title}·{column}", value, _fill(src, FORM_COVER, table_title,
                                                                           row.institution, column))]
    return read


def _fill(src: Source, form: str, table: str, row: str, column: str) -> Source:
    # The constructor, not dataclasses.replace (which inspects the fields on every call).
    return Source(form=src.form or form, table=src.table or table, row=src.row or row,
                  column=src.column or column, line=src.line, text=src.text, path=src.path)


def line_cell(where: str, labels: tuple[str, ...], column: str) -> Callable[[Package], list[Place]]:
    """A cell of a line table: where = 'narrative:<key>' or 'basic_data'."""

    def read(pkg: Package) -> list[Place]:
        table, form = _line_table(pkg, where)
        ln = find_line(table, labels)
        if ln is None or ln.values.get(column) is None:
            return []
        col = table.columns.get(column, column)
        title = table.title or table.key
        src = _fill(ln.src.get(column) or Source(), form, title, ln.label.strip(), col)
        return [Place(f"{form} {title}·{clean_label(ln.label)}·{col}", ln.values[column], src)]
    return read


def _line_table(pkg: Package, where: str) -> tuple[LineTable | None, str]:
    if where == "basic_data":
        return pkg.basic_data.costs, FORM_BASIC_DATA
    return pkg.narrative.tables.get(where.split(":", 1)[1]), FORM_NARRATIVE


def fund_cell(key: str, column: str) -> Callable[[Package], list[Place]]:
    """A fund row of 附件3: column initial / annual / executed."""
    names = {"initial": "年初预算数", "annual": "全年预算数", "executed": "全年执行数"}

    def read(pkg: Package) -> list[Place]:
        table = pkg.overall
        row = table.fund(key) if table is not None else None
        value = getattr(row, column, None) if row is not None else None
        if value is None:
            return []
        form, title = table_form("overall", "")
        src = _fill(row.src.get(column) or Source(), form, title, row.label.strip(), names[column])
        return [Place(f"{form} {row.label.strip()}·{names[column]}", value, src)]
    return read


def framework_input(item_id: str, pick: Callable[[str], bool]) -> Callable[[Package], list[Place]]:
    """An input figure a §七 item's text gives, chosen by its name."""

    def read(pkg: Package) -> list[Place]:
        out = []
        for item in pkg.narrative.framework:
            if item.id != item_id:
                continue
            for name, value in item.inputs.items():
                if pick(clean_label(name)):
                    src = _fill(item.src.get("inputs") or Source(), FORM_NARRATIVE, SECTION_FRAMEWORK, item.name, name)
                    out.append(Place(f"{FORM_NARRATIVE} §七 {item.name}·{name}", value, src, item.evidence))
        return out
    return read


def framework_rate(item_id: str) -> Callable[[Package], list[Place]]:
    def read(pkg: Package) -> list[Place]:
        return [Place(f"{FORM_NARRATIVE} §七 {i.name}", i.stated_rate,
                      _fill(i.src.get("rate") or Source(), FORM_NARRATIVE, SECTION_FRAMEWORK, i.name, "比率"),
                      i.evidence)
                for i in pkg.narrative.framework if i.id == item_id and i.stated_rate is not None]
    return read


def figure(subject: str) -> Callable[[Package], list[Place]]:
    """Figures the narrative's prose states about `subject` (ProseFigure.subject)."""

    def read(pkg: Package) -> list[Place]:
        out = []
        for f in pkg.narrative.figures:
            if f.subject != subject:
                continue
            src = _fill(f.src.get("value") or Source(), FORM_NARRATIVE, "正文", "", "")
            out.append(Place(f"{FORM_NARRATIVE} 正文", f.value, src, f.text, prose=True))
        return out
    return read


def notice_scope(pkg: Package) -> list[Place]:
    if pkg.notice.scope_total is None:
        return []
    src = _fill(pkg.notice.src.get("scope_total") or Source(), "附件1", "自评范围", "", "")
    return [Place("附件1 通知·自评范围", pkg.notice.scope_total, src)]


def staffing(field: str, label: str) -> Callable[[Package], list[Place]]:
    def read(pkg: Package) -> list[Place]:
        out = []
        for st, form, table in ((pkg.staffing, FORM_COVER, "一、基本概况"),
                                (pkg.basic_data.staffing, FORM_BASIC_DATA, "财政供养人员情况")):
            value = getattr(st, field)
            if value is not None:
                src = _fill(st.src.get(field) or Source(), form, table, "", label)
                out.append(Place(f"{form} {table}·{label}", Decimal(value), src))
        return out
    return read


def satisfaction_indicator(pkg: Package) -> list[Place]:
    """The overall table's 满意度 indicator actual (附件3, and the cover form's mirror of it)."""
    out = []
    sources = [(pkg.overall.indicators if pkg.overall else [], *table_form("overall", "")),
               (pkg.cover_indicators, FORM_COVER, "三、整体支出绩效自评情况")]
    for indicators, form, title in sources:
        for ind in indicators:
            if "满意" in ind.level1 + ind.name and ind.actual.value is not None and ind.actual.unit == "%":
                src = _fill(ind.src.get("actual") or Source(), form, title, ind.name, "实际完成值")
                out.append(Place(f"{form} {ind.name}·实际完成值", ind.actual.value, src, ind.actual.raw))
                break
    return out


def stated_score(pkg: Package) -> list[Place]:
    out = []
    if pkg.stated_score is not None:
        out.append(Place(f"{FORM_COVER} 绩效自评综合得分", pkg.stated_score,
                         _fill(pkg.src.get("score") or Source(), FORM_COVER, "三、整体支出绩效自评情况", "综合得分", "")))
    if pkg.overall is not None and pkg.overall.stated_total is not None:
        form, title = table_form("overall", "")
        out.append(Place(f"{form} 总分", pkg.overall.stated_total,
                         _fill(pkg.overall.src.get("total") or Source(), form, title, "总分", "得分")))
    if pkg.narrative.stated_total is not None:
        out.append(Place(f"{FORM_NARRATIVE} §七 绩效评价得分", pkg.narrative.stated_total,
                         _fill(pkg.narrative.src.get("total") or Source(), FORM_NARRATIVE, SECTION_FRAMEWORK,
                               "绩效评价得分情况", "")))
    return out


def _has(*words: str) -> Callable[[str], bool]:
    return lambda name: any(w in name for w in words)


def _lacks(*words: str) -> Callable[[str], bool]:
    return lambda name: not any(w in name for w in words)


# --- the catalogue -------------------------------------------------------------------------

BASIC = "narrative:basic_expenditure"
PROJECT = "narrative:project_expenditure"
COST = "narrative:cost_control"
_EXP = "支出情况表"
_SG = "三公经费情况表"

CATALOGUE: tuple[Quantity, ...] = (
    Quantity("total_expenditure", "整体支出决算数", "万元", (
        cover_cell("expenditure", _EXP, "total", "支出合计"), fund_cell("total", "executed"), notice_scope,
        framework_input("budget_completion_rate", _has("执行")), figure("total_expenditure"))),
    Quantity("initial_budget", "年初预算数（合计）", "万元", (
        fund_cell("total", "initial"), framework_input("budget_completion_rate", _has("年初预算")),
        framework_input("budget_control_rate", _has("年初预算")), figure("initial_budget"))),
    Quantity("annual_budget", "全年预算数（合计）", "万元", (fund_cell("total", "annual"), figure("annual_budget"))),
    Quantity("carryover", "上年结转（和结余）", "万元", (
        cover_cell("income", "收入情况表", "carryover", "上年结转"),
        framework_input("budget_completion_rate", _has("上年结转")), figure("carryover"))),
    Quantity("basic_expenditure", "基本支出决算数", "万元", (
        cover_cell("expenditure", _EXP, "basic", "基本支出"), line_cell(BASIC, ("总支出", "合计", "基本支出合计"), "actual"),
        fund_cell("basic", "executed"),
        line_cell("basic_data", ("部门基本支出预算调整",), "actual"), figure("basic_expenditure"))),
    Quantity("basic_budget", "基本支出年初预算数", "万元", (
        line_cell(BASIC, ("总支出", "合计", "基本支出合计"), "budget"),
        fund_cell("basic", "initial"), figure("basic_budget"))),
    Quantity("basic_annual_budget", "基本支出全年预算数", "万元", (
        fund_cell("basic", "annual"), line_cell("basic_data", ("部门基本支出预算调整",), "budget"),
        figure("basic_annual_budget"))),
    Quantity("personnel_expenditure", "人员经费决算数", "万元", (
        cover_cell("expenditure", _EXP, "personnel", "人员支出"), line_cell(BASIC, ("人员经费", "人员支出"), "actual"),
        figure("personnel_expenditure"))),
    Quantity("personnel_budget", "人员经费年初预算数", "万元", (
        line_cell(BASIC, ("人员经费", "人员支出"), "budget"), figure("personnel_budget"))),
    Quantity("wages_expenditure", "工资福利支出决算数", "万元", (
        line_cell(BASIC, ("工资福利支出",), "actual"), line_cell(COST, ("工资福利支出",), "actual"))),
    Quantity("wages_budget", "工资福利支出预算数", "万元", (
        line_cell(BASIC, ("工资福利支出",), "budget"), line_cell(COST, ("工资福利支出",), "budget"))),
    Quantity("subsidies_expenditure", "对个人和家庭的补助决算数", "万元", (
        line_cell(BASIC, ("对个人和家庭的补助",), "actual"), line_cell(COST, ("对个人和家庭的补助",), "actual"))),
    Quantity("subsidies_budget", "对个人和家庭的补助预算数", "万元", (
        line_cell(BASIC, ("对个人和家庭的补助",), "budget"), line_cell(COST, ("对个人和家庭的补助",), "budget"))),
    Quantity("public_expenditure", "公用经费决算数", "万元", (
        cover_cell("expenditure", _EXP, "public", "公用支出"), line_cell(BASIC, ("日常公用经费", "公用经费"), "actual"),
        line_cell("basic_data", ("公用经费",), "actual"),
        framework_input("public_funds_control_rate", _lacks("预算")), figure("public_expenditure"))),
    Quantity("public_budget", "公用经费预算数", "万元", (
        line_cell(BASIC, ("日常公用经费", "公用经费"), "budget"), line_cell("basic_data", ("公用经费",), "budget"),
        framework_input("public_funds_control_rate", _has("预算")), figure("public_budget"))),
    Quantity("goods_services_expenditure", "商品和服务支出决算数", "万元", (
        line_cell(BASIC, ("商品和服务支出",), "actual"), line_cell(COST, ("商品和服务支出",), "actual"))),
    Quantity("goods_services_budget", "商品和服务支出预算数", "万元", (
        line_cell(BASIC, ("商品和服务支出",), "budget"), line_cell(COST, ("商品和服务支出",), "budget"))),
    Quantity("project_expenditure", "项目支出决算数", "万元", (
        cover_cell("expenditure", _EXP, "project", "项目支出"), fund_cell("project", "executed"),
        line_cell(PROJECT, ("合计", "项目支出合计"), "spent"), line_cell("basic_data", ("项目支出",), "actual"),
        figure("project_expenditure"))),
    Quantity("project_budget", "项目支出年初预算数", "万元", (
        fund_cell("project", "initial"), line_cell(PROJECT, ("合计", "项目支出合计"), "initial"),
        figure("project_budget"))),
    Quantity("project_annual_budget", "项目支出全年预算数", "万元", (
        fund_cell("project", "annual"), line_cell("basic_data", ("项目支出",), "budget"),
        figure("project_annual_budget"))),
    Quantity("sangong_expenditure", "三公经费决算数", "万元", (
        cover_cell("sangong", _SG, "total", "三公经费合计"), line_cell("basic_data", ("三公经费",), "actual"),
        framework_input("sangong_change_rate", _lacks("上年")), framework_input("sangong_control_rate", _lacks("预算")),
        figure("sangong_expenditure"))),
    Quantity("sangong_budget", "三公经费预算数", "万元", (
        line_cell("basic_data", ("三公经费",), "budget"), framework_input("sangong_control_rate", _has("预算")),
        figure("sangong_budget"))),
    Quantity("sangong_prior", "上年三公经费决算数", "万元", (
        line_cell("basic_data", ("三公经费",), "prior_actual"), framework_input("sangong_change_rate", _has("上年")),
        figure("sangong_prior"))),
    Quantity("reception_expenditure", "公务接待费决算数", "万元", (
        cover_cell("sangong", _SG, "reception", "公务接待费"), line_cell("basic_data", ("公务接待费",), "actual"),
        line_cell(COST, ("公务接待费",), "actual"), figure("reception_expenditure"))),
    Quantity("reception_budget", "公务接待费预算数", "万元", (
        line_cell("basic_data", ("公务接待费",), "budget"), line_cell(COST, ("公务接待费",), "budget"),
        figure("reception_budget"))),
    Quantity("vehicle_operation_expenditure", "公务用车运行维护费决算数", "万元", (
        cover_cell("sangong", _SG, "vehicle_operation", "公务用车运行维护费"),
        line_cell("basic_data", ("公务用车运行维护费",), "actual"), line_cell(COST, ("公务用车运行费", "公务用车运行维护费"), "actual"),
        figure("vehicle_operation_expenditure"))),
    Quantity("vehicle_operation_budget", "公务用车运行维护费预算数", "万元", (
        line_cell("basic_data", ("公务用车运行维护费",), "budget"),
        line_cell(COST, ("公务用车运行费", "公务用车运行维护费"), "budget"), figure("vehicle_operation_budget"))),
    Quantity("vehicle_expenditure", "公务用车购置及运行维护费决算数", "万元", (
        line_cell("basic_data", ("公务用车购置和运行维护费", "公务用车购置及运行维护费"), "actual"), figure("vehicle_expenditure"))),
    Quantity("vehicle_budget", "公务用车购置及运行维护费预算数", "万元", (
        line_cell("basic_data", ("公务用车购置和运行维护费", "公务用车购置及运行维护费"), "budget"), figure("vehicle_budget"))),
    Quantity("overseas_expenditure", "因公出国（境）费决算数", "万元", (
        cover_cell("sangong", _SG, "overseas", "因公出国（境）费用"), line_cell("basic_data", ("因公出国（境）费用", "因公出国费"), "actual"),
        line_cell(COST, ("因公出国费", "因公出国（境）费用"), "actual"), figure("overseas_expenditure"))),
    Quantity("overseas_budget", "因公出国（境）费预算数", "万元", (
        line_cell("basic_data", ("因公出国（境）费用", "因公出国费"), "budget"),
        line_cell(COST, ("因公出国费", "因公出国（境）费用"), "budget"), figure("overseas_budget"))),
    Quantity("meeting_expenditure", "会议费决算数", "万元", (
        line_cell("basic_data", ("会议费",), "actual"), figure("meeting_expenditure"))),
    Quantity("meeting_budget", "会议费预算数", "万元", (line_cell("basic_data", ("会议费",), "budget"), figure("meeting_budget"))),
    Quantity("procurement_actual", "政府采购实际金额", "万元", (
        line_cell("basic_data", ("政府采购金额", "政府采购"), "actual"),
        framework_input("procurement_execution_rate", _lacks("预算")), figure("procurement_actual"))),
    Quantity("procurement_budget", "政府采购预算数", "万元", (
        line_cell("basic_data", ("政府采购金额", "政府采购"), "budget"),
        framework_input("procurement_execution_rate", _has("预算")), figure("procurement_budget"))),
    Quantity("authorized_staff", "编制人数", "人", (
        staffing("authorized", "编制数"), framework_input("staff_control_rate", _has("编制")), figure("authorized_staff"))),
    Quantity("staff_in_post", "在职人员数", "人", (
        staffing("in_post", "在职人数"), framework_input("staff_control_rate", _has("在职")), figure("staff_in_post"))),
    Quantity("satisfaction", "社会公众（服务对象）满意度", "ratio", (
        satisfaction_indicator, framework_rate("satisfaction"), figure("satisfaction"))),
    Quantity("overall_score", "绩效自评综合得分", "分", (stated_score,), severity="warning"),
)

BY_ID = {q.id: q for q in CATALOGUE}


def stated_places(pkg: Package, quantity: Quantity) -> list[Place]:
    out: list[Place] = []
    for read in quantity.accessors:
        out += read(pkg)
    return out


def places_of(ctx: AuditContext, quantity: Quantity) -> list[Place]:
    """`stated_places` of the audited package, read once per audit. Callers must not change the list."""
    return ctx.cached(("quantities.stated_places", quantity.id), lambda: stated_places(ctx.package, quantity))


def project_core(name: str) -> str:
    """A project's distinctive name: '公务接待拨款' → '公务接待', '湘西大厦维修改造经费' → '湘西大厦维修改造'."""
    core = clean_label(name)
    changed = True
    while changed:
        changed = False
        for suffix in ("经费", "拨款", "资金", "项目", "专项", "补助", "支出", "费"):
            if core.endswith(suffix) and len(core) > len(suffix) + 1:
                core = core[: -len(suffix)]
                changed = True
    return core


def table_of(pkg: Package, kind: str, name: str) -> SelfEvalTable | None:
    for t in pkg.projects + [t for d in pkg.fund_types for t in d.tables]:
        if t.kind == kind and t.name == name:
            return t
    return None
