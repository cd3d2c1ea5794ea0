"""The engine on small packages and on the seed example, against hand-derived values."""

from decimal import Decimal as D

import pytest
from conftest import EXAMPLE, FIXTURES

from jixiao.core import keys
from jixiao.core.engine import score_package
from jixiao.core.profiles import PARAMETER_LABELS
from jixiao.core.trace import Kind, Method
from jixiao.io.canonical import read_package


def _table(report, key):
    return next(t for t in report.tables if t.key == key)


def _q(value, places="0.01"):
    return value.quantize(D(places))


def test_project_scores_by_rule_with_trace():
    report = score_package(read_package(FIXTURES / "core" / "项目_执行率与定量指标.yaml"))
    t = _table(report, "projects[0]")
    assert t.execution_rate.value == D("0.8")
    assert t.execution_score.value == D(8)
    assert t.execution_score.formula == "执行率（高于100%的按100%计）× 分值"
    assert t.execution_score.rule.startswith("全国通行做法（财预〔2020〕10号）·预算执行率得分规则")
    scores = [c.value for c in t.indicator_scores]  # the engine's readings
    assert scores == [D(18), D("9.375"), D(15), D(24), D(10)]
    assert t.indicator_scores[1].formula.startswith("反向定量")
    assert t.indicator_scores[3].note.startswith("定性指标")  # judged by the evaluator, kept as stated
    # national-2020's rules are not verified: every score is judged and the unit's stands
    assert {c.kind for c in t.indicator_scores} == {Kind.JUDGED} and t.execution_score.kind is Kind.JUDGED
    assert [c.standing for c in t.indicator_scores] == [D(18), D("9.38"), D(15), D(24), D(10)]
    assert t.indicator_scores[3].allowed == (D(0), D(30))
    assert t.total.kind is Kind.COMPUTED
    assert t.total.value == D("84.38")  # 18 + 9.38 + 15 + 24 + 10 + 8: what stands
    assert PARAMETER_LABELS["level1_weights"] in t.total.rule  # every indicator applies: the clause is the 100 points' make-up
    assert t.grade.text == "良"


def test_verified_rules_are_ruled_and_their_values_stand():
    pkg = read_package(FIXTURES / "core" / "项目_执行率与定量指标.yaml")
    t = _table(score_package(pkg, str(FIXTURES / "profiles" / "test-verified-2023.yaml")), "projects[0]")
    assert [c.kind for c in t.indicator_scores] == [Kind.RULED, Kind.RULED, Kind.RULED, Kind.JUDGED, Kind.RULED]
    assert t.indicator_scores[1].standing == D("9.375")  # the rule's, not the stated 9.38
    assert t.total.value == D("84.375") and t.total.agrees is True  # stated 84.38 at two decimals


def test_non_applicable_indicators_are_rescaled():
    report = score_package(read_package(FIXTURES / "core" / "项目_不适用指标折算.yaml"))
    t = _table(report, "projects[0]")
    assert t.total.value == D("95.5")  # (40 + 36) × 90 ÷ 80 + 10
    assert "适用指标" in t.total.formula
    assert PARAMETER_LABELS["not_applicable"] in t.total.rule  # the clause that says how the non-applicable ones count
    assert t.grade.text == "优"


def test_profile_choice_changes_grade_names():
    pkg = read_package(FIXTURES / "core" / "项目_执行率与定量指标.yaml")
    assert _table(score_package(pkg, "national-2020"), "projects[0]").grade.text == "良"
    pkg.projects[0].indicators[3].stated_score = D(0)  # total 60.375
    assert _table(score_package(pkg, "xiangxi-2022"), "projects[0]").grade.text == "较差"
    assert _table(score_package(pkg, "national-2020"), "projects[0]").grade.text == "中"


@pytest.fixture(scope="module")
def seed_report():
    return score_package(read_package(EXAMPLE))


