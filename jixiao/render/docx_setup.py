"""The document frame per GB/T 9704-2012: A4, margins, line and character grid,
paragraph styles with explicit East Asian fonts, page numbers "— 1 —"."""

from __future__ import annotations

import functools
import io
import re
import zipfile

from docx import Document
from docx.opc.oxml import serialize_part_xml
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.parts.document import DocumentPart
from docx.shared import Mm
from lxml import etree

from . import fonts
from .docx_xml import NSDECL, TEXT_WIDTH

BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
TABLE_PT = 10.5  # 五号
TABLE_SMALL_PT = 9  # 小五: the nine-column indicator tables
PAGE_NO_PT = 14  # 四号
LINE_PITCH = 579  # twips: 28.95 pt, 22 lines in the 225 mm type area
CHARS_PER_LINE = 28
CHAR_SPACE = round((TEXT_WIDTH / CHARS_PER_LINE / 20 - BODY_PT) * 4096)  # ≈ −849


def _rfonts(east_asia: str, latin: str = fonts.LATIN) -> str:
    return f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" w:cs="{latin}" w:hint="eastAsia"/>'


def _size(pt: float) -> str:
    half = int(round(pt * 2))
    return f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'


def _pstyle(sid: str, name: str, ppr: str, rpr: str) -> str:
    return (f'<w:style {NSDECL} w:type="paragraph" w:customStyle="1" w:styleId="{sid}"><w:name w:val="{name}"/>'
            f'<w:basedOn w:val="Normal"/><w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>')


# No widow/orphan control on the grid: every body page holds its 22 lines (GB/T 9704 5.2.2), a
# paragraph's last line may open a page.
_EXACT = f'<w:widowControl w:val="0"/><w:spacing w:before="0" w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'
_INDENT2 = '<w:ind w:firstLineChars="200" w:firstLine="640"/>'
_NO_GRID = '<w:snapToGrid w:val="0"/>'

STYLES = [
    _pstyle("JxBody", "jx 正文", _EXACT + _INDENT2 + '<w:jc w:val="both"/>', _rfonts(fonts.BODY) + _size(BODY_PT)),
    _pstyle("JxTitle", "jx 标题", '<w:spacing w:before="0" w:after="579" w:line="700" w:lineRule="exact"/>'
            '<w:ind w:firstLine="0"/><w:jc w:val="center"/>', _rfonts(fonts.TITLE) + _size(TITLE_PT)),
    # A form's title (附件2–7): the caption "（2022年度）" follows at once, as the bureau's forms print it,
    # so that a form and its table take a page where they can.
    _pstyle("JxFormTitle", "jx 表格标题", '<w:keepNext/><w:spacing w:before="0" w:after="120" w:line="700" w:lineRule="exact"/>'
            '<w:ind w:firstLine="0"/><w:jc w:val="center"/>', _rfonts(fonts.TITLE) + _size(TITLE_PT)),
    _pstyle("JxH1", "jx 一级标题", "<w:keepNext/>" + _EXACT + _INDENT2 + '<w:jc w:val="both"/><w:outlineLvl w:val="0"/>',
            _rfonts(fonts.HEITI) + _size(BODY_PT)),
    _pstyle("JxH2", "jx 二级标题", "<w:keepNext/>" + _EXACT + _INDENT2 + '<w:jc w:val="both"/><w:outlineLvl w:val="1"/>',
            _rfonts(fonts.KAITI) + _size(BODY_PT)),
    _pstyle("JxH3", "jx 三级标题", "<w:keepNext/>" + _EXACT + _INDENT2 + '<w:jc w:val="both"/>',
            _rfonts(fonts.BODY) + "<w:b/><w:bCs/>" + _size(BODY_PT)),
    _pstyle("JxAnnex", "jx 附件标识", "<w:keepNext/>" + _EXACT + '<w:ind w:firstLine="0"/>',
            _rfonts(fonts.HEITI) + _size(BODY_PT)),
    _pstyle("JxCaption", "jx 表题", "<w:keepNext/>" + _NO_GRID + '<w:spacing w:before="120" w:after="60" w:line="360" w:lineRule="exact"/>'
            '<w:ind w:firstLine="0"/><w:jc w:val="center"/>', _rfonts(fonts.HEITI) + _size(12)),
    _pstyle("JxUnit", "jx 表注单位", "<w:keepNext/>" + _NO_GRID + '<w:spacing w:before="0" w:after="0" w:line="300" w:lineRule="exact"/>'
            '<w:ind w:firstLine="0"/><w:jc w:val="right"/>', _rfonts(fonts.BODY) + _size(TABLE_PT)),
    _pstyle("JxNote", "jx 表下注", _NO_GRID + '<w:spacing w:before="60" w:after="60" w:line="360" w:lineRule="exact"/>'
            '<w:ind w:firstLine="0"/><w:jc w:val="both"/>', _rfonts(fonts.BODY) + _size(12)),
    _pstyle("JxFormNote", "jx 表下签字", _NO_GRID + '<w:spacing w:before="60" w:after="0" w:line="280" w:lineRule="exact"/>'
            '<w:ind w:firstLine="0"/><w:jc w:val="left"/>', _rfonts(fonts.BODY) + _size(TABLE_SMALL_PT)),
    _pstyle("JxTable", "jx 表格", _NO_GRID + '<w:spacing w:before="0" w:after="0" w:line="260" w:lineRule="atLeast"/>'
            '<w:ind w:firstLine="0"/>', _rfonts(fonts.BODY) + _size(TABLE_PT)),
    _pstyle("JxTableHead", "jx 表头", _NO_GRID + '<w:spacing w:before="0" w:after="0" w:line="260" w:lineRule="atLeast"/>'
            '<w:ind w:firstLine="0"/>', _rfonts(fonts.HEITI) + _size(TABLE_PT)),
    _pstyle("JxTableS", "jx 表格小五", _NO_GRID + '<w:spacing w:before="0" w:after="0" w:line="200" w:lineRule="exact"/>'
            '<w:ind w:firstLine="0"/>', _rfonts(fonts.BODY) + _size(TABLE_SMALL_PT)),
    _pstyle("JxTableHeadS", "jx 表头小五", _NO_GRID + '<w:spacing w:before="0" w:after="0" w:line="200" w:lineRule="exact"/>'
            '<w:ind w:firstLine="0"/>', _rfonts(fonts.HEITI) + _size(TABLE_SMALL_PT)),
    _pstyle("JxSign", "jx 落款", _EXACT + '<w:ind w:firstLine="0" w:right="640"/><w:jc w:val="right"/>',
            _rfonts(fonts.BODY) + _size(BODY_PT)),
    _pstyle("JxFigure", "jx 图", _NO_GRID + '<w:spacing w:before="120" w:after="0"/><w:ind w:firstLine="0"/><w:jc w:val="center"/>',
            _rfonts(fonts.BODY) + _size(TABLE_PT)),
    (f'<w:style {NSDECL} w:type="table" w:customStyle="1" w:styleId="JxTableGrid"><w:name w:val="jx 表格网格"/>'
     '<w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders></w:tblPr></w:style>'),
]


