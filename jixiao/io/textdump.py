"""Reader for the text dump of a .docx package (the seed's format).

The dump prints body paragraphs as plain lines and every table cell as a line
starting with a tab. A line with its cells between tabs ("项目\t预算数\t执行数", what copying a
table gives) is a row of a pasted table: it stays a paragraph line with its tabs, and
io/text_tables.py makes the run of such lines a table. A cell's text may go on over following lines without a tab
(its further paragraphs, sometimes after one blank line); a blank line followed
by a tab line starts a new row; two or more blank lines followed by a plain line
end the table. Line numbers (1-based) are kept on every paragraph and cell.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.model import Package
from .blocks import Block, Cell, Paragraph, Table, merge_fragment_rows
from .canonical import PackageError
from .guards import check_size

_CELL_RE = re.compile(r"^[ \u3000]*\t")
# Control characters other than tab, line feed, form feed and carriage return.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def read_textdump(path: str | Path) -> Package:
    from .forms import build_package  # late import: forms imports this module's siblings

    p = Path(path)
    text = _decode(p)
    return build_package(parse_blocks(text), source_path=str(path))


def _decode(p: Path) -> str:
    check_size(p)
    data = p.read_bytes()
    if not data.strip():
        raise PackageError(str(p), ["文件为空，没有可读取的内容"])
    if b"\x00" in data[:8192]:
        raise PackageError(str(p), ["这不是文本文件（含有二进制内容），请提供 UTF-8 编码的文本导出"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackageError(str(p), [f"文件不是 UTF-8 编码的文本（第 {exc.start} 字节无法解码）"]) from None
    if _too_many_controls(text):
        raise PackageError(str(p), ["文件含有大量控制字符，不像是文本导出，无法读取"])
    return text


def _too_many_controls(text: str) -> bool:
    """More than one control character in a thousand (at least 8): a binary file, not a text dump."""
    limit = max(8, len(text) // 1000)
    for count, _ in enumerate(_CONTROL_RE.finditer(text), start=1):
        if count > limit:
            return True
    return False


def _delimited_row(raw: str) -> bool:
    """A line holding several cells between TABs; the dump's own cell lines carry one leading TAB only."""
    body = raw.lstrip(" \u3000")
    return body.count("\t") >= 2 or (body.count("\t") == 1 and not body.startswith("\t"))


def parse_blocks(text: str) -> list[Block]:
    """Split a text dump into paragraphs and tables (see the module docstring for the layout)."""
    blocks: list[Block] = []
    table: Table | None = None
    row: list[Cell] = []
    blanks = 0

    def close_table() -> None:
        nonlocal table, row
        if table is not None:
            if row:
                table.rows.append(row)
            table.rows = merge_fragment_rows(table.rows)
            blocks.append(table)
        table, row = None, []

    cell_line = _CELL_RE.match
    n = 0
    for raw in text.splitlines():
        n += 1
        if raw[:1] != "\t" and "\t" in raw and _delimited_row(raw) or raw[:1] == "\t" and raw.count("\t") > 1:
            # A row pasted from a web or Word table: its cells on one line between TABs. Kept as a
            # paragraph line with its TABs; forms.build_package turns runs of them into tables.
            close_table()
            blocks.append(Paragraph(raw.rstrip("\r\n"), n))
            blanks = 0
            continue
        if raw[:1] == "\t" or cell_line(raw):  # most cell lines start with the tab itself
            cell = Cell(raw[raw.index("\t") + 1:].rstrip(), n)
            if table is None:
                table = Table(line=n)
            elif blanks and row:
                table.rows.append(row)
                row = []
            row.append(cell)
        elif not raw or raw.isspace():
            blanks += 1
            continue
        elif table is not None and row and blanks <= 1:
            row[-1].text += "\n" + raw.rstrip()  # the cell's text goes on
        else:
            close_table()
            blocks.append(Paragraph(raw.rstrip(), n))
        blanks = 0
    close_table()
    return blocks
