"""The package as a workbook (XlsxWriter): one sheet per form, inputs unlocked and
validated, derived cells locked (an Excel formula where it is simple, with the engine's
value as its cached result, else the engine's value), sheet protection on, print titles
and fit-to-width.

The hidden sheet `_jixiao` maps every value cell to its canonical path (see
jixiao.io.workbook_layout), so jixiao.io.xlsx_reader (openpyxl) can read a filled workbook back.
XlsxWriter writes the XML in one pass; openpyxl's writer was most of the render time.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date, datetime
from decimal import Decimal
from math import isfinite
from pathlib import Path

import xlsxwriter
import xlsxwriter.worksheet as _xw_sheet
from xlsxwriter.utility import xl_col_to_name, xl_range, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import Worksheet

from ..core import catalogue, keys
from ..core.memo import text_cache
from ..core.model import LineTable, SelfEvalTable
from ..core.numbers import round_half_up
from ..core.profiles import available_profiles
from ..core.view import FUND_TYPE_LABELS, View
from ..io import workbook_layout
from ..io.canonical_write import package_dict
from . import xlsx_formulas

FONT, HEAD_FONT, TITLE_FONT = ("仿宋_GB2312", 11), ("黑体", 11), ("方正小标宋简体", 16)
INPUT_FILL, DERIVED_FILL = "#FFF9E5", "#EDEDED"
FORMATS = {workbook_layout.AMOUNT: "#,##0.00", workbook_layout.SIGNED: "#,##0.00", workbook_layout.RATE: "0.00%", workbook_layout.SCORE: "0.00", workbook_layout.WEIGHT: "0.##",
           workbook_layout.DATE: "yyyy-mm-dd", workbook_layout.INT: "0", workbook_layout.YEAR: "0"}
PAPER_A4 = 9
LIST_MAX = 255  # Excel's limit for an inline validation list


@functools.lru_cache(maxsize=64)
def get_column_letter(col: int) -> str:
    """1 → 'A', 27 → 'AA'."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _excel_value(kind: str, value):
    if value is None or value == "":
        return None
    if kind == workbook_layout.BOOL:
        return workbook_layout.YES if value else workbook_layout.NO
    if kind == workbook_layout.INPUTS:
        return "；".join(f"{k}={format(v, 'f')}" for k, v in value.items()) or None
    return value


_CONVERTED = frozenset({workbook_layout.BOOL, workbook_layout.INPUTS})  # kinds whose values _excel_value converts


def _cell_number(value):
    """What a numeric cell holds: a float (Decimal is not an Excel type); ints stay ints."""
    return float(value) if isinstance(value, Decimal) else value


