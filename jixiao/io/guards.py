"""Refuse what cannot be a package before a reader spends memory on it.

One home for the input limits every reader applies: file size by type, and for
the zip-based formats (.docx, .xlsx) an empty or non-zip file, a damaged
archive, or one that inflates far beyond a real document (a zip bomb). Each
refusal is a PackageError with a Chinese message; nothing here opens the
content itself.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

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
    """Members of an Office file after the size, format and zip-bomb checks; `required` members must exist."""
    suffix = p.suffix.lower()
    kind = KIND.get(suffix, "Office 文件")
    if check_size(p) == 0:
        raise PackageError(str(p), [f"文件为空，不是有效的{kind}"])
    if not zipfile.is_zipfile(p):
        hint = OLD_FORMAT.get(suffix, "")
        raise PackageError(str(p), [f"不是有效的{kind}：文件不是 zip 格式，可能已损坏或是其他格式改了扩展名" + (f"（{hint}）" if hint else "")])
    try:
        with zipfile.ZipFile(p) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PackageError(str(p), [f"压缩包已损坏，无法读取：{exc}"]) from None
    if len(members) > MAX_MEMBERS:
        raise PackageError(str(p), [f"压缩包内文件过多（{len(members)} 个），不像是正常的{kind}"])
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED:
        raise PackageError(str(p), [f"解压后过大（{total // MB} MB，上限 {MAX_UNZIPPED // MB} MB），疑似压缩炸弹，已拒绝"])
    for m in members:
        if m.file_size > MB and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise PackageError(str(p), [f"压缩包内 {m.filename} 压缩比异常（{m.file_size // max(m.compress_size, 1)}:1），疑似压缩炸弹，已拒绝"])
    names = {m.filename for m in members}
    missing = [r for r in required if r not in names]
    if missing:
        raise PackageError(str(p), [f"压缩包中没有 {missing[0]}，不是{kind}"])
    return members
