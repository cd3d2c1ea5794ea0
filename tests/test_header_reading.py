"""Header-first reading (issue 16, the reading half): a self-evaluation table is read by what its
headers say — columns in any order and under any synonym, one or two header rows, blank merged
level labels, headers repeated on a new page — whatever its title, and in every input a bureau
receives (text pasted with TAB / '|' / spaces, HTML, .xlsx, .docx). Package.reading says what was
read and what was not. The documents are built here in several layouts from one correct project."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from jixiao.audit.service import audit_path
from jixiao.io.blocks import Cell
from jixiao.io.forms import build_package
from jixiao.io.headers import cell_role, columns_by_role, combined_header
from jixiao.io.readers import read_any
from jixiao.io.text_tables import split_row, tables_in_text
from jixiao.io.textdump import parse_blocks

# One project, correct: 执行率 108/120 = 90% → 9 points of 10; indicators 20+15+15+30+10 = 90; 总分 99.
FUNDS = [("年度资金总额", "100", "120", "108", "10", "90%", "9"),
         ("其中：当年财政拨款", "100", "120", "108", "—", "—", "—"),
         ("上年结转资金", "0", "0", "0", "—", "—", "—")]
INDICATORS = [("产出指标(50分)", "数量指标", "硬化道路长度", "≥266米", "270米", "20", "20"),
              ("", "质量指标", "验收合格率", "100%", "100%", "15", "15"),
              ("", "时效指标", "完工时间", "2023年10月31日前", "2023年10月20日", "15", "15"),
              ("效益指标(30分)", "社会效益指标", "受益群众人数", "≥500人", "520人", "30", "30"),
              ("满意度指标(10分)", "服务对象满意度指标", "群众满意度", "≥90%", "95%", "10", "10")]
FUND_HEAD = ("项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
IND_HEAD = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")


def project_rows(fund_order=range(7), ind_order=range(7), fund_head=FUND_HEAD, ind_head=IND_HEAD,
                 total="99") -> list[list[str]]:
    """The project's table as rows of cell texts, its fund and indicator columns in the given orders."""
    rows = [["项目名称", "村道硬化工程"], ["主管部门", "某县农业农村局", "实施单位", "某镇人民政府"]]
    rows.append([fund_head[i] for i in fund_order])
    rows += [[r[i] for i in fund_order] for r in FUNDS]
    rows.append([ind_head[i] for i in ind_order])
    rows += [[r[i] for i in ind_order] for r in INDICATORS]
    total_row = {0: "总分", 5: "100", 6: total}
    rows.append([total_row.get(i, "") for i in ind_order])
    return rows


def text_of(title: str, rows: list[list[str]], sep: str) -> str:
    if sep == "|":
        lines = ["| " + " | ".join(r) + " |" for r in rows]
        lines.insert(1, "|" + "---|" * len(rows[0]))
    else:
        lines = [sep.join(r) for r in rows]
    return (title + "\n" if title else "") + "\n".join(lines) + "\n"


def read_text(text: str):
    return build_package(parse_blocks(text))


def assert_project_read(pkg, total=D("99")):
    assert len(pkg.projects) == 1, pkg.projects
    t = pkg.projects[0]
    assert t.name == "村道硬化工程" and t.implementer == "某镇人民政府"
    fund = t.fund("total")
    assert (fund.initial, fund.annual, fund.executed, fund.weight, fund.stated_rate, fund.stated_score) == \
        (D(100), D(120), D(108), D(10), D("0.90"), D(9))
    by_name = {i.name: i for i in t.indicators}
    assert list(by_name) == ["硬化道路长度", "验收合格率", "完工时间", "受益群众人数", "群众满意度"]
    road = by_name["硬化道路长度"]
    assert (road.weight, road.stated_score, road.target.comparator, road.target.value, road.target.unit) == \
        (D(20), D(20), ">=", D(266), "米")
    assert by_name["完工时间"].level1 == "产出指标"  # the blank merged level label is carried down
    assert t.level1_weights == {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}
    assert (t.stated_total, t.stated_total_weight) == (total, D(100))
    read = pkg.reading.tables
    assert len(read) == 1 and read[0].kind == "资金表、指标表" and read[0].figures >= 30, pkg.reading
    assert not pkg.reading.unread


