"""Where a form's rows fall on pages, estimated from their lines before LibreOffice or Word sets them.

The writer lays a form out (docx_writer.self_eval) and asks here how full its last page would be: a
form that overflows its page by a row or two, leaving them with the total and the signature on a page
of their own, is first set tighter, and failing that broken earlier, between 一级 groups. The figures
are LibreOffice's as measured in the PDF: a 小五 line 10 pt, a row's rule half a point.
"""

from __future__ import annotations

from dataclasses import dataclass

from .docx_xml import MAX_UNSPLIT_PT, Cell, Face, _lines, _placed, set_text

TYPE_AREA_PT = 637.8  # 225 mm: A4 less the 37 mm top and 35 mm bottom margins
FORM_TOP_PT = 85.5  # the 附件 label, a one-line form title and the year under it, as set
TITLE_LINE_PT = 35.0  # each further line of the form title
NOTE_LINE_PT = 17.0  # a signature line under the form: 3 pt before, a 14 pt line
HAIRLINE_PT = 1.0
RULE_PT = 0.5  # a row's own border
BOTTOM_SLACK_PT = 1.0  # a block ending closer than this to the page's foot goes over (measured: 1.3 pt left stays, 0.3 pt goes)
SPILL_SHARE = 0.25  # a form's last page filled less than this (after a full one) is a spill
# An estimate is not a measurement: a fit must leave this much room. The estimate runs high by the
# signature line's descent (3–4 pt) and rarely low (the example's and the seed's forms, measured).
FIT_MARGIN_PT = 0.0


@dataclass(frozen=True, slots=True)
class Block:
    """Rows kept together (a keep chain) or one row that may split: its height, the line it splits
    by (0: it moves whole), and the height of the header rows that repeat above it on a new page."""

    height: float
    split: float
    header: float


def row_heights(rows: list[list[Cell]], grid: list[int], face: Face) -> list[float]:
    """Each row's height: its tallest cell, a label merged down counted over the rows it spans (a
    label taller than its rows makes the last of them taller)."""
    heights, runs = [], []
    for i, cells in enumerate(rows):
        tallest = 1
        for col, cell in _placed(cells):
            if not cell.text:
                continue
            width = sum(grid[col:col + cell.span])
            n = _lines(set_text(cell, width, face), width, face)
            end = _run_end(rows, i, col) if cell.merge == "restart" else i + 1
            if end > i + 1:
                runs.append((i, end, n))
            elif n > tallest:
                tallest = n
        heights.append(tallest * face.line + RULE_PT)
    for first, end, n in runs:
        short = n * face.line - sum(heights[first:end]) + RULE_PT * (end - first)
        if short > 0:
            heights[end - 1] += short
    return heights


def _run_end(rows: list[list[Cell]], first: int, col: int) -> int:
    end = first + 1
    while end < len(rows) and any(c == col and cell.merge == "continue" for c, cell in _placed(rows[end])):
        end += 1
    return end


def table_blocks(rows: list[list[Cell]], grid: list[int], face: Face, keep: set[int] | frozenset[int],
                 header_rows: int = 0) -> list[Block]:
    """The table's rows as blocks: a row in `keep` joins the next one; a row too tall to be kept
    whole (docx_xml.table: over MAX_UNSPLIT_PT) splits by lines."""
    heights = row_heights(rows, grid, face)
    header = sum(heights[:header_rows])
    blocks: list[Block] = []
    height = 0.0
    for i, h in enumerate(heights):
        height += h
        if i in keep or i < header_rows:
            continue
        alone = height == h
        split = face.line if alone and h - RULE_PT > MAX_UNSPLIT_PT else 0.0
        blocks.append(Block(height, split, header))
        height = 0.0
    if height:
        blocks.append(Block(height, 0.0, header))
    return blocks


def page_fills(start: float, blocks: list[Block], page: float = TYPE_AREA_PT) -> list[float]:
    """How full each page is (a share of the type area) when `blocks` are set from `start` pt down:
    a block that does not fit moves to the next page under its repeated header; one that may split
    fills the page by whole lines first, as does one taller than a page."""
    fills: list[float] = []
    y = start
    for block in blocks:
        if y + block.height <= page - BOTTOM_SLACK_PT:
            y += block.height
            continue
        if not block.split and block.height <= page - block.header:
            fills.append(y / page)
            y = block.header + block.height
            continue
        step = block.split or 10.0
        rest = block.height
        while y + rest > page:
            taken = max(0.0, (page - y) // step * step)
            rest -= taken
            fills.append((y + taken) / page)
            y = block.header
        y += rest
    fills.append(y / page)
    return fills


def is_spill(fills: list[float]) -> bool:
    """Whether the last page is a near-empty spill: a form over more than one page whose last page
    is filled less than SPILL_SHARE."""
    return len(fills) > 1 and fills[-1] < SPILL_SHARE


def fits_with_margin(fills: list[float], page: float = TYPE_AREA_PT) -> bool:
    return fills[-1] * page <= page - FIT_MARGIN_PT
