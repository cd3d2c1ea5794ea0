"""A scored indicator sheet (部门整体支出绩效评价指标表 / 得分表) read into a `ScoreSheet`.

The sheet is found by its header row: the level columns its family names (一级指标, 二级指标,
三级指标) and a score column (得分). Each level's points are taken from its label ("部门决策
(25分)") or from a 分值 column right after it; a vertically merged level cell repeats in every
row it spans (as every reader returns it), so a row's path is simply its level cells. Rows
without a label at the deepest level are skipped; nothing in a sheet's content raises.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..core.model import ScoreItem, ScoreSheet, Source
from ..core.numbers import NumberError, parse_amount
from .blocks import Cell, Table, compact
from .families import SheetSpec, sheet_specs
from .reading import note

_TOTALS = ("合计", "总分", "总计")
_POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[）)]\s*$")


def find_sheet(table: Table, title: str, form: str) -> tuple[ScoreSheet, str] | None:
    """(the table as a score sheet, its family id) when its header is one a family describes, else None."""
    for spec, family_id in sheet_specs():
        header_at = _header(table, spec)
        if header_at is not None:
            return _read(table, header_at, spec, title, form), family_id
    return None


def _header(table: Table, spec: SheetSpec) -> int | None:
    for i, row in enumerate(table.rows[:3]):
        texts = [c.compact for c in row]
        levels = sum(1 for w in spec.level_columns if w in texts)
        if levels >= 2 and any(w in t for t in texts for w in spec.score_columns) \
                and not any(w in t for t in texts for w in ("指标值", "完成值")):
            return i
    return None


def _read(table: Table, header_at: int, spec: SheetSpec, title: str, form: str) -> ScoreSheet:
    header = [c.compact for c in table.rows[header_at]]
    level_idx = [header.index(w) for w in spec.level_columns if w in header]
    weight_idx = {i: i + 1 for i in level_idx if i + 1 < len(header) and header[i + 1] in spec.weight_columns}
    score_idx = next(i for i, t in enumerate(header) if any(w in t for w in spec.score_columns))
    sheet = ScoreSheet(title=title)
    sheet.src["title"] = Source(form, line=table.line, text=title)
    for row in table.rows[header_at + 1:]:
        if len(row) != len(header) or (row and row[0].compact in _TOTALS):
            _total(sheet, row, form)
            continue
        path, weights = [], []
        for i in level_idx:
            label, points = _label(row[i].text)
            if i in weight_idx and points is None:
                points = _amount(row[weight_idx[i]].text)
            path.append(label)
            weights.append(points)
        if not path or not path[-1]:
            continue
        item = ScoreItem(tuple(path), tuple(weights), _amount(row[score_idx].text))
        item.src["score"] = _src(form, row[score_idx], title, path[-1], "得分")
        item.src["label"] = _src(form, row[level_idx[-1]], title, path[-1], "")
        sheet.items.append(item)
    return sheet


def _total(sheet: ScoreSheet, row: list[Cell], form: str) -> None:
    texts = [c.compact for c in row]
    if texts and texts[0] in _TOTALS:
        values = [(c, _amount(c.text)) for c in row[1:]]
        values = [(c, v) for c, v in values if v is not None]
        if values:
            cell, sheet.stated_total = values[-1]
            sheet.src["total"] = _src(form, cell, sheet.title, texts[0], "得分")


def _label(text: str) -> tuple[str, Decimal | None]:
    t = compact(text)
    m = _POINTS.search(t)
    if m is None:
        return t, None
    return t[:m.start()], Decimal(m.group(1))


def _amount(text: str) -> Decimal | None:
    try:
        return parse_amount(text or "")
    except NumberError:
        return None


def _src(form: str, cell: Cell, table: str, row: str, column: str) -> Source:
    source = Source(form, table, row, column, cell.line, cell.clean)
    note(cell, source, "评分表")  # for Package.reading: this cell was read
    return source