# --- the vocabulary -------------------------------------------------------------------------


@pytest.mark.parametrize("text, role", [
    ("年初预算数", "initial"), ("全年预算数（A）", "annual"), ("调整后预算数", "annual"), ("预算执行数", "executed"),
    ("全年执行数（B）", "executed"), ("执行率（B/A）", "rate"), ("预算执行率", "rate"), ("权重", "weight"),
    ("分值", "weight"), ("得分", "score"), ("年度指标值", "target"), ("目标值", "target"), ("实际完成值", "actual"),
    ("实际值", "actual"), ("偏差原因分析及改进措施", "reason"), ("2022年预算数", "annual"), ("三级指标", "name"),
    ("≥266米", ""), ("90%", ""), ("村道硬化工程", ""),
])
def test_a_header_cell_names_its_role_by_its_longest_word(text, role):
    assert cell_role(text) == role


def test_columns_are_mapped_by_header_not_by_position():
    header = [Cell(t) for t in ("三级指标", "分值", "年度指标值", "得分", "实际完成值", "一级指标")]
    hints = {"name": ("三级指标",), "target": ("年度指标值", "指标值"), "actual": ("实际完成值",),
             "weight": ("分值",), "score": ("得分",), "level1": ("一级指标",)}
    cols = {k: i for k, (i, _) in columns_by_role(header, hints, ("indicator",)).items()}
    assert cols == {"name": 0, "weight": 1, "target": 2, "score": 3, "actual": 4, "level1": 5}


def test_two_header_rows_read_together_the_lower_label_naming_the_column():
    rows = [[Cell(t) for t in ("绩效指标", "绩效指标", "绩效指标", "年度指标值", "年度指标值", "分值", "得分")],
            [Cell(t) for t in ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "分值", "得分")],
            [Cell(t) for t in ("产出指标", "数量指标", "道路", "≥", "266", "20", "20")]]
    head = combined_header(rows, 0)
    assert [c.text for c in head][:5] == ["一级指标", "二级指标", "三级指标", "指标性质", "指标值"]
    assert combined_header(rows, 1) is rows[1]  # the row below holds figures: it is the body


# --- text with one row per line --------------------------------------------------------------


@pytest.mark.parametrize("sep", ["\t", " | ", "   "])
def test_a_pasted_table_is_read_as_a_table_not_prose(sep):
    text = text_of("绩效目标自评表（衔接资金）", project_rows(), sep.strip(" ") or sep)
    pkg = read_text(text)
    assert_project_read(pkg)
    assert pkg.reading.tables[0].where == "绩效目标自评表（衔接资金）·村道硬化工程"


def test_split_row_keeps_empty_cells_and_drops_pipe_rules():
    assert split_row("\t质量指标\t验收合格率\t") == ("tab", ["", "质量指标", "验收合格率", ""])
    assert split_row("| 项目 | 预算数 |") == ("pipe", ["项目", "预算数"])
    assert split_row("本项目共申请预算资金90万元。") is None
    blocks = parse_blocks("| 项目 | 预算数 | 执行数 |\n|---|---|---|\n| 道路 | 10 | 9 |\n")
    tables = tables_in_text(blocks)
    assert len(tables) == 1 and [[c.text for c in r] for r in tables[0].rows] == [["项目", "预算数", "执行数"],
                                                                                 ["道路", "10", "9"]]
    pkg = build_package(blocks)
    assert not pkg.projects  # two amounts without a fund row's label: not a project's fund block


def test_points_before_the_target_are_points_not_the_target():
    """A form that puts 分值 before 年度指标值: "≥266米" is the target, 20 the points."""
    order = (2, 0, 1, 5, 3, 4, 6)  # 三级指标, 一级指标, 二级指标, 分值, 年度指标值, 实际完成值, 得分
    pkg = read_text(text_of("项目自评表（专项资金）", project_rows(ind_order=order), "\t"))
    assert_project_read(pkg)


