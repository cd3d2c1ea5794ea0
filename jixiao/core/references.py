"""Figure references ({{支出合计}}) left in a package's text.

The web editor lets a preparer cite a figure in prose by its name between double braces and
replaces every reference it knows by the figure's value before a version is saved, exported or
rendered. A reference still in a package therefore names no figure (the project was renamed or
deleted, or the braces were typed by hand): the audit reports it, and the writers print a visible
Chinese marker in its place, never the raw braces, so the gap shows on the proof the unit's
accountant reads and cannot pass unnoticed as a sentence with a number missing.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"\{\{\s*([^{}]{0,80}?)\s*\}\}")


def marker(name: str) -> str:
    """What the documents print where an unknown reference stood."""
    return f"【未知的引用：{name or '（空）'}】"


def mark(text: str) -> str:
    """`text` with every reference replaced by its marker (the text itself when it has none)."""
    if "{{" not in text:
        return text
    return TOKEN.sub(lambda m: marker(m.group(1)), text)


def names(text: str) -> list[str]:
    """The references in `text`, as written between the braces."""
    if not text or "{{" not in text:
        return []
    return [m.group(1) for m in TOKEN.finditer(text)]
