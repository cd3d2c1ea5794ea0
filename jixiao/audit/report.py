"""Render audit results: JSON (the contract), text for the terminal, HTML and XLSX for reviewers.

Every renderer takes the list of `DocumentResult`s in input order. Findings are
already sorted worst first by the service; here they are grouped by form.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..texttable import table
from .coverage import PARTIAL, UNCHECKED, Coverage
from .findings import SEVERITY_LABELS, Finding
from .service import EXPECTED_FORMS, FORM_TITLES, DocumentResult

COLUMNS = ("严重程度", "规则", "问题", "位置", "填报值", "应为", "计算", "原文")
NO_FORM = "全文"


# --- shared helpers -------------------------------------------------------------------------


def form_order(form: str, first_line: int = 0) -> tuple:
    """Forms in document order; the several 附件4 ("附件4·项目名") in the order they appear."""
    base = form.split("·", 1)[0]
    if base in EXPECTED_FORMS:
        return (0, EXPECTED_FORMS.index(base), first_line, form)
    return (1 if form else 2, 0, first_line, form)


def by_form(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by form, forms in document order; each group keeps the worst-first order."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.location.form or NO_FORM, []).append(f)

    def key(item: tuple[str, list[Finding]]) -> tuple:
        form, items = item
        lines = [f.location.line for f in items if f.location.line is not None]
        return form_order("" if form == NO_FORM else form, min(lines) if lines else 0)

    return sorted(groups.items(), key=key)


def form_heading(form: str) -> str:
    base, _, item = form.partition("·")
    title = FORM_TITLES.get(base)
    if not title or title.startswith(base):
        return form
    return f"{base} {title}" + (f"·{item}" if item else "")


def counts_text(s: dict) -> str:
    return f"错误 {s['errors']} 项，警告 {s['warnings']} 项，提示 {s['infos']} 项"


def finding_row(f: Finding) -> list[str]:
    """One finding in the reviewers' columns (COLUMNS)."""
    return [SEVERITY_LABELS.get(f.severity, f.severity), f.rule, f.message, f.location.describe(),
            f.stated, f.expected, f.formula, f.evidence or f.location.text]


def status_text(r: DocumentResult) -> str:
    """The document's verdict in a summary row: never 通过 when nothing could be checked."""
    if r.error:
        return "无法读取"
    if r.summary["errors"]:
        return "有错误"
    if r.coverage.status == UNCHECKED:
        return "未能核对"
    return "通过（部分核对）" if r.coverage.status == PARTIAL else "通过"


def nothing_found_text(cov: Coverage) -> str:
    """What a report says where it lists no finding — only ever beside what was checked."""
    if cov.status == UNCHECKED:
        return "本文件未能核对（原因见核对范围），未列出问题不等于没有问题。"
    if cov.status == PARTIAL:
        return "在已核对的部分未发现问题；未能读懂的部分（见上）未核对。"
    return "未发现问题。"


def table_read_text(t) -> str:
    return f"{t.where}：{t.kind}，{t.rows} 行，数字 {t.figures} 个，核对关系 {t.checks} 项"


def doc_label(r: DocumentResult) -> str:
    parts = [r.unit, f"{r.year}年度" if r.year else ""]
    return " ".join(p for p in parts if p)


