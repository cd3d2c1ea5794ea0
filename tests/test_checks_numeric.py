"""The numeric audit checks (arithmetic.py, scores.py) on small packages and on the seed.

Each test takes the self-consistent package tests/fixtures/checks/correct.yaml, changes one
or two figures, and expects exactly the finding that change should cause — with the
expected values derived by hand in the test.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import EXAMPLE, FIXTURES

from jixiao.audit.findings import Finding
from jixiao.audit.registry import CHECKS, _load_all, run_checks
from jixiao.core.profiles import load_profile, load_yaml
from jixiao.io.canonical import parse_package, read_package

BASE = FIXTURES / "checks" / "correct.yaml"
CAPS_PROFILE = FIXTURES / "checks" / "profiles" / "checks-caps.yaml"
NUMERIC = {
    "table.sum", "table.difference", "table.balance", "table.partial_exceeds", "table.summary_row",
    "funds.identity", "rate.execution", "rate.document_formula", "rate.profile_formula", "score.execution",
    "score.indicator", "score.indicator_over_weight", "score.qualitative_tier", "score.level1_weight",
    "score.total", "score.grade", "score.cap", "score.framework_item", "score.framework_total",
    "reason.execution_below_threshold", "reason.deviation",
}


def _base() -> dict:
    return load_yaml(BASE.read_text(encoding="utf-8"))


def _audit(doc: dict, profile=None) -> list[Finding]:
    pkg = parse_package(json.dumps(doc, default=str, ensure_ascii=False), "测试数据包", json_input=True)
    return [f for f in run_checks(pkg, profile) if f.rule in NUMERIC or f.rule.startswith("internal")]


def _only(findings: list[Finding], rule: str) -> Finding:
    hits = [f for f in findings if f.rule == rule]
    assert len(hits) == 1, [(f.rule, f.message) for f in findings]
    return hits[0]


def _line(doc: dict, table: str, label: str) -> dict:
    return next(ln for ln in doc["narrative"]["tables"][table]["lines"] if ln["label"] == label)


def _cost(doc: dict, label: str) -> dict:
    return next(ln for ln in doc["basic_data"]["costs"]["lines"] if ln["label"] == label)


def _fund(table: dict, key: str) -> dict:
    return next(f for f in table["funds"] if f["key"] == key)


def _ind(table: dict, name: str) -> dict:
    return next(i for i in table["indicators"] if i["name"] == name)


def _item(doc: dict, item_id: str) -> dict:
    return next(i for i in doc["narrative"]["framework"] if i["id"] == item_id)


# --- the catalogue and the clean package ---------------------------------------------------


def test_every_numeric_rule_is_registered_with_chinese_title():
    _load_all()
    for rule in NUMERIC:
        assert rule in CHECKS, rule
        assert CHECKS[rule].title and CHECKS[rule].description


def test_correct_package_triggers_no_numeric_finding():
    assert _audit(_base()) == []


def test_findings_carry_every_field():
    doc = _base()
    _line(doc, "basic_expenditure", "总支出")["actual"] = 155
    f = _only(_audit(doc), "table.sum")
    d = f.as_dict()
    assert set(d) == {"rule", "severity", "message", "location", "stated", "expected", "formula", "evidence"}
    assert d["location"]["text"] == "绩效评价报告 / 基本支出情况 / 总支出 / 决算数"


def test_scores_and_money_are_compared_at_two_decimals_even_when_printed_without():
    from jixiao.core.trace import Computed

    def c(unit, stated, value):
        return Computed(key="k", label="l", value=Decimal(value), unit=unit, formula="", stated=Decimal(stated))

    assert c("分", "0", "0.164").agrees is False  # a score printed 0 means 0.00, not "0 ± 0.5"
    assert c("万元", "282.3", "282.34").agrees is False  # 282.3 is 282.30 with the zero dropped
    assert c("万元", "282.3", "282.304").agrees is True
    assert c("ratio", "0.33", "0.3296").agrees is True  # rates keep their printed precision (33%)


# --- arithmetic ----------------------------------------------------------------------------


def test_total_row_not_the_sum_of_top_rows():
    doc = _base()
    row = _line(doc, "basic_expenditure", "总支出")
    row["actual"], row["diff"] = 155, 5  # 增减 follows the wrong total, as in the seed
    f = _only(_audit(doc), "table.sum")
    assert f.severity == "error"
    assert f.message == "基本支出情况表“总支出”决算数与各项之和不符"
    assert (f.location.form, f.location.table, f.location.row, f.location.column) == \
        ("绩效评价报告", "基本支出情况", "总支出", "决算数")
    assert f.formula == "100.00 + 50.00 = 150.00 ≠ 155.00"  # 人员经费 + 公用经费
    assert (f.stated, f.expected) == ("155.00", "150.00")


def test_cover_expenditure_total_not_basic_plus_project():
    doc = _base()
    doc["expenditure"][0]["total"] = 3312.53
    f = _only(_audit(doc), "table.sum")
    assert f.location.form == "自评报告" and f.location.column == "支出合计"
    assert f.formula == "150.00 + 90.00 = 240.00 ≠ 3,312.53"


def test_parent_line_not_the_sum_of_children_in_basic_data():
    doc = _base()
    _cost(doc, "三公经费")["prior_actual"] = 9  # children 3 + 4 = 7
    f = _only(_audit(doc), "table.sum")
    assert (f.location.form, f.location.row, f.location.column) == ("附件2", "三公经费", "上年决算数")
    assert f.formula == "3.00 + 4.00 = 7.00 ≠ 9.00"


def test_rounding_drift_of_parts_is_not_an_error():
    doc = _base()
    _line(doc, "basic_expenditure", "总支出")["budget"] = Decimal("150.01")  # two parts: ±0.02 allowed
    _line(doc, "basic_expenditure", "总支出")["diff"] = Decimal("-0.01")
    assert _audit(doc) == []


def test_difference_column_checked_once():
    doc = _base()
    _line(doc, "basic_expenditure", "工资福利支出")["diff"] = 12
    findings = _audit(doc)
    f = _only(findings, "table.difference")
    assert f.message == "基本支出情况表“工资福利支出”决算比预算增加与决算数减年初预算数之差不符"
    assert f.formula == "90.00 − 80.00 = 10.00 ≠ 12.00"
    assert not [x for x in findings if x.rule == "table.sum"]  # the parent's 增减 is not summed again


def test_project_balance_row():
    doc = _base()
    _line(doc, "project_expenditure", "群众文化演出经费")["closing"] = 15
    f = _only(_audit(doc), "table.balance")
    assert f.formula == "40.00 + 60.00 − 90.00 = 10.00 ≠ 15.00"
    assert f.location.row == "群众文化演出经费" and f.location.column == "年末结转和结余"


def test_cover_cumulative_balance():
    doc = _base()
    doc["expenditure"][0]["balance_cumulative"] = 50
    f = _only(_audit(doc), "table.balance")
    assert f.formula == "300.00 − (150.00 + 90.00) = 60.00 ≠ 50.00"
    assert f.location.column == "累计结余"


def test_partial_children_exceed_parent():
    doc = _base()
    _cost(doc, "办公费")["actual"] = 48  # 48 + 4 = 52 > 公用经费 50
    f = _only(_audit(doc), "table.partial_exceeds")
    assert f.severity == "error"
    assert f.formula == "48.00 + 4.00 = 52.00 > 50.00"
    assert f.location.row == "公用经费" and f.location.column == "本年决算数"


def test_partial_children_below_parent_are_fine():
    doc = _base()
    _cost(doc, "办公费")["actual"] = 1
    assert _audit(doc) == []


def test_summary_row_not_the_sum_of_institutions():
    doc = _base()
    doc["income"][0]["carryover"] = 110
    f = _only(_audit(doc), "table.summary_row")
    assert f.location.row == "汇总" and f.location.column == "上年结转"
    assert f.formula == "100.00 = 100.00 ≠ 110.00"


def test_fund_block_identity():
    doc = _base()
    _fund(doc["projects"][0], "carryover")["annual"] = 45  # 60 + 45 = 105 ≠ 100
    f = _only(_audit(doc), "funds.identity")
    assert f.location.form == "附件4·群众文化演出经费" and f.location.column == "全年预算数"
    assert f.formula == "60.00 + 45.00 = 105.00 ≠ 100.00"
    assert "附件4“群众文化演出经费”项目支出绩效自评表" in f.message


# --- rates --------------------------------------------------------------------------------


def test_execution_rate_stated_wrong():
    doc = _base()
    _fund(doc["projects"][0], "total")["rate"] = "95%"
    f = _only(_audit(doc), "rate.execution")
    assert f.severity == "error"
    assert f.formula == "90 ÷ 100 = 90.00% ≠ 95.00%"


def test_rate_by_the_documents_own_formula_reported_once():
    doc = _base()
    _item(doc, "staff_control_rate")["rate"] = "85%"
    findings = _audit(doc)
    f = _only(findings, "rate.document_formula")
    assert f.severity == "error"
    assert f.formula.endswith("(8 ÷ 10) = 80.00% ≠ 85.00%")
    assert not [x for x in findings if x.rule == "rate.profile_formula"]  # same figure: reported once


def test_lost_sign_of_a_change_rate():
    doc = _base()
    doc["narrative"]["framework"].append({
        "id": "sangong_change_rate", "level1": "投入", "level2": "预算配置", "name": "“三公经费”变动率",
        "weight": 0, "inputs": {"本年度三公经费支出数": 6, "上年度三公经费支出数": 8},
        "formula": "（本年度“三公经费”支出数－上年度“三公经费”支出数）÷上年度“三公经费”支出数×100%",
        "rate": "25%", "score": 0})
    f = _only(_audit(doc), "rate.document_formula")
    assert "正负号错误" in f.message
    assert "(6 − 8) ÷ 8 = -25.00% ≠ 25.00%" in f.formula  # (6 − 8) ÷ 8 = −0.25


def test_basic_data_staff_control_rate():
    doc = _base()
    doc["basic_data"]["staffing"]["control_rate"] = "90%"
    f = _only(_audit(doc), "rate.document_formula")
    assert f.formula.endswith("8 ÷ 10 = 80.00% ≠ 90.00%")


def test_rate_by_the_profile_formula_is_a_warning():
    doc = _base()
    item = _item(doc, "sangong_control_rate")
    item["inputs"] = {"三公经费实际支出数": 7, "三公经费预算安排数": 8}
    item["rate"] = "87.5%"  # 7 ÷ 8 by the document's own figures, but 附件2 says 6 ÷ 8 = 75%
    f = _only(_audit(doc), "rate.profile_formula")
    assert f.severity == "warning"  # national-2020's framework is not verified
    assert (f.stated, f.expected) == ("87.50%", "75.00%")
    assert "6 ÷ 8" in f.formula and "附件2" in f.formula


# --- scores ------------------------------------------------------------------------------


def test_execution_score_not_following_from_rate():
    doc = _base()
    project = doc["projects"][0]
    _fund(project, "total")["score"] = Decimal("0.9")
    project["total"] = Decimal("90.9")  # the total follows the wrong score
    findings = _audit(doc)
    f = _only(findings, "score.execution")
    assert f.severity == "warning"  # the profile's rule is not verified: the unit's score stands, 9.00 is 参考
    assert f.formula == "90 ÷ 100 = 90.00%；min(90.00%, 100%) × 10 = 9.00 ≠ 0.90"
    assert "总分相应应为99.00分" in f.message  # 90.9 − 0.9 + 9
    assert not [x for x in findings if x.rule == "score.total"]  # not reported twice
    # under a verified rule the score is ruled: the rule's 9.00 is the value and 0.90 an error
    verified = _only(_audit(doc, str(FIXTURES / "profiles" / "test-verified-2023.yaml")), "score.execution")
    assert verified.severity == "error" and verified.expected == "9.00"


def test_execution_score_zero_printed_as_integer_is_still_wrong():
    doc = _base()
    project = doc["projects"][0]
    total = _fund(project, "total")
    total["executed"], total["rate"], total["score"] = Decimal("1.64"), "1.64%", 0
    _fund(project, "appropriation")["executed"] = Decimal("1.64")
    _fund(project, "carryover")["executed"] = 0
    project["total"] = 90
    _ind(project, "演出场次")["reason"] = "执行率低：资金下达较晚"
    f = _only(_audit(doc), "score.execution")
    assert (f.stated, f.expected) == ("0.00", "0.16")  # 1.64 ÷ 100 × 10 = 0.164


def test_execution_score_from_the_printed_rate_is_accepted():
    doc = _base()
    project = doc["projects"][0]
    total = _fund(project, "total")
    total["annual"], total["executed"], total["rate"], total["score"] = 3, 2, "67%", Decimal("6.7")
    _fund(project, "appropriation").update(annual=3, executed=2)
    _fund(project, "carryover").update(annual=0, executed=0)
    _ind(project, "演出场次")["reason"] = "执行率偏低的原因：工程延期"
    project["total"] = Decimal("96.7")
    # 2 ÷ 3 = 66.67% → 6.67; from the printed 67% → 6.70: follows from the stated rate
    assert [f.rule for f in _audit(doc)] == []


def test_banded_execution_score_is_a_warning_when_unverified():
    doc = _base()
    # test-caps-2023 scores 执行率 by bands (unverified): 90% is in 80%–95% → 8 points, stated 9
    findings = _audit(doc, load_profile(FIXTURES / "profiles" / "test-caps-2023.yaml"))
    f = next(f for f in findings if f.rule == "score.execution" and "群众文化演出经费" in f.location.form)
    assert f.severity == "warning"
    assert f.formula == "90 ÷ 100 = 90.00%；执行率 90.00% 按分档计分 = 8.00 ≠ 9.00"


def test_met_quantitative_target_below_full_marks():
    doc = _base()
    project = doc["projects"][0]
    _ind(project, "演出场次")["score"] = 20
    project["total"] = 94
    f = _only(_audit(doc), "score.indicator")
    assert f.severity == "warning"
    assert "已达到指标值" in f.message
    assert f.formula == "指标值 ≥10场，实际完成 12场：已达到 → 满分 25.00 ≠ 20.00"
    assert f.location.row == "产出指标·数量指标·演出场次" and f.location.column == "得分"


def test_unmet_quantitative_target_scored_in_proportion():
    doc = _base()
    ind = _ind(doc["projects"][0], "演出场次")
    ind["actual"] = "8场"  # 8 ÷ 10 × 25 = 20, stated 25
    f = _only(_audit(doc), "score.indicator")
    assert f.formula == "8场 ÷ 10场 × 25 = 20.00 ≠ 25.00"


def test_late_deadline_indicator():
    doc = _base()
    _ind(doc["overall"], "按时完成年度任务")["actual"] = "2024年1月15日"
    f = _only(_audit(doc), "score.indicator")
    assert f.expected == "0.00" and "未按期完成" in f.formula


def test_indicator_score_above_its_weight():
    doc = _base()
    project = doc["projects"][0]
    _ind(project, "观众满意度")["score"] = 12
    project["total"] = 101
    findings = _audit(doc)
    f = _only(findings, "score.indicator_over_weight")
    assert f.severity == "error" and f.formula == "12.00 > 10.00"
    assert not [x for x in findings if x.rule == "score.indicator"]


def test_qualitative_score_outside_its_tier():
    doc = _base()
    _ind(doc["overall"], "群众文化参与度")["tier"] = "部分达成"  # 60–80% of 30 = 18–24; stated 27
    f = _only(_audit(doc), "score.qualitative_tier")
    assert f.severity == "error" and f.expected == "18.00–24.00"


def test_qualitative_score_missing():
    doc = _base()
    del _ind(doc["overall"], "群众文化参与度")["score"]
    findings = _audit(doc)
    f = _only(findings, "score.qualitative_tier")
    assert f.severity == "warning" and "无法判定档次" in f.message


def test_level1_weights_against_printed_and_profile():
    doc = _base()
    doc["overall"]["level1_weights"]["产出指标"] = 55
    findings = [f for f in _audit(doc) if f.rule == "score.level1_weight"]
    errors = [f for f in findings if f.severity == "error"]
    assert len(errors) == 1 and errors[0].formula == "20 + 20 + 10 = 50 ≠ 55"
    infos = [f for f in findings if f.severity == "info"]  # 55 ≠ the profile's 50, an unverified default
    assert len(infos) == 1 and infos[0].expected == "50.00"


def test_total_weight_not_100():
    doc = _base()
    doc["overall"]["total_weight"] = 110
    f = _only(_audit(doc), "score.level1_weight")
    assert f.formula == "Σ 三级指标分值 90 + 执行率分值 10 = 100 ≠ 110"


def test_total_not_the_sum_of_its_parts():
    doc = _base()
    doc["overall"]["total"] = Decimal("97.6")
    doc["cover"]["score"] = Decimal("97.6")
    f = _only(_audit(doc), "score.total")
    assert f.severity == "error"
    # 20 + 20 + 10 + 27 + 10 = 87; 87 + 9.6 = 96.6
    assert f.formula == "87.00（三级指标）+ 9.60（执行率） = 96.60 ≠ 97.60"


def test_grade_against_the_bands():
    doc = _base()
    doc["cover"]["grade"] = "良"
    f = _only(_audit(doc), "score.grade")
    assert f.severity == "error"  # national-2020 grades are verified
    assert (f.stated, f.expected) == ("良", "优")


def test_grade_alias_is_not_a_grade_error():
    doc = _base()
    doc["cover"]["grade"] = "优秀"  # the right band under another name: a label question, not a score
    assert _audit(doc) == []
    doc["cover"]["grade"] = "良好"
    assert _only(_audit(doc), "score.grade").expected == "优"


def test_cap_by_execution_rate():
    doc = _base()
    project = doc["projects"][0]
    total = _fund(project, "total")
    total["executed"], total["rate"], total["score"] = 60, "60%", 6
    _fund(project, "appropriation")["executed"] = 30
    _fund(project, "carryover")["executed"] = 30
    _ind(project, "演出场次")["reason"] = "执行率偏低：演出场地维修，部分场次延后"
    project["total"] = 96  # 90 + 6; 60% < 70% → at most 79
    findings = _audit(doc, load_profile(CAPS_PROFILE))
    f = _only(findings, "score.cap")
    assert f.severity == "error"  # the cap is verified in this profile
    assert f.expected == "≤ 79.00"
    assert not [x for x in findings if x.rule == "score.total"]


def test_framework_item_by_profile_rule_is_a_warning():
    doc = _base()
    doc["profile"] = "xiangxi-2022"
    item = _item(doc, "staff_control_rate")
    item["inputs"] = {"在职人员数": 12, "编制数": 10}
    item["rate"] = "120%"
    findings = [f for f in _audit(doc) if f.rule == "score.framework_item"]
    f = next(f for f in findings if f.location.row == "在职人员控制率")
    assert f.severity == "warning"  # the 湘西 point rules are not verified
    assert f.expected == "24.00"  # 30 − (120 − 100) × 0.3


def test_framework_item_above_its_weight():
    doc = _base()
    _item(doc, "goal_reasonableness")["score"] = 25
    doc["narrative"]["total"] = Decimal("103.6")
    findings = _audit(doc)
    f = _only(findings, "score.framework_item")
    assert f.severity == "error" and f.formula == "25.00 > 20.00"


def test_framework_total_and_its_grade():
    doc = _base()
    _item(doc, "sangong_control_rate")["score"] = Decimal("36.6")  # 18 + 30 + 36.6 = 84.6 → 良
    f = _only(_audit(doc), "score.framework_total")
    assert f.severity == "error"
    assert f.formula == "18 + 30 + 36.6 = 84.6 ≠ 96.6"
    assert "相应等级应为“良”" in f.message and f.expected == "84.60（良）"


def test_framework_weights_not_100():
    doc = _base()
    _item(doc, "sangong_control_rate")["weight"] = 55
    f = _only(_audit(doc), "score.framework_total")
    assert f.severity == "warning" and f.formula == "20 + 30 + 55 = 105 ≠ 100"


# --- required reasons --------------------------------------------------------------------


def _low_execution(doc: dict) -> dict:
    project = doc["projects"][0]
    total = _fund(project, "total")
    total["executed"], total["rate"], total["score"] = 80, "80%", 8  # 80 ÷ 100
    _fund(project, "appropriation")["executed"] = 45
    project["total"] = 98
    return project


def test_low_execution_without_reason():
    doc = _base()
    _low_execution(doc)
    f = _only(_audit(doc), "reason.execution_below_threshold")
    assert f.severity == "warning" and f.formula == "80.00% < 90.00%"
    assert f.location.column == "执行率"


@pytest.mark.parametrize("where", ["indicator", "goal"])
def test_low_execution_with_a_reason(where):
    doc = _base()
    project = _low_execution(doc)
    if where == "indicator":
        _ind(project, "受益群众")["reason"] = "部分资金年底才到位，已结转下年使用"
    else:
        project["goal"]["actual"] += "执行率偏低的原因是资金下达较晚。"
    assert _audit(doc) == []


def test_deviation_without_reason():
    doc = _base()
    _ind(doc["projects"][0], "受益群众")["actual"] = "8000人次"  # (8000 − 5000) ÷ 5000 = 60%
    f = _only(_audit(doc), "reason.deviation")
    assert f.severity == "warning"
    assert f.formula == "(8,000人次 − 5,000人次) ÷ 5,000人次 = 60.00%；|60.00%| ≥ 30.00%"


def test_deviation_with_reason_and_below_threshold():
    doc = _base()
    ind = _ind(doc["projects"][0], "受益群众")
    ind["actual"] = "8000人次"
    ind["reason"] = "举办大型节庆活动，观众超预期"
    assert _audit(doc) == []
    ind["reason"], ind["actual"] = "", "6400人次"  # 28% < 30%
    assert _audit(doc) == []


# --- the seed example: the numeric defects of docs/seed-defects.md -------------------------


@pytest.fixture(scope="module")
def seed_findings() -> list[Finding]:
    return run_checks(read_package(EXAMPLE))


def _find(findings, rule, **where) -> list[Finding]:
    out = []
    for f in findings:
        if f.rule != rule:
            continue
        loc = f.location
        if all(v in getattr(loc, k, "") or v in f.message for k, v in where.items()):
            out.append(f)
    return out


def _one(findings, rule, severity, **where) -> Finding:
    hits = _find(findings, rule, **where)
    assert len(hits) == 1, (rule, where, [(f.message, f.location.describe()) for f in hits])
    assert hits[0].severity == severity, hits[0]
    return hits[0]


def test_seed_1_cover_expenditure_total(seed_findings):
    f = _one(seed_findings, "table.sum", "error", form="自评报告", column="支出合计")
    assert f.formula == "805.66 + 261.09 = 1,066.75 ≠ 3,312.53"


def test_seed_2_salary_difference(seed_findings):
    f = _one(seed_findings, "table.difference", "error", table="基本支出情况", row="工资福利支出")
    assert f.formula == "327.51 − 282.30 = 45.21 ≠ 45.41"


def test_seed_3_basic_expenditure_total(seed_findings):
    f = _one(seed_findings, "table.sum", "error", table="基本支出情况", row="总支出")
    assert f.formula == "363.48 + 416.40 = 779.88 ≠ 805.66"
    assert not _find(seed_findings, "table.sum", table="基本支出情况", row="人员经费")


def test_seed_7_cost_control_total(seed_findings):
    f = _one(seed_findings, "table.sum", "error", table="预算支出成本控制情况", row="支出合计")
    assert f.expected == "873.51"  # 327.51 + 35.97 + 510.03


def test_seed_10_and_11_framework_rates(seed_findings):
    f = _one(seed_findings, "rate.document_formula", "error", row="“三公经费”控制率")
    assert (f.stated, f.expected) == ("21.02%", "21.03%")  # 13.72 ÷ 65.25 = 21.027%
    f = _one(seed_findings, "rate.document_formula", "error", row="“三公经费”变动率")
    assert "正负号错误" in f.message and f.expected == "-72.80%"  # (13.72 − 50.45) ÷ 50.45
    assert not _find(seed_findings, "rate.profile_formula", row="三公经费")


def test_seed_14_framework_total_and_grade(seed_findings):
    f = _one(seed_findings, "score.framework_total", "error", message="各项得分之和不符")
    assert f.expected == "89.00（良）" and f.stated == "93.22"


def test_seed_15_17_18_34_framework_profile_warnings(seed_findings):
    for row in ("新建楼堂馆所面积控制率", "新建楼堂馆所投资概算控制率"):
        assert _one(seed_findings, "score.framework_item", "warning", row=row).expected == "5.00"
    assert _one(seed_findings, "score.framework_item", "warning", row="预算控制率").expected == "0.00"
    assert _one(seed_findings, "rate.profile_formula", "warning", row="预算完成率").expected == "32.20%"
    assert _one(seed_findings, "rate.profile_formula", "warning", row="公用经费控制率").expected == "92.92%"


def test_seed_19_project_line_in_basic_data(seed_findings):
    f = _one(seed_findings, "table.sum", "error", form="附件2", row="项目支出", column="2021年决算数")
    assert f.expected == "59.10"
    f = _one(seed_findings, "table.sum", "error", form="附件2", row="项目支出", column="2022年预算数")
    assert f.expected == "1,244.31"


def test_seed_20_22_execution_scores(seed_findings):
    # xiangxi-2022's execution rule is unverified: the findings are warnings (the unit's score stands)
    f = _one(seed_findings, "score.execution", "warning", form="公务接待拨款")
    assert f.formula == "3.16 ÷ 193.03 = 1.64%；min(1.64%, 100%) × 10 = 0.16 ≠ 0.00"
    f = _one(seed_findings, "score.execution", "warning", form="湘西大厦维修改造经费")
    assert f.expected == "0.53" and "总分相应应为90.53分" in f.message
    # their totals follow the wrong scores: not reported a second time
    assert not _find(seed_findings, "score.total", form="公务接待拨款")
    assert not _find(seed_findings, "score.total", form="湘西大厦维修改造经费")


def test_seed_21_project_total(seed_findings):
    f = _one(seed_findings, "score.total", "error", form="运营维护及职能工作经费")
    assert (f.stated, f.expected) == ("92.87", "92.78")


def test_seed_23_24_met_targets_below_full_marks(seed_findings):
    hits = _find(seed_findings, "score.indicator", form="房屋购建经费")
    assert sorted(f.location.row.rsplit("·", 1)[1] for f in hits) == ["可持续性得以延续", "更好地保障湘西大厦的安全有序运行"]
    assert all(f.severity == "warning" and f.expected == "10.00" for f in hits)
    _one(seed_findings, "score.indicator", "warning", form="驻外招商引资经费", row="可持续性得以延续")


def test_seed_25_low_execution_without_reason(seed_findings):
    for project in ("公务接待拨款", "运营维护及职能工作经费", "湘西大厦维修改造经费"):
        _one(seed_findings, "reason.execution_below_threshold", "warning", form=project)
    assert not _find(seed_findings, "reason.execution_below_threshold", form="房屋购建经费")


def test_seed_31_grade_label_is_not_a_grade_error(seed_findings):
    assert not _find(seed_findings, "score.grade")  # 优秀 for 优: the band is right, the label is text.grade_label's


def test_seed_has_no_internal_failures(seed_findings):
    assert not [f for f in seed_findings if f.rule.startswith("internal")]


# --- the seed through the text-dump reader ----------------------------------------------------


def test_seed_text_dump_numeric_defects(seed_path):
    try:
        from jixiao.io.textdump import read_textdump
        pkg = read_textdump(seed_path)
    except (ImportError, NotImplementedError) as exc:
        pytest.skip(f"the text-dump reader is not ready: {exc}")
    findings = run_checks(pkg)
    assert not [f for f in findings if f.rule.startswith("internal")], [f.message for f in findings]
    rules = {f.rule for f in findings}
    for rule in ("table.sum", "table.difference", "score.execution", "score.total", "score.framework_total"):
        assert rule in rules, rule
    f = next(f for f in findings if f.rule == "table.difference")
    assert "工资福利支出" in f.message and f.expected == "45.21"
    assert f.location.line is not None  # located in the dump
    execution = sorted(f.expected for f in findings if f.rule == "score.execution")
    assert execution == ["0.16", "0.53"]


def test_a_finding_location_keeps_every_field_of_the_source_it_was_read_from():
    """`place` / `location` build a new Source by its constructor (fast), not dataclasses.replace: a field
    added to Source must be carried over there too."""
    from dataclasses import fields

    from jixiao.audit.checks._common import place
    from jixiao.audit.checks.quantities import _fill
    from jixiao.core.model import Source

    full = Source(**{f.name: (7 if f.name == "line" else f"v-{f.name}") for f in fields(Source)})
    assert place(full, "") == full and _fill(full, "", "", "", "") == full
    assert place(full, "附件3", column="执行数") == Source(**{**{f.name: getattr(full, f.name) for f in fields(Source)},
                                                          "form": "附件3", "column": "执行数"})
    assert place(full, "") is not full
