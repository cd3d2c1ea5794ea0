"""The cross-document, prose, text-hygiene and plausibility checks.

Each rule is triggered by a small variant of tests/fixtures/checks_text/clean.yaml (an
imaginary county bureau whose figures all agree), with the finding expected by hand;
the clean package triggers none of them. Then the seed: the canonical example must
yield the defects of docs/seed-defects.md that live in its data, and the text dump
of the seed (through jixiao.io.textdump) those that live in its prose.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from jixiao.audit.registry import run_checks
from jixiao.core.model import Package, TextBlock
from jixiao.io.canonical import parse_package, read_package

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "tests" / "fixtures" / "checks_text" / "clean.yaml"
EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"
SEED = ROOT.parent / "shared" / "seeds" / "000_ccaee7afe12d8f19.txt"
FAMILIES = ("xref.", "prose.", "date.", "text.", "plaus.", "internal.")


def base() -> dict:
    return yaml.safe_load(CLEAN.read_text(encoding="utf-8"))


def build(doc: dict, texts: list[tuple[str, str, str]] | None = None) -> Package:
    pkg = parse_package(yaml.safe_dump(doc, allow_unicode=True))
    pkg.texts = [TextBlock(form, section, text, line=i + 1) for i, (form, section, text) in enumerate(texts or [])]
    return pkg


def mine(pkg: Package) -> list:
    return [f for f in run_checks(pkg) if f.rule.startswith(FAMILIES)]


def only(pkg: Package, rule: str) -> list:
    return [f for f in run_checks(pkg) if f.rule == rule]


def prose(*paragraphs: str) -> list[tuple[str, str, str]]:
    return [("绩效评价报告", "六、部门整体支出绩效情况", p) for p in paragraphs]


# --- the clean package ----------------------------------------------------------------------


def test_clean_package_has_no_text_findings():
    assert mine(build(base())) == []


def test_clean_package_with_consistent_prose_has_no_findings():
    texts = prose("本部门2022年度基本支出100万元（其中人员经费支出60万元，公用经费支出40万元），年初预算数100万元。",
                  "2022年“三公”经费总预算4万元，较2021年减少1万元；2021年决算数为3.5万元。",
                  "我局向服务对象发放问卷40份，满意度为95%。")
    assert mine(build(base(), texts)) == []


# --- cross-document -------------------------------------------------------------------------


def test_same_quantity_reports_each_disagreement_once_naming_every_place():
    doc = base()
    doc["expenditure"][0].update(personnel="61", public="39")  # basic = 100 still adds up
    doc["basic_data"]["costs"]["lines"][1]["actual"] = "39"  # 公用经费 as the cover says
    found = only(build(doc), "xref.same_quantity")
    by_label = {f.message.split("在各处")[0]: f for f in found}
    assert set(by_label) == {"人员经费决算数", "公用经费决算数"}
    personnel = by_label["人员经费决算数"]
    assert personnel.severity == "error"
    assert "支出情况表·人员支出 61.00" in personnel.message and "基本支出情况·人员经费·决算数 60.00" in personnel.message
    assert personnel.formula == "自评报告 支出情况表·人员支出 61.00 ≠ 绩效评价报告 基本支出情况·人员经费·决算数 60.00"
    public = by_label["公用经费决算数"]
    assert public.expected.startswith("39.00（2处所载）") and public.stated == "40.00"


def test_same_quantity_leaves_a_total_disproved_by_its_own_parts_to_the_arithmetic_checks():
    doc = base()
    doc["expenditure"][0]["total"] = "999"  # ≠ 100 + 58: table.sum's defect, not a second one here
    assert only(build(doc), "xref.same_quantity") == []


def test_project_totals_sum_of_projects_against_overall_row():
    doc = base()
    doc["overall"]["funds"][2]["annual"] = "70"
    doc["overall"]["funds"][0]["annual"] = "170"
    [f] = only(build(doc), "xref.project_totals")
    assert f.severity == "error"
    assert f.location.form == "附件3" and f.location.row == "项目支出" and f.location.column == "全年预算数"
    assert f.formula == "附件3 项目支出全年预算数 70.00 ≠ Σ 附件4 年度资金总额全年预算数 40.00 + 20.00 = 60.00"


def test_project_totals_each_project_against_its_narrative_row():
    doc = base()
    doc["narrative"]["tables"]["project_expenditure"] = {
        "title": "项目支出情况", "columns": {"initial": "年初预算", "spent": "支出决算数"}, "total": "合计",
        "lines": [{"label": "一般公共服务支出", "initial": "40", "spent": "58"},
                  {"label": "农技推广经费", "parent": "一般公共服务支出", "initial": "30", "spent": "39"},
                  {"label": "高标准农田建设经费", "parent": "一般公共服务支出", "initial": "10", "spent": "18"},
                  {"label": "合计", "initial": "40", "spent": "57"}]}
    found = only(build(doc), "xref.project_totals")
    assert [f.message.split("在各处")[0] for f in found] == ["项目“高标准农田建设项目”全年执行数"]
    # two places, two values: the check cannot tell which is right, and says so
    assert (found[0].stated, found[0].expected) == ("18.00；19.00", "各处应为同一数值")


# --- prose ----------------------------------------------------------------------------------


def test_prose_figure_from_narrative_figures():
    doc = base()
    doc["narrative"]["figures"].append({"subject": "basic_expenditure", "value": "1100", "unit": "万元",
                                        "text": "其中基本支出1100万元"})
    [f] = only(build(doc), "prose.figure")
    assert (f.severity, f.stated, f.expected, f.evidence) == ("error", "1,100.00", "100.00", "其中基本支出1100万元")


def test_prose_figure_read_from_paragraphs_and_subtotal_not_reported_twice():
    texts = prose("2022年我单位整体支出158万元（其中，基本支出1100万元，项目支出58万元）。",
                  "本部门项目支出年初预算数为10万元，实际支出数58万元，较年初预算支出数增加48万元。")
    found = only(build(base(), texts), "prose.figure")
    assert sorted((f.stated, f.expected, f.location.line) for f in found) == [("1,100.00", "100.00", 1),
                                                                              ("10.00", "40.00", 2)]
    assert only(build(base(), texts), "prose.subtotal") == []  # 1100 is the one defect, reported once


def test_prose_subtotal():
    texts = prose("我单位2022年“三公”经费总预算4万元，其中公务接待费1万元；公务用车运行维护费2.5万元。")
    [f] = only(build(base(), texts), "prose.subtotal")
    assert (f.severity, f.stated, f.expected) == ("error", "4.00", "3.50")
    assert f.formula == "1.00 + 2.50 = 3.50 ≠ 4.00"


# --- years and dates ------------------------------------------------------------------------


def test_date_year_flags_the_evaluation_period_not_comparisons():
    texts = prose("根据州财政局下达本单位的2021年度绩效目标任务，本单位2022年的绩效目标符合规划。",
                  "本单位2021年年末编制人数为20人。",
                  "“三公”经费较2021年减少1万元，2021年决算数为3.5万元，2021年度决算已公开。")
    found = only(build(base(), texts), "date.year")
    assert [(f.severity, f.location.line, f.stated) for f in found] == [("warning", 1, "2021年"), ("warning", 2, "2021年")]


def test_date_year_flags_a_deadline_target_before_the_evaluation_year():
    doc = base()
    doc["projects"][0]["indicators"].append({"level1": "产出指标", "level2": "时效指标", "name": "按时完成",
                                             "target": "2021年12月31日前", "actual": "2021年12月31日前",
                                             "weight": 0, "score": 0})
    [f] = only(build(doc), "date.year")
    assert f.location.row == "按时完成" and f.stated == "2021年12月31日前"


def test_date_deadline():
    doc = base()
    doc["basic_data"]["filing_date"] = "2023-06-25"
    doc["projects"][1]["filing_date"] = "2023-06-25"
    [f] = only(build(doc), "date.deadline")
    assert f.severity == "error" and "附件2 填报日期、附件4·高标准农田建设项目 填报日期" in f.message
    assert f.formula == "2023-06-25 > 2023-06-20"


def test_date_garbled_grouped_over_places():
    doc = base()
    doc["projects"][0]["goal"]["actual"] = "截止2022你那12月30日，完成培训520人次。"
    doc["projects"][1]["goal"]["actual"] = "截止2022你那12月30日，建成农田。"
    [f] = only(build(doc), "date.garbled")
    assert f.severity == "warning" and f.stated == "2022你那12月"
    assert "农技推广项目" in f.message and "高标准农田建设项目" in f.message


def test_date_garbled_impossible_month():
    texts = prose("项目于2022年13月完工。")
    [f] = only(build(base(), texts), "date.garbled")
    assert f.stated == "2022年13月"


# --- text hygiene ---------------------------------------------------------------------------


def test_copied_goal():
    doc = base()
    doc["projects"][1]["goal"] = copy.deepcopy(doc["projects"][0]["goal"])
    [f] = only(build(doc), "text.copied_goal")
    assert f.severity == "warning" and f.location.form == "附件4·高标准农田建设项目"
    assert "预期目标、实际完成情况" in f.message


def test_copied_indicator_names_the_other_project():
    doc = base()
    doc["projects"][1]["indicators"][0]["target"] = "落实农技推广有关要求"
    doc["projects"][1]["indicators"][0]["actual"] = "100%"
    [f] = only(build(doc), "text.copied_indicator")
    assert f.severity == "warning" and "“农技推广”" in f.message and f.location.row == "新建高标准农田面积"


def test_fund_type_leftover_is_an_error():
    doc = base()
    doc["fund_types"][0]["tables"] = [{"goal": {"expected": "用于日常行政执法巡逻", "actual": "开展巡逻60次"}}]
    found = mine(build(doc))
    assert [(f.rule, f.severity, f.location.form) for f in found] == [("text.fund_type_leftover", "error", "附件5")]
    # the 执法 inside the leftover is the same defect: no second, foreign-fragment finding


def test_foreign_fragments():
    texts = prose("2022年项目支出完成了各项重点执法活动的需要。", "（三）我会整体支出的有效性分析",
                  "我局依据市级预算部门“三定”方案开展工作。")
    found = only(build(base(), texts), "text.foreign_fragment")
    assert sorted((f.severity, f.stated, f.location.line) for f in found) == [
        ("info", "市级预算部门", 3), ("info", "我会", 2), ("warning", "执法", 1)]


@pytest.mark.parametrize("text, named", [
    ("我会整体支出的有效性分析。", True),  # 会 as a noun: an association names itself
    ("我中心全体职工参加培训。", True),
    ("我会继续加强预算管理。", False),  # 会 = "will"
    ("我科学安排各项资金。", False),  # 科学 = "scientifically"
    ("我所有的工作均按计划完成。", False),
])
def test_foreign_self_reference_is_a_noun_not_a_verb(text, named):
    found = only(build(base(), prose(text)), "text.foreign_fragment")
    assert bool(found) is named, [f.stated for f in found]


def test_foreign_fragment_respects_the_units_own_functions():
    doc = base()
    doc["unit"]["functions"] += "负责农业综合行政执法。"
    assert only(build(doc, prose("开展农业执法检查12次。")), "text.foreign_fragment") == []


def test_notice_issuer():
    doc = base()
    doc["notice"]["issuer"] = "某县农业农村局"
    [f] = only(build(doc), "text.notice_issuer")
    assert f.severity == "info" and f.expected == "财政部门"


def test_form_label_row_and_note():
    doc = base()
    doc["fund_types"][1]["tables"][0]["row_label"] = "社会保险基金预算支出名称"
    texts = [("附件6", "附件6", "说明：每个一级社会保险基金预算支出填写一张社会保险基金预算支出绩效自评表。")]
    [f] = only(build(doc, texts), "text.form_label")
    assert f.severity == "error" and f.location.form == "附件6"
    assert "名称行“社会保险基金预算支出名称”" in f.message and "说明" in f.message


def test_required_empty():
    doc = base()
    doc["evaluators"][0]["signed"] = False
    doc["opinions"][1] = {"role": "部门（单位）"}
    doc["projects"][0]["filler"] = ""
    found = only(build(doc), "text.required_empty")
    assert sorted((f.severity, f.location.row) for f in found) == [
        ("info", "填表人"), ("warning", "签字"), ("warning", "部门（单位）意见")]


def test_grade_label():
    doc = base()
    doc["cover"]["grade"] = "优秀"
    [f] = only(build(doc), "text.grade_label")
    assert (f.severity, f.stated, f.expected) == ("info", "优秀", "优")


def test_section_numbering():
    doc = base()
    doc["narrative"]["sections"] = ["一、基本情况", "二、支出情况", "政府性基金预算支出情况", "五、绩效情况"]
    [f] = only(build(doc), "text.section_numbering")
    assert f.severity == "info" and "缺少三、四" in f.message and "政府性基金预算支出情况" in f.message


# --- plausibility ---------------------------------------------------------------------------


def test_low_execution_on_the_expenditure_rows():
    doc = base()
    doc["overall"]["funds"][1]["annual"] = "250"
    [f] = only(build(doc), "plaus.low_execution")
    assert (f.severity, f.location.row, f.stated) == ("warning", "基本支出", "40.00%")


def test_score_outruns_execution():
    doc = base()
    doc["projects"][0]["funds"][0].update(executed="10", rate="25%", score="2.5")
    [f] = only(build(doc), "plaus.score_outruns_execution")
    assert f.severity == "warning" and f.location.form == "附件4·农技推广项目"
    assert f.formula == "得分率 90 ÷ 90 = 100.00%；100.00% − 25.00% = 75.00个百分点 > 5.00"


def test_satisfaction_sample_and_fraction():
    doc = base()
    doc["narrative"]["framework"][0]["inputs"] = {"有效问卷数": 20}
    doc["narrative"]["framework"][0]["rate"] = "96%"
    pkg = build(doc)
    [small] = only(pkg, "plaus.satisfaction_sample")
    [frac] = only(pkg, "plaus.satisfaction_fraction")
    assert (small.severity, small.stated) == ("warning", "20份")
    # 有效问卷 is said, but not that 96% is a share of people (it may be a mean score): a warning
    assert (frac.severity, frac.expected) == ("warning", "95.00%或100.00%")
    assert "19.2" in frac.formula and "平均评分" in frac.message


def test_satisfaction_fraction_is_an_error_when_the_share_and_the_valid_count_are_both_stated():
    doc = base()
    doc["narrative"]["framework"][0]["inputs"] = {"满意数": 19, "有效问卷数": 20}
    doc["narrative"]["framework"][0]["rate"] = "96%"
    [frac] = only(build(doc), "plaus.satisfaction_fraction")
    assert frac.severity == "error" and "核实" not in frac.message


def test_distributed_questionnaires_are_not_valid_responses():
    texts = prose("本次绩效自评，我们发放问卷调查20份，满意率为96%。")
    doc = base()
    doc["narrative"]["framework"] = []
    [frac] = only(build(doc, texts), "plaus.satisfaction_fraction")
    assert frac.severity == "warning" and "发放问卷数" in frac.message


def test_satisfaction_fraction_accepts_an_achievable_rate():
    doc = base()
    doc["narrative"]["framework"][0]["inputs"] = {"有效问卷数": 25}
    doc["narrative"]["framework"][0]["rate"] = "96%"  # 24 of 25
    pkg = build(doc)
    assert only(pkg, "plaus.satisfaction_fraction") == []
    assert len(only(pkg, "plaus.satisfaction_sample")) == 1


def test_satisfaction_from_paragraphs():
    texts = prose("本次绩效自评，我们发放问卷调查20份，从收回的问卷看，满意度为96%。")
    doc = base()
    doc["narrative"]["framework"] = []
    pkg = build(doc, texts)
    assert [f.location.line for f in only(pkg, "plaus.satisfaction_fraction")] == [1]


def test_actuals_equal_targets():
    doc = base()
    doc["projects"][0]["indicators"][0]["actual"] = "500人次"
    [f] = only(build(doc), "plaus.actuals_equal_targets")
    assert f.severity == "info" and f.location.form == "附件4·农技推广项目"


# --- the seed's canonical example -------------------------------------------------------------


@pytest.fixture(scope="module")
def example_findings():
    return [f for f in run_checks(read_package(EXAMPLE)) if f.rule.startswith(FAMILIES)]


def _has(findings, rule, severity, **where):
    return [f for f in findings if f.rule == rule and f.severity == severity
            and all(where_value in getattr(f.location, k) or where_value in f.message
                    for k, where_value in where.items())]


@pytest.mark.parametrize("defect, rule, severity, where", [
    (4, "xref.same_quantity", "error", {"row": "人员经费"}),
    (4, "xref.same_quantity", "error", {"row": "日常公用经费"}),  # and #34: the same 442.18
    (5, "prose.figure", "error", {"form": "绩效评价报告"}),
    (6, "prose.figure", "error", {"form": "绩效评价报告"}),
    (8, "xref.same_quantity", "error", {"row": "商品和服务支出"}),
    (9, "xref.same_quantity", "error", {"row": "公务接待费"}),
    (16, "plaus.satisfaction_fraction", "warning", {"form": "绩效评价报告"}),
    (16, "plaus.satisfaction_sample", "warning", {"form": "绩效评价报告"}),
    (26, "text.copied_goal", "warning", {"form": "附件4·驻外招商引资经费"}),
    (26, "text.copied_indicator", "warning", {"form": "附件4·驻外招商引资经费"}),
    (27, "date.garbled", "warning", {"form": "附件4·公务接待拨款"}),
    (28, "text.fund_type_leftover", "error", {"form": "附件5"}),
    (30, "text.form_label", "error", {"form": "附件6"}),
    (31, "text.grade_label", "info", {"form": "自评报告"}),
    (33, "plaus.score_outruns_execution", "warning", {"form": "附件4·公务接待拨款"}),
    (33, "plaus.score_outruns_execution", "warning", {"form": "附件4·湘西大厦维修改造经费"}),
    (33, "plaus.score_outruns_execution", "warning", {"form": "附件4·运营维护及职能工作经费"}),
    (35, "xref.same_quantity", "error", {"row": "满意度"}),
    (36, "text.required_empty", "warning", {"row": "签字"}),
    (36, "text.required_empty", "warning", {"row": "评价组组长意见"}),
    (37, "text.section_numbering", "info", {"form": "绩效评价报告"}),
    (39, "xref.project_totals", "error", {"form": "附件3", "column": "全年预算数"}),
    (40, "text.notice_issuer", "info", {"form": "附件1"}),
])
def test_example_finds_seed_defect(example_findings, defect, rule, severity, where):
    assert _has(example_findings, rule, severity, **where), f"seed defect #{defect} not found as {rule}/{severity}"


def test_example_prose_figures_are_exactly_the_seeds(example_findings):
    got = sorted(f.stated for f in example_findings if f.rule == "prose.figure")
    assert got == ["1,805.66", "10.00", "33.56"]  # #6, #5 (年初预算 10 and 实际 33.56)


def test_example_project_totals_formula(example_findings):
    [f] = [f for f in example_findings if f.rule == "xref.project_totals" and f.location.form == "附件3"]
    assert f.formula == ("附件3 项目支出全年预算数 1,231.90 ≠ Σ 附件4 年度资金总额全年预算数 "
                         "193.03 + 167.19 + 116.24 + 912.63 + 10.00 = 1,399.09")


def test_example_no_duplicate_defects(example_findings):
    keys = [(f.rule, f.location.describe(), f.stated) for f in example_findings]
    assert len(keys) == len(set(keys))
    # #1 (支出合计 3312.53) belongs to the arithmetic checks: no cross-document echo of it here
    assert not any("3,312.53" in f.message for f in example_findings if f.rule == "xref.same_quantity")


# --- the seed through the text-dump reader ----------------------------------------------------


@pytest.fixture(scope="module")
def seed_findings():
    if not SEED.exists():
        pytest.skip(f"the seed document is not here ({SEED}); it lives in ../shared/seeds/")
    from jixiao.io.textdump import read_textdump

    return [f for f in run_checks(read_textdump(SEED)) if f.rule.startswith(FAMILIES)]


@pytest.mark.parametrize("defect, rule, severity, line, stated", [
    (5, "prose.figure", "error", 513, "10.00"),
    (5, "prose.figure", "error", 513, "33.56"),
    (6, "prose.figure", "error", 584, "1,805.66"),
    (12, "date.year", "warning", 696, "2021年"),
    (13, "date.year", "warning", 690, "2021年"),
    (16, "plaus.satisfaction_fraction", "warning", 743, "96.00%"),
    (27, "date.garbled", "warning", 1352, "2022你那12月"),
    (29, "text.foreign_fragment", "warning", 584, "执法"),
    (38, "text.foreign_fragment", "info", 683, "我会"),
    (40, "text.foreign_fragment", "info", 783, "市级预算部门"),
])
def test_seed_prose_defects(seed_findings, defect, rule, severity, line, stated):
    hits = [f for f in seed_findings if f.rule == rule and f.severity == severity and f.location.line == line
            and f.stated == stated]
    assert hits, f"seed defect #{defect} not found as {rule}/{severity} at line {line}"


def test_seed_no_internal_failures(seed_findings):
    assert [f.message for f in seed_findings if f.rule.startswith("internal.")] == []
