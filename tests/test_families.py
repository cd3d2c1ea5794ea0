"""Template families as data (jixiao/families/*.yaml): each file loads, names the real documents it
was taken from, and reads a document of its family — one test per family. A new family is a new
file; the loader refuses a file that does not follow the schema, saying which key."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from jixiao.io import families
from jixiao.io.readers import read_any

CORPUS = Path(__file__).resolve().parent / "corpus"


def test_every_family_file_loads_and_cites_its_documents():
    loaded = families.families()
    assert {f.id for f in loaded} >= {"hunan-package", "national-project-2020", "sichuan-project",
                                      "overall-indicator-sheet"}
    for fam in loaded:
        assert fam.sources and all(s["url"] and s.get("note") for s in fam.sources), fam.id
        assert fam.tables or fam.score_sheets, fam.id


def test_a_family_file_that_breaks_the_schema_is_refused(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: broken\nsources: [{url: 'http://x'}]\ntables: [{kind: project, colums: {}}]\n", encoding="utf-8")
    with pytest.raises(families.FamilyError, match="colums"):
        families.load_family(bad)
    unsourced = tmp_path / "unsourced.yaml"
    unsourced.write_text("id: unsourced\ntables: []\n", encoding="utf-8")
    with pytest.raises(families.FamilyError, match="sources"):
        families.load_family(unsourced)


def test_hunan_package(seed_path):
    pkg = read_any(seed_path)
    assert pkg.families[0] == "hunan-package" and len(pkg.forms_found) == 9
    assert [f.key for f in pkg.projects[0].funds] == ["total", "appropriation", "carryover", "other"]


def test_hunan_cover_of_yueyang_with_its_own_labels():
    """岳阳's cover: 联络电话, 报告期, labels without a colon, the year spaced over a broken title."""
    pkg = read_any(CORPUS / "hunan-yueyangxian-ronghuanhu-2016.txt")
    assert pkg.families == ["hunan-package"] and pkg.year == 2016
    assert (pkg.unit.name, pkg.unit.budget_code, pkg.unit.phone, pkg.unit.report_date) == \
        ("岳阳县荣湾湖建设开发服务中心", "YYX292", "13575070892", "2017-7-25")
    summary = next(r for r in pkg.income if r.is_summary)
    assert (summary.total, summary.carryover, summary.general_budget, summary.other) == \
        (D("229.46"), D("37.23"), D("106.13"), D("86.1"))


def test_national_project_form_with_the_anhui_label():
    """财预〔2020〕10号 form as 安徽 fills it: 其中：本年财政拨款 is the appropriation (not dropped)."""
    pkg = read_any(CORPUS / "anhui-chizhou-tangxi-2022.txt")
    assert pkg.families == ["national-project-2020"]
    (table,) = pkg.projects
    assert [(f.key, f.annual, f.executed) for f in table.funds][:2] == \
        [("total", D("0"), D("0")), ("appropriation", D("89.974"), D("89.974"))]
    assert table.implementer == "219001-池州市贵池区棠溪镇人民政府" and len(table.indicators) == 9


def test_sichuan_project_form():
    """四川: 调整后预算数 / 预算执行数 / 权重, three 'other' parts as one, comparator·value·unit columns."""
    pkg = read_any(CORPUS / "sichuan-qingshen-fgj-2023.html")
    assert pkg.families == ["sichuan-project"] and pkg.year == 2023
    (table,) = pkg.projects
    total, appropriation, other = table.funds
    assert (total.initial, total.annual, total.executed, total.stated_rate, total.weight) == \
        (D("238.93"), D("251.89"), D("251.89"), D("1.0000"), D("10"))
    assert other.key == "other" and other.label == "财政专户管理资金＋单位资金＋其他资金" and other.annual == D("0.00")
    assert [(i.name, i.target.raw, i.weight) for i in table.indicators] == \
        [("发放(缴纳)覆盖率", "=100%", D("60")), ("足额保障率(参保率)", "=100%", D("30"))]
    assert (table.implementer, table.stated_total_weight) == ("青神县发展和改革局", D("100"))
    assert table.src["filler"].column == "项目负责人" and table.filler == ""


def test_sichuan_project_form_signed_in_the_cell(tmp_path):
    doc = tmp_path / "signed.txt"
    doc.write_text("部门预算项目支出绩效自评表(2023年度)\n\t项目名称\n\tX项目\n\n\t项目负责人:查小兵\n\t财务负责人:唐勇\n",
                   encoding="utf-8")
    (table,) = read_any(doc).projects
    assert table.filler == "查小兵" and table.src["filler"].column == "项目负责人"


def test_overall_indicator_sheet():
    pkg = read_any(CORPUS / "sichuan-dazhou-nyj-pfb.txt")
    assert pkg.families == ["overall-indicator-sheet"]
    (sheet,) = pkg.score_sheets
    assert len(sheet.items) == 28
    assert sheet.items[0].path == ("部门决策", "目标任务", "相关性") and sheet.items[0].weights == (D(25), D(15), D(5))


