"""Reader for a package as a PDF with a text layer (as most units publish it).

Two libraries were tried on real files (our rendered package through LibreOffice,
33 pages): pypdfium2 opens a PDF and counts its characters in ~0.1 s but knows
nothing of tables; pdfplumber (pdfminer) needs ~2 s but finds tables from their
ruling lines and gives every cell its box. So pypdfium2 does the cheap refusals
first — a damaged or encrypted file, too many pages, no text layer (a scan) — and
pdfplumber reads what passed:

- tables come from the ruling lines (`find_tables`); every grid position is owned by
  the cell box covering it, so merged cells come out as the .docx reader returns
  them (`blocks.grid_rows`). A table cut by a page break is joined again when the next
  page begins with a table of the same columns (header rows the printer repeated
  are dropped).
- a page without ruling lines may still hold a table printed without borders: its rows are
  the lines whose words stand apart by more than a character, its columns the white space those
  lines share (`_aligned_tables`). Only a clean grid is taken: a page whose lines stand apart like
  cells but do not line up (a form of merged, vertically centred cells, its borders taken away)
  reads as text, so that no table pieced together from fragments gives false findings.
- text outside tables is cut into lines by position; a line is joined to the one
  before when that one runs to the right edge of the text (a wrapped paragraph),
  so a paragraph reads as one, as in the .docx. The same inside a cell.
- page numbers in the margin ("— 3 —") are dropped.

Line numbers are block indices, as in the .docx reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..core.model import Package
from .blocks import Block, Paragraph, Table, grid_rows, is_page_number
from .canonical import PackageError
from .guards import MAX_PDF_PAGES, check_size

MIN_CHARS_PER_PAGE = 20  # below this on average the PDF is a scan: pictures of pages, no text to read


def read_pdf(path: str | Path) -> Package:
    from .forms import build_package

    p = Path(path)
    return build_package(pdf_blocks(p), source_path=str(path))


def probe(p: Path) -> int:
    """Page count after the cheap refusals (pypdfium2): not a PDF, encrypted, too long, or a scan."""
    import pypdfium2 as pdfium

    if check_size(p) == 0:
        raise PackageError(str(p), ["文件为空，不是有效的 PDF 文件"])
    with p.open("rb") as fh:
        if b"%PDF" not in fh.read(1024):
            raise PackageError(str(p), ["不是有效的 PDF 文件（文件头不是 %PDF），可能已损坏或是其他格式改了扩展名"])
    try:
        doc = pdfium.PdfDocument(str(p))
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise PackageError(str(p), ["PDF 文件已加密（需要密码），请提供未加密的文件"]) from None
        raise PackageError(str(p), [f"无法打开 PDF 文件：{message}"]) from None
    try:
        pages = len(doc)
        if pages == 0:
            raise PackageError(str(p), ["PDF 文件没有页面"])
        if pages > MAX_PDF_PAGES:
            raise PackageError(str(p), [f"PDF 共 {pages} 页，超过上限 {MAX_PDF_PAGES} 页，不像是一份自评材料"])
        chars = 0
        for i in range(pages):
            page = doc[i]
            text = page.get_textpage().get_text_range()
            chars += len(re.sub(r"\s", "", text))
        if chars < MIN_CHARS_PER_PAGE * pages:
            raise PackageError(str(p), ["这是扫描件（PDF 中没有文字层，只有图片），无法读取其中的文字和表格；"
                                        "请提供由 Word/WPS 直接导出的 PDF，或原始的 .docx/.doc 文件"])
    finally:
        doc.close()
    return pages


def pdf_blocks(p: Path) -> list[Block]:
    import pdfplumber

    probe(p)
    items: list[_Item] = []
    try:
        with pdfplumber.open(str(p)) as pdf:
            pages = [_page_parts(number, page) for number, page in enumerate(pdf.pages)]
            # The text block's edges over the whole document: a page of a few short lines (a last
            # page, a page of headings) must not make its own longest line look "full".
            edges = [(min(xs), max(ys)) for lines, tables in pages
                     for xs, ys in [([ln.x0 for ln in lines] + [t[1][0] for t in tables],
                                     [ln.x1 for ln in lines] + [t[1][2] for t in tables])] if xs]
            left = min((e[0] for e in edges), default=0.0)
            right = max((e[1] for e in edges), default=0.0)
            sizes = sorted(ln.size for lines, _ in pages for ln in lines)
            body = sizes[len(sizes) // 2] if sizes else 0.0  # the body text's size: most lines have it
            for number, (lines, tables) in enumerate(pages):
                items += _page_items(number, lines, tables, _Edges(left, right, body))
    except PackageError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file; all mean "unreadable"
        raise PackageError(str(p), [f"无法解析 PDF 文件：{type(exc).__name__}"]) from None
    return _rejoin_wrapped_headers(_join_pages(items))


def _rejoin_wrapped_headers(blocks: list[Block]) -> list[Block]:
    """A table without ruling lines whose header cells wrap ("年初预算" over "数") comes out as a
    table, a line of short fragments ("（万元） 数 数 数") and the rest of the table: the rows line
    up in columns again below the line, so the three are one table. The fragments are dropped (the
    header's words before them say what the columns hold)."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if isinstance(b, Table) and i + 2 < len(blocks) and _header_fragments(blocks[i + 1]) \
                and isinstance(blocks[i + 2], Table) and _same_grid(b, blocks[i + 2]):
            out.append(Table(rows=b.rows + blocks[i + 2].rows, line=b.line))
            i += 3
            continue
        out.append(b)
        i += 1
    return out


def _header_fragments(block: Block) -> bool:
    parts = block.text.split() if isinstance(block, Paragraph) else []
    return len(parts) >= 2 and all(len(x) <= 6 and not any(ch.isdigit() for ch in x) for x in parts)


def _same_grid(a: Table, b: Table) -> bool:
    width = {len(r) for r in a.rows[-1:]} | {len(r) for r in b.rows[:1]}
    return len(width) == 1 and all(c.compact and not any(ch.isdigit() for ch in c.compact) for c in a.rows[-1])


# --- one page ------------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    size: float
    chars: list | None = None  # (text, x0, x1) of each character, where the caller asked for them


@dataclass
class _Item:
    page: int
    top: float
    block: Block
    columns: tuple = ()  # a table's column positions, to join it with its continuation
    first: _Line | None = None  # a paragraph's first and last line, to join it across a page break
    last: _Line | None = None
    full_last: bool = False  # the last line ran to the right edge: the paragraph may go on


def _page_parts(number: int, page) -> tuple[list[_Line], list[tuple[Table, tuple, tuple]]]:
    """The page's lines outside its tables, and its tables (block, bounding box, column lines)."""
    found = page.find_tables()
    boxes = [t.bbox for t in found]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    if not found:
        # No ruling lines: tables, if any, are recovered from the columns their words line up in.
        lines, tables = _aligned_tables(_lines(page, chars=True))
        lines = [ln for ln in lines if not (is_page_number(ln.text) and _in_margin(ln, page))]
        return lines, tables
    lines = _lines(page.filter(outside))
    lines = [ln for ln in lines if not (is_page_number(ln.text) and _in_margin(ln, page))]
    tables = []
    for t in found:
        table, columns = _table(page, t)
        if table.rows:
            tables.append((table, t.bbox, columns))
    return lines, tables


@dataclass
class _Edges:
    left: float
    right: float
    body: float  # the body text's size


def _page_items(number: int, lines: list[_Line], tables: list, edges: _Edges) -> list[_Item]:
    items: list[_Item] = []
    right = edges.right
    for group in _paragraphs(lines, edges):
        text = group[0].text
        for ln in group[1:]:
            text = _join(text, ln.text)
        items.append(_Item(number, group[0].top, Paragraph(text), first=group[0], last=group[-1],
                           full_last=_full(group[-1], right)))
    for table, box, columns in tables:
        items.append(_Item(number, box[1], table, columns))
    items.sort(key=lambda it: it.top)
    return items


def _in_margin(line: _Line, page) -> bool:
    return line.top > page.height * 0.85 or line.top < page.height * 0.08


def _lines(page, chars: bool = False) -> list[_Line]:
    out = []
    # A gap wider than half a character is a space; narrower gaps are the spacing of CJK type.
    for ln in page.extract_text_lines(return_chars=True, x_tolerance_ratio=0.5):
        text = ln["text"].strip()
        if not text:
            continue
        sizes = [c["size"] for c in ln["chars"] if c["text"].strip()]
        kept = [(c["text"], c["x0"], c["x1"]) for c in ln["chars"]] if chars else None
        out.append(_Line(text, ln["x0"], ln["x1"], ln["top"], max(sizes) if sizes else 10.0, kept))
    return out


def _paragraphs(lines: list[_Line], edges: _Edges) -> list[list[_Line]]:
    """Lines grouped into paragraphs: a line continues the previous one when that one ran to the
    right edge (it was wrapped), the new line starts at the left edge (or is centred under a
    centred title) and has the same size."""
    out: list[list[_Line]] = []
    for ln in lines:
        if out and _continues(out[-1][-1], ln, edges):
            out[-1].append(ln)
        else:
            out.append([ln])
    return out


def _full(line: _Line, right: float) -> bool:
    return line.x1 >= right - 1.5 * line.size


def _continues(previous: _Line, line: _Line, edges: _Edges) -> bool:
    left, right = edges.left, edges.right
    same_size = abs(previous.size - line.size) < 0.6
    close = 0 < line.top - previous.top < 3 * max(line.size, previous.size)
    if not (same_size and close) or _opens_item(line.text):
        return False
    middle = (left + right) / 2
    centred = all(abs((ln.x0 + ln.x1) / 2 - middle) < ln.size for ln in (previous, line))
    title = previous.size > 1.15 * edges.body  # set larger than the body: a title, not a paragraph
    if title and centred:
        return True  # a centred title over two lines, wrapped or broken on purpose (GB/T 9704 7.3.3)
    at_left = line.x0 <= left + 0.6 * line.size or line.x0 <= previous.x0 + 0.6 * line.size
    return _full(previous, right) and at_left


_ITEM_START = re.compile(r"^\s*(?:[①-⑳]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．](?!\d)|附件\s*\d)")


def _opens_item(text: str) -> bool:
    """A line that begins a list item or heading ("②…", "十、…", "（三）…", "附件1") is a paragraph of its own."""
    return bool(_ITEM_START.match(text))


def _join(a: str, b: str) -> str:
    """Join a wrapped line: no space between CJK text; one space between Latin words; none inside a
    figure a narrow cell broke ("89.97" / "4" is 89.974: a break at a space between two figures would
    leave the first ending a line with room to spare, not run to the edge)."""
    if a and b and (a[-1].isdigit() or a[-1] in ".,") and b[0].isdigit():
        return a + b
    if a and b and a[-1].isascii() and b[0].isascii() and a[-1].isalnum() and b[0].isalnum():
        return a + " " + b
    return a + b


# --- tables --------------------------------------------------------------------------------


def _table(page, t) -> tuple[Table, tuple]:
    cells = list(t.cells)
    if not cells:
        return Table(), ()
    xs = sorted({round(c[0], 1) for c in cells})
    x_end = max(c[2] for c in cells)
    columns = tuple(xs)
    bounds = [*xs, x_end]
    texts: dict[tuple, tuple[str, float, float]] = {}  # cell box → (text, first line's offset, size)
    grid: list[list[tuple[object, str]]] = []
    for row in t.rows:
        present = [c for c in row.cells if c is not None]
        if not present:
            continue
        y = min(c[1] for c in present) + 0.5
        line: list[tuple[object, str]] = []
        for i in range(len(bounds) - 1):
            x = (bounds[i] + bounds[i + 1]) / 2
            owner = next((c for c in cells if c[0] <= x <= c[2] and c[1] <= y < c[3]), None)
            if owner is None:
                line.append(((id(row), i), ""))
                continue
            if owner not in texts:
                texts[owner] = _cell_text(page, owner)
            line.append((owner, texts[owner][0]))
        grid.append(line)
    _indent_labels(grid, texts, xs[0])
    table = Table()
    table.rows = grid_rows(grid)
    return table, columns


def _indent_labels(grid: list[list[tuple[object, str]]], texts: dict, left: float) -> None:
    """Row labels in the first column keep their indentation, as a full-width space per character
    the text stands further in than the least indented label (the .docx cell's leading U+3000):
    the line tables' hierarchy reads it."""
    firsts = {row[0][0] for row in grid if row and isinstance(row[0][0], tuple) and len(row[0][0]) == 4}
    offsets = [texts[b][1] for b in firsts if b in texts and texts[b][0]]
    if not offsets:
        return
    base = min(offsets)
    for row in grid:
        if not row or row[0][0] not in firsts or row[0][0] not in texts:
            continue
        text, offset, size = texts[row[0][0]]
        steps = int((offset - base) / size + 0.3) if size else 0
        if 0 < steps <= 4 and text:
            row[0] = (row[0][0], "\u3000" * steps + text)


def _cell_text(page, box) -> tuple[str, float, float]:
    """The cell's text, wrapped lines joined; with its first line's offset from the cell's left edge and size."""
    x0, top, x1, bottom = box

    def inside(obj) -> bool:
        # By the character's centre: a glyph's box may reach above the ruling line it sits under.
        if obj.get("object_type") != "char":
            return False
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return x0 <= x <= x1 and top <= y <= bottom

    lines = _lines(page.filter(inside))
    if not lines:
        return "", 0.0, 0.0
    out = [lines[0].text]
    for previous, ln in zip(lines, lines[1:]):
        # A cell line that ran to the cell's right edge was wrapped: the next one goes on.
        if previous.x1 >= x1 - 1.8 * previous.size:
            out[-1] = _join(out[-1], ln.text)
        else:
            out.append(ln.text)
    return "\n".join(out), lines[0].x0 - x0, lines[0].size


# --- tables without ruling lines -----------------------------------------------------------
#
# A table printed without borders shows its columns only as white space that runs down the lines:
# a line whose characters stand apart by more than a character's width is a row of cells, and the
# gaps that the rows share, where no line has text, are the column boundaries. Lines of one cell
# (its text wrapped) go on while the lines are set close and each of their pieces stands in a
# column whose text above ran to that column's edge; any other line begins a row. A vertical
# merge cannot be seen without borders: its text stands in the first row it spans.

_CELL_GAP = 0.9  # a gap wider than this many characters (of the line's size) parts two cells


@dataclass
class _Piece:
    text: str
    x0: float
    x1: float


def _pieces(line: _Line) -> list[_Piece]:
    """The line cut where its characters stand apart by more than a character's width."""
    out: list[_Piece] = []
    for text, x0, x1 in line.chars or ():
        if out and x0 - out[-1].x1 <= _CELL_GAP * line.size:
            out[-1].text += text
            out[-1].x1 = max(out[-1].x1, x1)
        elif text.strip():
            out.append(_Piece(text, x0, x1))
    for piece in out:
        piece.text = piece.text.strip()
    out = [p for p in out if p.text]
    singles = sum(1 for p in out if len(p.text) == 1 and not p.text.isdigit())
    if len(out) >= 3 and singles * 5 >= len(out) * 3:
        return []  # a heading set out letter by letter (distributed justification), not cells
    return out


def _aligned_tables(lines: list[_Line]) -> tuple[list[_Line], list[tuple[Table, tuple, tuple]]]:
    """The page's lines outside tables, and the tables their words line up in (block, box, columns)."""
    pieces = [_pieces(ln) for ln in lines]
    rest: list[_Line] = []
    tables: list[tuple[Table, tuple, tuple]] = []
    i = 0
    while i < len(lines):
        if len(pieces[i]) < 2:
            rest.append(lines[i])
            i += 1
            continue
        j = i + 1  # the run of lines set close together from the first line of several pieces
        while j < len(lines) and lines[j].top - lines[j - 1].top <= 3.2 * max(lines[j].size, lines[j - 1].size):
            j += 1
        found = _aligned_table(lines[i:j], pieces[i:j])
        if found is None:
            # Lines set apart like cells that do not read as a clean grid (merged, vertically centred
            # cells come apart without their borders): the whole page reads as text, so that no
            # table pieced together from fragments reaches the forms.
            return lines, []
        table, box, columns, used = found
        tables.append((table, box, columns))
        i += used
    return rest, tables


def _aligned_table(lines: list[_Line], pieces: list[list[_Piece]]):
    """The table that begins the run of lines, or None; with how many lines it takes."""
    # Column boundaries: white space between the pieces of a line that no line's text covers.
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    width = int(right - left) + 2
    gap, cover = [0] * width, [0] * width
    for ps in pieces:
        for p in ps:
            for x in range(max(0, int(p.x0 - left) - 1), min(width, int(p.x1 - left) + 2)):
                cover[x] += 1
        for a, b in zip(ps, ps[1:]):
            for x in range(int(a.x1 - left) + 2, int(b.x0 - left) - 1):
                gap[x] += 1
    # A cell that spans columns (a goal's text across the indicator columns) covers a boundary the
    # other rows leave open: a boundary is where at least three lines in four that reach it are apart.
    def open_at(x: int) -> bool:
        return gap[x] >= 2 and cover[x] * 3 <= gap[x] or gap[x] == 1 and not cover[x]

    bounds: list[tuple[float, float]] = []  # (where the text of the column before ends, where the next begins)
    x = 0
    while x < width:
        if open_at(x):
            start = x
            while x < width and open_at(x):
                x += 1
            bounds.append((left + start - 1, left + x))
        x += 1
    if not bounds:
        return None
    starts = [left] + [b[1] for b in bounds]
    edges = [b[0] for b in bounds] + [right]

    def column(p: _Piece) -> int:
        return max(k for k, s in enumerate(starts) if p.x0 >= s - 1)

    def last_column(p: _Piece) -> int:
        return max(k for k, s in enumerate(starts) if p.x1 > s)

    pitch = min((b.top - a.top for a, b in zip(lines, lines[1:]) if b.top > a.top), default=0.0)
    rows: list[dict[int, list[_Piece]]] = []
    spans: list[dict[int, int]] = []
    full: dict[int, bool] = {}
    used = 0
    crowded = 0  # lines with two pieces in one column: the columns were not found
    for k, (ln, ps) in enumerate(zip(lines, pieces)):
        if not ps:
            break  # a line that is no row (a heading set out letter by letter) ends the table
        cols = [column(p) for p in ps]
        crowded += len(set(cols)) < len(cols)
        close = k > 0 and ln.top - lines[k - 1].top <= 1.15 * pitch
        goes_on = rows and close and all(full.get(c, False) for c in cols)
        if not goes_on:
            if len(ps) < 2 and rows and len(rows[-1]) < 2:
                break  # two lines of one piece each: prose after the table, not its rows
            rows.append({})
            spans.append({})
            full = {}
        for p, c in zip(ps, cols):
            rows[-1].setdefault(c, []).append(p)
            spans[-1][c] = max(spans[-1].get(c, c), last_column(p))
            full[c] = p.x1 >= edges[last_column(p)] - 1.5 * ln.size
        used = k + 1
    while rows and len(rows[-1]) < 2:  # a closing line of one piece is the paragraph after the table
        rows.pop()
        spans.pop()
        used -= 1
    if len(rows) < 2 or not _trusted(rows, crowded, len(starts)):
        return None
    grid: list[list[tuple[object, str]]] = []
    for r, (row, span) in enumerate(zip(rows, spans)):
        line: list[tuple[object, str]] = []
        c = 0
        while c < len(starts):
            if c in row:
                text = _cell_join(row[c], edges[span[c]], lines)
                for _ in range(c, span[c] + 1):
                    line.append(((r, c), text))
                c = span[c] + 1
            else:
                line.append(((r, c), ""))
                c += 1
        grid.append(line[:len(starts)])
    table = Table()
    table.rows = grid_rows(grid)
    taken = lines[:used]
    box = (left, taken[0].top, right, taken[-1].top + taken[-1].size)
    return table, box, tuple(round(s, 1) for s in starts), used


def _trusted(rows: list[dict[int, list[_Piece]]], crowded: int, columns: int) -> bool:
    """Whether the rows read as a table: without ruling lines a form of merged, vertically centred
    cells comes apart into fragments (rows of one cell, two cells' text in one column), and a table
    read so would give false findings; such a page reads as text, as before. A clean grid — every
    row two cells or more, one of three or more, at most one line in ten crowding a column — is
    taken. (Two lines of "label：value" pairs set apart, as a form's signature lines are, stay text.)"""
    fragments = sum(1 for row in rows if len(row) < 2)
    widest = max(len(row) for row in rows)
    return crowded * 10 <= len(rows) and not fragments and columns >= 3 and widest >= 3


def _cell_join(parts: list[_Piece], edge: float, lines: list[_Line]) -> str:
    """A cell's lines: one that ran to the column's edge was wrapped and goes on; else a new line."""
    size = lines[0].size if lines else 10.0
    text = parts[0].text
    for previous, part in zip(parts, parts[1:]):
        text = _join(text, part.text) if previous.x1 >= edge - 1.8 * size else text + "\n" + part.text
    return text


# --- pages joined --------------------------------------------------------------------------


def _join_pages(items: list[_Item]) -> list[Block]:
    """The pages' blocks in order, each numbered; a table or a paragraph cut by a page break
    is joined to its first part."""
    blocks: list[Block] = []
    previous: _Item | None = None
    firsts = {}
    for it in items:
        firsts.setdefault(it.page, it)
    for it in items:
        if previous is not None and it.page == previous.page + 1 and firsts[it.page] is it:
            if _table_goes_on(previous, it):
                _append_rows(previous.block, it.block.rows)
                previous.page = it.page
                continue
            if _paragraph_goes_on(previous, it):
                previous.block.text = _join(previous.block.text, it.block.text)
                previous.page, previous.last, previous.full_last = it.page, it.last, it.full_last
                continue
        blocks.append(it.block)
        previous = it
    for index, block in enumerate(blocks, start=1):
        block.line = index
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    cell.line = index
    return blocks


def _table_goes_on(previous: _Item, it: _Item) -> bool:
    return isinstance(previous.block, Table) and isinstance(it.block, Table) and _same_columns(it.columns, previous.columns)


def _paragraph_goes_on(previous: _Item, it: _Item) -> bool:
    if not (isinstance(previous.block, Paragraph) and isinstance(it.block, Paragraph)) or not previous.full_last:
        return False
    a, b = previous.last, it.first
    # A new paragraph starts two characters in (GB/T 9704); a continued one starts where the
    # previous page's last line started.
    return a is not None and b is not None and abs(a.size - b.size) < 0.6 and b.x0 <= a.x0 + 0.6 * b.size \
        and not _opens_item(b.text)


def _same_columns(a: tuple, b: tuple) -> bool:
    """Same table on both pages: the same left edge, and one part's column lines are all among the
    other's (a row on one page may split a column the other page's rows leave whole)."""
    if not a or not b or abs(a[0] - b[0]) >= 2:
        return False
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small) >= 2 and all(any(abs(x - y) < 2 for y in large) for x in small)


