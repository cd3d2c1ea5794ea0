"""Reader for a package as a .docx file (python-docx).

Paragraphs and tables are taken in document order by walking the body's XML
children; `line` is the block's index in the body (1-based), and a cell's line is
its table's. A horizontally merged cell is returned by python-docx once per grid
column it spans; consecutive repeats of the same `<w:tc>` are collapsed so each
printed cell appears once. Before python-docx sees the file it is checked: size,
that it is a zip at all, and that its members do not inflate to something huge
(a zip bomb) — each refusal with a Chinese message, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from ..core.model import Package
from .blocks import Block, Cell, Paragraph, Table
from .canonical import PackageError
from .guards import check_zip


def read_docx(path: str | Path) -> Package:
    from .forms import build_package

    p = Path(path)
    _guard(p)
    return build_package(docx_blocks(p), source_path=str(path))


def _guard(p: Path) -> None:
    check_zip(p, required=("word/document.xml",))


def docx_blocks(p: Path) -> list[Block]:
    import docx  # python-docx; imported here so the text reader works without it
    from docx.oxml.ns import qn
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    try:
        document = docx.Document(str(p))
    except Exception as exc:  # python-docx raises many kinds on a broken package; all mean "unreadable"
        raise PackageError(str(p), [f"无法解析 Word 文档：{type(exc).__name__}"]) from None
    blocks: list[Block] = []
    for index, child in enumerate(document.element.body.iterchildren(), start=1):
        if child.tag == qn("w:p"):
            blocks.append(Paragraph(DocxParagraph(child, document).text, index))
        elif child.tag == qn("w:tbl"):
            blocks.append(_table(DocxTable(child, document), index))
    return blocks


def _table(table, index: int) -> Table:
    out = Table(line=index)
    for row in table.rows:
        cells: list[Cell] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a merged cell repeated for each grid column it spans
                continue
            previous = cell._tc
            text = "\n".join(par.text for par in cell.paragraphs)
            cells.append(Cell(text, index))
        out.rows.append(cells)
    return out
