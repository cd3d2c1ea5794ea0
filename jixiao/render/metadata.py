"""The content hash a document carries in its properties, so a downloaded file says which version it
was made from.

The .docx gets it in its core properties (主题 and 关键词); LibreOffice copies them into the PDF's
document information (/Subject, /Keywords) when it converts, so both files carry the same line,
readable in any viewer's document properties: "内容摘要（SM3）：<64 hex digits>". `jixiao verify`
reads it back (services.embedded_content_hash) to find the version and the file published from it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pypdfium2
from lxml import etree

LABEL = "内容摘要（SM3）："
CORE_PART = "docProps/core.xml"
_NS = {"cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
       "dc": "http://purl.org/dc/elements/1.1/"}
CORE_LIMIT = 1 << 20  # bytes: the properties part of a document this system writes is under 2 KB
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_STAMP = re.compile(re.escape(LABEL) + r"\s*([0-9a-fA-F]{64})")


class MetadataError(ValueError):
    """The file cannot be read as a PDF or .docx; the message is for the user."""


def stamp_line(content_hash: str) -> str:
    return f"{LABEL}{content_hash.lower()}"


def _stamped_core(xml: bytes, content_hash: str) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    line = stamp_line(content_hash)
    for prefix, name in (("dc", "subject"), ("cp", "keywords")):
        el = root.find(f"{prefix}:{name}", _NS)
        if el is None:
            el = etree.SubElement(root, f"{{{_NS[prefix]}}}{name}")
        el.text = line
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def stamp_docx(path: Path, content_hash: str) -> Path:
    """Write `content_hash` into the .docx's core properties (the file is rewritten in place)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".stamp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == CORE_PART:
                data = _stamped_core(data, content_hash)
            zout.writestr(item, data)
    tmp.replace(path)
    return path


def _find(texts) -> str | None:
    for text in texts:
        m = _STAMP.search(text or "")
        if m:
            return m.group(1).lower()
    return None


def content_hash_of(data: bytes) -> str | None:
    """The content hash a PDF or .docx (as bytes) carries, or None when it carries none.
    Raises MetadataError when the bytes are neither."""
    if data[:5] == b"%PDF-":
        try:
            doc = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError:
            raise MetadataError("不是可读的 PDF 文件（文件不完整或已损坏）") from None
        try:
            meta = doc.get_metadata_dict(skip_empty=True)
        finally:
            doc.close()
        return _find([meta.get("Subject"), meta.get("Keywords")])
    if data[:2] == b"PK":
        return _docx_hash(data)
    raise MetadataError("不是 PDF 或 Word（.docx）文件")


def _docx_hash(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if CORE_PART not in z.namelist():
                return None
            if z.getinfo(CORE_PART).file_size > CORE_LIMIT:
                raise MetadataError("Word 文件的文档属性过大，不是本系统生成的文件")
            root = etree.fromstring(z.read(CORE_PART), _PARSER)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, OSError):
        raise MetadataError("不是可读的 Word（.docx）文件（文件不完整或已损坏）") from None
    return _find([el.text for el in root.iter()])
