"""The point checks on any self-evaluation table, whatever its family and however much of it was read."""

from __future__ import annotations

from decimal import Decimal

from jixiao.audit.service import audit_package
from jixiao.core.model import Actual, FundRow, Indicator, Line, LineTable, Package, SelfEvalTable, Target


def _indicator(level1: str, name: str, weight: str) -> Indicator:
    return Indicator(level1, "数量指标", name, Target("≥10个", "quantitative", ">=", Decimal(10), "个"),
                     Actual("10个", Decimal(10), "个"), weight=Decimal(weight), stated_score=Decimal(weight))


def _table(levels: dict[str, str], total_weight: str | None, with_funds: bool = True,
           indicators: bool = True) -> SelfEvalTable:
    table = SelfEvalTable("project", name="示例项目")
    if with_funds:
        table.funds = [FundRow("total", "年度资金总额", Decimal(100), Decimal(100), Decimal(100), Decimal(10), Decimal(1), Decimal(10))]
    table.level1_weights = {level: Decimal(points) for level, points in levels.items()}
    if indicators:
        table.indicators = [_indicator(level, f"{level}甲", points) for level, points in levels.items()]
    table.stated_total_weight = Decimal(total_weight) if total_weight is not None else None
    return table


def _weight_findings(table: SelfEvalTable) -> list:
    pkg = Package(year=2023, projects=[table])
    return [f for f in audit_package(pkg, "t").findings
            if f.rule == "score.level1_weight" and "各指标分值与执行率分值之和" in f.message]


def test_a_table_of_110_points_that_prints_100_is_an_error():
    found = _weight_findings(_table({"产出指标": "70", "效益指标": "20", "满意度指标": "10"}, "100"))
    assert [(f.severity, f.stated, f.expected) for f in found] == [("error", "100.00", "110.00")]
    assert "110" in found[0].formula


def test_a_correct_table_of_100_points_passes():
    assert _weight_findings(_table({"产出指标": "50", "效益指标": "30", "满意度指标": "10"}, "100")) == []


def test_without_a_printed_total_the_points_are_held_against_100():
    found = _weight_findings(_table({"产出指标": "70", "效益指标": "20", "满意度指标": "10"}, None))
    assert [(f.severity, f.stated) for f in found] == [("warning", "100.00")]
    assert "满分100分" in found[0].message


def test_levels_printed_without_indicator_points_are_summed():
    """A family that prints only each level's points (产出指标(70分)) is checked on those."""
    found = _weight_findings(_table({"产出指标": "70", "效益指标": "20", "满意度指标": "10"}, "100",
                                    indicators=False))
    assert [f.expected for f in found] == ["110.00"]


def test_execution_printed_as_a_level_is_not_counted_twice():
    levels = {"产出指标": "60", "效益指标": "20", "预算执行率": "10", "满意度指标": "10"}
    assert _weight_findings(_table(levels, "100", with_funds=True, indicators=False)) == []
    levels["产出指标"] = "70"
    assert [f.expected for f in _weight_findings(_table(levels, "100", indicators=False))] == ["110.00"]


def test_without_the_fund_block_only_a_sum_above_the_total_is_reported():
    assert _weight_findings(_table({"产出指标": "50", "效益指标": "30", "满意度指标": "10"}, "100",
                                   with_funds=False)) == []
    found = _weight_findings(_table({"产出指标": "70", "效益指标": "30", "满意度指标": "10"}, "100", with_funds=False))
    assert [f.expected for f in found] == ["110.00"]


def test_a_sum_under_a_reading_no_arrangement_satisfies_says_which_reading():
    table = LineTable("project_expenditure", "项目支出情况", {"budget": "预算数"},
                      [Line("甲", {"budget": Decimal(10)}), Line("乙", {"budget": Decimal(20)}),
                       Line("合计", {"budget": Decimal(40)})], total_label="合计")
    table.reading = "表中层级未标明处已试各种读法，各项之和均不相符，按默认读法报告"
    pkg = Package(year=2023)
    pkg.narrative.tables["project_expenditure"] = table
    sums = [f for f in audit_package(pkg, "t").findings if f.rule == "table.sum"]
    assert sums and all("各项之和均不相符，按默认读法报告" in f.message for f in sums)


def test_a_table_that_prints_its_own_grade_is_held_to_the_bands():
    table = _table({"产出指标": "50", "效益指标": "30", "满意度指标": "10"}, "100")
    table.stated_total, table.stated_grade = Decimal(100), "良"
    pkg = Package(year=2023, projects=[table])
    grades = [f for f in audit_package(pkg, "t").findings if f.rule == "score.grade"]
    assert [(f.stated, f.expected, f.location.row) for f in grades] == [("良", "优", "评价等次")]
    assert "示例项目" in grades[0].message
    table.stated_grade = "优"
    assert not [f for f in audit_package(pkg, "t").findings if f.rule == "score.grade"]
