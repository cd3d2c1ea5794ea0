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

import zipfile
from pathlib import Path

from ..core.model import Package
from .blocks import Block, Cell, Paragraph, Table
from .canonical import PackageError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100


def read_docx(path: str | Path) -> Package:
    from .forms import build_package

    p = Path(path)
    _guard(p)
    return build_package(docx_blocks(p), source_path=str(path))


def _guard(p: Path) -> None:
    name = str(p)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise PackageError(name, [f"无法打开文件：{exc.strerror}"]) from None
    if size == 0:
        raise PackageError(name, ["文件为空，不是有效的 Word 文档"])
    if size > MAX_FILE_BYTES:
        raise PackageError(name, [f"文件过大（{size // 1024 // 1024} MB），Word 文档不应超过 {MAX_FILE_BYTES // 1024 // 1024} MB"])
    if not zipfile.is_zipfile(p):
        raise PackageError(name, ["不是有效的 .docx 文件（.docx 应为 zip 压缩包；旧版 .doc 请先另存为 .docx）"])
    try:
        with zipfile.ZipFile(p) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PackageError(name, [f"压缩包已损坏，无法读取：{exc}"]) from None
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise PackageError(name, [f"解压后过大（{total // 1024 // 1024} MB，上限 {MAX_UNCOMPRESSED // 1024 // 1024} MB），疑似压缩炸弹，已拒绝"])
    if packed and total / packed > MAX_RATIO:
        raise PackageError(name, [f"压缩比异常（{total // packed} 倍，上限 {MAX_RATIO} 倍），疑似压缩炸弹，已拒绝"])
    if "word/document.xml" not in {m.filename for m in members}:
        raise PackageError(name, ["压缩包中没有 word/document.xml，不是 Word 文档"])


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
