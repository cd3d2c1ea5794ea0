"""WordprocessingML written as strings: paragraphs, runs and tables with merged cells.

python-docx's table API is quadratic in the number of cells (`table.cell(r, c)`
walks the grid every time); a package has a few thousand cells, so the body is
built here as XML text in one pass and written into word/document.xml as it is
(docx_writer.write_docx; docx_setup holds the frame it goes into). Nothing parses
it on the way: every text goes through esc(), every prefix used here is declared
in NSDECL, and the frame's <w:body> declares those the document root does not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = (
    f'xmlns:w="{W_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
TEXT_WIDTH = 8844  # twips: A4 210 mm − 28 mm − 26 mm = 156 mm


def esc(text: str) -> str:
    """Text for XML content or a double-quoted attribute."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def run(text: str, bold: bool = False, size: int | None = None, font: str | None = None) -> str:
    """A run; line breaks in `text` become <w:br/>."""
    props = []
    if font:
        props.append(f'<w:rFonts w:ascii="{esc(font)}" w:hAnsi="{esc(font)}" w:eastAsia="{esc(font)}" w:hint="eastAsia"/>')
    if bold:
        props.append("<w:b/><w:bCs/>")
    if size:
        props.append(f'<w:sz w:val="{size * 2}"/><w:szCs w:val="{size * 2}"/>')
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    if "\n" not in text:
        return f'<w:r>{rpr}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'
    pieces = text.split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{esc(p)}</w:t>' for p in pieces)
    return f"<w:r>{rpr}{body}</w:r>"


def para(content: str | list[str], style: str = "JxBody", align: str | None = None, indent: bool | None = None,
         page_break: bool = False, keep_next: bool = False, raw: bool = False) -> str:
    """A paragraph in `style`; `content` is text (escaped) or, with raw=True, ready-made runs."""
    ppr = [f'<w:pStyle w:val="{style}"/>']
    if keep_next:
        ppr.append("<w:keepNext/>")
    if page_break:
        ppr.append("<w:pageBreakBefore/>")
    if indent is False:
        ppr.append('<w:ind w:firstLine="0" w:firstLineChars="0"/>')
    if align:
        ppr.append(f'<w:jc w:val="{align}"/>')
    if raw:
        runs = content if isinstance(content, str) else "".join(content)
    else:
        runs = run(content) if isinstance(content, str) else "".join(run(t) for t in content)
    return f"<w:p><w:pPr>{''.join(ppr)}</w:pPr>{runs}</w:p>"


def hairline() -> str:
    """An empty 1 pt paragraph that keeps two tables apart without a visible gap, kept with the next table."""
    return ('<w:p><w:pPr><w:pStyle w:val="JxTable"/><w:keepNext/><w:spacing w:before="0" w:after="0" w:line="20" '
            'w:lineRule="exact"/><w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')


def page_break() -> str:
    return '<w:p><w:pPr><w:pStyle w:val="JxBody"/></w:pPr><w:r><w:br w:type="page"/></w:r></w:p>'


@dataclass(slots=True)
class Cell:
    text: str = ""
    span: int = 1  # gridSpan
    merge: str = ""  # "" | "restart" | "continue" (vertical merge)
    align: str = "center"  # left | center | right
    bold: bool = False
    shade: bool = False


def C(text: object = "", span: int = 1, merge: str = "", align: str = "center", bold: bool = False,
      shade: bool = False) -> Cell:
    return Cell("" if text is None else str(text), span, merge, align, bold, shade)


def L(text: object = "", span: int = 1, merge: str = "") -> Cell:
    """A left-aligned text cell."""
    return C(text, span, merge, align="left")


def N(text: object = "", span: int = 1) -> Cell:
    """A right-aligned figure cell."""
    return C(text, span, align="right")


def H(text: object = "", span: int = 1, merge: str = "") -> Cell:
    """A header cell."""
    return C(text, span, merge, bold=True, shade=True)


def V(span: int = 1) -> Cell:
    """The continuation of a vertically merged cell above."""
    return Cell("", span, "continue")


