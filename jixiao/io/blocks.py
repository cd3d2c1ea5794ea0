"""The block stream that both document readers produce: paragraphs and tables in
document order, each piece with the line (text dump) or block index (.docx) it
came from. The form recogniser (forms.py) reads only this, so a new input format
needs nothing more than a function that yields these blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.memo import text_cache

# Whitespace as real documents print it: ASCII, full-width (U+3000), no-break.
_SPACE_RE = re.compile(r"[\s\u3000\u00a0]+")


@dataclass(slots=True)
class _Text:
    text: str  # as printed; in a cell, paragraphs inside it joined by "\n"
    line: int | None = None

    @property
    def compact(self) -> str:
        return compact(self.text)

    @property
    def clean(self) -> str:
        return clean(self.text)


@dataclass(slots=True)
class Cell(_Text):
    pass


@dataclass(slots=True)
class Paragraph(_Text):
    pass


@dataclass(slots=True)
class Table:
    rows: list[list[Cell]] = field(default_factory=list)
    line: int | None = None  # where the table starts


Block = Paragraph | Table


# The recogniser asks for the same cell's compact / clean text many times over (labels,
# header rows, every column lookup), and labels repeat across documents: both are cached.
@text_cache(65536)
def compact(text: str) -> str:
    """All whitespace removed: '项目支\\n出名称' → '项目支出名称', '姓  名' → '姓名'. For matching labels."""
    return _SPACE_RE.sub("", text or "")


# What str.splitlines breaks at: a text without any of these is one line.
_LINE_BREAK_RE = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


@text_cache(65536)
def clean(text: str) -> str:
    """Each line stripped (full-width spaces too), empty lines dropped, lines joined by '\\n'."""
    if not text:
        return ""
    if _LINE_BREAK_RE.search(text) is None:  # most cells hold one line (every figure does)
        return text.strip(" \t\u3000\u00a0")
    lines = [ln.strip(" \t\u3000\u00a0") for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln)


def is_blank_row(row: list[Cell]) -> bool:
    return all(not c.compact for c in row)


def merge_fragment_rows(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Join rows that a text dump split in two.

    The dump separates rows by a blank line, but a cell that ends with an empty
    paragraph also prints a blank line, so one row can come out as two short ones
    (e.g. six cells then three where the table has nine). Two consecutive short
    rows are joined when their combined width equals the width of the row just
    before or just after them — the neighbours tell us what a whole row looks like.
    Only wide grids (five columns or more) are joined: narrow label/value rows are
    not split this way, and joining two of them would be a guess.
    """
    out = list(rows)
    i = 0
    while i + 1 < len(out):
        width = len(out[i]) + len(out[i + 1])
        before = len(out[i - 1]) if i > 0 else -1
        after = len(out[i + 2]) if i + 2 < len(out) else -1
        if width >= 5 and len(out[i]) < width and len(out[i + 1]) < width and width in (before, after) \
                and not is_blank_row(out[i + 1]):
            out[i:i + 2] = [out[i] + out[i + 1]]
            continue
        i += 1
    return out


_NO_CELL = object()


def grid_rows(grid: list[list[tuple[object, str]]], line: int | None = None) -> list[list[Cell]]:
    """Rows of a table laid out on a grid, the way the .docx reader returns them.

    `grid[r][c]` is (owner, text): the merged cell covering that grid position (any
    hashable id) and its text. A cell spanning several columns appears once in its
    row; a cell spanning several rows is repeated in each (python-docx does the
    same), so that every reader gives forms.py the same rows for the same table.
    """
    out: list[list[Cell]] = []
    for row in grid:
        cells: list[Cell] = []
        previous: object = _NO_CELL
        for owner, text in row:
            if owner == previous:
                continue
            previous = owner
            cells.append(Cell(text, line))
        out.append(cells)
    return out


_PAGE_NUMBER_RE = re.compile(r"^[-—－–~\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?[-—－–~\s]*$")


def is_page_number(text: str) -> bool:
    """'— 3 —', '-12-', '第 3 页', '3/20': a page number as a footer prints it, not content."""
    return bool(_PAGE_NUMBER_RE.match(text or "")) and any(ch.isdigit() for ch in text)
