"""Refuse what cannot be a package before a reader spends memory on it.

One home for the input limits every reader applies: file size by type, and for
the zip-based formats (.docx, .xlsx) an empty or non-zip file, a damaged
archive, or one that inflates far beyond a real document (a zip bomb); and an
XML bomb in any XML part: a document type definition or entity declaration
(entity expansion, "billion laughs", external entities — no Office file has
one), elements nested deeper than any real document, or an XML part larger
than any real one. The XML parts are scanned with expat as a stream, before a
reader builds a tree of them. Each refusal is a PackageError with a Chinese
message.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.parsers import expat

from .canonical import PackageError

MB = 1024 * 1024
# A real package: a text dump or YAML of a few hundred KB, a .docx of a few MB with pictures.
MAX_BYTES = {".txt": 20 * MB, ".yaml": 20 * MB, ".yml": 20 * MB, ".json": 20 * MB, ".docx": 50 * MB, ".xlsx": 20 * MB,
             # Published reports: a PDF with its pictures, a saved web page, old binary Office files.
             ".pdf": 50 * MB, ".html": 20 * MB, ".htm": 20 * MB, ".doc": 50 * MB, ".wps": 50 * MB,
             ".xls": 20 * MB, ".et": 20 * MB}
MAX_PDF_PAGES = 300  # a self-evaluation package with all its forms runs to 40–80 pages
MAX_UNZIPPED = 200 * MB  # all members of an Office file together, inflated
MAX_RATIO = 100  # inflated ÷ compressed for a member over 1 MB; XML of real documents stays far below
MAX_MEMBERS = 10_000
MAX_XML_PART = 64 * MB  # one inflated XML part; a large real document.xml is a few MB
MAX_XML_DEPTH = 128  # element nesting; real OOXML stays under 40 (a table in a table adds four levels)
XML_PARTS = (".xml", ".rels", ".vml")
KIND = {".docx": "Word 文档（.docx）", ".xlsx": "Excel 工作簿（.xlsx）"}
OLD_FORMAT = {".docx": "旧版 .doc 请先另存为 .docx", ".xlsx": "旧版 .xls 请先另存为 .xlsx"}


def check_size(p: Path) -> int:
    """The file's size, or a PackageError when it is missing or over the limit for its type."""
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise PackageError(str(p), [f"无法打开文件：{exc.strerror}"]) from None
    limit = MAX_BYTES.get(p.suffix.lower())
    if limit is not None and size > limit:
        raise PackageError(str(p), [f"文件过大（{size / MB:.1f} MB），此类文件不应超过 {limit // MB} MB"])
    return size


def check_zip(p: Path, required: tuple[str, ...] = ()) -> list[zipfile.ZipInfo]:
    """Members of an Office file after the size, format, zip-bomb and XML-bomb checks; `required`
    members must exist."""
    if check_size(p) == 0:
        raise PackageError(str(p), [f"文件为空，不是有效的{KIND.get(p.suffix.lower(), 'Office 文件')}"])
    return _check_archive(p, str(p), p.suffix.lower(), required)


def check_zip_bytes(data: bytes, name: str, required: tuple[str, ...] = ()) -> list[zipfile.ZipInfo]:
    """The same checks for an Office file held in memory (an upload read by the web directly)."""
    suffix = Path(name).suffix.lower()
    limit = MAX_BYTES.get(suffix)
    if limit is not None and len(data) > limit:
        raise PackageError(name, [f"文件过大（{len(data) / MB:.1f} MB），此类文件不应超过 {limit // MB} MB"])
    if not data:
        raise PackageError(name, [f"文件为空，不是有效的{KIND.get(suffix, 'Office 文件')}"])
    return _check_archive(io.BytesIO(data), name, suffix, required)


def _check_archive(src, where: str, suffix: str, required: tuple[str, ...]) -> list[zipfile.ZipInfo]:
    kind = KIND.get(suffix, "Office 文件")
    if not zipfile.is_zipfile(src):
        hint = OLD_FORMAT.get(suffix, "")
        raise PackageError(where, [f"不是有效的{kind}：文件不是 ZIP 格式，可能已损坏或是其他格式改了扩展名" + (f"（{hint}）" if hint else "")])
    try:
        with zipfile.ZipFile(src) as zf:
            members = zf.infolist()
            _check_members(members, where, kind)
            names = {m.filename for m in members}
            missing = [r for r in required if r not in names]
            if missing:
                raise PackageError(where, [f"压缩包中没有 {missing[0]}，不是{kind}"])
            check_xml_parts(zf, where, kind)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise PackageError(where, [f"压缩包已损坏，无法读取：{exc}"]) from None
    return members


def _check_members(members: list[zipfile.ZipInfo], where: str, kind: str) -> None:
    if len(members) > MAX_MEMBERS:
        raise PackageError(where, [f"压缩包内文件过多（{len(members)} 个），不像是正常的{kind}"])
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED:
        raise PackageError(where, [f"解压后过大（{total // MB} MB，上限 {MAX_UNZIPPED // MB} MB），疑似压缩炸弹，已拒绝"])
    for m in members:
        if m.file_size > MB and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise PackageError(where, [f"压缩包内 {m.filename} 压缩比异常（{m.file_size // max(m.compress_size, 1)}:1），疑似压缩炸弹，已拒绝"])


class _Bomb(Exception):
    pass


def check_xml_parts(zf: zipfile.ZipFile, where: str, kind: str = "Office 文件") -> None:
    """Scan every XML part as a stream (expat, nothing built): refuse a DTD or entity declaration,
    nesting deeper than MAX_XML_DEPTH and a part larger than MAX_XML_PART."""
    for m in zf.infolist():
        if m.is_dir() or not m.filename.lower().endswith(XML_PARTS):
            continue
        if m.file_size > MAX_XML_PART:
            raise PackageError(where, [f"{kind}中的 {m.filename} 解压后有 {m.file_size // MB} MB，超过 XML 部件的上限 "
                                       f"{MAX_XML_PART // MB} MB，不像是正常的文件，已拒绝"])
        try:
            _scan(zf, m)
        except _Bomb as exc:
            raise PackageError(where, [f"{kind}中的 {m.filename} {exc}，疑似 XML 炸弹，已拒绝。请用 Office 或 WPS 重新保存后再上传"]) from None


def _scan(zf: zipfile.ZipFile, m: zipfile.ZipInfo) -> None:
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0

    def start(name, attrs):
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise _Bomb(f"的元素嵌套超过 {MAX_XML_DEPTH} 层")

    def end(name):
        nonlocal depth
        depth -= 1

    def doctype(*args):
        raise _Bomb("含有文档类型定义（DTD）：正常的 Office 文件没有")

    def entity(*args):
        raise _Bomb("含有实体声明（ENTITY，可用于实体扩展攻击）")

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler, parser.EntityDeclHandler = doctype, entity
    parser.ExternalEntityRefHandler = lambda *args: entity()
    try:
        with zf.open(m) as f:
            while chunk := f.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError:
        return  # not well-formed: the reader says so in its own words; nothing was expanded
