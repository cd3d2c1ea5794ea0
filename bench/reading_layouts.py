"""Measure: one correct project table printed in many layouts and formats, with defects planted one
at a time — how many defects the audit finds, how many errors the correct version gets, and whether
every file was read (Package.reading). Layouts: column orders, header synonyms, a two-row header,
titles no rule knows or none; formats: text with TAB / '|' / spaces, HTML, .xlsx, .docx.

    .venv/bin/python bench/reading_layouts.py

Prints one line per layout × format and `RESULT` lines: the share of planted defects found, errors
on correct versions, files with nothing read.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from jixiao.audit.service import audit_path

FUND_HEAD = ("项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
IND_HEAD = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
SYNONYM_FUND = ("资金（万元）", "年初预算", "调整后预算数", "预算执行数", "权重", "预算执行率", "自评得分")
SYNONYM_IND = ("一级指标", "二级指标", "指标名称", "目标值", "实际值", "权重", "自评得分")


def correct() -> dict:
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


# Each defect: (name, the change, the audit rule families that report it).
DEFECTS = [
    ("总分≠各项之和", lambda d: {**d, "total": "94"}),
    ("得分超过分值", lambda d: _set(d, "indicators", 0, 6, "25")),
    ("执行率与两数不符", lambda d: _set(d, "funds", 0, 5, "95%")),
    ("执行率得分不符", lambda d: _set(d, "funds", 0, 6, "10")),
    ("资金总额≠各来源之和", lambda d: _set(d, "funds", 0, 3, "118")),
    ("一级指标分值≠下级之和", lambda d: _set(d, "indicators", 0, 0, "产出指标(60分)")),
]

LAYOUTS = {
    "标准列序": (range(7), range(7), FUND_HEAD, IND_HEAD, "项目支出绩效自评表", False),
    "分值在指标值前": (range(7), (0, 1, 2, 5, 3, 4, 6), FUND_HEAD, IND_HEAD, "绩效目标自评表（衔接资金）", False),
    "同义表头倒序": ((0, 3, 2, 1, 6, 5, 4), (2, 1, 0, 4, 3, 5, 6), SYNONYM_FUND, SYNONYM_IND, "", False),
    "两行表头": (range(7), range(7), FUND_HEAD, IND_HEAD, "项目自评表（专项资金）", True),
}


def rows_of(doc: dict, layout) -> list[list[str]]:
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


def write(path: Path, fmt: str, title: str, rows: list[list[str]]) -> Path:
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


def main() -> None:
    formats = ["tab", "pipe", "spaces", "html", "xlsx", "docx"]
    found = planted = false_errors = unread_files = files = 0
    with tempfile.TemporaryDirectory(prefix="jixiao-layouts-") as d:
        for name, layout in LAYOUTS.items():
            for fmt in formats:
                title = layout[4]
                result = audit_path(write(Path(d) / f"{name}-{fmt}-ok", fmt, title, rows_of(correct(), layout)))
                errors = [f for f in result.findings if f.severity == "error"]
                false_errors += len(errors)
                files += 1
                hits = []
                before = {_key(f) for f in result.findings if f.severity in ("error", "warning")}
                for i, (_, change) in enumerate(DEFECTS):
                    bad = audit_path(write(Path(d) / f"{name}-{fmt}-{i}", fmt, title, rows_of(change(correct()), layout)))
                    # Found: an error or warning the correct version does not get.
                    hits.append(any(_key(f) not in before for f in bad.findings if f.severity in ("error", "warning")))
                found += sum(hits)
                planted += len(hits)
                read = _read_anything(result)
                unread_files += not read
                print(f"{name:8s} {fmt:6s} 正确版错误 {len(errors)}  缺陷检出 {sum(hits)}/{len(hits)}"
                      f"  {'已读' if read else '未读到任何数字'}"
                      + ("" if all(hits) else "  漏检：" + "、".join(n for (n, _), h in zip(DEFECTS, hits) if not h)))
    print(f"RESULT planted_found_share={100 * found / planted:.1f} %")
    print(f"RESULT correct_version_errors={false_errors} count")
    print(f"RESULT files_with_nothing_read={unread_files} count")
    print(f"RESULT files={files} count")


def _key(finding) -> tuple:
    return finding.rule, finding.stated, finding.expected


def _read_anything(result) -> bool:
    from jixiao.io.readers import read_any

    pkg = read_any(result.path)
    return any(t.figures for t in pkg.reading.tables)


if __name__ == "__main__":
    sys.exit(main())