def new_document():
    """A fresh document on the frame (page, styles, footers), which is built once per process."""
    return Document(io.BytesIO(_frame()))


@functools.cache
def _frame() -> bytes:
    doc = Document()
    _trim(doc)
    _defaults(doc)
    styles = doc.styles.element
    for xml in STYLES:
        styles.append(parse_xml(xml))
    _section(doc)
    _page_numbers(doc)
    _core(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _trim(doc) -> None:
    """Drop what python-docx's template carries and no jixiao document uses: ~160 style definitions
    (350 kB; Word still offers its built-in styles through latentStyles) and the Word 2010 copy
    stylesWithEffects.xml. Parsing, serialising and compressing them was a third of a .docx render."""
    styles = doc.styles.element
    for s in styles.findall(qn("w:style")):
        if s.get(qn("w:default")) != "1":  # keep Normal, DefaultParagraphFont, TableNormal, NoList
            styles.remove(s)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)


def _defaults(doc) -> None:
    styles = doc.styles.element
    rpr = styles.find(".//{*}docDefaults/{*}rPrDefault/{*}rPr")
    for child in list(rpr):
        if child.tag.endswith("}rFonts") or child.tag.endswith("}sz") or child.tag.endswith("}szCs") \
                or child.tag.endswith("}lang"):
            rpr.remove(child)
    rpr.insert(0, parse_xml(f"<w:rPr {NSDECL}>{_rfonts(fonts.BODY)}{_size(BODY_PT)}"
                            '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>')[0])
    for el in parse_xml(f"<w:rPr {NSDECL}>{_size(BODY_PT)}<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr>"):
        rpr.append(el)
    normal = doc.styles["Normal"].element
    nrpr = normal.find("{*}rPr")
    if nrpr is not None:
        normal.remove(nrpr)
    normal.append(parse_xml(f"<w:rPr {NSDECL}>{_rfonts(fonts.BODY)}{_size(BODY_PT)}</w:rPr>"))


def _section(doc) -> None:
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin = Mm(37), Mm(35)
    s.left_margin, s.right_margin = Mm(28), Mm(26)
    # The page number's 一字线 sit 7 mm below the type area (GB/T 9704 7.5): a 14 pt line ending 23 mm
    # above the page's edge. (At 25 mm it reached into the type area and LibreOffice gave the body 21 lines.)
    s.header_distance, s.footer_distance = Mm(15), Mm(23)
    sect = s._sectPr
    for grid in sect.findall("{*}docGrid"):
        sect.remove(grid)
    sect.append(parse_xml(f'<w:docGrid {NSDECL} w:type="linesAndChars" w:linePitch="{LINE_PITCH}" w:charSpace="{CHAR_SPACE}"/>'))


