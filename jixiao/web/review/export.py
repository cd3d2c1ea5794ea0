""".xlsx exports of the bureau's tables (dashboard, 抽评, 部门汇总, 结果应用).

Text that came from users (unit names, notes) is written as text, never as a formula: a cell that
a spreadsheet would evaluate (=, +, -, @ first, or a leading tab / CR) is prefixed with ', and
openpyxl is told the cell is a string.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

_RISKY = ("=", "+", "-", "@", "\t", "\r")


def safe_text(v) -> str:
    text = "" if v is None else str(v)
    if text.startswith(_RISKY):
        return "'" + text
    return text


def workbook(title: str, header: list[str], rows: list[list]) -> bytes:
    """One sheet: a header row and the rows; numbers stay numbers, everything else is safe text."""
    return workbook_of([(title, header, rows)])


def workbook_of(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """Several sheets, each (title, header, rows) as `workbook` writes one; the first is the one that opens."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        _sheet(wb.create_sheet(title[:31]), header, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(ws, header: list[str], rows: list[list]) -> None:
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([_cell(v) for v in r])
        for c in ws[ws.max_row]:
            if isinstance(c.value, str):
                c.data_type = "s"
    for i, h in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(h) * 2 + 4))
    ws.freeze_panes = "A2"


def _cell(v):
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, Decimal):
        return float(v)
    return safe_text(v)