# Values derived by hand from the seed document with a calculator (see docs/seed-defects.md).
SEED_PROJECTS = {
    # name: (execution rate %, execution score by the rule, total of what stands, stated score, stated total)
    # xiangxi-2022's score rules are unverified, so the unit's scores stand and the totals add them up.
    "公务接待拨款": ("1.64", "0.16", "90.00", "0", "90"),  # 3.16 ÷ 193.03; 0.16 by the rule, 0 stated
    "房屋购建经费": ("100.00", "10.00", "98.00", "10", "98"),  # two met indicators scored 9 (10 by the rule)
    "运营维护及职能工作经费": ("27.82", "2.78", "92.78", "2.78", "92.87"),  # 32.34 ÷ 116.24; 92.87 mis-added
    "湘西大厦维修改造经费": ("5.30", "0.53", "90.05", "0.05", "90.05"),  # 48.40 ÷ 912.63
    "驻外招商引资经费": ("100.00", "10.00", "99.00", "10", "99"),
}


@pytest.mark.parametrize("name", SEED_PROJECTS)
def test_seed_project_tables(seed_report, name):
    rate, score, total, stated_score, stated_total = SEED_PROJECTS[name]
    t = next(t for t in seed_report.tables if t.table.name == name)
    assert _q(t.execution_rate.value * 100) == D(rate)
    assert _q(t.execution_score.value) == D(score)
    assert t.execution_score.stated == D(stated_score)
    assert _q(t.total.value) == D(total)
    assert t.total.stated == D(stated_total)
    assert t.total.agrees is (total == stated_total or D(total) == D(stated_total))


def test_seed_overall_table(seed_report):
    t = _table(seed_report, "overall")
    assert _q(t.execution_rate.value * 100) == D("32.20")  # 1066.75 ÷ 3312.53
    assert _q(t.execution_score.value) == D("3.22")
    assert _q(t.total.value) == D("93.22")  # 50 + 30 + 10 + 3.22
    assert t.total.agrees
    assert t.grade.text == "优"
    cover_grade = seed_report.find("cover.grade")
    assert cover_grade.stated_text == "优秀" and cover_grade.agrees is False


def test_seed_tables_arithmetic(seed_report):
    f = seed_report.find
    total = f("expenditure[1].total")
    assert total.value == D("1066.75") and total.stated == D("3312.53") and total.agrees is False
    assert f("expenditure[1].basic").agrees  # 363.49 + 442.18 = 805.67 ≈ 805.66 (rounding of parts)
    wage = f("narrative.tables.basic_expenditure.lines[1].diff")
    assert wage.value == D("45.21") and wage.stated == D("45.41") and not wage.agrees
    basic_total = f("narrative.tables.basic_expenditure.lines[6].actual.sum")
    assert basic_total.value == D("779.88") and basic_total.stated == D("805.66")
    cost_total = f("narrative.tables.cost_control.lines[0].actual.sum")
    assert cost_total.value == D("873.51") and cost_total.stated == D("837.54")
    projects_prior = f("basic_data.costs.lines[6].prior_actual.sum")
    assert projects_prior.value == D("59.10") and projects_prior.stated == D("77.11")
    projects_budget = f("basic_data.costs.lines[6].budget.sum")
    assert projects_budget.value == D("1244.31") and projects_budget.stated == D("1231.90")


def test_seed_framework(seed_report):
    f = seed_report.find
    sangong = f("narrative.framework[9].rate_by_document")
    assert _q(sangong.value * 100) == D("21.03") and sangong.stated == D("0.2102") and not sangong.agrees
    change = f("narrative.framework[3].rate_by_document")
    assert _q(change.value * 100) == D("-72.80") and not change.agrees  # printed without its sign
    completion_doc = f("narrative.framework[4].rate_by_document")
    assert _q(completion_doc.value * 100) == D("138.06") and completion_doc.agrees  # by its own formula
    completion = f("narrative.framework[4].rate")
    assert _q(completion.value * 100) == D("32.20")  # by the profile's formula, inputs from the tables
    building = f("narrative.framework[6].score")
    assert building.value == D(5) and building.stated == D(4)  # nothing to evaluate → full marks (参考)
    assert building.kind is Kind.JUDGED and building.standing == D(4)  # the rule is unverified: 4 stands
    assert f("narrative.framework.weight_total").value == D(100)
    stated_items = f("narrative.framework.total")
    assert stated_items.stated == D("93.22")
    assert stated_items.value == D(89)  # the unit's item scores add up to 89, not the 93.22 it states


