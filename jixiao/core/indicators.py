"""Reading an indicator's 年度指标值 and 实际完成值 into something the rules can score."""

from __future__ import annotations

import re

from .model import Actual, Target
from .numbers import find_numbers, normalize, parse_date, parse_number, units_compatible

_COMPARATOR_CHARS = re.compile(r"[≥≤><=≧≦＞＜＝]|不低于|不少于|不高于|不超过|大于|小于")
# Units that mark a figure as a date or time part rather than the quantity measured.
_CALENDAR_UNITS = {"年", "月", "日"}


class TargetError(ValueError):
    """A target that promises a figure (it has a comparator) but holds none we can read."""


def parse_target(raw: str, bare_comparator: str = ">=") -> Target:
    text = (raw or "").strip()
    if not text:
        return Target(raw=raw or "", kind="qualitative")
    when = parse_date(text)
    if when:
        return Target(raw=text, kind="date", comparator=when[1] or "<=", when=when[0])
    p = parse_number(text)
    if p.value is None:
        if _COMPARATOR_CHARS.search(text):
            raise TargetError(f"不是有效的指标值 {text!r}")
        return Target(raw=text, kind="qualitative")
    value = p.ratio if p.unit == "%" else p.value
    # Text around a lone figure is a label ("联络人次＞400人"); a long sentence with a
    # figure in passing and no comparator is qualitative.
    if not p.comparator and len(normalize(text)) > len(p.raw.strip()) + 12:
        return Target(raw=text, kind="qualitative")
    return Target(raw=text, kind="quantitative", comparator=p.comparator or bare_comparator,
                  value=value, unit=p.unit)


def parse_actual(raw: str, target: Target) -> Actual:
    text = (raw or "").strip()
    if not text:
        return Actual(raw=raw or "")
    if target.kind == "date":
        when = parse_date(text)
        return Actual(raw=text, when=when[0] if when else None, candidates=1 if when else 0)
    if target.kind != "quantitative":
        return Actual(raw=text)
    figures = [
        f for f in find_numbers(text)
        if f.unit not in _CALENDAR_UNITS or f.unit == target.unit
    ]
    if target.unit:
        figures = [f for f in figures if units_compatible(f.unit, target.unit) and (f.unit == "%") == (target.unit == "%")]
    if len(figures) != 1:
        return Actual(raw=text, candidates=len(figures))
    f = figures[0]
    value = f.ratio if f.unit == "%" else f.value
    return Actual(raw=text, value=value, unit=f.unit, candidates=1, approximate=f.approximate)