def test_synonyms_and_any_column_order_without_a_title():
    fund_head = ("资金（万元）", "年初预算", "调整后预算数", "预算执行数", "权重", "执行率", "得分")
    ind_head = ("一级指标", "二级指标", "指标名称", "目标值", "实际值", "权重", "自评得分")
    pkg = read_text(text_of("", project_rows(fund_order=(0, 3, 2, 1, 6, 5, 4), ind_order=(6, 5, 4, 3, 0, 1, 2),
                                             fund_head=fund_head, ind_head=ind_head), "\t"))
    t = pkg.projects[0]
    fund = t.fund("total")
    assert (fund.initial, fund.annual, fund.executed, fund.weight, fund.stated_score) == (D(100), D(120), D(108), D(10), D(9))
    road = next(i for i in t.indicators if i.name == "硬化道路长度")
    assert (road.weight, road.stated_score, road.target.value, road.actual.value) == (D(20), D(20), D(266), D(270))
    assert (t.stated_total_weight, t.stated_total) == (D(100), D(99))  # 总分 read under 分值 and 得分
    assert pkg.reading.tables[0].where == "文件开头·村道硬化工程"


def test_a_header_repeated_on_a_new_page_is_not_an_indicator():
    rows = project_rows()
    at = rows.index(list(IND_HEAD)) + 3
    rows.insert(at, list(IND_HEAD))
    pkg = read_text(text_of("项目支出绩效自评表", rows, "\t"))
    assert [i.name for i in pkg.projects[0].indicators] == [r[2] for r in INDICATORS]


def test_a_wrong_total_is_found_in_a_pasted_table_whatever_its_title():
    from jixiao.audit.service import audit_package

    pkg = read_text(text_of("绩效目标自评表（衔接资金）", project_rows(total="94"), "\t"))
    errors = [f for f in audit_package(pkg, "a.txt").findings if f.severity == "error"]
    assert [f.rule for f in errors] == ["score.total"] and errors[0].expected == "99.00"
    correct = read_text(text_of("绩效目标自评表（衔接资金）", project_rows(), "\t"))
    assert not [f for f in audit_package(correct, "b.txt").findings if f.severity == "error"]


# --- other formats -------------------------------------------------------------------------------


def test_an_html_table_of_any_site(tmp_path):
    rows = project_rows(ind_order=(0, 1, 2, 5, 3, 4, 6))
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><meta charset='utf-8'></head><body><nav><a href='/'>首页</a></nav><div class='article'><h2>项目自评表（专项资金）</h2>"
                    f"<p>单位：万元</p><table>{body}</table></div></body></html>", encoding="utf-8")
    assert_project_read(read_any(page))


def test_a_workbook_made_elsewhere(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["绩效目标自评表（衔接资金）"])
    for r in project_rows(fund_order=(0, 2, 1, 3, 4, 5, 6)):
        sheet.append([float(c) if c.isdigit() else c for c in r])
    path = tmp_path / "other.xlsx"
    book.save(path)
    assert_project_read(read_any(path))


