"""The names of the engine's results, one builder per kind of figure.

The engine names every `Computed` with one of these, and every consumer (audit checks, the view,
the writers, the web app) finds a result with the same builder — never by writing the string
itself. A `Key` is a `str` (the JSON contract shows it as such) that remembers which builder made
it, so a test can prove that every builder a consumer asks for is one the engine fills.
"""

from __future__ import annotations


class Key(str):
    """A result key; `builder` names the function below that made it."""

    __slots__ = ("builder",)
    builder: str

    def __new__(cls, text: str, builder: str) -> Key:
        k = super().__new__(cls, text)
        k.builder = builder
        return k


def _k(builder: str, text: str) -> Key:
    return Key(text, builder)


# --- the self-evaluation tables (附件3, each 附件4, 附件5–7) ----------------------------------
# A table key names the table; the builders below name a figure inside it.

OVERALL = "overall"


def project(i: int) -> str:
    return f"projects[{i}]"


def fund_type_table(i: int, j: int) -> str:
    return f"fund_types[{i}].tables[{j}]"


def fund_sum(table: str, group: str, column: str) -> Key:
    """年度资金总额 = Σ its parts (group: the first part's key, e.g. appropriation, general_budget, basic)."""
    return _k("fund_sum", f"{table}.funds.{group}_sum.{column}")


def fund_group_sum(table: str, group: str, column: str) -> Key:
    """A group's sum as its sub-heading states it (按收入性质分：…) = Σ the group's rows."""
    return _k("fund_group_sum", f"{table}.funds.{group}_group.{column}")


def execution_rate(table: str) -> Key:
    return _k("execution_rate", f"{table}.execution.rate")


def execution_score(table: str) -> Key:
    return _k("execution_score", f"{table}.execution.score")


def indicator_score(table: str, i: int) -> Key:
    return _k("indicator_score", f"{table}.indicators[{i}].score")


def level1_weight(table: str, level1: str) -> Key:
    return _k("level1_weight", f"{table}.level1.{level1}.weight")


def total(table: str) -> Key:
    return _k("total", f"{table}.total")


def grade(table: str) -> Key:
    return _k("grade", f"{table}.grade")


# --- the cover form's tables (收入 / 支出 / 三公 / 固定资产) and its score ---------------------


def cover_row(table: str, i: int, field: str) -> Key:
    """A derived field of one institution's row: income[0].total, expenditure[1].basic …"""
    return _k("cover_row", f"{table}[{i}].{field}")


def cover_summary(table: str, field: str) -> Key:
    """A field of the 汇总 row = Σ the institutions' rows."""
    return _k("cover_summary", f"{table}.summary.{field}")


COVER_SCORE = _k("cover_score", "cover.score")
COVER_GRADE = _k("cover_grade", "cover.grade")


# --- line tables (the narrative's tables, 附件2's cost lines) ---------------------------------


def narrative_table(key: str) -> str:
    return f"narrative.tables.{key}"


BASIC_COSTS = "basic_data.costs"


def line_cell(table: str, i: int, column: str) -> Key:
    """A derived column of a line (增减, 年末结转和结余 …)."""
    return _k("line_cell", f"{table}.lines[{i}].{column}")


def line_sum(table: str, i: int, column: str) -> Key:
    """A parent or total line = Σ its children in one column."""
    return _k("line_sum", f"{table}.lines[{i}].{column}.sum")


# --- 附件2 rates ----------------------------------------------------------------------------

STAFF_CONTROL_RATE = _k("staff_control_rate", "basic_data.staffing.control_rate")


def building_rate(which: str) -> Key:
    """which: area_rate | investment_rate."""
    return _k("building_rate", f"basic_data.buildings.{which}")


# --- §七 overall-expenditure framework ---------------------------------------------------------


def framework_rate(i: int) -> Key:
    """Item i's rate by the profile's formula."""
    return _k("framework_rate", f"narrative.framework[{i}].rate")


def framework_rate_by_document(i: int) -> Key:
    """Item i's rate by the formula the document itself prints."""
    return _k("framework_rate_by_document", f"narrative.framework[{i}].rate_by_document")


def framework_score(i: int) -> Key:
    return _k("framework_score", f"narrative.framework[{i}].score")


FRAMEWORK_WEIGHT_TOTAL = _k("framework_weight_total", "narrative.framework.weight_total")
FRAMEWORK_TOTAL = _k("framework_total", "narrative.framework.total")
FRAMEWORK_GRADE = _k("framework_grade", "narrative.framework.grade")


# --- 部门汇总 (core/aggregate.py) ------------------------------------------------------------


def aggregate_fund(column: str) -> Key:
    return _k("aggregate_fund", f"aggregate.funds.{column}")


AGGREGATE_EXECUTION_RATE = _k("aggregate_execution_rate", "aggregate.execution.rate")
AGGREGATE_TOTAL = _k("aggregate_total", "aggregate.total")


def aggregate_indicator(i: int, what: str) -> Key:
    """what: actual (a quantitative indicator's value) | score (a qualitative one's)."""
    return _k("aggregate_indicator", f"aggregate.indicators[{i}].{what}")
