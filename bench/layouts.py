"""How much of a self-evaluation table the audit reads and checks, by layout and by format.

One correct project table (tests/layouts) is printed in a fixed set of layouts — other families'
titles and none, three indicator column orders, header synonyms, one or two header rows, merged
level labels, an amount table of peer rows with a 合计, of groups closed by 小计, or of a parent with
its children, the grade in a cell of its own or after its label — and in every format the generator
makes (text with TAB, trimmed TAB rows, aligned spaces with figures flush left or right, pipes, the
TAB-per-cell dump, HTML in UTF-8 and in GB18030 without a declared charset, .xlsx, .docx; PDF
through LibreOffice for two layouts). Each is audited correct and then with
each defect planted alone.

    .venv/bin/python bench/layouts.py [--no-pdf] [--formats tab,docx] [--show-partial] [--no-cases]

It also runs the hand-built cases (a smaller project in four layouts — synonyms in reverse order,
分值 before 年度指标值, a two-row header — as TAB, pipes, unaligned spaces, HTML, .xlsx and .docx,
six defects each): RESULT lines cases_*.

RESULT lines: per format and per layout family, the share of planted defects found at their place,
the false errors on the correct versions, and the share of correct versions read with full coverage.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from layouts import DEFECTS, FORMATS, Layout, audit_layout, correct_project, found, planted, write_layout  # noqa: E402

from jixiao.audit.report import render_text  # noqa: E402
from jixiao.audit.service import audit_path  # noqa: E402

# Each layout varies from the national form in one or two ways, so that a family's figure says
# what that variation costs.
LAYOUTS = (
    Layout(),
    Layout(title="linked"),
    Layout(title="special", words=1),
    Layout(title="none", words=2),
    Layout(order="points_first"),
    Layout(order="score_before_actual", words=1),
    Layout(header_rows=2),
    Layout(merged=True),
    Layout(merged=True, points_in_label=False, header_rows=2),
    Layout(amounts="peers"),
    Layout(amounts="parent"),
    Layout(title="none", order="points_first", merged=True, amounts="peers"),
    Layout(amounts="subtotals", grade_in_cell=True),
    Layout(title="special", order="score_before_actual", header_rows=2, merged=True, amounts="subtotals"),
)
PDF_LAYOUTS = (Layout(), Layout(title="linked", merged=True, amounts="peers"))


def axes(layout: Layout) -> list[str]:
    """The layout families a layout belongs to, for the per-family figures."""
    out = [f"title_{layout.title}", f"order_{layout.order}", f"words_{layout.words}",
           f"header_rows_{layout.header_rows}", f"merged_{int(layout.merged)}", f"amounts_{layout.amounts}",
           f"grade_in_cell_{int(layout.grade_in_cell)}"]
    return out


# --- the hand-built cases (formerly bench/reading_layouts.py) ---------------------------------

FUND_HEAD = ("项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
IND_HEAD = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
SYNONYM_FUND = ("资金（万元）", "年初预算", "调整后预算数", "预算执行数", "权重", "预算执行率", "自评得分")
SYNONYM_IND = ("一级指标", "二级指标", "指标名称", "目标值", "实际值", "权重", "自评得分")


def case_correct() -> dict:
    return {"funds": [["年度资金总额", "100", "120", "108", "10", "90%", "9"],
                      ["其中：当年财政拨款", "100", "110", "100", "—", "—", "—"],
                      ["上年结转资金", "0", "10", "8", "—", "—", "—"]],
            "indicators": [["产出指标(50分)", "数量指标", "硬化道路长度", "≥266米", "270米", "20", "20"],
                           ["", "质量指标", "验收合格率", "100%", "100%", "15", "15"],
                           ["", "时效指标", "完工时间", "2023年10月31日前", "2023年10月20日", "15", "15"],
                           ["效益指标(30分)", "社会效益指标", "受益群众人数", "≥500人", "520人", "30", "30"],
                           ["满意度指标(10分)", "服务对象满意度指标", "群众满意度", "≥90%", "95%", "10", "10"]],
            "total": "99"}


def _set(doc: dict, where: str, row: int, col: int, value: str) -> dict:
    doc[where][row][col] = value
    return doc


# Each defect: (name, the change); found when the audit reports an error or warning the correct version does not get.
CASE_DEFECTS = [
    ("总分≠各项之和", lambda d: {**d, "total": "94"}),
    ("得分超过分值", lambda d: _set(d, "indicators", 0, 6, "25")),
    ("执行率与两数不符", lambda d: _set(d, "funds", 0, 5, "95%")),
    ("执行率得分不符", lambda d: _set(d, "funds", 0, 6, "10")),
    ("资金总额≠各来源之和", lambda d: _set(d, "funds", 0, 3, "118")),
    ("一级指标分值≠下级之和", lambda d: _set(d, "indicators", 0, 0, "产出指标(60分)")),
]

CASE_LAYOUTS = {
    "标准列序": (range(7), range(7), FUND_HEAD, IND_HEAD, "项目支出绩效自评表", False),
    "分值在指标值前": (range(7), (0, 1, 2, 5, 3, 4, 6), FUND_HEAD, IND_HEAD, "绩效目标自评表（衔接资金）", False),
    "同义表头倒序": ((0, 3, 2, 1, 6, 5, 4), (2, 1, 0, 4, 3, 5, 6), SYNONYM_FUND, SYNONYM_IND, "", False),
    "两行表头": (range(7), range(7), FUND_HEAD, IND_HEAD, "项目自评表（专项资金）", True),
}


def case_rows(doc: dict, layout) -> list[list[str]]:
    fund_order, ind_order, fund_head, ind_head, _, two_rows = layout
    rows = [["项目名称", "村道硬化工程"], ["主管部门", "某县农业农村局", "实施单位", "某镇人民政府"]]
    rows.append([fund_head[i] for i in fund_order])
    rows += [[r[i] for i in fund_order] for r in doc["funds"]]
    if two_rows:
        upper = ["绩效指标", "绩效指标", "绩效指标", "指标值", "指标值", "分值", "得分"]
        rows.append([upper[i] for i in ind_order])
    rows.append([ind_head[i] for i in ind_order])
    rows += [[r[i] for i in ind_order] for r in doc["indicators"]]
    total = {0: "总分", 5: "100", 6: doc["total"]}
    rows.append([total.get(i, "") for i in ind_order])
    return rows


def write_case(path: Path, fmt: str, title: str, rows: list[list[str]]) -> Path:
    if fmt in ("tab", "pipe", "spaces"):
        # Runs of spaces cannot show an empty cell: a blank merged level label is simply not there.
        sep = {"tab": "\t", "pipe": " | ", "spaces": "   "}[fmt]
        lines = [sep.join(c for c in r if c or fmt != "spaces") for r in rows]
        if fmt == "pipe":
            lines = ["| " + line + " |" for line in lines]
        path = path.with_suffix(".txt")
        path.write_text((title + "\n" if title else "") + "\n".join(lines) + "\n", encoding="utf-8")
    elif fmt == "html":
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        path = path.with_suffix(".html")
        path.write_text(f"<html><head><meta charset='utf-8'></head><body><h2>{title}</h2><table>{body}</table>"
                        "</body></html>", encoding="utf-8")
    elif fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        if title:
            sheet.append([title])
        for r in rows:
            sheet.append(r)
        path = path.with_suffix(".xlsx")
        book.save(path)
    else:
        import docx

        document = docx.Document()
        if title:
            document.add_paragraph(title)
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for i, r in enumerate(rows):
            for j, text in enumerate(r):
                table.cell(i, j).text = text
        path = path.with_suffix(".docx")
        document.save(path)
    return path


def run_cases() -> None:
    """The hand-built cases (issue 16's first measure): four layouts of a smaller project, six formats,
    six defects; a defect is found when the audit reports an error or warning the correct version
    does not get."""
    formats = ["tab", "pipe", "spaces", "html", "xlsx", "docx"]
    found = planted_count = false_errors = unread_files = files = 0
    with tempfile.TemporaryDirectory(prefix="jixiao-layouts-") as d:
        for name, layout in CASE_LAYOUTS.items():
            for fmt in formats:
                title = layout[4]
                result = audit_path(write_case(Path(d) / f"{name}-{fmt}-ok", fmt, title, case_rows(case_correct(), layout)))
                errors = [f for f in result.findings if f.severity == "error"]
                false_errors += len(errors)
                files += 1
                before = {_key(f) for f in result.findings if f.severity in ("error", "warning")}
                hits = []
                for i, (_, change) in enumerate(CASE_DEFECTS):
                    bad = audit_path(write_case(Path(d) / f"{name}-{fmt}-{i}", fmt, title,
                                                case_rows(change(case_correct()), layout)))
                    hits.append(any(_key(f) not in before for f in bad.findings if f.severity in ("error", "warning")))
                found += sum(hits)
                planted_count += len(hits)
                unread_files += result.coverage.figures == 0
                if not all(hits) or errors:
                    print(f"case {name} {fmt}: 正确版错误 {len(errors)}，缺陷检出 {sum(hits)}/{len(hits)}"
                          + ("" if all(hits) else "，漏检：" + "、".join(n for (n, _), h in zip(CASE_DEFECTS, hits) if not h)))
    print(f"RESULT cases_found_share={found / planted_count:.2f} ratio  # {found}/{planted_count}")
    print(f"RESULT cases_false_errors={false_errors} errors  # {files} correct documents")
    print(f"RESULT cases_files_with_nothing_read={unread_files} count")


def _key(finding) -> tuple:
    return finding.rule, finding.stated, finding.expected


def partly_read(folder: Path) -> Path:
    """The national layout as .docx with a list of equipment appended whose headers (序号, 品名, 数量,
    单价) name no column the audit checks: read in part, the list said unread."""
    from docx import Document

    path = write_layout(correct_project(), Layout(), "docx", folder)
    doc = Document(str(path))
    doc.add_paragraph("附表：设备清单")
    rows = [("序号", "品名", "数量", "单价"), ("1", "压路机", "2", "35.00"), ("2", "洒水车", "1", "28.50")]
    table = doc.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.save(str(path))
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-pdf", action="store_true", help="skip the PDF layouts (LibreOffice is slow)")
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats to print (default: all)")
    ap.add_argument("--misses", action="store_true", help="list every defect not found and every false error")
    ap.add_argument("--show-partial", action="store_true", help="print the text report of one partly read document")
    ap.add_argument("--no-cases", action="store_true", help="skip the hand-built cases")
    args = ap.parse_args()
    if not args.no_cases:
        run_cases()

    planted_by: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # key → [found, planted]
    correct_by: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # key → [documents, false errors, full coverage]
    missed: dict[str, int] = defaultdict(int)
    shown = None
    started = time.perf_counter()
    audits = 0
    for fmt in args.formats.split(","):
        if fmt == "pdf" and args.no_pdf:
            continue
        for layout in PDF_LAYOUTS if fmt == "pdf" else LAYOUTS:
            keys = [f"format_{fmt}", *(f"layout_{a}" for a in axes(layout)), "all"]
            with tempfile.TemporaryDirectory(prefix="jx-bench-layout-") as tmp:
                result = audit_layout(correct_project(), layout, fmt, Path(tmp))
            audits += 1
            errors = result.summary["errors"] if not result.error else 0
            for key in keys:
                row = correct_by[key]
                row[0] += 1
                row[1] += errors
                row[2] += result.coverage.status == "checked"
            if args.misses and errors:
                print(f"false errors {fmt} {layout.family}: "
                      + "；".join(f.rule for f in result.findings if f.severity == "error"))
            if shown is None and result.coverage.status == "partial":
                shown = result
            for defect in DEFECTS:
                if defect.needs_amounts and layout.amounts == "none":
                    continue
                with tempfile.TemporaryDirectory(prefix="jx-bench-layout-") as tmp:
                    result = audit_layout(planted(defect), layout, fmt, Path(tmp))
                audits += 1
                hit = bool(found(result, defect))
                if not hit:
                    missed[f"{defect.name}"] += 1
                    if args.misses:
                        print(f"missed {defect.name} {fmt} {layout.family}")
                for key in [*keys, f"defect_{defect.name}"]:
                    planted_by[key][0] += hit
                    planted_by[key][1] += 1
    elapsed = time.perf_counter() - started

    for key in sorted(planted_by):
        hit, total = planted_by[key]
        print(f"RESULT found_share_{key}={hit / total:.2f} ratio  # {hit}/{total}")
    for key in sorted(correct_by):
        docs, errors, full = correct_by[key]
        print(f"RESULT false_errors_{key}={errors} errors  # {docs} correct documents")
        print(f"RESULT full_coverage_share_{key}={full / docs:.2f} ratio")
    print(f"RESULT layout_audits={audits} documents  # in {elapsed:.1f} s")
    if args.show_partial:
        print("（一份部分读懂的文件的核对范围）")
        if shown is not None:
            print(render_text([shown]))
        else:  # every layout was read in full: show a document with a table no header names
            with tempfile.TemporaryDirectory(prefix="jx-bench-layout-") as tmp:
                print(render_text([audit_path(partly_read(Path(tmp)))]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
