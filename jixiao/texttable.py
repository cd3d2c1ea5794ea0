"""Plain-text tables for the terminal, aligned for CJK text (two columns per wide character)."""

from __future__ import annotations

import unicodedata


def width(s: str) -> int:
    """Terminal width: CJK and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def row(cells: list[str], widths: list[int]) -> str:
    """First and last cells left-aligned, the figures between them right-aligned."""
    out = []
    for i, (c, w) in enumerate(zip(cells, widths)):
        pad = " " * (w - width(c))
        out.append(c + pad if i in (0, len(cells) - 1) else pad + c)
    return "  ".join(out).rstrip()


def table(header: list[str], rows: list[list[str]], footer: list[str] | None = None) -> list[str]:
    every = [header, *rows, *([footer] if footer else [])]
    widths = [max(width(r[i]) for r in every) for i in range(len(header))]
    rule = "  ".join("─" * w for w in widths)
    lines = [rule, row(header, widths), rule, *(row(r, widths) for r in rows)]
    if footer:
        lines += [rule, row(footer, widths)]
    return lines
