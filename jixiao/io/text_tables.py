"""Tables written as text: one row per line, cells separated by TAB, by '|' or by runs of spaces.

That is what copying a table out of a web page or a Word document gives, and what bureaus receive
pasted into e-mails and plain documents. Any reader's paragraphs go through `tables_in_text`:
a run of two or more such lines becomes a Table (empty cells kept, so that a level label left blank
under a merged cell still stands in its column). A run becomes a table when one of its lines is a
header by meaning (io/headers.py: it names at least two column roles) or, with TAB or '|' (which
nobody types in prose, unlike runs of spaces), when it holds figures in cells of their own.
"""

from __future__ import annotations

import re

from .blocks import Block, Cell, Paragraph, Table
from .headers import row_roles

_PIPE_RULE = re.compile(r"^[\s|:：\-—=+]+$")  # a Markdown or box rule under a pipe header: "|---|:---:|"
_SPACES = re.compile(r"[ \u3000\u00a0]{2,}")


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
    rows = [[Cell(text, p.line) for text in cells] for p, _, cells in run]
    return [Table(rows=rows, line=paragraphs[0].line)]


def _has_header(run: list[tuple[Paragraph, str, list[str]]]) -> bool:
    """One of the run's lines is a header by meaning: it names at least two column roles."""
    return any(len(row_roles(tuple(cells))) >= 2 for _, _, cells in run)


def _has_figures(run: list[tuple[Paragraph, str, list[str]]]) -> bool:
    """Three lines or more, two of them holding a figure in a cell of its own: a table of data
    without a header the vocabulary knows (two label lines joined by a TAB are a signature, not a table)."""
    with_figures = sum(1 for _, _, cells in run if any(_FIGURE.fullmatch(c) for c in cells))
    return len(run) >= 3 and with_figures >= 2


_FIGURE = re.compile(r"[-+]?[\d,，]+(?:\.\d+)?\s*[%％]?")
