"""Official font names and their stand-ins on this machine (fonts.yaml).

The .docx names the official 公文 fonts. For the PDF, a copy of the .docx is
rewritten with the substitutes from `fonts.yaml` (the first installed candidate
of each), so LibreOffice does not fall back on an arbitrary font.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

FONTS_FILE = Path(__file__).with_name("fonts.yaml")

TITLE = "方正小标宋简体"
BODY = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"


@dataclass(frozen=True)
class Substitute:
    family: str
    bold: bool = False


@functools.lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """Font families fontconfig knows; empty when fc-list is not there."""
    if shutil.which("fc-list") is None:
        return frozenset()
    try:
        out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    names = set()
    for line in out.splitlines():
        names.update(n.strip() for n in line.split(",") if n.strip())
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def substitution_table() -> dict[str, Substitute]:
    """Official name → the substitute to use on this machine."""
    doc = yaml.safe_load(FONTS_FILE.read_text(encoding="utf-8"))
    have = installed_families()
    fallback = doc.get("fallback", "Noto Serif CJK SC")
    table = {}
    for name, spec in doc["fonts"].items():
        pick = next((c for c in spec["candidates"] if c in have), None)
        if pick is None:
            pick = spec["candidates"][-1] if not have else fallback
        table[name] = Substitute(pick, bool(spec.get("bold", False)) and pick != spec["candidates"][0])
    return table