def test_a_docx_with_a_report_and_an_embedded_table(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("关于村道硬化工程的绩效自评情况说明")
    document.add_paragraph("本项目于2023年实施，资金已按计划拨付，群众满意度较高。")
    rows = project_rows()
    table = document.add_table(rows=len(rows), cols=7)
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    path = tmp_path / "report.docx"
    document.save(path)
    pkg = read_any(path)
    t = pkg.projects[0]
    assert t.fund("total").executed == D(108) and len(t.indicators) == 5 and t.stated_total == D(99)


# --- Package.reading ------------------------------------------------------------------------------


def test_a_table_with_figures_but_no_header_the_vocabulary_knows_is_said_unread():
    text = "情况统计\n地区\t户数\t人口\n甲村\t120\t460\n乙村\t80\t310\n"
    pkg = read_text(text)
    assert not pkg.reading.tables
    assert [(u.where, u.why) for u in pkg.reading.unread] == \
        [("情况统计", "表头未能识别：未找到预算数、执行数或分值等列，表中数字未核对")]


def test_prose_with_tabs_or_spaces_stays_prose():
    text = "报告时间：   2023 年  6  月\n单位负责人签字：\t填表人：张三\n联系电话：\t12345678901\n"
    blocks = build_package(parse_blocks(text))
    assert not blocks.reading.tables and not blocks.reading.unread
    assert [b.text for b in blocks.texts][0].startswith("报告时间")


def test_peer_rows_with_a_total_are_peers_not_one_parent_with_children():
    head = "项目\t年初预算\t年初结转和结余\t收入决算数\t支出决算数\t年末结转和结余"
    peers = ["道路维护\t10\t0\t10\t9\t1", "环境整治\t20\t2\t20\t22\t0", "村务公开\t5\t0\t5\t5\t0",
             "合计\t35\t2\t35\t36\t1"]
    text = "某镇2023年度部门整体支出绩效评价报告\n二、项目支出情况\n" + "\n".join([head, *peers]) + "\n"
    pkg = read_text(text)
    lt = pkg.narrative.tables["project_expenditure"]
    assert [ln.parent for ln in lt.lines] == ["", "", "", ""]
    assert "并列" in lt.reading
    # The parent reading stands where its sums hold: a "…支出" row over its projects.
    nested = ["一般公共服务支出\t35\t2\t35\t36\t1", *peers]
    lt = read_text(text.replace("\n".join(peers), "\n".join(nested))).narrative.tables["project_expenditure"]
    assert [ln.parent for ln in lt.lines][:4] == ["", "一般公共服务支出", "一般公共服务支出", "一般公共服务支出"]
    assert lt.reading == ""


def test_fund_rows_no_family_names_are_read_by_the_vocabulary():
    rows = project_rows()
    rows[3][0], rows[4][0] = "资金总额", "财政补助资金"
    t = read_text(text_of("某专项资金绩效自评表", rows, "\t")).projects[0]
    assert [(f.key, f.executed) for f in t.funds] == [("total", D(108)), ("appropriation", D(108)), ("carryover", D(0))]


def test_a_two_row_header_in_pasted_text():
    rows = project_rows()
    at = rows.index(list(IND_HEAD))
    rows[at:at + 1] = [["绩效指标", "绩效指标", "绩效指标", "指标值", "指标值", "分值", "得分"],
                       ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]]
    assert_project_read(read_text(text_of("项目支出绩效自评表", rows, "\t")))


def test_the_caption_says_the_department_s_table():
    pkg = read_text(text_of("某局2023年度整体支出绩效自评情况表", project_rows(), "\t"))
    assert pkg.overall is not None and not pkg.projects and pkg.forms_found == ["附件3"]


def test_a_table_read_in_part_says_which_rows_were_left():
    rows = project_rows()
    rows.insert(6, ["资金到位率", "", "", "", "", "", "98%"])  # a row of the fund block no reader knows
    pkg = read_text(text_of("项目支出绩效自评表", rows, "\t"))
    assert len(pkg.reading.tables) == 1
    assert [u.why for u in pkg.reading.unread] == \
        ["表中另有1行含数字未能对应到已识别的列或行（如“资金到位率”行），这些数字未核对"]


def test_two_projects_pasted_one_under_the_other_are_two_tables():
    second = [[c.replace("村道硬化工程", "桥梁维修工程") for c in row] for row in project_rows(total="94")]
    pkg = read_text(text_of("项目自评表（专项资金）", project_rows() + second, "\t"))
    assert [(t.name, t.stated_total) for t in pkg.projects] == [("村道硬化工程", D(99)), ("桥梁维修工程", D(94))]
    assert [r.where for r in pkg.reading.tables] == ["项目自评表（专项资金）·村道硬化工程", "项目自评表（专项资金）·桥梁维修工程"]


def test_a_fund_header_over_two_rows_the_lower_qualifying_the_upper():
    rows = project_rows()
    at = rows.index(list(FUND_HEAD))
    rows[at:at + 1] = [["项目资金（万元）", "预算数", "预算数", "执行数", "分值", "执行率", "得分"],
                       ["项目资金（万元）", "年初", "全年", "全年", "分值", "执行率", "得分"]]
    assert_project_read(read_text(text_of("项目支出绩效自评表", rows, "\t")))