class _Worksheet(Worksheet):
    def _prepare_formula(self, formula, expand_future_functions=False):
        """Our formulas use + − ÷ and SUM / IF / MIN only: no dynamic-array or future function to
        rename, so skip XlsxWriter's ~30 regular-expression passes per formula (strip '=' only)."""
        return formula[1:] if formula.startswith("=") else formula

    def _write_rows(self) -> None:
        """<sheetData> as XlsxWriter writes it (same rows, spans and cells, byte for byte), in one loop:
        its general path builds and escapes an attribute list for each of the ~2,800 cells of a form.
        The cells we write (formatted blanks, shared strings, numbers) are written here; any other
        kind, and sheets with comments or in constant-memory mode, go through XlsxWriter."""
        if self.comments or self.constant_memory or self.dim_rowmin is None:
            return super()._write_rows()
        table, row_info = self.table, self.row_info
        lo, hi = self.dim_rowmin, self.dim_rowmax
        rows = sorted({r for r, cells in table.items() if cells and lo <= r <= hi}
                      | {r for r in row_info if lo <= r <= hi})
        spans: dict[int, list[int]] = {}
        for r in rows:
            cells = table.get(r)
            if cells:
                block = spans.get(r // 16)
                first, last = min(cells), max(cells)
                if block is None:
                    spans[r // 16] = [first, last]
                else:
                    block[0], block[1] = min(block[0], first), max(block[1], last)
        self.row_spans = {b: f"{a + 1}:{z + 1}" for b, (a, z) in spans.items()}
        write = self.fh.write
        names: dict[int, str] = {}
        xfs: dict[int, int] = {}
        for r in rows:
            cells = table.get(r)
            span = self.row_spans.get(r // 16)
            if not cells:
                self._write_empty_row(r, span, row_info.get(r))
                continue
            self._write_row(r, span, row_info.get(r))
            r1 = r + 1
            for c in sorted(cells):
                cell = cells[c]
                cls = cell.__class__
                fmt = cell.format
                if fmt is None or cls not in _FAST_CELLS:
                    self._write_cell(r, c, cell)
                    continue
                name = names.get(c)
                if name is None:
                    name = names[c] = xl_col_to_name(c)
                xf = xfs.get(id(fmt))
                if xf is None:
                    xf = xfs[id(fmt)] = fmt._get_xf_index()
                if cls is _BLANK:
                    write(f'<c r="{name}{r1}" s="{xf}"/>')
                elif cls is _STRING:
                    write(f'<c r="{name}{r1}" s="{xf}" t="s"><v>{cell.string}</v></c>')
                else:
                    write(f'<c r="{name}{r1}" s="{xf}"><v>{cell.number:.16G}</v></c>')
            write("</row>")


    def _write_merge_cells(self) -> None:
        """<mergeCells> as XlsxWriter writes it, without an escaped attribute list per range."""
        if not self.merge:
            return
        ref = xl_rowcol_to_cell_fast
        cells = "".join(f'<mergeCell ref="{ref(r1, c1)}:{ref(r2, c2)}"/>' for r1, c1, r2, c2 in self.merge)
        self.fh.write(f'<mergeCells count="{len(self.merge)}">{cells}</mergeCells>')


def _cell_tuple(name: str, old_name: str):
    """XlsxWriter's named tuple for a kind of cell (renamed in 3.2)."""
    return getattr(_xw_sheet, name, None) or getattr(_xw_sheet, old_name)


_BLANK = _cell_tuple("CellBlankTuple", "cell_blank_tuple")
_STRING = _cell_tuple("CellStringTuple", "cell_string_tuple")
_NUMBER = _cell_tuple("CellNumberTuple", "cell_number_tuple")
_FAST_CELLS = frozenset({_BLANK, _STRING, _NUMBER})
_HALF_STRMAX = 32767 // 2  # longer texts go through XlsxWriter, which truncates at Excel's limit


class Sheet:
    """One worksheet being laid out, recording each value cell in the map. Rows and columns
    are 1-based here, as in the addresses the map records; XlsxWriter's are 0-based.

    Cells go straight into XlsxWriter's cell table (the data model its writer reads): the public
    write_*() and merge_range() each check bounds, types and overlaps per cell, and a form has
    ~2,800 cells, ~1,650 of them the formatted blanks that make a merged range's borders."""

    def __init__(self, book: Book, title: str, columns: list[float]) -> None:
        self.book = book
        self.ws = book.wb.add_worksheet(title, worksheet_class=_Worksheet)
        self.title = title
        self.row = 1
        self.dv_cells: dict[str, list[tuple[int, int]]] = {}
        self.dv_lists: dict[tuple[str, ...], list[tuple[int, int]]] = {}  # choice lists beyond the kinds'
        self.title_rows: tuple[int, int] | None = None
        self.widths: list[float] = list(columns)
        for i, w in enumerate(columns):
            self.ws.set_column(i, i, w)
        self.ncols = len(columns)
        self.print_cols: int | None = None  # columns printed (the form's), when helper columns follow
        self.lines: dict[int, int] = {}  # row → lines of text its tallest cell needs
        self.fixed: set[int] = set()  # rows whose height is set by hand
        self.dv_ranges: dict[tuple[Decimal, Decimal], list[tuple[int, int]]] = {}
        self._table = self.ws.table
        self._strings = self.ws.str_table
        self._merged: set[tuple[int, int]] = set()
        self._blanks: dict[int, object] = {}
        self._dims: list[int] | None = None  # 0-based: first row, first column, last row, last column written

    def width(self, col: int, w: float) -> None:
        while len(self.widths) < col:
            self.widths.append(8.43)
        self.widths[col - 1] = w
        self.ws.set_column(col - 1, col - 1, w)

    def height(self, row: int, h: float) -> None:
        self.fixed.add(row)
        self.ws.set_row(row - 1, h)

    def fit(self, row: int, col: int, text, span: int = 1, rows: int = 1) -> None:
        """Note the lines `text` needs in its cell (span columns wide, over `rows` rows), so that the
        row is made tall enough to print it whole (a CJK character is about 2.1 width units at 11 pt)."""
        if not isinstance(text, str) or not text:
            return
        width = sum(self.widths[col - 1:col - 1 + span]) if col - 1 < len(self.widths) else 8.43
        need = -(-_text_lines(text, int(max(1.0, (width - 0.8) / 2.1) * 100)) // rows)
        if need > self.lines.get(row, 1):
            self.lines[row] = need

    # --- plain cells ---
    def label(self, row: int, col: int, text: str, span: int = 1, head: bool = True, rows: int = 1) -> None:
        fmt = self.book.style("head" if head else "text", "")
        if span > 1 or rows > 1:
            self.merge(row, col, row + rows - 1, col + span - 1, fmt)
        self._write(row, col, text, fmt)
        self.fit(row, col, text, span, rows)

    def formula(self, row: int, col: int, formula: str, cached, kind: str = "text", span: int = 1) -> None:
        """A display formula that is no package value (等次 beside 总分): locked, not in the map."""
        fmt = self.book.style(kind, workbook_layout.DERIVED)
        if span > 1:
            self.merge(row, col, row, col + span - 1, fmt)
        self.ws._write_formula(row - 1, col - 1, formula, fmt, cached)

    def merge(self, r1: int, c1: int, r2: int, c2: int, fmt) -> None:
        """Merge a range; every cell of it gets `fmt` (borders print around the whole range).
        The first cell's value is written afterwards by the caller."""
        r1, c1, r2, c2 = r1 - 1, c1 - 1, r2 - 1, c2 - 1
        merged, table = self._merged, self._table
        blank = self._blanks.get(id(fmt))
        if blank is None:
            blank = self._blanks[id(fmt)] = _BLANK(fmt)
        for r in range(r1, r2 + 1):
            cells = table[r]
            for c in range(c1, c2 + 1):
                if (r, c) in merged:  # overlapping merges corrupt the file for Excel
                    raise ValueError(f"{self.title}: merge {xl_range(r1, c1, r2, c2)} overlaps an earlier one "
                                     f"at {xl_rowcol_to_cell_fast(r, c)}")
                merged.add((r, c))
                cells[c] = blank
        self.ws.merge.append([r1, c1, r2, c2])
        self._seen(r1, c1)
        self._seen(r2, c2)

    def _seen(self, r: int, c: int) -> None:
        d = self._dims
        if d is None:
            self._dims = [r, c, r, c]
            return
        if r < d[0]:
            d[0] = r
        elif r > d[2]:
            d[2] = r
        if c < d[1]:
            d[1] = c
        elif c > d[3]:
            d[3] = c

    def _write(self, row: int, col: int, value, fmt) -> None:
        r, c = row - 1, col - 1
        t = type(value)
        if value is None or value == "":
            blank = self._blanks.get(id(fmt))
            if blank is None:
                blank = self._blanks[id(fmt)] = _BLANK(fmt)
            self._table[r][c] = blank
        elif t is str:  # never write(): a text starting with '=' is not a formula
            if len(value) > _HALF_STRMAX:
                self.ws._write_string(r, c, value, fmt)
            else:
                self._table[r][c] = _STRING(self._strings._get_shared_string_index(value), fmt)
        elif t is bool:
            self._table[r][c] = _STRING(self._strings._get_shared_string_index(workbook_layout.YES if value else workbook_layout.NO), fmt)
        elif t is Decimal or t is int or t is float:
            number = float(value)
            if isfinite(number):
                self._table[r][c] = _NUMBER(value if t is int else number, fmt)
            else:
                self.ws._write_number(r, c, number, fmt)
        elif isinstance(value, (date, datetime)):
            self.ws._write_datetime(r, c, value, fmt)
        elif isinstance(value, str):
            self._write(row, col, str(value), fmt)
        elif isinstance(value, (int, float, Decimal)):
            self._write(row, col, float(value), fmt)
        else:
            self._write(row, col, str(value), fmt)
        d = self._dims
        if d is None or not (d[0] <= r <= d[2] and d[1] <= c <= d[3]):
            self._seen(r, c)

    def caption(self, text: str) -> None:
        """A table's caption across the sheet (黑体, no border)."""
        fmt = self.book.style("caption", "")
        cols = self.print_cols or self.ncols
        self.merge(self.row, 1, self.row, cols, fmt)
        self._write(self.row, 1, text, fmt)
        self.row += 1

    def heading(self, text: str) -> None:
        fmt = self.book.style("title" if self.row == 1 else "section", "")
        self.merge(self.row, 1, self.row, self.ncols, fmt)
        self._write(self.row, 1, text, fmt)
        self.height(self.row, 26 if self.row == 1 else 20)
        self.row += 1

    # --- value cells ---
    def value(self, row: int, col: int, path: str, kind: str, value, role: str = workbook_layout.INPUT, formula: str | None = None,
              span: int = 1, key: str = "", choices: tuple[str, ...] | None = None, rows: int = 1,
              num_format: str | None = None, spec: dict | None = None,
              allowed: tuple[Decimal, Decimal] | None = None, also: tuple[str, ...] = ()) -> str:
        """A package value's cell, recorded in the map under `path` (and the paths in `also`, which
        share the cell: a merged 一级指标 label holds each of its rows' level1). A derived cell records
        the engine's key it restates; a FIGURE cell how to write its text back (`spec`)."""
        if formula and key and not self.book.exact(key, value, kind):
            formula = None  # the printed figure was kept (within rounding): a formula would change it
        fmt = self.book.style(kind, role, num_format) if num_format else (
            self.book._styles.get((kind, role)) or self.book.style(kind, role))
        if span > 1 or rows > 1:
            self.merge(row, col, row + rows - 1, col + span - 1, fmt)
        shown = None if value is None or value == "" else value if kind not in _CONVERTED else _excel_value(kind, value)
        if kind == workbook_layout.TEXT or (kind == workbook_layout.FIGURE and isinstance(shown, str)):
            self.fit(row, col, shown, span, rows)
        if formula and role == workbook_layout.DERIVED:
            # the engine's figure as the cached result: the file shows numbers without recalculation
            cached = "" if shown is None else shown if isinstance(shown, str) else _cell_number(shown)
            if isinstance(cached, (date, datetime)):
                cached = ""
            self.ws._write_formula(row - 1, col - 1, formula, fmt, cached)
        else:
            self._write(row, col, shown, fmt)
        if choices:
            self.dv_lists.setdefault(choices, []).append((row, col))
        elif allowed is not None and role in (workbook_layout.INPUT, workbook_layout.SPARE):
            self.dv_ranges.setdefault(allowed, []).append((row, col))
        elif role in (workbook_layout.INPUT, workbook_layout.SPARE):
            self.dv_cells.setdefault(kind, []).append((row, col))
        coord = f"{get_column_letter(col)}{row}"
        if role == workbook_layout.INPUT:
            self.book.shown[f"{self.title}!{coord}"] = workbook_layout.written(shown)
        extra = json.dumps(spec, ensure_ascii=False) if spec else (
            json.dumps({"key": str(key)}, ensure_ascii=False) if key and formula and role == workbook_layout.DERIVED else "")
        for p in (path, *also):
            self.book.map.append((p, self.title, coord, kind, role, extra))
        return coord

    def field(self, label: str, path: str, kind: str, value, role: str = workbook_layout.INPUT, formula: str | None = None,
              height: float | None = None) -> str:
        """A 'label | value' row across the sheet."""
        self.label(self.row, 1, label, span=2)
        ref = self.value(self.row, 3, path, kind, value, role, formula, span=self.ncols - 2)
        if height:
            self.height(self.row, height)
        self.row += 1
        return ref

    def finish(self) -> None:
        ws = self.ws
        if self._dims is not None:  # the used range, which XlsxWriter's own writes would have tracked
            ws._check_dimensions(self._dims[0], self._dims[1])
            ws._check_dimensions(self._dims[2], self._dims[3])
        for kind, cells in self.dv_cells.items():
            opts = _validation(kind)
            if opts is not None:
                r, c = cells[0]
                ws.data_validation(r - 1, c - 1, r - 1, c - 1, {**opts, "multi_range": _ranges(cells)})
        for (lo, hi), cells in self.dv_ranges.items():
            r, c = cells[0]
            ws.data_validation(r - 1, c - 1, r - 1, c - 1, {
                "validate": "decimal", "criteria": "between", "minimum": float(lo), "maximum": float(hi),
                "ignore_blank": True, "error_title": "输入无效",
                "error_message": f"按评分规则，得分应在{_plain(lo)}到{_plain(hi)}之间", "multi_range": _ranges(cells)})
        for row, need in self.lines.items():
            if need > 1 and row not in self.fixed:
                ws.set_row(row - 1, need * 14.5 + 3)
        for choices, cells in self.dv_lists.items():
            r, c = cells[0]
            # a warning, not a stop: a name outside the usual ones can still be kept
            ws.data_validation(r - 1, c - 1, r - 1, c - 1, {
                "validate": "list", "source": _fit_list(choices), "ignore_blank": True, "error_type": "warning",
                "error_title": "请核对", "error_message": "不在常用名称中，确认要使用此名称吗？",
                "multi_range": _ranges(cells)})
        ws.protect("", {"format_cells": True, "format_columns": True, "format_rows": True})
        ws.print_area(0, 0, max(self.row - 2, 0), (self.print_cols or self.ncols) - 1)
        if self.title_rows:
            ws.repeat_rows(self.title_rows[0] - 1, self.title_rows[1] - 1)
        ws.set_paper(PAPER_A4)
        if (self.print_cols or self.ncols) > 7:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()


def _sheet_ref(title: str) -> str:
    """A sheet's name in a formula: quoted, an apostrophe in it doubled."""
    return "'" + title.replace("'", "''") + "'"


@text_cache(8192)  # holds cell text: emptied after each service call
def _text_lines(text: str, per_line: int) -> int:
    """Lines of 11 pt text in a cell holding per_line / 100 CJK characters a line (a figure or Latin
    letter counts a little over half of one)."""
    return sum(max(1, -(-int(sum(100 if ord(ch) > 0x2E7F else 55 for ch in part)) // per_line))
               for part in text.split("\n"))


def _plain(v: Decimal) -> str:
    return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")


def _ranges(cells: list[tuple[int, int]]) -> str:
    """[(5, 4), (6, 4), (7, 4), (5, 6)] → 'D5:D7 F5': runs of consecutive rows in a column."""
    by_col: dict[int, list[int]] = {}
    for row, col in cells:
        by_col.setdefault(col, []).append(row)
    out = []
    for col, rows in by_col.items():
        letter = get_column_letter(col)
        rows = sorted(set(rows))
        start = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            out.append(f"{letter}{start}" if start == prev else f"{letter}{start}:{letter}{prev}")
            if r is not None:
                start = prev = r
    return " ".join(out)


_MESSAGES = {
    workbook_layout.AMOUNT: ("decimal", "greater than or equal to", 0, None, "请填写不小于0的金额（万元）"),
    workbook_layout.WEIGHT: ("decimal", "between", 0, 100, "分值应在0到100之间"),
    workbook_layout.SCORE: ("decimal", "between", 0, 100, "得分应在0到100之间"),
    workbook_layout.SIGNED: ("decimal", "between", -1000000000, 1000000000, "请填写数字"),
    workbook_layout.RATE: ("decimal", "between", 0, 100, "请填写百分比，如 95%"),
    workbook_layout.INT: ("integer", "greater than or equal to", 0, None, "请填写不小于0的整数"),
    workbook_layout.YEAR: ("integer", "between", 2000, 2100, "请填写年度，如 2022"),
    workbook_layout.DATE: ("date", "between", 36526, 73051, "请填写日期，如 2023-06-06"),  # 2000-01-01 … 2099-12-31
}


def _validation(kind: str) -> dict | None:
    """XlsxWriter data_validation options for an input cell of `kind` (None: no validation)."""
    lists = {workbook_layout.TIER: list(workbook_layout.TIERS), workbook_layout.BOOL: [workbook_layout.YES, workbook_layout.NO], workbook_layout.PROFILE: _fit_list(_profiles())}
    if kind in lists:
        return {"validate": "list", "source": lists[kind], "ignore_blank": True,
                "error_title": "输入无效", "error_message": "请从下拉列表中选择"}
    if kind not in _MESSAGES:
        return None
    typ, op, lo, hi, text = _MESSAGES[kind]
    opts = {"validate": typ, "criteria": op, "value": lo, "ignore_blank": True,
            "error_title": "输入无效", "error_message": text}
    if hi is not None:
        opts["maximum"] = hi
    return opts


def _fit_list(items: tuple[str, ...]) -> list[str]:
    """As many items as Excel's inline list holds (255 characters with the commas)."""
    out, size = [], 0
    for it in items:
        size += len(it) + (1 if out else 0)
        if size > LIST_MAX:
            break
        out.append(it)
    return out


@functools.lru_cache(maxsize=1)
def _profiles() -> tuple[str, ...]:
    return tuple(available_profiles())


class Book:
    def __init__(self, path: Path) -> None:
        # in_memory: no temporary files; the zip is written once at close()
        self.wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
        self.map: list[tuple[str, str, str, str, str, str]] = []
        self.titles: set[str] = set()
        self.sheets: list[Sheet] = []
        self._styles: dict[tuple, object] = {}
        self.find = lambda key: None  # the view's look-up of engine results (keys.Key → Computed)
        self.refs: dict[str, str] = {}  # engine key → the cell that shows it ('附件3'!$H$40), for other sheets
        self.later: list = []  # cells written once every sheet is laid out (they refer to other sheets)
        self.stated: dict | None = None  # the package as stated, canonical (carried whole in the map sheet)
        self.shown: dict[str, object] = {}  # '封面!C5' → what the input cell was given

    def exact(self, key: keys.Key, value, kind: str) -> bool:
        """Is `value` the engine's value for `key` at display precision?"""
        c = self.find(key)
        if c is not None and c.text:  # a grade: the same words
            return value == c.text
        if c is None or c.value is None or value is None:
            return c is None
        places = 4 if kind == workbook_layout.RATE else 2
        return round_half_up(c.value, places) == round_half_up(value, places)

    def style(self, kind: str, role: str, num_format: str | None = None):
        """The workbook's Format for a kind of cell (with a number format of its own), made once."""
        key = (kind, role) if num_format is None else (kind, role, num_format)
        fmt = self._styles.get(key)
        if fmt is None:
            props = _format_props(kind, role)
            if num_format is not None:
                props = {**props, "num_format": num_format}
            fmt = self._styles[key] = self.wb.add_format(props)
        return fmt

    def sheet(self, base: str, columns: list[float]) -> Sheet:
        s = Sheet(self, workbook_layout.sheet_title(base, self.titles), columns)
        self.sheets.append(s)
        return s

    def const(self, path: str, value) -> None:
        self.map.append((path, "", "", "", workbook_layout.CONST, json.dumps(value, ensure_ascii=False, default=str)))

    def save(self) -> None:
        for write in self.later:
            write()
        for s in self.sheets:
            s.finish()
        ms = self.wb.add_worksheet(workbook_layout.MAP_SHEET)
        ms.write_string(0, 0, workbook_layout.MAP_VERSION)
        ms.write_string(1, 0, "下列单元格为 JSON：每项 [路径, 工作表, 单元格, 类型, 角色, 常量]；请勿修改。")
        for i, chunk in enumerate(workbook_layout.encode_map(self.map), start=2):
            ms.write_string(i, 0, chunk)
        if self.stated is not None:
            ms.write_string(0, workbook_layout.STATED_COLUMN, workbook_layout.STATED_TAG)
            for i, chunk in enumerate(workbook_layout.encode_stated(self.stated, self.shown), start=1):
                ms.write_string(i, workbook_layout.STATED_COLUMN, chunk)
        ms.hide()
        ms.protect()
        self.wb.close()  # XlsxWriter sets fullCalcOnLoad: Excel recalculates the formulas on opening
        # XlsxWriter's workbook and sheets refer to each other, and so do Book and Sheet: drop the cell
        # tables now rather than leave some 9,000 objects per workbook to the cyclic garbage collector.
        for ws in self.wb.worksheets():
            table = getattr(ws, "table", None)
            if isinstance(table, dict):
                table.clear()
        self.sheets.clear()
        self.map.clear()
        self.shown.clear()


@functools.cache
def _format_props(kind: str, role: str) -> dict:
    font = {"head": HEAD_FONT, "title": TITLE_FONT, "section": HEAD_FONT}.get(kind, FONT)
    props: dict = {"font_name": font[0], "font_size": font[1], "valign": "vcenter",
                   "locked": role not in (workbook_layout.INPUT, workbook_layout.SPARE)}
    if kind == "section":
        props["align"] = "left"
    elif kind in (workbook_layout.TEXT, workbook_layout.INPUTS, "text"):
        props["text_wrap"] = True
    else:
        props["align"] = "center"
        props["text_wrap"] = True
    if kind == "subtitle":
        props["font_size"] = 12
    if kind == "caption":
        props.update(font_name=HEAD_FONT[0], font_size=12)
    if kind not in ("title", "section", "subtitle", "caption"):
        props.update(border=1, border_color="#000000")
    if role in (workbook_layout.INPUT, workbook_layout.SPARE, workbook_layout.DERIVED):
        props.update(pattern=1, bg_color=DERIVED_FILL if role == workbook_layout.DERIVED else INPUT_FILL)
    fmt = FORMATS.get(kind)
    if fmt:
        props["num_format"] = fmt
    return props


# --- the workbook ---------------------------------------------------------------------------


def write_xlsx(view: View, path: Path) -> Path:
    """The view laid out for people; the package as stated (`view.stated`) carried whole beside it,
    so that reading the workbook back loses nothing the preparer did not change."""
    book = Book(path)
    book.find = view.find
    book.stated = package_dict(view.stated if view.stated is not None else view.package)
    derived = _Derived(view)
    _cover(book, view, derived)
    _narrative(book, view, derived)
    _framework(book, view, derived)
    _notice(book, view)
    _basic_data(book, view, derived)
    pkg = view.package
    results = {t.key: t for t in view.report.tables}
    if pkg.overall is not None:
        _self_eval(book, view, "附件3", keys.OVERALL, pkg.overall, derived, results.get(keys.OVERALL))
    for i, t in enumerate(pkg.projects):
        _self_eval(book, view, f"附件4-{t.name}", keys.project(i), t, derived, results.get(keys.project(i)))
    for i, decl in enumerate(pkg.fund_types):
        book.const(f"fund_types[{i}].kind", decl.kind)
        for j, t in enumerate(decl.tables):
            key = keys.fund_type_table(i, j)
            annex = FUND_TYPE_LABELS.get(decl.kind, ("附件", ""))[0]
            _self_eval(book, view, f"{annex}-{t.name or j + 1}", key, t, derived, results.get(key))
    _fund_types(book, view)
    book.save()
    return path


class _Derived:
    """Which figures the engine computes (their cells are locked)."""

    def __init__(self, view: View) -> None:
        self.find = view.find

    def has(self, key: keys.Key) -> bool:
        c = self.find(key)
        return c is not None and c.value is not None

    def recomputed(self, key: keys.Key) -> bool:
        """Computed or ruled and recomputed: a live formula. Judged figures are the unit's to enter."""
        return xlsx_formulas.is_formula(self.find(key))


def _new(book: Book, base: str, columns: list[float]) -> Sheet:
    return book.sheet(base, columns)


# --- 封面 (cover form) ---


COVER_TABLES = (
    ("income", "年度收入情况（万元）", [("carryover", "上年结转"), ("general_budget", "公共财政拨款"), ("fund_budget", "政府基金拨款"),
                                 ("special_account", "纳入专户管理的非税收入拨款"), ("other", "其他收入")], "收入合计"),
    ("expenditure", "年度支出和结余情况（万元）", [("basic", "基本支出"), ("personnel", "人员支出"), ("public", "公用支出"),
                                      ("project", "项目支出"), ("balance_current", "当年结余"), ("balance_cumulative", "累计结余")], "支出合计"),
    ("sangong", "“三公”经费情况（万元）", [("reception", "公务接待费"), ("vehicle_operation", "公务用车运行维护费"),
                                  ("vehicle_purchase", "公务用车购置费"), ("overseas", "因公出国（境）费用")], "三公经费合计"),
    ("fixed_assets", "固定资产情况（万元）", [("in_use", "在用固定资产"), ("rented", "出租固定资产"), ("other", "其他")], "固定资产合计"),
)


def _cover(book: Book, view: View, d: _Derived) -> None:
    pkg = view.package
    s = _new(book, "封面", [14, 14, 14, 14, 14, 14, 14, 14])
    s.heading(pkg.title or f"{pkg.unit.name}{pkg.year}年度部门整体支出绩效自评报告")
    book.const("jixiao", 1)
    if pkg.profile:
        book.const("profile", pkg.profile)  # fixed by the task, not the unit's to choose
    s.field("评价年度", "year", workbook_layout.YEAR, pkg.year)
    if pkg.jurisdiction is not None:  # fixed by the task, like the profile: carried, not offered for editing
        j = pkg.jurisdiction
        book.const("jurisdiction", {"code": j.code, "level": j.level, "name": j.name})
    s.field("报告标题", "title", workbook_layout.TEXT, pkg.title)
    u = pkg.unit
    for f, label in (("name", "部门（单位）名称（盖章）"), ("supervisor", "主管部门"), ("budget_code", "预算编码"),
                     ("evaluation_method", "评价方式"), ("evaluator_org", "评价机构"), ("report_date", "报告时间")):
        s.field(label, f"unit.{f}", workbook_layout.TEXT, getattr(u, f))
    s.heading("一、部门（单位）基本概况")
    st = pkg.staffing
    r = s.row
    for row, pairs in ((r, (("联系人", "unit.contact", workbook_layout.TEXT, u.contact), ("联系电话", "unit.phone", workbook_layout.TEXT, u.phone))),
                       (r + 1, (("人员编制", "staffing.authorized", workbook_layout.INT, st.authorized),
                                ("实有人数", "staffing.actual", workbook_layout.INT, st.actual))),
                       (r + 2, (("在职人数", "staffing.in_post", workbook_layout.INT, st.in_post),))):
        for k, (label, path, kind, value) in enumerate(pairs):
            s.label(row, 1 + 4 * k, label, span=2)
            s.value(row, 3 + 4 * k, path, kind, value, span=2)
        if len(pairs) == 1:
            s.label(row, 5, "", span=4, head=False)
    s.row = r + 3
    for f, label in (("functions", "职能职责概述"), ("main_tasks", "年度主要工作内容"),
                     ("summary", "年度部门（单位）总体运行情况及取得的成绩")):
        s.field(label, f"unit.{f}", workbook_layout.TEXT, getattr(u, f))
    s.heading("二、部门（单位）收支情况")
    income_total: dict[str, str] = {}
    for name, title, fields, total_label in COVER_TABLES:
        _cover_table(s, book, pkg, d, name, title, fields, total_label, income_total)
    s.heading("三、部门（单位）整体支出绩效自评情况")
    r = s.row
    s.label(r, 1, "整体支出绩效定性目标及实施计划完成情况", span=2, rows=2)
    s.label(r, 3, "预期目标", span=3)
    s.label(r, 6, "实际完成", span=3)
    s.value(r + 1, 3, "cover.goal.expected", workbook_layout.TEXT, pkg.cover_goal.expected, span=3)
    s.value(r + 1, 6, "cover.goal.actual", workbook_layout.TEXT, pkg.cover_goal.actual, span=3)
    s.row = r + 2
    s.caption("整体支出绩效定量目标及实施计划完成情况")
    _indicators(s, "cover.indicators", pkg.cover_indicators, None, d)
    r = s.row
    s.label(r, 1, "绩效自评综合得分及评价等次", span=2)
    s.label(r, 3, "评分")
    s.value(r, 4, "cover.score", workbook_layout.SCORE, pkg.stated_score, workbook_layout.DERIVED)
    s.label(r, 5, "等级")
    s.value(r, 6, "cover.grade", workbook_layout.TEXT, pkg.stated_grade, workbook_layout.DERIVED)
    s.label(r, 7, "", span=2, head=False)
    book.later.append(lambda: _cover_score(book, view, s, r))
    s.row += 1
    s.field("等次说明", "cover.grade_note", workbook_layout.TEXT, pkg.grade_note, workbook_layout.DERIVED)
    s.heading("四、评价人员")
    s.label(s.row, 1, "姓名")
    s.label(s.row, 2, "职务/职称")
    s.label(s.row, 3, "单位", span=3)
    s.label(s.row, 6, "已签字")
    s.row += 1
    for i, e in enumerate(pkg.evaluators):
        p = f"evaluators[{i}]"
        s.value(s.row, 1, f"{p}.name", workbook_layout.TEXT, e.name)
        s.value(s.row, 2, f"{p}.title", workbook_layout.TEXT, e.title)
        s.value(s.row, 3, f"{p}.org", workbook_layout.TEXT, e.org, span=3)
        s.value(s.row, 6, f"{p}.signed", workbook_layout.BOOL, e.signed)
        s.row += 1
    for i, o in enumerate(pkg.opinions):
        p = f"opinions[{i}]"
        s.label(s.row, 1, "意见主体", span=2)
        s.value(s.row, 3, f"{p}.role", workbook_layout.TEXT, o.role, span=2)
        s.label(s.row, 5, "签字人")
        s.value(s.row, 6, f"{p}.signer", workbook_layout.TEXT, o.signer)
        s.label(s.row, 7, "日期")
        s.value(s.row, 8, f"{p}.date", workbook_layout.DATE, o.signed_on)
        s.row += 1
        s.field("意见", f"{p}.text", workbook_layout.TEXT, o.text, height=40)


def _cover_score(book: Book, view: View, s: Sheet, row: int) -> None:
    """The cover's 综合得分 restates the total of the system the profile names (附件3's or §七's) and
    its 等次 follows by the grade bands: formulas on those sheets' cells, written once they exist."""
    system = view.profile["cover_score"]
    source = keys.FRAMEWORK_TOTAL if system == catalogue.SYSTEM_FRAMEWORK else keys.total(keys.OVERALL)
    ref = book.refs.get(str(source))
    score, grade = view.find(keys.COVER_SCORE), view.find(keys.COVER_GRADE)
    if ref is None or not xlsx_formulas.is_formula(score):
        return
    pkg = view.package
    _rewrite(book, s, row, 4, "cover.score", workbook_layout.SCORE, f"={ref}", pkg.stated_score, keys.COVER_SCORE)
    if grade is not None and not grade.judged:
        _rewrite(book, s, row, 6, "cover.grade", workbook_layout.TEXT, "=" + xlsx_formulas.grade_formula(f"D{row}", view.profile["grades"]),
                 pkg.stated_grade, keys.COVER_GRADE)


def _rewrite(book: Book, s: Sheet, row: int, col: int, path: str, kind: str, formula: str, cached, key) -> None:
    """Make a derived cell written earlier a formula, and say so in the map (with the engine key it
    restates, if it restates one)."""
    cached = "" if cached is None else cached if isinstance(cached, str) else _cell_number(cached)
    s.ws._write_formula(row - 1, col - 1, formula, book.style(kind, workbook_layout.DERIVED), cached)
    if key is None:
        return
    coord = f"{get_column_letter(col)}{row}"
    for k, e in enumerate(book.map):
        if e[0] == path and e[1] == s.title and e[2] == coord:
            book.map[k] = (*e[:5], json.dumps({"key": str(key)}, ensure_ascii=False))


def _cover_table(s: Sheet, book: Book, pkg, d: _Derived, name: str, title: str, fields, total_label: str,
                 income_total: dict[str, str]) -> None:
    rows = getattr(pkg, name)
    s.heading(title)
    s.label(s.row, 1, "机构名称")
    s.label(s.row, 2, total_label)
    for c, (_, label) in enumerate(fields, start=3):
        s.label(s.row, c, label)
    s.row += 1
    first = s.row
    members = [i for i, r in enumerate(rows) if not r.is_summary]
    member_rows = {i: first + i for i in members}
    for i, r in enumerate(rows):
        row = first + i
        p = f"{name}[{i}]"
        if r.is_summary:
            book.const(f"{p}.summary", True)
        s.value(row, 1, f"{p}.institution", workbook_layout.TEXT, r.institution)
        cols = {"total": 2, **{f: c for c, (f, _) in enumerate(fields, start=3)}}
        for f, col in cols.items():
            kind = workbook_layout.SIGNED if f.startswith("balance") else workbook_layout.AMOUNT
            key = keys.cover_summary(name, f) if r.is_summary else keys.cover_row(name, i, f)
            value = getattr(r, f)
            if d.has(key) and f != "balance_cumulative":  # the engine checks a stated 累计结余; it stays an input
                s.value(row, col, f"{p}.{f}", kind, value, workbook_layout.DERIVED,
                        _cover_formula(name, f, r, row, col, member_rows, cols, income_total), key=key)
            else:
                s.value(row, col, f"{p}.{f}", kind, value)
        if name == "income" and not r.is_summary:
            income_total[r.institution] = f"B{row}"
    s.row = first + len(rows)


def _cover_formula(name: str, f: str, r, row: int, col: int, member_rows: dict, cols: dict, income_total: dict) -> str | None:
    L = get_column_letter
    if r.is_summary:
        refs = [f"{L(col)}{mr}" for mr in member_rows.values()]
        return "=" + "+".join(refs) if refs else None
    if name == "expenditure":
        if f == "basic":
            return f"={L(cols['personnel'])}{row}+{L(cols['public'])}{row}"
        if f == "total":
            return f"={L(cols['basic'])}{row}+{L(cols['project'])}{row}"
        if f == "balance_cumulative" and r.institution in income_total:
            return f"={income_total[r.institution]}-{L(cols['total'])}{row}"
        return None
    if f == "total":
        return f"=SUM({L(3)}{row}:{L(max(cols.values()))}{row})"
    return None


def _indicators(s: Sheet, base: str, inds, res: str | None, d: _Derived) -> tuple[int, int]:
    """The indicator rows (the cover's; self-evaluation tables use `_indicator_form`, which adds the
    spare rows); returns the first and last row, or (r, r - 1) when there are none."""
    heads = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施", "定性档次", "是否适用"]
    extra = len(heads) - s.ncols
    cols = s.ncols
    if extra > 0:
        for i in range(cols + 1, cols + extra + 1):
            s.width(i, 10)
        s.ncols = len(heads)
    for c, h in enumerate(heads, start=1):
        s.label(s.row, c, h)
    header_row = s.row
    s.row += 1
    first = s.row
    for i, ind in enumerate(inds):
        p = f"{base}[{i}]"
        r = s.row
        s.value(r, 1, f"{p}.level1", workbook_layout.TEXT, ind.level1)
        s.value(r, 2, f"{p}.level2", workbook_layout.TEXT, ind.level2)
        s.value(r, 3, f"{p}.name", workbook_layout.TEXT, ind.name)
        s.value(r, 4, f"{p}.target", workbook_layout.TEXT, ind.target.raw)
        s.value(r, 5, f"{p}.actual", workbook_layout.TEXT, ind.actual.raw)
        s.value(r, 6, f"{p}.weight", workbook_layout.WEIGHT, ind.weight)
        role = workbook_layout.DERIVED if res is not None and d.recomputed(keys.indicator_score(res, i)) else workbook_layout.INPUT
        s.value(r, 7, f"{p}.score", workbook_layout.SCORE, ind.stated_score, role)
        s.value(r, 8, f"{p}.reason", workbook_layout.TEXT, ind.reason)
        s.value(r, 9, f"{p}.tier", workbook_layout.TIER, ind.tier)
        s.value(r, 10, f"{p}.applicable", workbook_layout.BOOL, ind.applicable)
        s.row += 1
    if header_row and s.title_rows is None:
        s.title_rows = (header_row, header_row)
    return first, s.row - 1


# --- 绩效评价报告 ---


def _narrative(book: Book, view: View, d: _Derived) -> None:
    pkg = view.package
    n = pkg.narrative
    s = _new(book, "绩效评价报告", [16, 12, 12, 12, 12, 12, 12, 12])
    s.heading(f"{pkg.year}年{pkg.unit.name}部门整体支出绩效评价报告")
    s.field("报告标题", "narrative.title", workbook_layout.TEXT, n.title)
    for key, t in n.tables.items():
        _line_table(book, s, t, keys.narrative_table(key), d)
    s.heading("八至十、文字部分")
    for f, label in (("achievements", "主要经验做法"), ("problems", "存在的问题及原因分析"), ("suggestions", "有关建议"),
                     ("publication", "自评结果应用和公开情况")):
        s.field(label, f"narrative.{f}", workbook_layout.TEXT, getattr(n, f), height=60)


FRAMEWORK_INPUTS = 4  # input pairs (名称 | 数值) per §七 item: the longest formula, 预算完成率, has four


def _framework(book: Book, view: View, d: _Derived) -> None:
    """§七's score table as the .docx prints it (一级 | 二级 | 三级 | 分值 | 比率 | 得分), then each item's
    formula and its inputs in labelled cells of their own, and the evidence. 比率 is a formula over
    the inputs; 得分 a formula where the profile's point rule is verified, else the unit's entry."""
    n = view.package.narrative
    if not n.framework:
        return
    widths = [8, 10, 18, 6, 9, 8, 26] + [12, 10] * FRAMEWORK_INPUTS + [30]
    s = _new(book, "七、综合评价", widths)
    s.print_cols = 6  # the table as the .docx prints it; the formula and inputs beside it are the working
    _form_title(s, "部门整体支出绩效评价得分情况", f"（{view.package.year}年度）")
    heads = ["一级指标", "二级指标", "三级指标", "分值", "比率", "得分", "计算公式"]
    for k in range(1, FRAMEWORK_INPUTS + 1):
        heads += [f"输入{k}名称", f"输入{k}数值"]
    heads.append("评分依据及说明")
    for c, h in enumerate(heads, start=1):
        s.label(s.row, c, h)
    s.title_rows = (s.row, s.row)
    s.row += 1
    first = s.row
    items = n.framework
    for a, b in _runs([f.level1 for f in items]):
        paths = tuple(f"narrative.framework[{k}].level1" for k in range(a, b))
        s.value(first + a, 1, paths[0], workbook_layout.TEXT, items[a].level1, rows=b - a, also=paths[1:])
    for a, b in _runs([f"{f.level1}/{f.level2}" for f in items]):
        paths = tuple(f"narrative.framework[{k}].level2" for k in range(a, b))
        s.value(first + a, 2, paths[0], workbook_layout.TEXT, items[a].level2, rows=b - a, also=paths[1:])
    for i, item in enumerate(items):
        _framework_row(s, book, view, d, i, item, first + i)
    s.row = first + len(items)
    last = s.row - 1
    r = s.row
    s.label(r, 1, "合计", span=3)
    s.formula(r, 4, f"=SUM(D{first}:D{last})", "", kind=workbook_layout.WEIGHT)
    s.label(r, 5, "", head=False)
    tkey = keys.FRAMEWORK_TOTAL
    s.value(r, 6, "narrative.total", workbook_layout.SCORE, n.stated_total, workbook_layout.DERIVED,
            f"=SUM(F{first}:F{last})" if xlsx_formulas.is_formula(d.find(tkey)) else None, key=tkey)
    book.refs[str(tkey)] = f"{_sheet_ref(s.title)}!$F${r}"
    s.row += 1
    s.label(s.row, 1, "评价等级", span=3)
    gkey = keys.FRAMEWORK_GRADE
    g = d.find(gkey)
    grade_f = "=" + xlsx_formulas.grade_formula(f"F{r}", view.profile["grades"]) if g is not None and not g.judged else None
    s.value(s.row, 4, "narrative.grade", workbook_layout.TEXT, n.stated_grade, workbook_layout.DERIVED if grade_f else workbook_layout.INPUT, grade_f,
            span=3, key=gkey if grade_f else "")
    s.row += 1


def _framework_row(s: Sheet, book: Book, view: View, d: _Derived, i: int, item, r: int) -> None:
    p = f"narrative.framework[{i}]"
    book.const(f"{p}.id", item.id)
    s.value(r, 3, f"{p}.name", workbook_layout.TEXT, item.name)
    s.value(r, 4, f"{p}.weight", workbook_layout.WEIGHT, item.weight)
    spec = view.profile.framework_item(item.id)
    formula_id = spec["formula"] if spec is not None else "none"
    formula = catalogue.FORMULAS.get(formula_id)
    names = list(formula.inputs) if formula is not None else []
    names += [k for k in item.inputs if k not in names]
    refs: dict[str, str] = {}
    for k, name in enumerate(names[:FRAMEWORK_INPUTS]):
        col = 8 + 2 * k
        s.label(r, col, name, head=False)
        if re.search(r"[.\[\]]", name):
            continue  # a name the map's paths cannot hold; the item's text keeps it
        refs[name] = s.value(r, col + 1, f"{p}.inputs.{name}", workbook_layout.SIGNED, item.inputs.get(name))
    for k in range(len(names), FRAMEWORK_INPUTS):
        s.label(r, 8 + 2 * k, "", head=False)
        s.label(r, 9 + 2 * k, "", head=False)
    rkey = keys.framework_rate(i)
    rate_f = None
    if formula is not None and d.recomputed(rkey) and all(nm in refs for nm in formula.inputs):
        rate_f = xlsx_formulas.framework_rate_formula(formula_id, [refs[nm] for nm in formula.inputs])
    rated = d.has(rkey)
    s.value(r, 5, f"{p}.rate", workbook_layout.RATE, item.stated_rate, workbook_layout.DERIVED if rated else workbook_layout.INPUT, rate_f, key=rkey)
    s.value(r, 7, f"{p}.formula", workbook_layout.TEXT, item.stated_formula, workbook_layout.DERIVED if rated else workbook_layout.INPUT)
    skey = keys.framework_score(i)
    c = d.find(skey)
    score_f = None
    if xlsx_formulas.is_formula(c):
        if "比率" not in c.inputs:  # scored without a rate: no object to evaluate, full marks by the rule
            score_f = f"=N(D{r})"
        elif rate_f is not None:
            score_f = xlsx_formulas.framework_points_formula(spec.get("rule", {"shape": "judgement"}), f"E{r}", f"D{r}")
    if score_f is not None:
        s.value(r, 6, f"{p}.score", workbook_layout.SCORE, item.stated_score, workbook_layout.DERIVED, score_f, key=skey)
    elif c is not None and not c.judged:
        s.value(r, 6, f"{p}.score", workbook_layout.SCORE, item.stated_score, workbook_layout.DERIVED)
    else:
        s.value(r, 6, f"{p}.score", workbook_layout.SCORE, item.stated_score, allowed=xlsx_formulas.allowed_range(c, item.weight))
    s.value(r, 8 + 2 * FRAMEWORK_INPUTS, f"{p}.evidence", workbook_layout.TEXT, item.evidence)


def _line_table(book: Book, s: Sheet, t: LineTable, base: str, d: _Derived) -> None:
    book.const(f"{base}.columns", dict(t.columns))
    if t.derived:
        book.const(f"{base}.derived", {k: list(v) for k, v in t.derived.items()})
    if t.total_label:
        book.const(f"{base}.total", t.total_label)
    if t.unit != "万元":
        book.const(f"{base}.unit", t.unit)
    cols = list(t.columns)
    # the caption is the table's title as entered; the unit beside it
    s.value(s.row, 1, f"{base}.title", workbook_layout.TEXT, t.title, span=len(cols) + 1)
    s.label(s.row, len(cols) + 2, f"单位：{t.unit}", head=False)
    s.row += 1
    s.label(s.row, 1, "项目")
    for c, col in enumerate(cols, start=2):
        s.label(s.row, c, t.columns[col])
    s.label(s.row, len(cols) + 2, "备注")
    s.row += 1
    first = s.row
    row_of = {ln.label: first + i for i, ln in enumerate(t.lines)}
    col_of = {col: get_column_letter(c) for c, col in enumerate(cols, start=2)}
    for i, ln in enumerate(t.lines):
        p = f"{base}.lines[{i}]"
        r = first + i
        if ln.parent:
            book.const(f"{p}.parent", ln.parent)
        if ln.partial:
            book.const(f"{p}.partial", True)
        if ln.label in t.subtotals:
            book.const(f"{p}.subtotal", True)
        s.value(r, 1, f"{p}.label", workbook_layout.TEXT, ln.label)
        for c, col in enumerate(cols, start=2):
            cell, total = keys.line_cell(base, i, col), keys.line_sum(base, i, col)
            derived = d.has(cell) or (not ln.partial and d.has(total))
            kind = workbook_layout.SIGNED if col in t.derived else workbook_layout.AMOUNT
            formula = _line_formula(t, ln, col, r, row_of, col_of) if derived else None
            s.value(r, c, f"{p}.{col}", kind, ln.values.get(col), workbook_layout.DERIVED if derived else workbook_layout.INPUT, formula,
                    key=cell if d.has(cell) else total)
        s.value(r, len(cols) + 2, f"{p}.note", workbook_layout.TEXT, ln.note)
    s.row = first + len(t.lines)


def _line_formula(t: LineTable, ln, col: str, r: int, row_of: dict, col_of: dict) -> str | None:
    spec = t.derived.get(col)
    if spec:
        op, *args = spec
        refs = [f"{col_of[a]}{r}" for a in args]
        if op == "diff":
            return f"={refs[0]}-{refs[1]}"
        if op == "balance":
            return f"={refs[0]}+{refs[1]}-{refs[2]}"
        return "=" + "+".join(refs)
    if ln.label == t.total_label:
        parts = [x for x in t.lines if not x.parent and x is not ln]
    else:
        parts = [x for x in t.lines if x.parent == ln.label]
    if not parts:
        return None
    return "=" + "+".join(f"{col_of[col]}{row_of[x.label]}" for x in parts)


# --- 附件1, 附件2 ---


def _notice(book: Book, view: View) -> None:
    nt = view.package.notice
    s = _new(book, "附件1", [14, 14, 30, 14])
    s.heading("附件1 自评工作通知要素")
    s.field("发文单位", "notice.issuer", workbook_layout.TEXT, nt.issuer)
    derived = view.package.overall is not None and nt.scope_total is not None
    row = s.row
    s.field("自评范围（万元）", "notice.scope_total", workbook_layout.AMOUNT, nt.scope_total, workbook_layout.DERIVED if derived else workbook_layout.INPUT)
    if derived:  # the notice's scope restates 附件3's 全年执行数: a formula on that cell, once it exists
        book.later.append(lambda: _scope_formula(book, s, row, nt.scope_total))
    s.field("报送截止日期", "notice.deadline", workbook_layout.DATE, nt.deadline)
    s.field("发文日期", "notice.issued_on", workbook_layout.DATE, nt.issued_on)
    s.field("偏差说明阈值", "notice.deviation_threshold", workbook_layout.RATE, nt.deviation_threshold)


def _scope_formula(book: Book, s: Sheet, row: int, value) -> None:
    ref = book.refs.get("overall.executed")
    if ref is not None:
        _rewrite(book, s, row, 3, "notice.scope_total", workbook_layout.AMOUNT, f"={ref}", value, None)


def _basic_data(book: Book, view: View, d: _Derived) -> None:
    """附件2 as the .docx prints it: 财政供养人员情况, 经费控制情况, 楼堂馆所控制情况, 厉行节约保障措施."""
    pkg = view.package
    bd = pkg.basic_data
    s = _new(book, "附件2", [22, 15, 15, 15, 15, 16])
    _form_title(s, f"{_level_prefix(pkg)}整体支出绩效评价基础数据表", f"（{pkg.year}年度）")
    st = bd.staffing
    r = s.row
    for c, h in enumerate(("财政供养人员情况", f"{pkg.year}年末编制数", f"{pkg.year}年末实际在职人数", "控制率"), start=1):
        s.label(r, c, h)
    s.label(r + 1, 1, "", head=False)
    a_ref = s.value(r + 1, 2, "basic_data.staffing.authorized", workbook_layout.INT, st.authorized)
    p_ref = s.value(r + 1, 3, "basic_data.staffing.in_post", workbook_layout.INT, st.in_post)
    rate_f = f'=IF(AND(ISNUMBER({a_ref}),N({a_ref})<>0,ISNUMBER({p_ref})),{p_ref}/{a_ref},"")'
    s.value(r + 1, 4, "basic_data.staffing.control_rate", workbook_layout.RATE, st.stated_control_rate,
            workbook_layout.DERIVED if d.has(keys.STAFF_CONTROL_RATE) else workbook_layout.INPUT,
            rate_f if d.recomputed(keys.STAFF_CONTROL_RATE) else None, key=keys.STAFF_CONTROL_RATE)
    if st.actual is not None:
        s.label(r, 5, "实有人数")
        s.value(r + 1, 5, "basic_data.staffing.actual", workbook_layout.INT, st.actual)
    s.row = r + 2
    if bd.costs is not None:
        _line_table(book, s, bd.costs, keys.BASIC_COSTS, d)
    b = bd.buildings
    s.caption(f"楼堂馆所控制情况（{pkg.year}年完工项目）")
    r = s.row
    cells = {}
    for c, (f, label, kind, value) in enumerate((
            ("approved_area", "批复规模（㎡）", workbook_layout.AMOUNT, b.approved_area),
            ("actual_area", "实际规模（㎡）", workbook_layout.AMOUNT, b.actual_area),
            ("area_rate", "规模控制率", workbook_layout.RATE, b.stated_area_rate),
            ("budget_investment", "预算投资（万元）", workbook_layout.AMOUNT, b.budget_investment),
            ("actual_investment", "实际投资（万元）", workbook_layout.AMOUNT, b.actual_investment),
            ("investment_rate", "投资概算控制率", workbook_layout.RATE, b.stated_investment_rate)), start=1):
        s.label(r, c, label)
        path = f"basic_data.buildings.{f}"
        if not f.endswith("rate"):
            cells[f] = s.value(r + 1, c, path, kind, value)
            continue
        key = keys.building_rate(f)
        num, den = (cells["actual_area"], cells["approved_area"]) if f == "area_rate" else (
            cells["actual_investment"], cells["budget_investment"])
        formula = f'=IF(AND(ISNUMBER({den}),N({den})<>0,ISNUMBER({num})),{num}/{den},"")' if d.recomputed(key) else None
        role = workbook_layout.DERIVED if d.has(key) or value is None else workbook_layout.INPUT
        s.value(r + 1, c, path, kind, value, role, formula, key=key)
    s.row = r + 2
    s.label(s.row, 1, "厉行节约保障措施")
    s.value(s.row, 2, "basic_data.thrift_measures", workbook_layout.TEXT, bd.thrift_measures, span=5)
    s.row += 1
    r = s.row
    s.label(r, 1, "单位负责人签字：", head=False)
    s.label(r, 2, "", head=False)
    s.label(r, 3, "填表人：", head=False)
    s.value(r, 4, "basic_data.filler", workbook_layout.TEXT, bd.filler)
    s.label(r, 5, "填报日期：", head=False)
    s.value(r, 6, "basic_data.filing_date", workbook_layout.DATE, bd.filing_date)
    s.row = r + 1


def _level_prefix(pkg) -> str:
    """"州级预算部门" as 附件3's title names the unit's level; "部门" when it does not say."""
    label = pkg.overall.form_label if pkg.overall is not None else ""
    tail = "整体支出绩效自评表"
    return label.removesuffix(tail) if label and label.endswith("部门" + tail) else "部门"


# --- 附件3–7 ---
# The form as the .docx lays it out: columns A–I are the form (绩效指标 | 一级 | 二级 | 三级 | 年度指标值 |
# 实际完成值 | 分值 | 得分 | 偏差原因), printed; J–K hold what the form shows otherwise (是否适用, 定性档次).
SE_COLUMNS = [5, 9, 9, 20, 17, 19, 6, 9, 16, 7, 9]
SE_FORM_COLS = 9
_GROUP_LABELS = {"general_budget": "按收入性质分：", "basic": "按支出性质分："}
DASH = "——"


def _self_eval(book: Book, view: View, base_title: str, key: str, t: SelfEvalTable, d: _Derived, res) -> None:
    s = _new(book, base_title, SE_COLUMNS)
    s.ncols, s.print_cols = len(SE_COLUMNS), SE_FORM_COLS
    pkg = view.package
    default = "部门整体支出绩效自评表" if t.kind == "overall" else "项目支出绩效自评表"
    if t.form_label:
        book.const(f"{key}.form_label", t.form_label)
    if t.row_label:
        book.const(f"{key}.row_label", t.row_label)
    _form_title(s, t.form_label or default, f"（{pkg.year}年度）")
    if t.kind == "overall":
        s.label(s.row, 1, "部门（单位）名称", span=3)
        s.label(s.row, 4, pkg.unit.name, span=6, head=False)
        s.row += 1
    else:
        label = t.row_label or ("项目支出名称" if t.kind == "project" else f"{FUND_TYPE_LABELS[t.kind][1]}名称")
        s.label(s.row, 1, label, span=3)
        s.value(s.row, 4, f"{key}.name", workbook_layout.TEXT, t.name, span=6)
        s.row += 1
        s.label(s.row, 1, "主管部门", span=3)
        s.value(s.row, 4, f"{key}.supervisor", workbook_layout.TEXT, t.supervisor, span=2)
        s.label(s.row, 6, "实施单位")
        s.value(s.row, 7, f"{key}.implementer", workbook_layout.TEXT, t.implementer, span=3)
        s.row += 1
    exec_row = _fund_rows(s, book, view, key, t, d)
    r = s.row
    s.label(r, 1, "年度总体目标", span=2, rows=2)
    s.label(r, 3, "预期目标", span=3)
    s.label(r, 6, "实际完成情况", span=4)
    s.value(r + 1, 3, f"{key}.goal.expected", workbook_layout.TEXT, t.goal.expected, span=3)
    s.value(r + 1, 6, f"{key}.goal.actual", workbook_layout.TEXT, t.goal.actual, span=4)
    s.row = r + 2
    lo, hi, applicable_col = _indicator_form(s, f"{key}.indicators", t.indicators, key, d,
                                             tuple(view.profile["level1_weights"]))
    _total_row(s, book, view, key, t, res, exec_row, lo, hi, applicable_col)
    _filler_rows(s, key, t, pkg)


def _form_title(s: Sheet, title: str, subtitle: str) -> None:
    """The form's title and year line across the printed columns."""
    cols = s.print_cols or s.ncols
    fmt = s.book.style("title", "")
    s.merge(s.row, 1, s.row, cols, fmt)
    s._write(s.row, 1, title, fmt)
    s.height(s.row, 30)
    s.row += 1
    sub = s.book.style("subtitle", "")
    s.merge(s.row, 1, s.row, cols, sub)
    s._write(s.row, 1, subtitle, sub)
    s.row += 1


def _fund_rows(s: Sheet, book: Book, view: View, key: str, t: SelfEvalTable, d: _Derived) -> int | None:
    """年度预算申请 / 项目资金: the fund rows, 年度资金总额 = Σ its parts, 执行率 = 执行数 ÷ 预算数 and its
    score (a formula when the profile's rule is verified, else the unit's entry). Returns the total's row."""
    head = s.row
    s.label(head, 2, "", span=2)
    for c, h in ((4, "年初预算数"), (5, "全年预算数"), (6, "全年执行数"), (7, "分值"), (8, "执行率"), (9, "得分")):
        s.label(head, c, h)
    r = head + 1
    rows_of: dict[str, int] = {}
    layout: list[tuple[int, int | None, str]] = []  # (row, fund index or None for a group label, label)
    for i, f in enumerate(t.funds):
        if f.key in _GROUP_LABELS and t.kind == "overall":
            layout.append((r, None, _GROUP_LABELS[f.key]))
            r += 1
        name = f.label
        if f.key == "appropriation":
            name = "其中：" + f.label.removeprefix("其中：")
        elif t.kind == "overall" and f.key != "total":
            name = "\u3000" + name
        layout.append((r, i, name))
        rows_of[f.key] = r
        r += 1
    s.label(head, 1, "年度预算申请（万元）" if t.kind == "overall" else "项目资金（万元）", rows=r - head)
    exec_row = None
    for row, i, name in layout:
        s.label(row, 2, name, span=2, head=False)
        if i is None:
            for c in (4, 5, 6):
                s._write(row, c, None, book.style("text", ""))
            for c in (7, 8, 9):
                s.label(row, c, DASH, head=False)
            continue
        f = t.funds[i]
        p = f"{key}.funds[{i}]"
        book.const(f"{p}.key", f.key)
        book.const(f"{p}.label", f.label)
        if f.key != "total":
            for c, col in ((4, "initial"), (5, "annual"), (6, "executed")):
                s.value(row, c, f"{p}.{col}", workbook_layout.AMOUNT, getattr(f, col))
            for c in (7, 8, 9):
                s.label(row, c, DASH, head=False)
            continue
        exec_row = row
        if t.kind == "overall":
            book.refs["overall.executed"] = f"{_sheet_ref(s.title)}!$F${row}"
        group = "general_budget" if t.kind == "overall" else "appropriation"
        parts = [rows_of[k] for k in rows_of if k != "total" and (t.kind != "overall" or k not in ("basic", "project"))]
        for c, col in ((4, "initial"), (5, "annual"), (6, "executed")):
            fkey = keys.fund_sum(key, group, col)
            letter = get_column_letter(c)
            formula = "=" + "+".join(f"N({letter}{pr})" for pr in parts) if parts and d.recomputed(fkey) else None
            s.value(row, c, f"{p}.{col}", workbook_layout.AMOUNT, getattr(f, col), workbook_layout.DERIVED if formula else workbook_layout.INPUT, formula,
                    key=fkey)
        s.value(row, 7, f"{p}.weight", workbook_layout.WEIGHT, f.weight)
        rkey = keys.execution_rate(key)
        rate_f = f'=IF(AND(ISNUMBER(E{row}),N(E{row})<>0,ISNUMBER(F{row})),F{row}/E{row},"")'
        s.value(row, 8, f"{p}.rate", workbook_layout.RATE, f.stated_rate, workbook_layout.DERIVED, rate_f if d.recomputed(rkey) else None, key=rkey)
        skey = keys.execution_score(key)
        c = view.find(skey)
        if xlsx_formulas.is_formula(c):
            weight = f'IF(G{row}="",{_plain(view.profile["execution_weight"])},G{row})'
            s.value(row, 9, f"{p}.score", workbook_layout.SCORE, f.stated_score, workbook_layout.DERIVED,
                    xlsx_formulas.execution_score_formula(view.profile["execution_score"], f"H{row}", weight), key=skey)
        else:
            s.value(row, 9, f"{p}.score", workbook_layout.SCORE, f.stated_score, allowed=xlsx_formulas.allowed_range(c, f.weight))
        book.refs[str(skey)] = f"{_sheet_ref(s.title)}!$I${row}"
    s.row = r
    return exec_row


def _runs(values: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of equal values."""
    out, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out.append((start, i))
            start = i
    return out


def _indicator_form(s: Sheet, base: str, inds, res: str, d: _Derived,
                    level1_names: tuple[str, ...]) -> tuple[int, int, int]:
    """The indicator rows as the form has them (一级 and 二级 labels merged over their rows), then the
    spare rows; returns the first and last row (spare rows included) and the 是否适用 column."""
    heads = ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
             "偏差原因分析及改进措施", "是否适用", "定性档次"]
    for c, h in enumerate(heads, start=1):
        s.label(s.row, c, h)
    s.title_rows = (s.row, s.row)
    s.row += 1
    first = s.row
    n = len(inds)
    total_rows = n + workbook_layout.SPARE_ROWS
    s.label(first, 1, "", rows=total_rows)
    for a, b in _runs([i.level1 for i in inds]):
        paths = tuple(f"{base}[{k}].level1" for k in range(a, b))
        s.value(first + a, 2, paths[0], workbook_layout.TEXT, inds[a].level1, rows=b - a, also=paths[1:])
    for a, b in _runs([f"{i.level1}/{i.level2}" for i in inds]):
        paths = tuple(f"{base}[{k}].level2" for k in range(a, b))
        s.value(first + a, 3, paths[0], workbook_layout.TEXT, inds[a].level2, rows=b - a, also=paths[1:])
    for i, ind in enumerate(inds):
        p = f"{base}[{i}]"
        r = first + i
        s.value(r, 4, f"{p}.name", workbook_layout.TEXT, ind.name)
        skey = keys.indicator_score(res, i)
        c = d.find(skey)
        formula = None
        if xlsx_formulas.is_formula(c):
            formula = _figure_cells(s, r, p, ind)
        if formula is None:
            s.value(r, 5, f"{p}.target", workbook_layout.TEXT, ind.target.raw)
            s.value(r, 6, f"{p}.actual", workbook_layout.TEXT, ind.actual.raw)
        s.value(r, 7, f"{p}.weight", workbook_layout.WEIGHT, ind.weight)
        if formula is not None:
            s.value(r, 8, f"{p}.score", workbook_layout.SCORE, ind.stated_score, workbook_layout.DERIVED, formula, key=skey)
        else:
            s.value(r, 8, f"{p}.score", workbook_layout.SCORE, ind.stated_score, allowed=xlsx_formulas.allowed_range(c, ind.weight))
        s.value(r, 9, f"{p}.reason", workbook_layout.TEXT, ind.reason)
        s.value(r, 10, f"{p}.applicable", workbook_layout.BOOL, ind.applicable)
        s.value(r, 11, f"{p}.tier", workbook_layout.TIER, ind.tier)
    s.row = first + n
    _spare_rows(s, base, inds, workbook_layout.SPARE_ROWS, level1_names)
    return first, s.row - 1, 10


def _figure_cells(s: Sheet, r: int, p: str, ind) -> str | None:
    """年度指标值 and 实际完成值 as the figures they hold (the words kept by the number format), and the
    得分 formula over them; None when either text cannot be held so (then both stay text)."""
    t, a = ind.target, ind.actual
    if t.kind == "date":
        ft, fa = xlsx_formulas.split_date(t.raw), xlsx_formulas.split_date(a.raw)
        if ft is None or fa is None:
            return None
        s.value(r, 5, f"{p}.target", workbook_layout.FIGURE, t.when, num_format=xlsx_formulas.date_format(ft), spec=ft.spec())
        s.value(r, 6, f"{p}.actual", workbook_layout.FIGURE, a.when, num_format=xlsx_formulas.date_format(fa), spec=fa.spec())
    else:
        ft, fa = xlsx_formulas.split_figure(t.raw), xlsx_formulas.split_figure(a.raw)
        if ft is None or fa is None or ft.value != t.value or fa.value != a.value:
            return None
        s.value(r, 5, f"{p}.target", workbook_layout.FIGURE, ft.value, num_format=xlsx_formulas.figure_format(ft), spec=ft.spec())
        s.value(r, 6, f"{p}.actual", workbook_layout.FIGURE, fa.value, num_format=xlsx_formulas.figure_format(fa), spec=fa.spec())
    return xlsx_formulas.indicator_formula(ind, f"E{r}", f"F{r}", f"G{r}", f"J{r}")


def _spare_rows(s: Sheet, base: str, inds, spare: int, level1_names: tuple[str, ...]) -> None:
    """Empty indicator rows a preparer may fill (a spare indicator applies). Their 得分 is an input;
    the engine scores the row on import where it can."""
    level1 = tuple(dict.fromkeys((*level1_names, *(i.level1 for i in inds if i.level1))))
    level2 = tuple(dict.fromkeys((*workbook_layout.LEVEL2_NAMES, *(i.level2 for i in inds if i.level2))))
    p0 = base.rsplit(".", 1)[0] + "." + workbook_layout.SPARE_LIST
    for j in range(spare):
        p = f"{p0}[{j}]"
        r = s.row
        s.value(r, 2, f"{p}.level1", workbook_layout.TEXT, None, workbook_layout.SPARE, choices=level1 or None)
        s.value(r, 3, f"{p}.level2", workbook_layout.TEXT, None, workbook_layout.SPARE, choices=level2)
        s.value(r, 4, f"{p}.name", workbook_layout.TEXT, None, workbook_layout.SPARE)
        s.value(r, 5, f"{p}.target", workbook_layout.TEXT, None, workbook_layout.SPARE)
        s.value(r, 6, f"{p}.actual", workbook_layout.TEXT, None, workbook_layout.SPARE)
        s.value(r, 7, f"{p}.weight", workbook_layout.WEIGHT, None, workbook_layout.SPARE)
        s.value(r, 8, f"{p}.score", workbook_layout.SCORE, None, workbook_layout.SPARE)
        s.value(r, 9, f"{p}.reason", workbook_layout.TEXT, None, workbook_layout.SPARE)
        s._write(r, 10, None, s.book.style(workbook_layout.TEXT, ""))
        s.value(r, 11, f"{p}.tier", workbook_layout.TIER, None, workbook_layout.SPARE)
        s.row += 1


def _total_row(s: Sheet, book: Book, view: View, key: str, t: SelfEvalTable, res, exec_row: int | None,
               lo: int, hi: int, applicable_col: int) -> None:
    """总分 分值 = Σ 分值 + 执行率分值; 总分 得分 as the engine adds it (core.engine._total): the scores
    that stand of the applicable indicators, rescaled or with 不适用 ones at full marks as the profile
    says, plus the 执行率 score, under the profile's caps; 等次 by the grade bands."""
    r = s.row
    J = get_column_letter(applicable_col)
    system = catalogue.SYSTEM_LABELS[catalogue.SYSTEM_SELF_EVAL]
    s.label(r, 1, f"总分（{system}）", span=6)
    weight_f = f"=SUM(G{lo}:G{hi})" + (f"+N(G{exec_row})" if exec_row else "")
    s.value(r, 7, f"{key}.total_weight", workbook_layout.WEIGHT, t.stated_total_weight, workbook_layout.DERIVED, weight_f)
    scores, weights, flags = f"H{lo}:H{hi}", f"G{lo}:G{hi}", f"{J}{lo}:{J}{hi}"
    applicable = f'SUMIF({flags},"<>否",{scores})'
    na_method = view.profile["not_applicable"]["overall" if t.kind == "overall" else "project"]
    if na_method == "rescale":
        aw = f'SUMIF({flags},"<>否",{weights})'
        sum_f = f'IF(AND(COUNTIF({flags},"否")>0,{aw}<>0),{applicable}*SUM({weights})/{aw},{applicable})'
    elif na_method == "full_marks":
        sum_f = f'{applicable}+SUMIF({flags},"否",{weights})'
    else:
        sum_f = applicable
    total_f = sum_f + (f"+N(I{exec_row})" if exec_row else "")
    caps = view.profile["execution_caps"]
    if caps["enabled"] and caps["caps"] and exec_row:
        total_f = xlsx_formulas.caps_formula(total_f, f"H{exec_row}", caps["caps"])
    tkey = keys.total(key)
    s.value(r, 8, f"{key}.total", workbook_layout.SCORE, t.stated_total, workbook_layout.DERIVED,
            "=" + total_f if xlsx_formulas.is_formula(view.find(tkey)) else None, key=tkey)
    book.refs[str(tkey)] = f"{_sheet_ref(s.title)}!$H${r}"
    grade = res.grade.text if res is not None and res.grade else ""
    s.formula(r, 9, f'="等次："&{xlsx_formulas.grade_formula(f"H{r}", view.profile["grades"])}', f"等次：{grade}" if grade else "")
    s.row += 1


def _filler_rows(s: Sheet, key: str, t: SelfEvalTable, pkg) -> None:
    r = s.row
    s.label(r, 1, "单位负责人签字：", span=3, head=False)
    s.label(r, 4, "", head=False)
    s.label(r, 5, "填表人：", head=False)
    s.value(r, 6, f"{key}.filler", workbook_layout.TEXT, t.filler)
    s.label(r, 7, "联系电话：", span=2, head=False)
    s.label(r, 9, pkg.unit.phone, head=False)
    r += 1
    s.label(r, 1, "填报日期：", span=3, head=False)
    s.value(r, 4, f"{key}.filing_date", workbook_layout.DATE, t.filing_date)
    s.row = r + 1


def _fund_types(book: Book, view: View) -> None:
    """附件5–7: for each, whether the unit has such spending and, if not, the statement the .docx
    prints in place of the form ("本单位2022年无政府性基金预算支出。"); a table, where there is spending,
    has its own sheet."""
    pkg = view.package
    if not pkg.fund_types:
        return
    s = _new(book, "附件5-7", [8, 36, 12, 52])
    _form_title(s, "政府性基金、国有资本经营、社会保险基金预算支出绩效自评", f"（{pkg.year}年度）")
    for c, h in enumerate(("附件", "表名", "有无此项支出", "无此项支出的说明"), start=1):
        s.label(s.row, c, h)
    s.row += 1
    prefix = _level_prefix(pkg)
    for i, decl in enumerate(pkg.fund_types):
        annex, label = FUND_TYPE_LABELS.get(decl.kind, ("", decl.kind))
        s.label(s.row, 1, annex, head=False)
        s.label(s.row, 2, f"{prefix}{label}绩效自评表", head=False)
        s.value(s.row, 3, f"fund_types[{i}].has_spending", workbook_layout.BOOL, decl.has_spending)
        s.value(s.row, 4, f"fund_types[{i}].statement", workbook_layout.TEXT, decl.statement)
        s.row += 1


__all__ = ["write_xlsx", "Decimal"]