def test_every_computed_value_explains_itself(seed_report):
    for c in seed_report.all():
        assert c.formula, c.key
        assert c.key and c.label
        assert c.kind in Kind and c.method in Method
        d = c.as_dict()
        for field in ("value", "formula", "inputs", "stated", "agrees", "rule", "kind", "method", "standing"):
            assert field in d, (c.key, field)


def test_execution_bands_and_caps_from_a_profile_file():
    report = score_package(read_package(FIXTURES / "core" / "整体_执行率分档与封顶.yaml"))
    t = _table(report, "overall")
    assert t.execution_rate.value == D("0.65")
    assert t.execution_score.value == D(5)  # 65% falls in [60%, 80%) → 5
    assert t.total.value == D(79)  # 90 + 5 = 95, capped at 79 below 70%
    assert t.total.inputs["封顶"] == D(79)
    assert PARAMETER_LABELS["execution_caps"] in t.total.rule
    assert t.total.agrees is False  # the package states 95
    assert t.grade.text == "中"


def test_overall_non_applicable_counts_full_marks():
    report = score_package(read_package(FIXTURES / "core" / "整体_不适用指标按满分.yaml"))
    t = _table(report, "overall")
    assert [c.value for c in t.indicator_scores] == [D(40), None, D(10)]
    assert t.total.value == D(90)
    assert "不适用指标按满分" in t.total.formula


def test_qualitative_tier_chosen_by_preparer_scores_top_of_band():
    from jixiao.io.canonical import parse_package

    pkg = parse_package(
        "jixiao: 1\nyear: 2023\nunit: {name: 甲}\nprojects:\n  - name: 乙\n    indicators:\n"
        "      - {level1: 效益指标, level2: 社会效益指标, name: 影响, target: 明显提升, actual: 有所提升,"
        " weight: 30, tier: 部分达成}\n")
    c = score_package(pkg).tables[0].indicator_scores[0]
    assert c.value == D(24)  # 80% × 30, the top of 部分达成 [60%, 80%]
    assert c.formula == "定性：部分达成档取上限"


def test_framework_point_rules_from_the_profile():
    report = score_package(read_package(FIXTURES / "core" / "整体_综合评价各项规则.yaml"))
    scores = {c.label: c.value for c in report.sections["绩效评价报告·综合评价（§七）"] if c.key.builder == "framework_score"}
    assert scores == {
        "在职人员控制率": D("1.5"),  # 105% → 3 − 5 × 0.3
        "三公经费变动率": D(0),  # +10% → 4 − 10 × 0.4
        "预算控制率": D(3),  # 15% in (10%, 20%]
        "预算完成率": D(3),  # 90.4%: one whole 5% step short
        "新建楼堂馆所面积控制率": D(5),  # nothing built: full marks
        "政府采购执行率": D("4.5"),  # 75% × 6
        "管理制度健全性": D(7),  # a judgement: the stated score
    }
    total = report.find(keys.FRAMEWORK_TOTAL)
    # the point rules are unverified (judged): the stated scores stand and add up to 32
    assert total.value == D(32) and total.stated == D(30) and total.agrees is False


def test_results_name_the_canonical_field_they_are_compared_with(seed_report):
    """So that an editor (the web app) can link a finding to the field it is about."""
    t = _table(seed_report, "projects[1]")
    assert t.indicator_scores[2].path == "projects[1].indicators[2].score"
    assert t.execution_score.path == "projects[1].funds[0].score" and t.total.path == "projects[1].total"
    assert seed_report.find(keys.FRAMEWORK_TOTAL).path == "narrative.total"
    assert seed_report.find(keys.cover_row("expenditure", 1, "total")).path == "expenditure[1].total"


def test_findings_carry_the_path_of_their_field():
    from jixiao.audit.registry import run_checks

    findings = run_checks(read_package(EXAMPLE))
    by_rule = {f.rule: f for f in findings if f.location.path}
    assert by_rule["score.total"].location.path.endswith(".total")
    assert "path" in by_rule["score.total"].as_dict()["location"]
    assert sum(1 for f in findings if f.location.path) >= len(findings) // 2