def widths(weights: list[float], total: int = TEXT_WIDTH) -> list[int]:
    s = sum(weights)
    out = [int(total * w / s) for w in weights]
    out[-1] += total - sum(out)
    return out


_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))


def table(rows: list[list[Cell]], grid: list[int], header_rows: int = 0) -> str:
    """A bordered table on `grid` (twips); rows hold Cells whose spans add up to len(grid)."""
    total = sum(grid)
    out = [f'<w:tbl><w:tblPr><w:tblStyle w:val="JxTableGrid"/><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
           f"<w:tblBorders>{_BORDERS}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
           '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
           '<w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>']
    out.extend(f'<w:gridCol w:w="{w}"/>' for w in grid)
    out.append("</w:tblGrid>")
    ncols = len(grid)
    for i, cells in enumerate(rows):
        col = 0
        tallest = 1
        tcs = []
        for cell in cells:
            span = cell.span
            width = grid[col] if span == 1 else sum(grid[col:col + span])
            col += span
            text = cell.text
            if text:
                lines = _lines(text, width)
                if lines > tallest:
                    tallest = lines
            tcs.append(_cell(cell, width))
        if col != ncols:
            raise ValueError(f"row {i} spans {col} grid columns, the table has {ncols}")
        # Header rows repeat on every page; a row is kept whole unless it is so tall (long prose) that
        # holding it back would leave most of a page empty — or, taller than a page, could not be placed at all.
        if i < header_rows:
            out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
        elif tallest * TABLE_LINE_PT <= MAX_UNSPLIT_PT:
            out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        else:
            out.append("<w:tr><w:trPr></w:trPr>")
        out.extend(tcs)
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


TABLE_LINE_PT = 13  # the table styles' line: 260 twips at least
TABLE_CHAR_TWIPS = 210  # a 10.5 pt character
CELL_MARGINS = 114  # twips, left + right
MAX_UNSPLIT_PT = 200  # about a third of the 225 mm type area


def row_height_pt(cells: list[Cell], grid: list[int]) -> int:
    """A row's height estimated from its text: lines of 10.5 pt characters wrapped in each cell's width."""
    tallest, col = 1, 0
    for cell in cells:
        width = sum(grid[col:col + cell.span])
        col += cell.span
        tallest = max(tallest, _lines(cell.text, width))
    return tallest * TABLE_LINE_PT


def _lines(text: str, width: int) -> int:
    """Lines `text` takes in a cell `width` twips wide."""
    per_line = max(1, (width - CELL_MARGINS) // TABLE_CHAR_TWIPS)
    if "\n" not in text:
        return max(1, -(-len(text) // per_line))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


_JC = {"left": "both", "center": "center", "right": "right"}


@functools.lru_cache(maxsize=1024)
def _cell_open(width: int, span: int, merge: str, shade: bool, bold: bool, align: str) -> tuple[str, str]:
    """A cell's start tag and properties, and its paragraphs' start with properties: the same few
    dozen combinations recur in every table."""
    tcpr = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if span > 1:
        tcpr.append(f'<w:gridSpan w:val="{span}"/>')
    if merge == "restart":
        tcpr.append('<w:vMerge w:val="restart"/>')
    elif merge == "continue":
        tcpr.append("<w:vMerge/>")
    if shade:
        tcpr.append('<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>')
    tcpr.append('<w:vAlign w:val="center"/>')
    style = "JxTableHead" if bold else "JxTable"
    return (f"<w:tc><w:tcPr>{''.join(tcpr)}</w:tcPr>",
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="{_JC[align]}"/></w:pPr>')


def _cell(cell: Cell, width: int) -> str:
    start, p = _cell_open(width, cell.span, cell.merge, cell.shade, cell.bold, cell.align)
    text = cell.text
    if not text:
        return f"{start}{p}</w:p></w:tc>"
    if "\n\n" not in text:
        return f"{start}{p}{run(text)}</w:p></w:tc>"
    body = "".join(f"{p}{run(t) if t else ''}</w:p>" for t in text.split("\n\n"))
    return f"{start}{body}</w:tc>"