def test_a_score_sheet_after_the_project_table_is_read_too():
    sheet = [["一级指标", "二级指标", "三级指标", "分值", "得分"], ["决策(20分)", "项目立项", "立项依据充分性", "10", "9"],
             ["决策(20分)", "绩效目标", "目标合理性", "10", "10"], ["合计", "", "", "20", "19"]]
    text = text_of("项目支出绩效自评表", project_rows(), "\t") + "评分表\n" + "\n".join("\t".join(r) for r in sheet) + "\n"
    pkg = read_text(text)
    assert len(pkg.projects) == 1 and len(pkg.projects[0].indicators) == 5
    (scored,) = pkg.score_sheets
    assert [(i.path, i.score) for i in scored.items] == [(("决策", "项目立项", "立项依据充分性"), D(9)),
                                                        (("决策", "绩效目标", "目标合理性"), D(10))]
    assert [r.kind for r in pkg.reading.tables] == ["资金表、指标表", "评分表"]


def test_an_unruled_pdf_table_cut_by_a_wrapped_header_line_is_joined_again():
    from jixiao.io.blocks import Paragraph, Table
    from jixiao.io.pdf_reader import _rejoin_wrapped_headers

    head = Table(rows=[[Cell(t) for t in ("项目资金", "年初预算", "全年预算", "全年执行")]])
    body = Table(rows=[[Cell(t) for t in ("年度资金总额", "100", "120", "108")]])
    joined = _rejoin_wrapped_headers([head, Paragraph("（万元） 数 数 数"), body])
    assert len(joined) == 1 and [c.text for c in joined[0].rows[1]] == ["年度资金总额", "100", "120", "108"]
    prose = Paragraph("本项目于2023年实施")
    assert len(_rejoin_wrapped_headers([head, prose, body])) == 3


def test_name_lines_above_a_table_found_by_its_headers_name_the_project():
    rows = project_rows()[2:]  # no name rows in the table
    text = "专项资金绩效自评表\n项目名称：村道硬化工程\n实施单位：某镇人民政府\n" + "\n".join("\t".join(r) for r in rows) + "\n"
    t = read_text(text).projects[0]
    assert (t.name, t.implementer, t.form_label) == ("村道硬化工程", "某镇人民政府", "专项资金绩效自评表")


def test_prose_with_figures_and_nothing_read_says_so():
    pkg = read_text("某单位2023年度绩效自评报告\n全年支出120万元，执行率90%。\n群众满意度较高。\n")
    assert not pkg.reading.tables
    assert [u.why for u in pkg.reading.unread] == \
        ["正文有1段含金额、比率或分值，但未找到可读取的资金表、指标表或评分表，这些数字未核对"]


# --- text laid out in columns: empty cells by position ---------------------------------------------


def _aligned(rows: list[list[str]]) -> str:
    """Rows printed as a fixed-width view prints them: every column padded to its widest cell (a CJK
    character takes two columns), an empty cell as spaces, trailing blanks trimmed."""
    from unicodedata import east_asian_width

    def width(text: str) -> int:
        return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)

    n = max(len(r) for r in rows)
    rows = [r + [""] * (n - len(r)) for r in rows]
    widths = [max(width(r[c]) for r in rows) for c in range(n)]
    return "\n".join("  ".join(c + " " * (widths[k] - width(c)) for k, c in enumerate(r)).rstrip() for r in rows) + "\n"


def test_aligned_columns_keep_blank_merged_labels_and_blank_trailing_cells_in_their_columns():
    """A blank level label and a blank trailing cell are spaces in aligned text: each cell is read
    under the header it stands below, so nothing shifts left into the wrong column."""
    text = "项目支出绩效自评表\n" + _aligned(project_rows())
    assert "\n                " in text  # a level label left blank starts its row with spaces
    pkg = read_text(text)
    assert_project_read(pkg)