def write_atomic(out: str | Path, writer: Callable[[Path], None]) -> None:
    """Write via OUT.tmp and rename, so a reader never sees half a report."""
    target = Path(out)
    tmp = target.with_name(target.name + ".tmp")
    try:
        writer(tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


# --- JSON -----------------------------------------------------------------------------------


def render_json(results: list[DocumentResult]) -> str:
    return json.dumps({"documents": [r.as_dict() for r in results]}, ensure_ascii=False, indent=2) + "\n"


# --- text -----------------------------------------------------------------------------------


def render_text(results: list[DocumentResult]) -> str:
    blocks = [_text_document(r) for r in results]
    if len(results) > 1:
        blocks.append(_text_summary(results))
    return "\n".join(blocks)


def _text_document(r: DocumentResult) -> str:
    lines = [f"═══ {r.path}"]
    if r.error:
        lines += [f"  无法读取：{_indent(r.error, 4).lstrip()}", ""]
        return "\n".join(lines)
    if r.title or doc_label(r):
        lines.append(f"  {r.title or doc_label(r)}")
    lines.append(f"  审核结果：{counts_text(r.summary)}")
    lines += _text_coverage(r.coverage)
    lines.append("")
    for form, items in by_form(r.findings):
        lines.append(f"■ {form_heading(form)}（{len(items)} 项）")
        for f in items:
            lines += _text_finding(f)
        lines.append("")
    if not r.findings:
        lines += [f"  {nothing_found_text(r.coverage)}", ""]
    return "\n".join(lines)


def _text_coverage(cov: Coverage) -> list[str]:
    """核对范围: the line, each table read, each part not understood with its reason."""
    lines = [f"  核对范围：{cov.line()}"]
    lines += [f"    · {table_read_text(t)}" for t in cov.tables]
    if cov.unread:
        lines.append("  未能读懂的部分（未核对）：")
        lines += [f"    · {u.where}：{u.why}" for u in cov.unread]
    return lines


def _text_finding(f: Finding) -> list[str]:
    out = [f"  [{SEVERITY_LABELS.get(f.severity, f.severity)}] {f.message}  〔{f.rule}〕"]
    where = f.location.describe()
    if where:
        out.append(f"      位置：{where}")
    if f.stated or f.expected:
        out.append(f"      填报：{f.stated or '（空）'} → 应为：{f.expected or '（见说明）'}")
    if f.formula:
        out.append(f"      计算：{f.formula}")
    evidence = f.evidence or f.location.text
    if evidence:
        out.append(f"      原文：「{_one_line(evidence)}」")
    return out


def _text_summary(results: list[DocumentResult]) -> str:
    header = ["文件", "错误", "警告", "提示", "状态"]
    rows = []
    for r in results:
        s = r.summary
        rows.append([r.path, str(s["errors"]), str(s["warnings"]), str(s["infos"]), status_text(r)])
    total = [sum(r.summary[k] for r in results) for k in ("errors", "warnings", "infos")]
    unreadable = sum(1 for r in results if r.error)
    rows.append([f"合计（{len(results)} 份，{unreadable} 份无法读取）", *map(str, total), ""])
    return "\n".join(["汇总", *table(header, rows[:-1], rows[-1]), ""])


def _one_line(s: str, limit: int = 200) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _indent(s: str, n: int) -> str:
    return ("\n" + " " * n).join(s.splitlines())


# --- HTML -----------------------------------------------------------------------------------

_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;max-width:1200px;color:#222;line-height:1.5;padding:0 1em}
h1{font-size:1.5em;border-bottom:2px solid #8b0000;padding-bottom:.3em}
h2{font-size:1.25em;margin-top:2em;border-left:4px solid #8b0000;padding-left:.5em}
h3{font-size:1.05em;margin-top:1.5em}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #bbb;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f2f2f2;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.sev{white-space:nowrap;font-weight:bold}
tr.error .sev{color:#b00020}tr.warning .sev{color:#b36b00}tr.info .sev{color:#336}
.counts span{display:inline-block;margin-right:1.5em;font-weight:bold}
.c-error{color:#b00020}.c-warning{color:#b36b00}.c-info{color:#336}
.unreadable{background:#fdecea;border:1px solid #b00020;padding:.8em}
.coverage{border-left:4px solid #336;padding:.2em .8em;margin:.5em 0;background:#f6f7fb}
.coverage.unchecked{border-color:#b00020;background:#fdecea}.coverage.partial{border-color:#b36b00}
.meta{color:#555}
code{font-family:monospace;font-size:.95em}
.ev{color:#444;font-size:.95em}
footer{margin-top:3em;color:#777;font-size:.85em}
"""


def render_html(results: list[DocumentResult]) -> str:
    e = html.escape
    title = _html_title(results)
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>",
    ]
    if len(results) > 1:
        parts.append(_html_summary(results))
    for r in results:
        parts.append(_html_document(r, several=len(results) > 1))
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    parts += [f"<footer>由 jixiao 自动审核生成（{e(stamp)}）。每项问题均列出原文、填报值、应为值及计算过程，请逐项核对并修改后重新报送。</footer>",
              "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _html_title(results: list[DocumentResult]) -> str:
    if len(results) == 1 and results[0].unit:
        r = results[0]
        year = f"{r.year}年度" if r.year else ""
        return f"{r.unit}{year}预算绩效自评材料审核意见"
    return "预算绩效自评材料审核意见"


def _html_counts(s: dict) -> str:
    return ('<p class="counts">'
            f'<span class="c-error">错误 {s["errors"]} 项</span>'
            f'<span class="c-warning">警告 {s["warnings"]} 项</span>'
            f'<span class="c-info">提示 {s["infos"]} 项</span></p>')


def _html_document(r: DocumentResult, several: bool) -> str:
    e = html.escape
    out = ["<section>"]
    if several or not r.unit:
        out.append(f"<h2>{e(doc_label(r) or r.path)}</h2>")
    meta = [("文件", r.path), ("单位", r.unit), ("年度", str(r.year) if r.year else ""), ("标题", r.title)]
    out.append('<p class="meta">' + "<br>".join(f"{k}：{e(v)}" for k, v in meta if v) + "</p>")
    if r.error:
        out += [f'<div class="unreadable"><strong>无法读取该文件：</strong><br>{_br(r.error)}</div>', "</section>"]
        return "\n".join(out)
    out.append(_html_counts(r.summary))
    out.append(_html_coverage(r.coverage))
    if not r.findings:
        out.append(f"<p>{e(nothing_found_text(r.coverage))}</p>")
    for form, items in by_form(r.findings):
        out.append(f"<h3>{e(form_heading(form))}（{len(items)} 项）</h3>")
        out.append(_html_table(items))
    out.append("</section>")
    return "\n".join(out)


def _html_coverage(cov: Coverage) -> str:
    e = html.escape
    out = [f'<div class="coverage {e(cov.status)}"><p><strong>核对范围：</strong>{e(cov.line())}</p>']
    if cov.tables:
        head = "".join(f"<th>{c}</th>" for c in ("表格", "类别", "行数", "数字", "核对关系"))
        rows = "".join(f"<tr><td>{e(t.where)}</td><td>{e(t.kind)}</td><td class=\"num\">{t.rows}</td>"
                       f"<td class=\"num\">{t.figures}</td><td class=\"num\">{t.checks}</td></tr>" for t in cov.tables)
        out.append(f"<details><summary>已读表格 {len(cov.tables)} 张</summary><table><thead><tr>{head}</tr></thead>"
                   f"<tbody>{rows}</tbody></table></details>")
    if cov.unread:
        items = "".join(f"<li>{e(u.where)}：{e(u.why)}</li>" for u in cov.unread)
        out.append(f"<p>未能读懂的部分（未核对）：</p><ul>{items}</ul>")
    out.append("</div>")
    return "".join(out)


def _html_table(items: list[Finding]) -> str:
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    rows = []
    for f in items:
        cells = finding_row(f)
        tds = [f'<td class="sev">{_br(cells[0])}</td>', f"<td><code>{_br(cells[1])}</code></td>"]
        tds += [f"<td>{_br(c)}</td>" for c in cells[2:4]]
        tds += [f'<td class="num">{_br(c)}</td>' for c in cells[4:6]]
        tds += [f"<td>{_br(cells[6])}</td>", f'<td class="ev">{_br(cells[7])}</td>']
        rows.append(f'<tr class="{html.escape(f.severity)}">{"".join(tds)}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"


def _html_summary(results: list[DocumentResult]) -> str:
    e = html.escape
    rows = []
    for r in results:
        s = r.summary
        rows.append(f"<tr><td>{e(r.path)}</td><td>{e(r.unit)}</td><td class=\"num\">{r.year or ''}</td>"
                    f"<td class=\"num\">{s['errors']}</td><td class=\"num\">{s['warnings']}</td>"
                    f"<td class=\"num\">{s['infos']}</td><td>{e(status_text(r))}</td>"
                    f"<td>{e(r.coverage.line())}</td></tr>")
    head = "".join(f"<th>{c}</th>" for c in ("文件", "单位", "年度", "错误", "警告", "提示", "状态", "核对范围"))
    return f"<h2>汇总（{len(results)} 份）</h2><table><thead><tr>{head}</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"


def _br(s: str) -> str:
    return html.escape(s).replace("\n", "<br>")


# --- XLSX -----------------------------------------------------------------------------------

_WIDTHS = (10, 22, 48, 36, 14, 14, 40, 50)
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def write_xlsx(results: list[DocumentResult], out: str | Path) -> None:
    write_atomic(out, lambda tmp: _workbook(results).save(tmp))


def _workbook(results: list[DocumentResult]):
    from openpyxl import Workbook

    wb = Workbook()
    summary_ws = wb.active
    summary_ws.title = "汇总"
    names = {"汇总"}
    sheet_of = []
    for i, r in enumerate(results, 1):
        name = _sheet_name(i, r, names)
        _findings_sheet(wb.create_sheet(name), r)
        sheet_of.append(name)
    _summary_sheet(summary_ws, results, sheet_of)
    return wb


def _sheet_name(i: int, r: DocumentResult, taken: set[str]) -> str:
    base = (r.unit or Path(r.path).stem or "文件").translate(_BAD_SHEET_CHARS).strip("'")
    name = f"{i}-{base}"[:31]
    while name in taken:
        name = f"{i}-{len(taken)}"[:31]
    taken.add(name)
    return name


def _style_header(ws, widths) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor="DDDDDD")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(vertical="center")
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _findings_sheet(ws, r: DocumentResult) -> None:
    from openpyxl.styles import Alignment

    ws.append(list(COLUMNS))
    if r.error:
        ws.append(["无法读取", "input.unreadable", _cell(r.error), r.path, "", "", "", ""])
    for f in r.findings:
        ws.append([_cell(c) for c in finding_row(f)])
    for u in r.coverage.unread:
        ws.append(["未核对", "coverage.unread", _cell(f"未能读懂，未核对：{u.why}"), _cell(u.where), "", "", "", ""])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    _as_text(ws)
    _style_header(ws, _WIDTHS)


def _summary_sheet(ws, results: list[DocumentResult], sheets: list[str]) -> None:
    ws.append(["文件", "单位", "年度", "错误", "警告", "提示", "状态", "明细工作表", "核对范围"])
    for r, sheet in zip(results, sheets):
        s = r.summary
        status = f"无法读取：{_cell(r.error)}" if r.error else status_text(r)
        ws.append([_cell(r.path), _cell(r.unit), r.year, s["errors"], s["warnings"], s["infos"], status, sheet,
                   _cell(r.coverage.line())])
    _as_text(ws)
    _style_header(ws, (50, 36, 8, 8, 8, 8, 30, 24, 60))


def _as_text(ws) -> None:
    """A quoted "= 1 + 2" is text, not an Excel formula to evaluate."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _cell(s: str) -> str:
    """Strip the control characters openpyxl refuses; keep cells under Excel's limit."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    s = ILLEGAL_CHARACTERS_RE.sub("", s or "")
    return s if len(s) <= 32000 else s[:32000] + "…"
