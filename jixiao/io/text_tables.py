"""Tables written as text: one row per line, cells separated by TAB, by '|' or by runs of spaces.

That is what copying a table out of a web page or a Word document gives, and what bureaus receive
pasted into e-mails and plain documents. Any reader's paragraphs go through `tables_in_text`:
a run of two or more such lines becomes a Table (empty cells kept, so that a level label left blank
under a merged cell still stands in its column). A run becomes a table when one of its lines is a
header by meaning (io/headers.py: it names at least two column roles) or, with TAB or '|' (which
nobody types in prose, unlike runs of spaces), when it holds figures in cells of their own.

Such text loses empty cells: an editor trims a row's trailing TABs, and aligned columns print an
empty cell as more spaces. A TAB row shorter than the run's widest row has lost trailing cells
(a TAB before each leading empty cell is still there): it is padded on the right. A row of aligned
columns is read by geometry: the widest row (the header, as a rule) gives each column's start in
display width (a CJK character takes two), and each cell goes to the column its start falls in,
so a blank merged level label or a blank trailing cell is an empty cell, never a shifted one.
"""

from __future__ import annotations

import re
import unicodedata

from .blocks import Block, Cell, Paragraph, Table
from .headers import row_roles

_PIPE_RULE = re.compile(r"^[\s|:：\-—=+]+$")  # a Markdown or box rule under a pipe header: "|---|:---:|"
_SPACES = re.compile(r"[ \u3000\u00a0]{2,}")
# A cell of an aligned line: text whose single spaces belong to it, between runs of two or more.
_CELL = re.compile(r"[^ \u3000\u00a0](?:[^ \u3000\u00a0]|[ \u3000\u00a0](?![ \u3000\u00a0]))*")


def split_row(text: str) -> tuple[str, list[str]] | None:
    """(separator, cells) of a line that is a table row, or None for prose."""
    line = text.rstrip("\r\n")
    if "\t" not in line and "|" not in line and "  " not in line and "\u3000\u3000" not in line \
            and "\u00a0\u00a0" not in line and " \u3000" not in line and "\u3000 " not in line:
        return None  # most paragraphs: no separator at all
    if "\t" in line.strip(" \u3000"):
        cells = line.split("\t")
        return ("tab", [c.strip(" \u3000\u00a0") for c in cells]) if len(cells) >= 2 else None
    if line.count("|") >= 2 or (line.count("|") == 1 and not line.strip().startswith("|")):
        body = line.strip(" \u3000")
        if body.startswith("|"):
            body = body[1:]
        if body.endswith("|"):
            body = body[:-1]
        cells = [c.strip(" \u3000\u00a0") for c in body.split("|")]
        return ("pipe", cells) if len(cells) >= 2 else None
    cells = _SPACES.split(line.strip(" \u3000\u00a0"))
    return ("spaces", cells) if len(cells) >= 2 else None


def tables_in_text(blocks: list[Block]) -> list[Block]:
    """The block stream with every run of delimited paragraph lines turned into a Table."""
    out: list[Block] = []
    run: list[tuple[Paragraph, str, list[str]]] = []

    def flush() -> None:
        out.extend(_run_blocks(run))
        run.clear()

    for b in blocks:
        split = split_row(b.text) if isinstance(b, Paragraph) and "\n" not in b.text.strip() else None
        if split is None:
            flush()
            out.append(b)
            continue
        sep, cells = split
        if sep == "pipe" and _PIPE_RULE.match(b.text):
            continue  # the rule under a pipe table's header
        if run and run[-1][1] != sep:
            flush()
        run.append((b, sep, cells))
    flush()
    return out


def _run_blocks(run: list[tuple[Paragraph, str, list[str]]]) -> list[Block]:
    if not run:
        return []
    paragraphs = [p for p, _, _ in run]
    if len(run) < 2 or not (_has_header(run) or (run[0][1] != "spaces" and _has_figures(run))):
        return list(paragraphs)
    if run[0][1] == "spaces":
        texts = _aligned([p.text for p in paragraphs]) or [cells for _, _, cells in run]
    else:
        texts = _padded([cells for _, _, cells in run])
    rows = [[Cell(text, p.line) for text in cells] for p, cells in zip(paragraphs, texts)]
    return [Table(rows=rows, line=paragraphs[0].line)]


