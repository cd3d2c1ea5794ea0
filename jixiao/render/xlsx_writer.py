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
from datetime import date, datetime
from decimal import Decimal
from math import isfinite
from pathlib import Path

import xlsxwriter
import xlsxwriter.worksheet as _xw_sheet
from xlsxwriter.utility import xl_col_to_name, xl_range, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import Worksheet

from ..core import keys
from ..core.model import LineTable, SelfEvalTable
from ..core.numbers import round_half_up
from ..core.profiles import available_profiles
from ..core.rules import capped_total
from ..core.trace import Method
from ..core.view import FUND_TYPE_LABELS, View
from ..io import workbook_layout as K

FONT, HEAD_FONT, TITLE_FONT = ("仿宋_GB2312", 11), ("黑体", 11), ("方正小标宋简体", 16)
INPUT_FILL, DERIVED_FILL = "#FFF9E5", "#EDEDED"
FORMATS = {K.AMOUNT: "#,##0.00", K.SIGNED: "#,##0.00", K.RATE: "0.00%", K.SCORE: "0.00", K.WEIGHT: "0.##",
           K.DATE: "yyyy-mm-dd", K.INT: "0", K.YEAR: "0"}
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
    if kind == K.BOOL:
        return K.YES if value else K.NO
    if kind == K.INPUTS:
        return "；".join(f"{k}={format(v, 'f')}" for k, v in value.items()) or None
    return value


_CONVERTED = frozenset({K.BOOL, K.INPUTS})  # kinds whose values _excel_value converts


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
        for i, w in enumerate(columns):
            self.ws.set_column(i, i, w)
        self.ncols = len(columns)
        self._table = self.ws.table
        self._strings = self.ws.str_table
        self._merged: set[tuple[int, int]] = set()
        self._blanks: dict[int, object] = {}
        self._dims: list[int] | None = None  # 0-based: first row, first column, last row, last column written

    def width(self, col: int, w: float) -> None:
        self.ws.set_column(col - 1, col - 1, w)

    def height(self, row: int, h: float) -> None:
        self.ws.set_row(row - 1, h)

    # --- plain cells ---
    def label(self, row: int, col: int, text: str, span: int = 1, head: bool = True, rows: int = 1) -> None:
        fmt = self.book.style("head" if head else "text", "")
        if span > 1 or rows > 1:
            self.merge(row, col, row + rows - 1, col + span - 1, fmt)
        self._write(row, col, text, fmt)

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
            self._table[r][c] = _STRING(self._strings._get_shared_string_index(K.YES if value else K.NO), fmt)
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

    def heading(self, text: str) -> None:
        fmt = self.book.style("title" if self.row == 1 else "section", "")
        self.merge(self.row, 1, self.row, self.ncols, fmt)
        self._write(self.row, 1, text, fmt)
        self.height(self.row, 26 if self.row == 1 else 20)
        self.row += 1

    # --- value cells ---
    def value(self, row: int, col: int, path: str, kind: str, value, role: str = K.INPUT, formula: str | None = None,
              span: int = 1, key: str = "", choices: tuple[str, ...] | None = None) -> str:
        if formula and key and not self.book.exact(key, value, kind):
            formula = None  # the printed figure was kept (within rounding): a formula would change it
        fmt = self.book._styles.get((kind, role)) or self.book.style(kind, role)
        if span > 1:
            self.merge(row, col, row, col + span - 1, fmt)
        shown = None if value is None or value == "" else value if kind not in _CONVERTED else _excel_value(kind, value)
        if formula and role == K.DERIVED:
            # the engine's figure as the cached result: the file shows numbers without recalculation
            cached = "" if shown is None else shown if isinstance(shown, str) else _cell_number(shown)
            if isinstance(cached, (date, datetime)):
                cached = ""
            self.ws._write_formula(row - 1, col - 1, formula, fmt, cached)
        else:
            self._write(row, col, shown, fmt)
        if choices:
            self.dv_lists.setdefault(choices, []).append((row, col))
        elif role in (K.INPUT, K.SPARE):
            self.dv_cells.setdefault(kind, []).append((row, col))
        coord = f"{get_column_letter(col)}{row}"
        self.book.map.append((path, self.title, coord, kind, role, ""))
        return coord

    def field(self, label: str, path: str, kind: str, value, role: str = K.INPUT, formula: str | None = None,
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
        for choices, cells in self.dv_lists.items():
            r, c = cells[0]
            # a warning, not a stop: a name outside the usual ones can still be kept
            ws.data_validation(r - 1, c - 1, r - 1, c - 1, {
                "validate": "list", "source": _fit_list(choices), "ignore_blank": True, "error_type": "warning",
                "error_title": "请核对", "error_message": "不在常用名称中，确认要使用此名称吗？",
                "multi_range": _ranges(cells)})
        ws.protect("", {"format_cells": True, "format_columns": True, "format_rows": True})
        ws.print_area(0, 0, max(self.row - 2, 0), self.ncols - 1)
        if self.title_rows:
            ws.repeat_rows(self.title_rows[0] - 1, self.title_rows[1] - 1)
        ws.set_paper(PAPER_A4)
        if self.ncols > 7:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()


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
    K.AMOUNT: ("decimal", "greater than or equal to", 0, None, "请填写不小于0的金额（万元）"),
    K.WEIGHT: ("decimal", "between", 0, 100, "分值应在0到100之间"),
    K.SCORE: ("decimal", "between", 0, 100, "得分应在0到100之间"),
    K.SIGNED: ("decimal", "between", -1000000000, 1000000000, "请填写数字"),
    K.RATE: ("decimal", "between", 0, 100, "请填写百分比，如 95%"),
    K.INT: ("integer", "greater than or equal to", 0, None, "请填写不小于0的整数"),
    K.YEAR: ("integer", "between", 2000, 2100, "请填写年度，如 2022"),
    K.DATE: ("date", "between", 36526, 73051, "请填写日期，如 2023-06-06"),  # 2000-01-01 … 2099-12-31
}


