"""xref.cover_indicators: the cover's quantitative goals restate 附件3's indicators."""

from jixiao.audit.registry import run_checks
from jixiao.io.canonical import parse_package

PACKAGE = """
jixiao: 1
profile: national-2020
year: 2023
unit: {{name: 某县人社局}}
cover:
  indicators:
    - {{level1: 产出指标, level2: 数量指标, name: 岗位信息, target: "{cover_target}", actual: 全年120条, weight: 10}}
    - {{level1: 产出指标, level2: 质量指标, name: 服务质量, target: 明显提升, actual: "{cover_actual}", weight: 10}}
    - {{level1: 效益指标, level2: 社会效益指标, name: 只在封面, target: ≥1个, actual: 1个, weight: 10}}
overall:
  funds: [{{key: total, label: 年度资金总额, annual: 100, executed: 95, weight: 10}}]
  indicators:
    - {{level1: 产出指标, level2: 数量指标, name: 岗位信息, target: ＞100条, actual: 全年120条, weight: 10, score: 10}}
    - {{level1: 产出指标, level2: 质量指标, name: 服务质量, target: 明显提升, actual: 有所提升, weight: 10, score: 7}}
"""


def _findings(cover_target="＞100条", cover_actual="有所提升"):
    pkg = parse_package(PACKAGE.format(cover_target=cover_target, cover_actual=cover_actual))
    return [f for f in run_checks(pkg) if f.rule == "xref.cover_indicators"]


def test_same_goals_in_both_places_only_note_the_extra_one():
    found = _findings()
    assert [(f.severity, f.stated) for f in found] == [("info", "只在封面")]


def test_a_different_figure_is_an_error():
    found = [f for f in _findings(cover_target="＞120条") if f.severity != "info"]
    assert len(found) == 1 and found[0].severity == "error"
    assert found[0].stated == "＞120条" and found[0].expected == "＞100条"
    assert "年度指标值" in found[0].message


def test_different_wording_is_a_warning():
    found = [f for f in _findings(cover_actual="明显提升") if f.severity != "info"]
    assert [(f.severity, f.stated, f.expected) for f in found] == [("warning", "明显提升", "有所提升")]


def test_full_width_and_spaces_do_not_count_as_differences():
    assert [f.severity for f in _findings(cover_target=" ＞１００条")] == ["info"]