def test_trimmed_tab_rows_are_padded_not_shifted():
    """An editor that strips trailing TABs leaves rows shorter than the header: the missing cells
    are the last ones, empty."""
    rows = [r + [""] for r in project_rows()]  # a trailing 备注 column nobody filled
    rows[0][-1] = ""
    text = "\n".join("\t".join(r).rstrip("\t") for r in rows)
    pkg = read_text("项目支出绩效自评表\n" + text + "\n")
    assert_project_read(pkg)


def test_rows_merely_separated_by_spaces_are_read_cell_after_cell():
    """Cells joined by runs of spaces without alignment are no grid: read in order, as before."""
    text = text_of("项目支出绩效自评表", project_rows(), "   ")
    assert_project_read(read_text(text))


# --- a table's own grade ---------------------------------------------------------------------------


@pytest.mark.parametrize("grade_row", [["评价等次", "良"], ["自评等级：良"], ["", "评价等级", "良"]])
def test_the_grade_a_table_prints_is_read_and_judged_against_its_total(grade_row, tmp_path):
    """Total 99 is 优; a table printing 良 under any grade label is reported where it prints it."""
    rows = project_rows() + [grade_row]
    doc = tmp_path / "自评表.txt"
    doc.write_text(text_of("项目支出绩效自评表", rows, "\t"), encoding="utf-8")
    pkg = read_any(doc)
    assert pkg.projects[0].stated_grade == "良"
    grade = [f for f in audit_path(doc).findings if f.rule == "score.grade"]
    assert len(grade) == 1 and grade[0].expected == "优" and grade[0].stated == "良"


def test_a_correct_grade_is_no_finding(tmp_path):
    doc = tmp_path / "自评表.txt"
    doc.write_text(text_of("项目支出绩效自评表", project_rows() + [["评价等次", "优"]], "\t"), encoding="utf-8")
    assert not [f for f in audit_path(doc).findings if f.rule == "score.grade"]


# --- two header rows off one grid --------------------------------------------------------------------


def test_a_band_over_the_level_columns_printed_once_in_a_web_page(tmp_path):
    """"绩效指标" spans the three level columns (printed once) while the figure headers span both
    rows (repeated in the lower one): the lower, wider row is the header."""
    rows = project_rows()
    ind = rows.index(list(IND_HEAD))
    head = ('<tr><td colspan="3">绩效指标</td>' + "".join(f'<td rowspan="2">{h}</td>' for h in IND_HEAD[3:]) + "</tr>"
            + "<tr>" + "".join(f"<td>{h}</td>" for h in IND_HEAD[:3]) + "</tr>")
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows[:ind]) + head \
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows[ind + 1:])
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><meta charset='utf-8'></head><body><p>项目支出绩效自评表</p><table>{body}</table>"
                    "</body></html>", encoding="utf-8")
    assert_project_read(read_any(page))


# --- a page's characters without a declared charset -----------------------------------------------


def test_a_chinese_page_without_a_declared_charset_is_not_read_as_latin1(tmp_path):
    rows = project_rows()
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    page = f"<html><body><p>项目支出绩效自评表</p><table>{body}</table></body></html>"
    for name, data in (("gbk.html", page.encode("gb18030")), ("utf8.html", page.encode("utf-8")),
                       ("bom.html", b"\xef\xbb\xbf" + page.encode("utf-8")),
                       ("meta.html", page.replace("<html>", "<html><head><meta http-equiv='Content-Type' "
                                                  "content='text/html; charset=gb2312'></head>").encode("gb18030"))):
        path = tmp_path / name
        path.write_bytes(data)
        assert_project_read(read_any(path))


# --- tables of amounts -------------------------------------------------------------------------------


AMOUNTS = [["项目", "预算数", "执行数", "结余"], ["道路维修", "150", "145", "5"], ["桥涵养护", "60", "55.5", "4.5"],
           ["设备购置", "40", "37", "3"]]