def _validation(kind: str) -> dict | None:
    """XlsxWriter data_validation options for an input cell of `kind` (None: no validation)."""
    lists = {K.TIER: list(K.TIERS), K.BOOL: [K.YES, K.NO], K.PROFILE: _fit_list(_profiles())}
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
        self._styles: dict[tuple[str, str], object] = {}
        self.find = None  # the view's look-up of engine results (keys.Key → Computed)

    def exact(self, key: keys.Key, value, kind: str) -> bool:
        """Is `value` the engine's value for `key` at display precision?"""
        c = self.find(key) if self.find else None
        if c is None or c.value is None or value is None:
            return c is None
        places = 4 if kind == K.RATE else 2
        return round_half_up(c.value, places) == round_half_up(value, places)

    def style(self, kind: str, role: str):
        """The workbook's Format for a kind of cell, made once per workbook."""
        key = (kind, role)
        fmt = self._styles.get(key)
        if fmt is None:
            fmt = self._styles[key] = self.wb.add_format(_format_props(kind, role))
        return fmt

    def sheet(self, base: str, columns: list[float]) -> Sheet:
        s = Sheet(self, K.sheet_title(base, self.titles), columns)
        self.sheets.append(s)
        return s

    def const(self, path: str, value) -> None:
        self.map.append((path, "", "", "", K.CONST, json.dumps(value, ensure_ascii=False, default=str)))

    def save(self) -> None:
        for s in self.sheets:
            s.finish()
        ms = self.wb.add_worksheet(K.MAP_SHEET)
        ms.write_string(0, 0, K.MAP_VERSION)
        ms.write_string(1, 0, "下列单元格为 JSON：每项 [路径, 工作表, 单元格, 类型, 角色, 常量]；请勿修改。")
        for i, chunk in enumerate(K.encode_map(self.map), start=2):
            ms.write_string(i, 0, chunk)
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


