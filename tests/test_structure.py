"""Structure from evidence: the rows' hierarchy from 其中 groups, numbering and the family's top rows;
the reading under which the document's own sums hold, said in a finding, never one that hides an
error; label variants; counts against the lists they count; a hand-laid workbook."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from jixiao.audit.registry import run_checks
from jixiao.io.readers import read_any

CORPUS = Path(__file__).resolve().parent / "corpus"


def _dump(tmp_path: Path, title: str, rows: list[list[str]], before: tuple[str, ...] = ()) -> Path:
    lines = [*before, title]
    for i, row in enumerate(rows):
        if i:
            lines.append("")
        lines += ["\t" + c for c in row]
    path = tmp_path / "doc.txt"
    path.write_text("\n".join(lines) + "\n\n\n结束\n", encoding="utf-8")
    return path


_HEADER = ["项目", "2021年决算数", "2022年预算数", "2022年决算数"]


def _costs(tmp_path: Path, vehicle_running: str, extra: tuple[list[str], ...] = ()) -> Path:
    rows = [_HEADER,
            ["三公经费", "20", "30", "25"],
            ["1、公务接待费", "5", "10", "9"],
            ["2、公务用车购置和运行维护费", "15", "20", "16"],
            ["其中：公车购置", "0", "0", "0"],
            ["公车运行维护", vehicle_running, "20", "16"],
            ["3、因公出国（境）费用", "0", "0", "0"],
            *extra]
    return _dump(tmp_path, "部门整体支出绩效评价基础数据表", rows)


def _sum_errors(pkg):
    return [f for f in run_checks(pkg) if f.rule == "table.sum"]


def test_a_second_sub_row_without_qizhong_stays_in_its_group(tmp_path):
    """'其中：公车购置' then '公车运行维护': both are parts of 公务用车…, so 三公经费 = 5 + 15 + 0 holds."""
    pkg = read_any(_costs(tmp_path, "15"))
    lines = {ln.label: ln for ln in pkg.basic_data.costs.lines}
    assert lines["公车运行维护"].parent == "公务用车购置和运行维护费"
    assert lines["公务用车购置和运行维护费"].parent == "三公经费"
    assert _sum_errors(pkg) == []


def test_a_sum_that_fails_under_every_reading_is_reported(tmp_path):
    """三公经费 2021 stated 20, parts 5 + 15 + 0 = 20 … but 2022年决算数 25 ≠ 9 + 16 + 0: reported."""
    pkg = read_any(_costs(tmp_path, "15"))
    pkg.basic_data.costs.lines[0].values["actual"] = D("26")  # 9 + 16 + 0 = 25 under the 其中 reading
    errors = _sum_errors(pkg)
    assert [(f.location.row, f.stated) for f in errors] == [("三公经费", "26.00")]


def test_an_unknown_top_row_is_not_hung_under_the_row_above(tmp_path):
    """部门整体支出预算调整 (other years' name for 部门基本支出预算调整) is a top row of 附件2 (family data)."""
    pkg = read_any(_costs(tmp_path, "15", (["部门整体支出预算调整", "100", "200", "150"],)))
    line = next(ln for ln in pkg.basic_data.costs.lines if ln.label == "部门整体支出预算调整")
    assert line.parent == "" and _sum_errors(pkg) == []


def test_the_reading_under_which_sums_hold_is_chosen_and_said(tmp_path):
    """Here the figures say 公车运行维护 is a part of 三公经费 itself, beside 公务用车购置费 (5 + 10 + 5 =
    20, 10 + 15 + 5 = 30, 9 + 12 + 4 = 25 only so): that reading is taken, and an info finding says which."""
    rows = [_HEADER,
            ["三公经费", "20", "30", "25"],
            ["1、公务接待费", "5", "10", "9"],
            ["2、公务用车购置费", "10", "15", "12"],
            ["其中：新能源车购置", "3", "5", "4"],
            ["公车运行维护", "5", "5", "4"]]
    pkg = read_any(_dump(tmp_path, "部门整体支出绩效评价基础数据表", rows))
    findings = run_checks(pkg)
    assert [f for f in findings if f.rule == "table.sum"] == []
    (note,) = [f for f in findings if f.rule == "table.reading"]
    assert note.severity == "info" and "公车运行维护" in note.message and "三公经费" in note.message


def test_numbering_ranks_nest_rows(tmp_path):
    """一、 over （一） over 1.: a table that prints several kinds of numbering nests by them."""
    rows = [["项目", "年初预算数", "决算数", "决算比预算增加"],
            ["一、基本支出", "100", "90", "-10"],
            ["（一）人员经费", "60", "55", "-5"],
            ["1.工资福利支出", "50", "45", "-5"],
            ["2.社会保障缴费", "10", "10", "0"],
            ["（二）公用经费", "40", "35", "-5"],
            ["合计", "100", "90", "-10"]]
    pkg = read_any(_dump(tmp_path, "某单位2022年度部门整体支出绩效评价报告", rows, ("基本支出情况",)))
    table = pkg.narrative.tables["basic_expenditure"]
    parents = {ln.label: ln.parent for ln in table.lines}
    assert parents == {"基本支出": "", "人员经费": "基本支出", "工资福利支出": "人员经费", "社会保障缴费": "人员经费",
                       "公用经费": "基本支出", "合计": ""}
    assert _sum_errors(pkg) == []


def test_cover_label_variants(tmp_path):
    rows = [["联系人：张三", "联络电话", "0730-1234567"], ["人员编制", "12", "实有人数", "11"]]
    path = _dump(tmp_path, "某县2021年度部门整体支出绩效评价自评报告", rows)
    text = path.read_text(encoding="utf-8").replace("某县2021年度部门整体支出绩效评价自评报告\n",
                                                    "某县2021年度部门整体支出绩效评价自评报告\n报告日期:2022年5月6日\n")
    path.write_text(text, encoding="utf-8")
    pkg = read_any(path)
    assert (pkg.unit.contact, pkg.unit.phone, pkg.unit.report_date, pkg.staffing.actual) == \
        ("张三", "0730-1234567", "2022年5月6日", 11)


def test_counts_against_the_lists_they_count(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("某局2022年度部门整体支出绩效评价报告\n一、部门基本情况\n"
                    "本局下设直属事业单位10个：档案馆、科技馆、图书馆、文化馆、博物馆、美术馆、群艺馆、纪念馆、少年宫。\n"
                    "辖区有序厅、展厅、报告厅等12个场馆。\n"
                    "共设办公室(人事科、财务科)、业务科、法规科3个内设机构。\n", encoding="utf-8")
    (count,) = [f for f in run_checks(read_any(path)) if f.rule == "prose.count_list"]
    assert count.severity == "warning" and "直属事业单位10个" in count.message and "9项" in count.message


def test_a_sum_written_in_the_sentence_after_its_total(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("某局2022年度部门整体支出绩效评价报告\n一、基本情况\n"
                    "本年共支出专项资金120.50万元。其中:80万元用于设备购置;30.5万元用于培训;20万元用于宣传。\n",
                    encoding="utf-8")
    (f,) = [f for f in run_checks(read_any(path)) if f.rule == "prose.subtotal"]
    assert f.severity == "error" and f.stated == "120.50" and f.expected == "130.50"


def sichuan_workbook(path: Path) -> Path:
    """四川's form drawn in a workbook by hand: merged cells, numbers with their cell formats."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    note = "1.预算执行率=预算执行数/调整后预算数"
    grid = [
        ["部门预算项目支出绩效自评表(2023年度)"],
        ["项目名称", "51000021R000000019951-工资性支出"],
        ["主管部门", "青神县发展和改革局本级", None, None, None, "实施单位 (盖章)", None, "青神县发展和改革局"],
        ["预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因"],
        [None, "总额", 238.93, 251.89, 251.89, 1, 10, None, note],
        [None, "其中:财政资金", 238.93, 251.89, 251.89, 1, "/", "/"],
        [None, "财政专户管理资金", 0, 0, 0, 0, "/", "/"],
        [None, "单位资金", 0, 0, 0, 0, "/", "/"],
        [None, "其他资金", None, None, None, None, "/", "/"],
        ["绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分",
         "未完成原因分析"],
        [None, "产出指标", "数量指标", "发放(缴纳)覆盖率", "=", 100, "%", None, 60],
        [None, "效益指标", "社会效益指标", "足额保障率(参保率)", "=", 100, "%", None, 30],
        ["合计", None, None, None, None, None, None, None, 100],
    ]
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    for r in range(5, 10):
        ws.cell(r, 6).number_format = "0.00%"
        for c in (3, 4, 5):
            ws.cell(r, c).number_format = "0.00"
    ws.merge_cells("A1:K1")
    ws.merge_cells("B2:K2")
    ws.merge_cells("B3:E3")
    ws.merge_cells("F3:G3")
    ws.merge_cells("H3:K3")
    ws.merge_cells("A4:A9")
    ws.merge_cells("I4:K4")
    ws.merge_cells("I5:K9")
    ws.merge_cells("A10:A12")
    ws.merge_cells("A13:H13")
    wb.save(path)
    return path


def test_a_hand_laid_workbook_reads_like_the_same_form_as_html(tmp_path):
    """Header rows found by their labels, merged ranges as merged cells: the same table as the page."""
    pkg = read_any(sichuan_workbook(tmp_path / "四川自评表.xlsx"))
    assert_same_sichuan_form(pkg)


def assert_same_sichuan_form(pkg) -> None:
    html = read_any(CORPUS / "sichuan-qingshen-fgj-2023.html")
    assert pkg.families == ["sichuan-project"] and pkg.year == 2023
    (table,), (expected,) = pkg.projects, html.projects
    assert [(f.key, f.initial, f.annual, f.executed, f.stated_rate) for f in table.funds] == \
        [(f.key, f.initial, f.annual, f.executed, f.stated_rate) for f in expected.funds]
    assert [(i.name, i.target.raw, i.weight) for i in table.indicators] == \
        [(i.name, i.target.raw, i.weight) for i in expected.indicators]
    assert (table.name, table.supervisor, table.implementer, table.stated_total_weight) == \
        (expected.name, expected.supervisor, expected.implementer, expected.stated_total_weight)


def test_no_problems_claimed_beside_low_execution(tmp_path):
    """A report in prose only: 执行率36.5% and, under 存在的问题, "暂无问题。" — the claim is queried."""
    path = tmp_path / "report.txt"
    path.write_text("某局2022年度项目支出绩效自评报告\n一、项目资金情况\n全年预算500万元，执行182.5万元，预算执行率为36.5%。\n"
                    "二、存在的问题\n暂无问题。\n", encoding="utf-8")
    (f,) = [f for f in run_checks(read_any(path)) if f.rule == "prose.claim_contradicted"]
    assert f.severity == "warning" and "36.50%" in f.message and "暂无问题" in f.message


def test_no_problems_claimed_in_a_form_beside_low_execution(tmp_path):
    rows = [["项目名称", "X项目"],
            ["预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分"],
            ["预算执行情况(10分)", "总额", "100", "100", "40", "40.00%", "10", "4"],
            ["预算执行情况(10分)", "其中:财政资金", "100", "100", "40", "40.00%", "/", "/"],
            ["存在问题", "暂无"]]
    pkg = read_any(_dump(tmp_path, "部门预算项目支出绩效自评表(2023年度)", rows))
    (f,) = [f for f in run_checks(pkg) if f.rule == "prose.claim_contradicted"]
    assert "40.00%" in f.message
    ok = read_any(_dump(tmp_path, "部门预算项目支出绩效自评表(2023年度)",
                        [*rows[:2], [rows[2][0], "总额", "100", "100", "95", "95.00%", "10", "9.5"],
                         [rows[3][0], "其中:财政资金", "100", "100", "95", "95.00%", "/", "/"], rows[4]]))
    assert [f for f in run_checks(ok) if f.rule == "prose.claim_contradicted"] == []