def _amount_doc(tmp_path, rows: list[list[str]]):
    doc = tmp_path / "明细.txt"
    doc.write_text("项目支出明细表（万元）\n" + "\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    return doc


def test_a_table_of_amounts_with_peer_rows_and_a_total_is_checked(tmp_path):
    right = _amount_doc(tmp_path, AMOUNTS + [["合计", "250", "237.5", "12.5"]])
    result = audit_path(right)
    assert result.summary["errors"] == 0 and result.coverage.status == "checked"
    assert result.coverage.tables[0].kind == "金额表" and result.coverage.tables[0].checks >= 3
    wrong = _amount_doc(tmp_path, AMOUNTS + [["合计", "250", "247.5", "2.5"]])
    sums = [f for f in audit_path(wrong).findings if f.rule == "table.sum"]
    assert {f.location.row for f in sums} == {"合计"} and {f.location.column for f in sums} == {"执行数", "结余"}


def test_subtotals_are_checked_against_their_rows_and_counted_once_in_the_total(tmp_path):
    rows = [AMOUNTS[0], AMOUNTS[1], AMOUNTS[2], ["小计", "210", "200.5", "9.5"], AMOUNTS[3],
            ["小计", "40", "37", "3"], ["合计", "250", "237.5", "12.5"]]
    result = audit_path(_amount_doc(tmp_path, rows))
    assert result.summary["errors"] == 0, [f.message for f in result.findings]
    rows[3] = ["小计", "210", "190.5", "19.5"]  # the first subtotal wrong, the total right
    sums = [f for f in audit_path(_amount_doc(tmp_path, rows)).findings if f.rule == "table.sum"]
    assert sums and all(f.location.row.startswith("小计（道路维修") for f in sums), [f.message for f in sums]


def test_qizhong_parts_complete_in_one_column_must_add_up_in_every_column(tmp_path):
    """"其中" parts may leave some out; where they add up exactly to the row above in one column they
    are all the parts, and a column where they do not is an error."""
    parent = [["项目支出", "250", "247.5", "2.5"]]
    parts = [[f"其中：{r[0]}", *r[1:]] for r in AMOUNTS[1:]]
    sums = [f for f in audit_path(_amount_doc(tmp_path, [AMOUNTS[0], *parent, *parts])).findings if f.rule == "table.sum"]
    assert {f.location.column for f in sums} == {"执行数", "结余"}
    partial = [AMOUNTS[0], ["项目支出", "300", "280", "20"], *parts]  # no column complete: parts left out
    assert not [f for f in audit_path(_amount_doc(tmp_path, partial)).findings if f.severity == "error"]


def test_a_total_row_alone_is_no_fund_block(tmp_path):
    """A table of spending by item closed by 合计 has budgeted and executed columns like a fund
    block, but no fund row: it is a table of amounts, not a second project."""
    pkg = read_any(_amount_doc(tmp_path, AMOUNTS + [["合计", "250", "237.5", "12.5"]]))
    assert not pkg.projects and len(pkg.narrative.tables) == 1


def test_a_second_table_in_a_sheet_is_read_on_its_own(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目支出绩效自评表"])
    for r in project_rows():
        sheet.append(r)
    sheet.append([])
    sheet.append(["项目支出明细表（万元）"])
    for r in AMOUNTS + [["合计", "250", "237.5", "12.5"]]:
        sheet.append(r)
    path = tmp_path / "two.xlsx"
    book.save(path)
    result = audit_path(path)
    assert result.coverage.status == "checked", result.coverage.unread
    assert [t.kind for t in result.coverage.tables] == ["资金表、指标表", "金额表"]


def test_a_table_of_spending_by_item_with_a_rate_column_is_no_fund_block_and_its_rates_are_not_added(tmp_path):
    """执行率 and 单价 do not add up: the total row's rate is no sum, and the items are no fund rows."""
    rows = [["项目", "预算数", "执行数", "执行率", "结余", "单价"], ["道路维修", "150", "145", "96.67%", "5", "3"],
            ["桥涵养护", "60", "55.5", "92.50%", "4.5", "2"], ["合计", "210", "200.5", "95.48%", "9.5", "2.5"]]
    doc = _amount_doc(tmp_path, rows)
    pkg = read_any(doc)
    assert not pkg.projects
    (table,) = pkg.narrative.tables.values()
    assert sorted(table.columns.values()) == ["执行数", "结余", "预算数"]
    result = audit_path(doc)
    assert result.summary["errors"] == 0 and result.coverage.tables[0].kind == "金额表"