def _page_number_paragraph(align: str) -> str:
    indent = 'w:right="280"' if align == "right" else 'w:left="280"'
    rpr = f"<w:rPr>{_rfonts(fonts.SONGTI, fonts.SONGTI)}{_size(PAGE_NO_PT)}</w:rPr>"
    return (f'<w:p {NSDECL}><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="280" '
            f'w:lineRule="exact"/><w:ind {indent} w:firstLine="0"/><w:jc w:val="{align}"/>'
            f'</w:pPr><w:r>{rpr}<w:t xml:space="preserve">— </w:t></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r><w:r>{rpr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r><w:r>{rpr}<w:t>1</w:t></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r><w:r>{rpr}<w:t xml:space="preserve"> —</w:t></w:r></w:p>')


def _page_numbers(doc) -> None:
    """Odd pages right, even pages left, one character in from the edge (GB/T 9704 7.5); none on the
    cover (the first page has a footer of its own, empty)."""
    doc.settings.odd_and_even_pages_header_footer = True
    s = doc.sections[0]
    s.different_first_page_header_footer = True
    first = s.first_page_footer
    first.is_linked_to_previous = False
    el = first._element
    for p in list(el):
        el.remove(p)
    # an empty line as tall as a page number's: LibreOffice sizes every page's footer by the tallest
    el.append(parse_xml(f'<w:p {NSDECL}><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" '
                        f'w:line="280" w:lineRule="exact"/></w:pPr></w:p>'))
    for footer, align in ((s.footer, "right"), (s.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        el = footer._element
        for p in list(el):
            el.remove(p)
        el.append(parse_xml(_page_number_paragraph(align)))


def _core(doc) -> None:
    cp = doc.core_properties
    cp.author = "jixiao"
    cp.comments = "由 jixiao 生成：表中数字均由计算引擎得出"


# --- the frame as bytes, for writing a document whose body is XML text ----------------------

BODY_MARK = "jixiao-body"
DOCUMENT_PART = "word/document.xml"


def _mark_body(doc) -> None:
    """Empty the body but for its section properties and put the mark where the content goes."""
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    body.insert(0, etree.Comment(BODY_MARK))


def _split_document(element) -> tuple[bytes, bytes]:
    """The document part of a marked document split at the mark: (everything up to and including the
    <w:body> start tag, the section properties and the closing tags). The body start tag declares every
    prefix of docx_xml.NSDECL that the root does not, so any fragment docx_xml writes is valid between."""
    head, tail = serialize_part_xml(element).split(f"<!--{BODY_MARK}-->".encode())
    declared = element.nsmap
    missing = []
    for prefix, uri in re.findall(r'xmlns:(\w+)="([^"]+)"', NSDECL):
        if prefix not in declared:
            missing.append(f'xmlns:{prefix}="{uri}"')
        elif declared[prefix] != uri:
            raise ValueError(f"the frame binds {prefix}: to {declared[prefix]}, docx_xml to {uri}")
    start = b"<w:body>"
    if not head.endswith(start):
        raise ValueError("the document's body start tag is not <w:body>")
    if missing:
        head = head[: -len(start)] + f"<w:body {' '.join(missing)}>".encode()
    return head, tail


@functools.cache
def frame_document() -> tuple[bytes, bytes]:
    """word/document.xml of the frame, split where the body's content goes (see _split_document)."""
    doc = new_document()
    _mark_body(doc)
    return _split_document(doc.element)


class _SplicedDocumentPart(DocumentPart):
    """The main document part of a document whose body content is held as XML text: saved as the
    part's tree with the text put in place of the mark, instead of parsed into the tree and
    serialised again."""

    body_xml = b""

    @property
    def blob(self) -> bytes:
        head, tail = _split_document(self._element)
        return b"".join((head, self.body_xml, tail))


def splice_body(doc, body: bytes) -> None:
    """Make `doc` (a document on the frame, with pictures or other parts added) save with `body` as
    its body content. Its body in the tree holds only the section properties from now on."""
    if type(doc.part) is not DocumentPart:
        raise TypeError(f"not a plain document part: {type(doc.part)}")
    _mark_body(doc)
    doc.part.__class__ = _SplicedDocumentPart
    doc.part.body_xml = body


@functools.cache
def frame_zip() -> bytes:
    """The frame package without word/document.xml: a document is this zip with its document part
    appended (zipfile's append mode keeps the existing entries as they are compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_frame())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != DOCUMENT_PART:
                dst.writestr(info, src.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_frame_package(path, body: bytes) -> None:
    """Write a .docx of the frame whose body content is `body` (UTF-8 XML of paragraphs and tables)."""
    head, tail = frame_document()
    buf = io.BytesIO(frame_zip())
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(DOCUMENT_PART, b"".join((head, body, tail)))
    with open(path, "wb") as f:
        f.write(buf.getbuffer())
