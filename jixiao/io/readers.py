"""Pick a reader by file type. Every reader returns a Package or raises a ValueError
with a message fit for the user."""

from __future__ import annotations

import importlib
from pathlib import Path

from ..core.model import Package
from .canonical import PackageError, read_package

# suffix → "module:function"; each function takes a path and returns a Package.
READERS = {
    ".txt": "jixiao.io.textdump:read_textdump",
    ".docx": "jixiao.io.docx_reader:read_docx",
    ".xlsx": "jixiao.io.sheet_reader:read_xlsx_any",  # our workbook by its cell map, any other by labels
    ".pdf": "jixiao.io.pdf_reader:read_pdf",
    ".html": "jixiao.io.html_reader:read_html",
    ".htm": "jixiao.io.html_reader:read_html",
    # Old and Kingsoft office formats, through LibreOffice.
    ".doc": "jixiao.io.convert:read_converted",
    ".wps": "jixiao.io.convert:read_converted",
    ".xls": "jixiao.io.convert:read_converted",
    ".et": "jixiao.io.convert:read_converted",
}


def read_any(path: str | Path) -> Package:
    p = Path(path)
    if not p.exists():
        raise PackageError(str(path), ["文件不存在"])
    if p.is_dir():
        raise PackageError(str(path), ["这是一个目录，不是文件"])
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        return read_package(p)
    target = READERS.get(suffix)
    if target is None:
        known = ", ".join(sorted({".yaml", ".yml", ".json", *READERS}))
        raise PackageError(str(path), [f"不支持的文件类型 {suffix or '（无扩展名）'}（支持：{known}）"])
    module_name, func = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise PackageError(str(path), [f"尚不支持读取 {suffix} 文件"]) from None
    return getattr(module, func)(p)