def _padded(rows: list[list[str]]) -> list[list[str]]:
    """Rows whose trailing empty cells were trimmed, padded to the widest row of the run."""
    width = max(len(r) for r in rows)
    return [r + [""] * (width - len(r)) for r in rows]


def _width(text: str) -> int:
    """Display width: a wide (CJK) character takes two columns, as a fixed-width view prints it."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _spans(line: str) -> list[tuple[int, int, str]]:
    """(start, end display column, text) of each cell of an aligned line."""
    out = []
    for m in _CELL.finditer(line.rstrip("\r\n")):
        start = _width(line[:m.start()])
        text = m.group(0).strip(" \u3000\u00a0")
        out.append((start, start + _width(text), text))
    return out


def _column_starts(spans: list[list[tuple[int, int, str]]]) -> list[int]:
    """Where the columns start: the cell starts of the header rows (rows naming two column roles;
    a header over two rows, "绩效指标 … 分值 得分" above "一级指标 二级指标 三级指标", has no single
    row naming every column), else of the widest row. Starts one display column apart are one."""
    headers = [row for row in spans if len(row_roles(tuple(text for _, _, text in row))) >= 2]
    starts = sorted({start for row in headers or [max(spans, key=len)] for start, _, _ in row})
    out: list[int] = []
    for start in starts:
        if not out or start - out[-1] > 1:
            out.append(start)
    return out


def _column_of(start: int, end: int, starts: list[int], right: int) -> int | None:
    """The column a cell stands in: the one it starts at (text flush left), or the one whose right
    edge it ends at (a figure set flush right: two to four display columns before the next column's
    start, or the table's right edge); None for a cell off the grid."""
    for k, s in enumerate(starts):
        if abs(start - s) <= 1:
            return k
    for k, s in enumerate(starts):
        edge = starts[k + 1] if k + 1 < len(starts) else right + 2
        if s < start and edge - 4 <= end <= edge - 1:
            return k
    return None


def _aligned(lines: list[str]) -> list[list[str]]:
    """Aligned rows cell by cell, or [] when the lines are not printed in columns (nine cells in ten
    must start at a column's start or end at its right edge; cells merely separated by runs of
    spaces are then read in order). Each cell goes to its column, so the cells a row leaves blank
    (a merged level label, a trailing cell) stay empty in theirs and nothing shifts."""
    spans = [_spans(line) for line in lines]
    starts = _column_starts(spans)
    right = max(end for row in spans for _, end, _ in row)
    placed = [[(_column_of(start, end, starts, right), start, text) for start, end, text in row] for row in spans]
    cells = [k for row in placed for k, _, _ in row]
    if sum(k is not None for k in cells) * 10 < len(cells) * 9:
        return []
    out = []
    for row in placed:
        cells_of_row = [""] * len(starts)
        for k, start, text in row:
            if k is None:  # off the grid (a long text run over several columns): the column it starts in
                k = max((i for i, s in enumerate(starts) if s <= start + 1), default=0)
            while k < len(starts) - 1 and cells_of_row[k]:
                k += 1  # two cells in one column: the second is the next column's, printed off its start
            cells_of_row[k] = text
        out.append(cells_of_row)
    return out


def _has_header(run: list[tuple[Paragraph, str, list[str]]]) -> bool:
    """One of the run's lines is a header by meaning: it names at least two column roles."""
    return any(len(row_roles(tuple(cells))) >= 2 for _, _, cells in run)


def _has_figures(run: list[tuple[Paragraph, str, list[str]]]) -> bool:
    """Three lines or more, two of them holding a figure in a cell of its own: a table of data
    without a header the vocabulary knows (two label lines joined by a TAB are a signature, not a table)."""
    with_figures = sum(1 for _, _, cells in run if any(_FIGURE.fullmatch(c) for c in cells))
    return len(run) >= 3 and with_figures >= 2


_FIGURE = re.compile(r"[-+]?[\d,，]+(?:\.\d+)?\s*[%％]?")