def _append_rows(table: Table, rows: list) -> None:
    """Rows of a table's continuation: header rows the printer repeated are dropped, and the label
    cells a page break left empty (a merged cell cut in two) take the text above them, as the
    .docx reader repeats a merged cell in every row it spans."""
    rows = _without_repeated_header(table.rows, rows)
    if rows and table.rows and _row_goes_on(table.rows[-1], rows[0]):
        for cell, more in zip(table.rows[-1], rows[0]):
            if more.compact and more.compact != cell.compact:
                cell.text = _join(cell.text, more.text)
        rows = rows[1:]
    above = table.rows[-1] if table.rows else []
    open_columns = True
    for row in rows:
        if len(row) != len(above) or not open_columns:
            break
        lead = next((i for i, c in enumerate(row) if c.compact), len(row))
        if lead == 0:
            break
        for i in range(lead):
            row[i].text = above[i].text
        above = row
    table.rows += rows


_FINISHED = re.compile(r"[。；;！!？?）)”\"]$")


def _row_goes_on(last: list, first: list) -> bool:
    """A row the page break cut in two: the new page's first row only goes on with cells of the last
    row that stopped mid-sentence (long text without its final stop), and is empty or the same
    (a merged cell) elsewhere."""
    if len(last) != len(first):
        return False
    if _split_row(last, first):
        return True
    going_on = False
    for a, b in zip(last, first):
        if not b.compact or b.compact == a.compact:
            continue
        unfinished = len(a.compact) >= 10 and not _FINISHED.search(a.compact)
        if not unfinished or re.fullmatch(r"[-+\d.,%％]+", b.compact):
            return False
        going_on = True
    return going_on