@functools.cache
def _format_props(kind: str, role: str) -> dict:
    font = {"head": HEAD_FONT, "title": TITLE_FONT, "section": HEAD_FONT}.get(kind, FONT)
    props: dict = {"font_name": font[0], "font_size": font[1], "valign": "vcenter",
                   "locked": role not in (K.INPUT, K.SPARE)}
    if kind == "section":
        props["align"] = "left"
    elif kind in (K.TEXT, K.INPUTS, "text"):
        props["text_wrap"] = True
    else:
        props["align"] = "center"
        props["text_wrap"] = True
    if kind not in ("title", "section"):
        props.update(border=1, border_color="#000000")
    if role in (K.INPUT, K.SPARE, K.DERIVED):
        props.update(pattern=1, bg_color=DERIVED_FILL if role == K.DERIVED else INPUT_FILL)
    fmt = FORMATS.get(kind)
    if fmt:
        props["num_format"] = fmt
    return props


# --- the workbook ---------------------------------------------------------------------------


def write_xlsx(view: View, path: Path) -> Path:
    book = Book(path)
    book.find = view.find
    derived = _Derived(view)
    _cover(book, view, derived)
    _narrative(book, view, derived)
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
        self.idx = view.find

    def has(self, key: str) -> bool:
        c = self.idx(key)
        return c is not None and c.value is not None

    def recomputed(self, key: keys.Key) -> bool:
        """Computed or ruled and recomputed: a locked cell. Judged figures are the unit's to enter."""
        c = self.idx(key)
        return c is not None and c.value is not None and c.method is Method.RECOMPUTED and not c.judged


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
    s.heading(f"{pkg.unit.name}{pkg.year}年度部门整体支出绩效自评报告")
    book.const("jixiao", 1)
    s.heading("数据包")
    s.field("评分方案", "profile", K.PROFILE, pkg.profile)
    s.field("评价年度", "year", K.YEAR, pkg.year)
    if pkg.jurisdiction is not None:  # fixed by the task, like the profile: carried, not offered for editing
        j = pkg.jurisdiction
        book.const("jurisdiction", {"code": j.code, "level": j.level, "name": j.name})
    s.field("报告标题", "title", K.TEXT, pkg.title)
    s.heading("一、部门（单位）基本概况")
    u = pkg.unit
    for f, label, h in (("name", "部门（单位）名称", None), ("budget_code", "预算编码", None), ("evaluation_method", "评价方式", None),
                        ("evaluator_org", "评价机构", None), ("report_date", "报告时间", None), ("contact", "联系人", None),
                        ("phone", "联系电话", None), ("supervisor", "主管部门", None), ("functions", "职能职责概述", 60),
                        ("main_tasks", "年度主要工作内容", 60), ("summary", "年度总体运行情况及取得的成绩", 60)):
        s.field(label, f"unit.{f}", K.TEXT, getattr(u, f), height=h)
    st = pkg.staffing
    s.field("人员编制", "staffing.authorized", K.INT, st.authorized)
    s.field("实有人数", "staffing.actual", K.INT, st.actual)
    s.field("在职人数", "staffing.in_post", K.INT, st.in_post)
    s.heading("二、部门（单位）收支情况")
    income_total: dict[str, str] = {}
    for name, title, fields, total_label in COVER_TABLES:
        _cover_table(s, book, pkg, d, name, title, fields, total_label, income_total)
    s.heading("三、部门（单位）整体支出绩效自评情况")
    s.field("定性目标·预期目标", "cover.goal.expected", K.TEXT, pkg.cover_goal.expected, height=60)
    s.field("定性目标·实际完成", "cover.goal.actual", K.TEXT, pkg.cover_goal.actual, height=60)
    _indicators(s, "cover.indicators", pkg.cover_indicators, None, d)
    s.field("绩效自评综合得分", "cover.score", K.SCORE, pkg.stated_score, K.DERIVED)
    s.field("评价等次", "cover.grade", K.TEXT, pkg.stated_grade, K.DERIVED)
    s.field("等次说明", "cover.grade_note", K.TEXT, pkg.grade_note, K.DERIVED)
    s.heading("四、评价人员")
    s.label(s.row, 1, "姓名")
    s.label(s.row, 2, "职务/职称")
    s.label(s.row, 3, "单位", span=3)
    s.label(s.row, 6, "已签字")
    s.row += 1
    for i, e in enumerate(pkg.evaluators):
        p = f"evaluators[{i}]"
        s.value(s.row, 1, f"{p}.name", K.TEXT, e.name)
        s.value(s.row, 2, f"{p}.title", K.TEXT, e.title)
        s.value(s.row, 3, f"{p}.org", K.TEXT, e.org, span=3)
        s.value(s.row, 6, f"{p}.signed", K.BOOL, e.signed)
        s.row += 1
    for i, o in enumerate(pkg.opinions):
        p = f"opinions[{i}]"
        s.label(s.row, 1, "意见主体", span=2)
        s.value(s.row, 3, f"{p}.role", K.TEXT, o.role, span=2)
        s.label(s.row, 5, "签字人")
        s.value(s.row, 6, f"{p}.signer", K.TEXT, o.signer)
        s.label(s.row, 7, "日期")
        s.value(s.row, 8, f"{p}.date", K.DATE, o.signed_on)
        s.row += 1
        s.field("意见", f"{p}.text", K.TEXT, o.text, height=40)


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
        s.value(row, 1, f"{p}.institution", K.TEXT, r.institution)
        cols = {"total": 2, **{f: c for c, (f, _) in enumerate(fields, start=3)}}
        for f, col in cols.items():
            kind = K.SIGNED if f.startswith("balance") else K.AMOUNT
            key = keys.cover_summary(name, f) if r.is_summary else keys.cover_row(name, i, f)
            value = getattr(r, f)
            if d.has(key) and f != "balance_cumulative":  # the engine checks a stated 累计结余; it stays an input
                s.value(row, col, f"{p}.{f}", kind, value, K.DERIVED,
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


def _indicators(s: Sheet, base: str, inds, res: str | None, d: _Derived, spare: int = 0,
                level1_names: tuple[str, ...] = ()) -> tuple[int, int]:
    """The indicator rows, then `spare` empty ones a preparer may fill; returns the first and last row
    (spare rows included), or (r, r - 1) when there are none."""
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
        s.value(r, 1, f"{p}.level1", K.TEXT, ind.level1)
        s.value(r, 2, f"{p}.level2", K.TEXT, ind.level2)
        s.value(r, 3, f"{p}.name", K.TEXT, ind.name)
        s.value(r, 4, f"{p}.target", K.TEXT, ind.target.raw)
        s.value(r, 5, f"{p}.actual", K.TEXT, ind.actual.raw)
        s.value(r, 6, f"{p}.weight", K.WEIGHT, ind.weight)
        role = K.DERIVED if res is not None and d.recomputed(keys.indicator_score(res, i)) else K.INPUT
        s.value(r, 7, f"{p}.score", K.SCORE, ind.stated_score, role)
        s.value(r, 8, f"{p}.reason", K.TEXT, ind.reason)
        s.value(r, 9, f"{p}.tier", K.TIER, ind.tier)
        s.value(r, 10, f"{p}.applicable", K.BOOL, ind.applicable)
        s.row += 1
    if spare:
        _spare_rows(s, base, inds, spare, level1_names)
    if header_row and s.title_rows is None:
        s.title_rows = (header_row, header_row)
    return first, s.row - 1


def _spare_rows(s: Sheet, base: str, inds, spare: int, level1_names: tuple[str, ...]) -> None:
    """Empty indicator rows (no 是否适用: a spare indicator applies, so the sheet's 总分 formula stays a
    plain sum). Their 得分 is an input like an indicator's the engine cannot recompute; the engine
    recomputes it on import where it can."""
    level1 = tuple(dict.fromkeys((*level1_names, *(i.level1 for i in inds if i.level1))))
    level2 = tuple(dict.fromkeys((*K.LEVEL2_NAMES, *(i.level2 for i in inds if i.level2))))
    p0 = base.rsplit(".", 1)[0] + "." + K.SPARE_LIST
    for j in range(spare):
        p = f"{p0}[{j}]"
        r = s.row
        s.value(r, 1, f"{p}.level1", K.TEXT, None, K.SPARE, choices=level1 or None)
        s.value(r, 2, f"{p}.level2", K.TEXT, None, K.SPARE, choices=level2)
        s.value(r, 3, f"{p}.name", K.TEXT, None, K.SPARE)
        s.value(r, 4, f"{p}.target", K.TEXT, None, K.SPARE)
        s.value(r, 5, f"{p}.actual", K.TEXT, None, K.SPARE)
        s.value(r, 6, f"{p}.weight", K.WEIGHT, None, K.SPARE)
        s.value(r, 7, f"{p}.score", K.SCORE, None, K.SPARE)
        s.value(r, 8, f"{p}.reason", K.TEXT, None, K.SPARE)
        s.value(r, 9, f"{p}.tier", K.TIER, None, K.SPARE)
        s._write(r, 10, None, s.book.style(K.TEXT, ""))
        s.row += 1


# --- 绩效评价报告 ---


def _narrative(book: Book, view: View, d: _Derived) -> None:
    pkg = view.package
    n = pkg.narrative
    s = _new(book, "绩效评价报告", [16, 12, 12, 12, 12, 12, 12, 12])
    s.heading(f"{pkg.year}年{pkg.unit.name}部门整体支出绩效评价报告")
    s.field("报告标题", "narrative.title", K.TEXT, n.title)
    for key, t in n.tables.items():
        _line_table(book, s, t, keys.narrative_table(key), d)
    s.heading("七、综合评价（逐项评分）")
    heads = ["编号", "一级指标", "二级指标", "指标名称", "分值", "计算输入（名称=数值；…）", "公式", "比率", "得分", "说明"]
    for i in range(s.ncols + 1, len(heads) + 1):
        s.width(i, 14)
    s.ncols = max(s.ncols, len(heads))
    for c, h in enumerate(heads, start=1):
        s.label(s.row, c, h)
    s.row += 1
    for i, item in enumerate(n.framework):
        p = f"narrative.framework[{i}]"
        r = s.row
        rated = d.has(keys.framework_rate(i))
        s.value(r, 1, f"{p}.id", K.TEXT, item.id)
        s.value(r, 2, f"{p}.level1", K.TEXT, item.level1)
        s.value(r, 3, f"{p}.level2", K.TEXT, item.level2)
        s.value(r, 4, f"{p}.name", K.TEXT, item.name)
        s.value(r, 5, f"{p}.weight", K.WEIGHT, item.weight)
        s.value(r, 6, f"{p}.inputs", K.INPUTS, item.inputs)
        s.value(r, 7, f"{p}.formula", K.TEXT, item.stated_formula, K.DERIVED if rated else K.INPUT)
        s.value(r, 8, f"{p}.rate", K.RATE, item.stated_rate, K.DERIVED if rated else K.INPUT)
        s.value(r, 9, f"{p}.score", K.SCORE, item.stated_score, K.DERIVED if d.recomputed(keys.framework_score(i)) else K.INPUT)
        s.value(r, 10, f"{p}.evidence", K.TEXT, item.evidence)
        s.row += 1
    s.field("综合得分", "narrative.total", K.SCORE, n.stated_total, K.DERIVED)
    s.field("评价等级", "narrative.grade", K.TEXT, n.stated_grade, K.DERIVED)
    s.heading("八至十、文字部分")
    for f, label in (("achievements", "主要经验做法"), ("problems", "存在的问题及原因分析"), ("suggestions", "有关建议"),
                     ("publication", "自评结果应用和公开情况")):
        s.field(label, f"narrative.{f}", K.TEXT, getattr(n, f), height=60)


def _line_table(book: Book, s: Sheet, t: LineTable, base: str, d: _Derived) -> None:
    book.const(f"{base}.columns", dict(t.columns))
    if t.derived:
        book.const(f"{base}.derived", {k: list(v) for k, v in t.derived.items()})
    if t.total_label:
        book.const(f"{base}.total", t.total_label)
    if t.unit != "万元":
        book.const(f"{base}.unit", t.unit)
    s.label(s.row, 1, "表名")
    s.value(s.row, 2, f"{base}.title", K.TEXT, t.title, span=min(4, s.ncols - 1))
    s.row += 1
    cols = list(t.columns)
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
        s.value(r, 1, f"{p}.label", K.TEXT, ln.label)
        for c, col in enumerate(cols, start=2):
            cell, total = keys.line_cell(base, i, col), keys.line_sum(base, i, col)
            derived = d.has(cell) or (not ln.partial and d.has(total))
            kind = K.SIGNED if col in t.derived else K.AMOUNT
            formula = _line_formula(t, ln, col, r, row_of, col_of) if derived else None
            s.value(r, c, f"{p}.{col}", kind, ln.values.get(col), K.DERIVED if derived else K.INPUT, formula,
                    key=cell if d.has(cell) else total)
        s.value(r, len(cols) + 2, f"{p}.note", K.TEXT, ln.note)
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
    s.field("发文单位", "notice.issuer", K.TEXT, nt.issuer)
    s.field("自评范围（万元）", "notice.scope_total", K.AMOUNT, nt.scope_total,
            K.DERIVED if view.package.overall is not None and nt.scope_total is not None else K.INPUT)
    s.field("报送截止日期", "notice.deadline", K.DATE, nt.deadline)
    s.field("发文日期", "notice.issued_on", K.DATE, nt.issued_on)
    s.field("偏差说明阈值", "notice.deviation_threshold", K.RATE, nt.deviation_threshold)


def _basic_data(book: Book, view: View, d: _Derived) -> None:
    pkg = view.package
    bd = pkg.basic_data
    s = _new(book, "附件2", [26, 14, 14, 14, 14, 14, 14])
    s.heading(f"部门整体支出绩效评价基础数据表（{pkg.year}年度）")
    s.heading("财政供养人员情况")
    st = bd.staffing
    s.field("年末编制数", "basic_data.staffing.authorized", K.INT, st.authorized)
    s.field("年末实际在职人数", "basic_data.staffing.in_post", K.INT, st.in_post)
    if st.actual is not None:
        s.field("实有人数", "basic_data.staffing.actual", K.INT, st.actual)
    s.field("控制率", "basic_data.staffing.control_rate", K.RATE, st.stated_control_rate,
            K.DERIVED if d.has(keys.STAFF_CONTROL_RATE) else K.INPUT)
    if bd.costs is not None:
        s.heading("经费控制情况（万元）")
        _line_table(book, s, bd.costs, keys.BASIC_COSTS, d)
    s.heading("楼堂馆所控制情况")
    b = bd.buildings
    for f, label, kind, value in (("approved_area", "批复规模（㎡）", K.AMOUNT, b.approved_area),
                                  ("actual_area", "实际规模（㎡）", K.AMOUNT, b.actual_area),
                                  ("area_rate", "规模控制率", K.RATE, b.stated_area_rate),
                                  ("budget_investment", "预算投资（万元）", K.AMOUNT, b.budget_investment),
                                  ("actual_investment", "实际投资（万元）", K.AMOUNT, b.actual_investment),
                                  ("investment_rate", "投资概算控制率", K.RATE, b.stated_investment_rate)):
        role = K.DERIVED if f.endswith("rate") and d.has(keys.building_rate(f)) else K.INPUT
        if f.endswith("rate") and role == K.DERIVED:
            s.field(label, f"basic_data.buildings.{f}", kind, value, role)
        elif not f.endswith("rate") or value is not None:
            s.field(label, f"basic_data.buildings.{f}", kind, value)
        else:
            s.field(label, f"basic_data.buildings.{f}", kind, value, K.DERIVED)
    s.field("厉行节约保障措施", "basic_data.thrift_measures", K.TEXT, bd.thrift_measures, height=60)
    s.field("填表人", "basic_data.filler", K.TEXT, bd.filler)
    s.field("填报日期", "basic_data.filing_date", K.DATE, bd.filing_date)


# --- 附件3–7 ---


def _self_eval(book: Book, view: View, base_title: str, key: str, t: SelfEvalTable, d: _Derived, res) -> None:
    s = _new(book, base_title, [12, 12, 22, 14, 14, 9, 9, 16, 10, 8])
    title = t.form_label or ("部门整体支出绩效自评表" if t.kind == "overall" else "项目支出绩效自评表")
    s.heading(f"{title}（{view.package.year}年度）")
    if t.kind != "overall":
        s.field("名称", f"{key}.name", K.TEXT, t.name)
        s.field("主管部门", f"{key}.supervisor", K.TEXT, t.supervisor)
        s.field("实施单位", f"{key}.implementer", K.TEXT, t.implementer)
    s.field("表名", f"{key}.form_label", K.TEXT, t.form_label)
    if t.row_label:
        s.field("名称栏标签", f"{key}.row_label", K.TEXT, t.row_label)
    heads = ["资金（万元）", "", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    s.label(s.row, 1, heads[0], span=3)
    for c in range(4, 10):
        s.label(s.row, c, heads[c - 1])
    s.title_rows = (s.row, s.row)
    s.row += 1
    first = s.row
    part_rows = []
    exec_row = None
    for i, f in enumerate(t.funds):
        p = f"{key}.funds[{i}]"
        r = first + i
        book.const(f"{p}.key", f.key)
        s.value(r, 1, f"{p}.label", K.TEXT, f.label, span=3)
        if f.key != "total":
            part_rows.append((f.key, r))
    for i, f in enumerate(t.funds):
        p = f"{key}.funds[{i}]"
        r = first + i
        for c, col in ((4, "initial"), (5, "annual"), (6, "executed")):
            if f.key == "total":
                group = "general_budget" if t.kind == "overall" else "appropriation"
                derived = d.has(keys.fund_sum(key, group, col)) or (t.kind == "overall" and d.has(keys.fund_sum(key, "basic", col)))
                parts = [pr for k, pr in part_rows if k not in ("basic", "project")] if t.kind == "overall" else [pr for _, pr in part_rows]
                formula = "=" + "+".join(f"{get_column_letter(c)}{pr}" for pr in parts) if parts else None
                s.value(r, c, f"{p}.{col}", K.AMOUNT, getattr(f, col), K.DERIVED if derived else K.INPUT, formula,
                        key=keys.fund_sum(key, group, col))
            else:
                s.value(r, c, f"{p}.{col}", K.AMOUNT, getattr(f, col))
        if f.key == "total":
            exec_row = r
            s.value(r, 7, f"{p}.weight", K.WEIGHT, f.weight)
            rate_f = f'=IF(E{r}>0,F{r}/E{r},"")'
            s.value(r, 8, f"{p}.rate", K.RATE, f.stated_rate, K.DERIVED, rate_f, key=keys.execution_rate(key))
            ruled = d.recomputed(keys.execution_score(key))
            proportional = view.profile["execution_score"]["method"] != "bands"
            score_f = f'=IF(H{r}="","",MIN(H{r},1)*G{r})' if proportional and ruled else None
            s.value(r, 9, f"{p}.score", K.SCORE, f.stated_score, K.DERIVED if ruled else K.INPUT, score_f,
                    key=keys.execution_score(key) if ruled else "")
    s.row = first + len(t.funds)
    s.field("年度总体目标·预期目标", f"{key}.goal.expected", K.TEXT, t.goal.expected, height=50)
    s.field("年度总体目标·实际完成情况", f"{key}.goal.actual", K.TEXT, t.goal.actual, height=50)
    lo, hi = _indicators(s, f"{key}.indicators", t.indicators, key, d, K.SPARE_ROWS,
                         tuple(view.profile["level1_weights"]))
    weight_f, total_f = _total_formulas(view, t, exec_row, lo, hi)
    s.field("总分·分值", f"{key}.total_weight", K.WEIGHT, t.stated_total_weight, K.DERIVED, weight_f)
    s.field("总分·得分", f"{key}.total", K.SCORE, t.stated_total, K.DERIVED, total_f)
    grade = res.grade.text if res is not None and res.grade else ""
    s.label(s.row, 1, "等次", span=2)
    s.label(s.row, 3, grade, span=s.ncols - 2, head=False)
    s.row += 1
    s.field("填表人", f"{key}.filler", K.TEXT, t.filler)
    s.field("填报日期", f"{key}.filing_date", K.DATE, t.filing_date)


def _total_formulas(view: View, t: SelfEvalTable, exec_row: int | None, lo: int, hi: int) -> tuple[str | None, str | None]:
    """总分 分值 = 执行率分值 + Σ 分值 and 总分 得分 = 执行率得分 + Σ 得分 (under the profile's caps by
    execution rate), over the indicator and spare rows, so a filled workbook shows its total before
    import. The 得分 formula is written only where it gives the engine's total for the rows as printed:
    not with 不适用 indicators (rescaled or counted at full marks by the engine)."""
    if hi < lo:
        return None, None
    weight_f = f"=SUM(F{lo}:F{hi})" + (f"+N(G{exec_row})" if exec_row else "")
    if any(not i.applicable for i in t.indicators) or t.stated_total is None:
        return weight_f, None
    total_f = f"SUM(G{lo}:G{hi})" + (f"+N(I{exec_row})" if exec_row else "")
    shown = sum((i.stated_score for i in t.indicators if i.stated_score is not None), Decimal(0))
    execution = t.fund("total")
    if execution is not None and execution.stated_score is not None:
        shown += execution.stated_score
    caps = view.profile["execution_caps"]
    if caps["enabled"] and caps["caps"] and exec_row:
        rate = execution.stated_rate if execution is not None else None
        capped, _ = capped_total(shown, rate, caps["caps"])
        shown = capped
        limit = "1E+307"
        for cap in sorted(caps["caps"], key=lambda c: c["below"], reverse=True):
            limit = f'IF(AND(ISNUMBER(H{exec_row}),H{exec_row}<{format(cap["below"], "f")}),{format(cap["max_total"], "f")},{limit})'
        total_f = f"MIN({total_f},{limit})"
    if round_half_up(shown, 2) != round_half_up(t.stated_total, 2):
        return weight_f, None  # the engine's total is not this sum (a score it could not use): keep the value
    return weight_f, "=" + total_f


def _fund_types(book: Book, view: View) -> None:
    pkg = view.package
    if not pkg.fund_types:
        return
    s = _new(book, "附件5-7", [20, 14, 50])
    s.heading("附件5–7 政府性基金、国有资本经营、社会保险基金预算支出")
    for i, decl in enumerate(pkg.fund_types):
        label = FUND_TYPE_LABELS.get(decl.kind, ("", decl.kind))[1]
        s.label(s.row, 1, label)
        s.value(s.row, 2, f"fund_types[{i}].has_spending", K.BOOL, decl.has_spending)
        s.value(s.row, 3, f"fund_types[{i}].statement", K.TEXT, decl.statement)
        s.row += 1


__all__ = ["write_xlsx", "Decimal"]
