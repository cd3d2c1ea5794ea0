"""The catalogue: the forms of a package and the formulas of the overall-expenditure framework (§七).

Everything that names a form (readers, the audit's report, the writers) or applies a framework
formula (the engine, the view that prints it) takes it from here, so that a title or a formula is
written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from . import rules

# --- forms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    id: str  # how readers name it in Package.forms_found: 自评报告 | 绩效评价报告 | 附件1 … 附件7
    annex: int | None  # 附件 number, None for the two report parts
    title: str  # the form's full title
    kind: str  # cover | narrative | notice | basic_data | self_eval
    table_kind: str = ""  # SelfEvalTable.kind for the self-evaluation forms
    fund_type: str = ""  # 附件5–7: the spending they cover (政府性基金预算支出 …)


FORMS: tuple[Form, ...] = (
    Form("自评报告", None, "部门整体支出绩效自评报告（封面表）", "cover"),
    Form("绩效评价报告", None, "绩效评价报告（正文）", "narrative"),
    Form("附件1", 1, "评价通知", "notice"),
    Form("附件2", 2, "基础数据表", "basic_data"),
    Form("附件3", 3, "部门整体支出绩效自评表", "self_eval", "overall"),
    Form("附件4", 4, "项目支出绩效自评表", "self_eval", "project"),
    Form("附件5", 5, "政府性基金预算支出绩效自评表", "self_eval", "gov_fund", "政府性基金预算支出"),
    Form("附件6", 6, "国有资本经营预算支出绩效自评表", "self_eval", "state_capital", "国有资本经营预算支出"),
    Form("附件7", 7, "社会保险基金预算支出绩效自评表", "self_eval", "social_insurance", "社会保险基金预算支出"),
)
FORM_IDS: tuple[str, ...] = tuple(f.id for f in FORMS)
_BY_ID = {f.id: f for f in FORMS}
_BY_TABLE_KIND = {f.table_kind: f for f in FORMS if f.table_kind}
FUND_TYPE_KINDS: tuple[str, ...] = tuple(f.table_kind for f in FORMS if f.fund_type)


def form(form_id: str) -> Form | None:
    return _BY_ID.get(form_id)


def form_for_table(table_kind: str) -> Form | None:
    """附件3 for 'overall', 附件4 for 'project', 附件5–7 for the fund types."""
    return _BY_TABLE_KIND.get(table_kind)


def table_title(table_kind: str) -> str:
    """'附件4 项目支出绩效自评表' — the label a table's figures carry in a score report."""
    f = _BY_TABLE_KIND.get(table_kind)
    return f"{f.id} {f.title}" if f else table_kind


def fund_type_label(table_kind: str) -> str:
    """'政府性基金预算支出' for 'gov_fund'; the kind itself when it is not one of 附件5–7."""
    f = _BY_TABLE_KIND.get(table_kind)
    return f.fund_type if f and f.fund_type else table_kind


# --- scoring systems ---------------------------------------------------------------------------

# A package carries two scores from two systems; every printed score says which one it is.
SYSTEM_SELF_EVAL = "self_eval_table"
SYSTEM_FRAMEWORK = "framework"
SYSTEM_LABELS = {SYSTEM_SELF_EVAL: "自评表总分", SYSTEM_FRAMEWORK: "部门整体支出绩效评价指标体系得分"}


# --- framework formulas --------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    id: str
    inputs: tuple[str, ...]  # canonical input names, in the order the function takes them
    text: str  # as printed: 在职人员数 ÷ 编制数
    function: Callable[..., Decimal | None]
    source: str  # where the formula is defined


_FRAMEWORK_SOURCE = "财预〔2013〕53号 附件3 部门整体支出绩效评价共性指标体系框架"


def _ratio_formula(fid: str, numerator: str, denominator: str) -> Formula:
    return Formula(fid, (numerator, denominator), f"{numerator} ÷ {denominator}", rules.ratio, _FRAMEWORK_SOURCE)


FORMULAS: dict[str, Formula] = {f.id: f for f in (
    _ratio_formula("staff_control_rate", "在职人员数", "编制数"),
    Formula("sangong_change_rate", ("本年三公经费", "上年三公经费"), "(本年三公经费 − 上年三公经费) ÷ 上年三公经费",
            rules.change_rate, _FRAMEWORK_SOURCE),
    Formula("budget_completion_rate", ("上年结转", "年初预算", "本年追加", "年末结余"),
            "(上年结转 + 年初预算 + 本年追加 − 年末结余) ÷ (上年结转 + 年初预算 + 本年追加)",
            rules.budget_completion_rate, _FRAMEWORK_SOURCE),
    _ratio_formula("budget_control_rate", "本年追加", "年初预算"),
    _ratio_formula("public_funds_control_rate", "公用经费实际", "公用经费预算"),
    _ratio_formula("sangong_control_rate", "三公经费实际", "三公经费预算"),
    _ratio_formula("procurement_execution_rate", "政府采购实际", "政府采购预算"),
    _ratio_formula("building_area_control_rate", "实际面积", "批准面积"),
    _ratio_formula("building_investment_control_rate", "实际投资", "批准概算"),
    _ratio_formula("fixed_asset_utilization", "在用固定资产", "固定资产总额"),
    _ratio_formula("satisfaction_rate", "满意数", "有效问卷数"),
    _ratio_formula("completion_rate", "完成数", "计划数"),
)}


def apply_formula(formula_id: str, values: dict[str, Decimal]) -> Decimal | None:
    """The formula's value from its named inputs (all present)."""
    f = FORMULAS[formula_id]
    return f.function(*(values[name] for name in f.inputs))