_BARE_FIGURE = re.compile(r"[-+]?[\d.,，]+[%％]?")


def _split_row(last: list, first: list) -> bool:
    """A row whose cells wrapped across the page break ("效益指" | "标(30分)", "≥5000" | "人"): the
    new page's first row holds no figure, writes only under cells of the last row that hold text,
    and leaves empty the columns where the last row has its figures (分值, 得分) — a row of its own
    would print its own."""
    figures_left = False
    wrote = False
    for a, b in zip(last, first):
        if _BARE_FIGURE.fullmatch(b.compact or "-x"):
            return False
        if b.compact:
            if not a.compact or _BARE_FIGURE.fullmatch(a.compact) or b.compact == a.compact:
                return False
            wrote = True
        elif _BARE_FIGURE.fullmatch(a.compact or "-x"):
            figures_left = True
    return wrote and figures_left


def _without_repeated_header(head: list, rows: list) -> list:
    """Drop the continuation's first row when it repeats a header row of the first part (a row of
    labels only, no figures)."""
    labels = {tuple(c.compact for c in r) for r in head if len(r) >= 3 and not any(ch.isdigit() for c in r for ch in c.text)}
    k = 0
    while k < len(rows) and k < 3 and tuple(c.compact for c in rows[k]) in labels:
        k += 1
    return rows[k:]
