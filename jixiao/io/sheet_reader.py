"""Reader for a workbook laid out by hand (any .xlsx that is not our own workbook,
and .xls/.et after LibreOffice converted them).

Each visible sheet becomes blocks: its used rows are a table laid out on the grid,
merged ranges expanded as the .docx reader returns merged cells (`blocks.grid_rows`).
Single-cell rows above the first row of two or more cells (the form's title, "单位：
万元") and below the last one (填表人, 日期) are paragraphs, as they are in a Word
form; a single-cell row between them stays a table row, since a form's section
headings ("一、基本概况") are merged cells of its table. forms.py then finds the forms
by their titles and the header rows by their labels, as for any other reader.
Values are printed as the sheet shows them: a number with the decimals and percent
sign of its cell format, a date as 年月日.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from ..core.model import Package
from .blocks import Block, Paragraph, Table, grid_rows
from .canonical import PackageError
from .guards import check_zip

MAX_CELLS = 500_000  # a used range beyond this is not a form (a sheet formatted to row 1,048,576)
MAP_SHEET = "_jixiao"  # our own workbook carries its cell map here (io/xlsx_reader.py reads it)


def read_xlsx_any(path: str | Path) -> Package:
    """Our workbook through its cell map; any other workbook by its labels."""
    p = Path(path)
    check_zip(p, required=("xl/workbook.xml", "[Content_Types].xml"))
    if _has_map(p):
        from .xlsx_reader import read_xlsx

        return read_xlsx(p)
    return read_sheets(p, source_path=str(path))


def _has_map(p: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(p) as zf:
            book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    return f'name="{MAP_SHEET}"' in book


def read_sheets(path: Path, source_path: str = "") -> Package:
    from .forms import build_package

    return build_package(sheet_blocks(path), source_path=source_path or str(path))


def sheet_blocks(path: Path) -> list[Block]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(str(path), data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise PackageError(str(path), [f"无法打开工作簿：{type(exc).__name__}"]) from None
    blocks: list[Block] = []
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            blocks += _sheet(ws, str(path))
    finally:
        wb.close()
    for index, block in enumerate(blocks, start=1):
        block.line = index
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    cell.line = index
    if not blocks:
        raise PackageError(str(path), ["工作簿中没有可读取的内容"])
    return blocks


def _sheet(ws, name: str) -> list[Block]:
    max_row, max_col = ws.max_row or 0, ws.max_column or 0
    if max_row * max_col > MAX_CELLS:
        raise PackageError(name, [f"工作表“{ws.title}”的使用范围过大（{max_row} 行 × {max_col} 列），不像是自评表"])
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                owner[(r, c)] = (rng.min_row, rng.min_col)
    values = {}
    for row in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        for cell in row:
            if cell.value is not None:
                values[(cell.row, cell.column)] = _display(cell.value, cell.number_format)
    if not values:
        return []
    # The used range often runs wider than the form (formatted empty columns): cut it to the last
    # column holding a value, so that rows keep the form's width and align with its header.
    width = max([c for (_, c) in values] + [c for (_, c), o in owner.items() if o in values])
    grid: list[list[tuple[object, str]]] = []
    for r in range(1, max_row + 1):
        keys = [owner.get((r, c), (r, c)) for c in range(1, width + 1)]
        grid.append([(k, values.get(k, "")) for k in keys])
    out: list[Block] = []
    for part in _parts(grid_rows(grid)):
        out += _part_blocks(part)
    return out


def _parts(rows: list[list]) -> list[list]:
    """The sheet cut where an empty row is followed by a caption (a row with one cell written) and
    more rows: a second table below the first (a project's spending by item under its
    self-evaluation) is a table of its own, with its caption, read and listed on its own."""
    parts: list[list] = [[]]
    blank = False
    for row in rows:
        filled = sum(1 for c in row if c.compact)
        if not filled:
            blank = True
            continue
        if blank and filled == 1 and parts[-1]:
            parts.append([])
        blank = False
        parts[-1].append(row)
    return parts


def _part_blocks(rows: list[list]) -> list[Block]:
    wide = [i for i, row in enumerate(rows) if sum(1 for c in row if c.compact) >= 2]
    if not wide:
        return [Paragraph(_only_text(row)) for row in rows]
    first, last = wide[0], wide[-1]
    out: list[Block] = [Paragraph(_only_text(row)) for row in rows[:first]]
    out.append(Table(rows=rows[first:last + 1]))
    out += [Paragraph(_only_text(row)) for row in rows[last + 1:]]
    return out


def _only_text(row) -> str:
    return next(c.text for c in row if c.compact)


_DECIMALS = re.compile(r"0\.(0+)")


def _display(value, number_format: str) -> str:
    """The cell as the sheet shows it: '5.30%' for 0.053 under 0.00%, '1,066.75' stays a figure."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime | date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, int | float):
        fmt = number_format or "General"
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        m = _DECIMALS.search(fmt)
        places = len(m.group(1)) if m else None
        if "%" in fmt:
            number *= 100
            return (f"{number:.{places}f}" if places is not None else f"{number.normalize():f}") + "%"
        if places is not None:
            return f"{number:.{places}f}"
        return f"{number:f}" if number == number.to_integral_value() else f"{number.normalize():f}"
    return str(value)
