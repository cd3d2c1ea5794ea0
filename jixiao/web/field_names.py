"""How a page names a field of a package and shows a value of its change log.

A person reads the labels of the forms ('附件4 公务接待拨款 › 年度资金总额·全年执行数'), never the
canonical path behind them (`projects[0].funds[0].executed`), and a value as text, never a Python
repr of the dict or list it is stored as. A path the forms do not show (a table added whole, a
field of an older version) is named by the nearest form part that holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from jixiao.core.numbers import fmt_amount, fmt_score

SHORT = 60  # characters of a value shown before it is folded (the rest one click away)
_LAST_STEP = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


def field_name(path: str, labels: dict[str, str]) -> str:
    """The label of `path`; for a path without one, the form part that holds it."""
    if not path:
        return "整个数据包"
    if path in labels:
        return labels[path]
    inside = _title_of_part(path, labels)
    if inside:
        return inside
    parent = _LAST_STEP.sub("", path)
    while parent and parent != path:
        if parent in labels:
            return f"{labels[parent]}（其中一项）"
        inside = _title_of_part(parent, labels)
        if inside:
            return f"{inside}（其中一项）"
        path, parent = parent, _LAST_STEP.sub("", parent)
    return "数据包中的一项"


def _title_of_part(path: str, labels: dict[str, str]) -> str:
    """'附件4 公务接待拨款（整张表）' when `path` holds labelled fields of one form, else ''."""
    titles = {label.split(" › ", 1)[0] for key, label in labels.items() if key.startswith((path + ".", path + "["))}
    if len(titles) == 1:
        return f"{titles.pop()}（整张表）" if "[" in path or "." in path else titles.pop()
    if titles:
        return "、".join(sorted(titles))
    return ""


def value_text(value) -> str:
    """A stored value as a person reads it: text as is, a row or table by its entries' text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        parts = [value_text(v) for v in value.values()]
        return "；".join(p for p in parts if p)
    if isinstance(value, list):
        if not value:
            return "（空）"
        if all(isinstance(v, (dict, list)) for v in value):
            return f"{len(value)}项：" + " / ".join(value_text(v) for v in value)
        return "、".join(value_text(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Shown:
    """A value folded for a table cell: `short` always shown, `full` behind a click when longer."""

    short: str
    full: str

    @property
    def folded(self) -> bool:
        return self.short != self.full


def shown(value, limit: int = SHORT) -> Shown:
    text = value_text(value)
    return Shown(text if len(text) <= limit else text[:limit] + "…", text)


def amount_text(value) -> str:
    """An amount in 万元 as the official form prints it ('1,550.78', '0.00'); text that is not a
    plain number is shown as entered."""
    text = str(value if value is not None else "").strip().replace(",", "")
    if not text:
        return ""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return str(value)
    return fmt_amount(amount) if amount.is_finite() else str(value)


def score_text(value) -> str:
    """Points as the official form prints them ('7.00', '7.50'); text that is not a plain number
    is shown as entered."""
    number = _plain_number(value)
    return fmt_score(number) if number is not None else str(value if value is not None else "")


def percent_text(value) -> str:
    """A rate as the official form prints it ('48.00%'), from an entry stored as '48%' or '48';
    text that is not a plain percent is shown as entered."""
    text = str(value if value is not None else "").strip()
    number = _plain_number(text[:-1] if text.endswith(("%", "％")) else text)
    return f"{fmt_score(number)}%" if number is not None else text


def printed_text(kind: str, value) -> str:
    """A stored entry of a field of `kind` as the form prints it (amounts, points, rates)."""
    return {"amount": amount_text, "score": score_text, "percent": percent_text}.get(kind, _as_entered)(value)


def _as_entered(value) -> str:
    return str(value if value is not None else "")


def _plain_number(value) -> Decimal | None:
    text = str(value if value is not None else "").strip().replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
