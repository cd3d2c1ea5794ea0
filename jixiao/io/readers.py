"""Pick a reader by file type. Every reader returns a Package or raises a ValueError
with a message fit for the user."""

from __future__ import annotations

from pathlib import Path

from ..core.model import Package
from .canonical import PackageError, read_package

READERS = {}  # suffix → callable(path) -> Package; text/docx/xlsx readers register here


def read_any(path: str | Path) -> Package:
    p = Path(path)
    if not p.exists():
        raise PackageError(str(path), ["文件不存在"])
    if p.is_dir():
        raise PackageError(str(path), ["这是一个目录，不是文件"])
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        return read_package(p)
    reader = READERS.get(suffix)
    if reader is None:
        known = ", ".join(sorted({".yaml", ".yml", ".json", *READERS}))
        raise PackageError(str(path), [f"不支持的文件类型 {suffix or '（无扩展名）'}（支持：{known}）"])
    return reader(p)