def test_overall_indicator_sheet_with_points_in_their_own_columns():
    (sheet,) = read_any(CORPUS / "unknown-51dongshi-zbb.txt").score_sheets
    assert [(i.path[-1], i.weights, i.score) for i in sheet.items] == [
        ("在职人员控制率", (D(13), D(13), D(5)), D(5)), ("“三公经费”变动率", (D(13), D(13), D(8)), D(8))]


def test_yunnan_project_form_told_from_the_national_one_by_its_labels():
    """Same title as the national form; its 指标性质 / 度量单位 columns say it is 云南's variant."""
    pkg = read_any(CORPUS / "yunnan-lijiang-gucheng-zrzy-2020.txt")
    assert pkg.families == ["yunnan-project"]
    (table,) = pkg.projects
    assert [(i.target.raw, i.actual.raw, i.stated_score) for i in table.indicators][:2] == \
        [("﹦72890元", "72890元", D("9.00")), ("﹦100%", "100%", D("19"))]
    national = read_any(CORPUS / "anhui-chizhou-tangxi-2022.txt")
    assert national.families == ["national-project-2020"]


def test_yueyang_2016_project_form_with_sources_and_amounts_in_one_cell():
    """计划安排 / 实际到位 / 实际支出 side by side; "省财政 170" label and amount in one cell; 支出明细."""
    pkg = read_any(CORPUS / "hunan-yueyang-nanhu-youfu-2016.html")
    assert pkg.families == ["yueyang-project-2016"]
    (table,) = pkg.projects
    total, appropriation, other = table.funds
    assert (total.initial, total.annual, total.executed) == (D(170), D(170), D("179.6"))
    assert (appropriation.annual, other.annual, other.executed) == (D(170), D("9.6"), D("9.6"))
    assert (table.name, table.implementer, table.filler) == ("优抚", "南湖新区民政局", "鲁明霞")
    (detail,) = pkg.narrative.tables.values()
    assert detail.total_label == "支出合计" and [ln.values["spent"] for ln in detail.lines][-1] == D("179.6")


def _overall_form(tmp_path: Path, rows: list[list[str]]) -> Path:
    """A 附件3 (湖南 package) with the given fund rows below the form's header, as a text dump."""
    header = ["年度预算申请（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    table = [["部门名称", "某县某局"], header, *rows, ["年度总体目标", "预期目标", "实际完成情况"]]
    lines = ["附件3：", "预算部门整体支出绩效自评表", "（2023年度）"]
    for i, row in enumerate(table):
        if i:
            lines.append("")
        lines += ["\t" + c for c in row]
    path = tmp_path / "form.txt"
    path.write_text("\n".join(lines) + "\n\n结束\n", encoding="utf-8")
    return path


_DASH = ["——", "——", "——"]


def test_a_sub_heading_with_its_figure_in_the_label_cell(tmp_path):
    """"按收入性质分:120.5" (half-width colon), "按支出性质分：…" (full-width): the family file names the
    sub-headings; the figure states the group's sum. Written without a column, it is compared with
    the column whose sum it agrees with — and reported when it agrees with none."""
    from jixiao.audit.service import audit_path

    path = _overall_form(tmp_path, [
        ["", "年度资金总额", "100", "120.5", "90", "10", "74.69%", "7.47"],
        ["", "按收入性质分:120.5", "", "", "", *_DASH],
        ["", "一般公共预算", "80", "100.5", "80", *_DASH],
        ["", "其他资金", "20", "20", "10", *_DASH],
        ["", "按支出性质分：95", "", "", "", *_DASH],
        ["", "基本支出", "70", "80", "70", *_DASH],
        ["", "项目支出", "30", "40.5", "20", *_DASH],
    ])
    pkg = read_any(path)
    (by_income, by_expense) = pkg.overall.group_sums
    assert (by_income.key, by_income.label, by_income.inline) == ("general_budget", "按收入性质分", D("120.5"))
    assert (by_expense.key, by_expense.inline) == ("basic", D("95"))
    assert [f.key for f in pkg.overall.funds] == ["total", "general_budget", "other_funds", "basic", "project"]
    errors = [f for f in audit_path(path).findings if f.severity == "error"]
    assert [(f.rule, f.location.row) for f in errors] == [("funds.identity", "按支出性质分")]
    (wrong,) = errors
    assert "基本支出、项目支出之和不符" in wrong.message and "均不符" in wrong.evidence
    assert wrong.location.column == "年初预算数" and "按支出性质分：95" in wrong.location.text


def test_a_total_row_with_its_figure_in_the_label_cell(tmp_path):
    """"合计：110万元" — the total row (合计 is a synonym of 年度资金总额 in the family file), its figure in
    its label cell: checked against the parts; "合计：100万元" agrees with 年初预算数 and stands."""
    from jixiao.audit.service import audit_path

    def total_errors(total_cell: str):
        path = _overall_form(tmp_path, [
            ["", total_cell, "", "", "", "10", "", ""],
            ["", "一般公共预算", "100", "100", "90", *_DASH],
        ])
        pkg = read_any(path)
        assert pkg.overall.fund("total").inline is not None
        return [f for f in audit_path(path).findings if f.rule == "funds.identity"]

    assert total_errors("合计：100万元") == []
    (wrong,) = total_errors("合计：110万元")
    assert wrong.severity == "error" and wrong.location.row == "合计" and wrong.stated == "110.00"
