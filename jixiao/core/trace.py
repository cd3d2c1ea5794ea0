"""A computed value with its explanation: formula, inputs, the profile entry used,
and — where a document stated the same quantity — the stated value beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .model import Source
from .numbers import MONEY_UNITS, agrees, fmt_value


@dataclass(slots=True)
class Computed:
    key: str  # stable path: projects[0].execution.score
    label: str  # Chinese label a reviewer reads
    value: Decimal | None
    unit: str  # ratio | 分 | 万元 | 人 | ""
    formula: str  # in words: 全年执行数 ÷ 全年预算数
    inputs: dict[str, object] = field(default_factory=dict)  # name → Decimal (or text)
    rule: str = ""  # profile entry: "xiangxi-2022 › execution_score"
    stated: Decimal | None = None
    stated_src: Source | None = None
    note: str = ""  # why a value could not be computed, or a caveat
    parts: int = 0  # rounded parts summed (tolerance for stated comparison)
    text: str = ""  # non-numeric results (a grade)
    stated_text: str = ""

    @property
    def has_stated(self) -> bool:
        return self.stated is not None or bool(self.stated_text)

    @property
    def agrees(self) -> bool | None:
        """None when there is nothing to compare."""
        if self.text or self.stated_text:
            if not self.stated_text or not self.text:
                return None
            return self.stated_text.strip() == self.text.strip()
        if self.stated is None or self.value is None:
            return None
        places = 2 if self.unit == "分" or self.unit in MONEY_UNITS else None
        return agrees(self.stated, self.value, self.parts, places=places)

    def shown(self) -> str:
        return self.text if self.text else fmt_value(self.value, self.unit)

    def shown_stated(self) -> str:
        if self.stated_text:
            return self.stated_text
        return fmt_value(self.stated, self.unit) if self.stated is not None else ""

    def explain(self) -> str:
        """'32.20% = 全年执行数 ÷ 全年预算数 = 1,066.75 ÷ 3,312.53'."""
        args = ", ".join(f"{k}={_show(v)}" for k, v in self.inputs.items())
        return f"{self.shown()} = {self.formula}" + (f"（{args}）" if args else "")

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "value": None if self.value is None else str(self.value),
            "display": self.shown(),
            "unit": self.unit,
            "formula": self.formula,
            "inputs": {k: _show(v) for k, v in self.inputs.items()},
            "rule": self.rule,
            "stated": (self.stated_text or (None if self.stated is None else str(self.stated))),
            "stated_display": self.shown_stated() or None,
            "agrees": self.agrees,
            "note": self.note,
            "source": self.stated_src.describe() if self.stated_src else None,
        }


def _show(v: object) -> str:
    if v is None:
        return "空"
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)
