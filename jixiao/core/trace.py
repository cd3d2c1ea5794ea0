"""A computed value with its explanation: formula, inputs, the profile entry used,
and — where a document stated the same quantity — the stated value beside it.

Every figure says which of three kinds it is (DESIGN §4), and so who has the last word:

- computed — arithmetic (sums, balances, 增减, rates, 执行率): the engine's value is the value;
- ruled — a score by a rule of the profile verified against its source: the rule's value;
- judged — a score that needs the evaluator's judgement (qualitative tiers; rules not verified or
  needing evidence): the unit's stated value stands, and the engine's `value` is its reading,
  offered as 参考 together with the range the rule allows (`allowed`).

`standing` is the figure that counts (in totals, in what is rendered); `value` is always the
engine's own reading, which the audit compares with the stated one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from .model import Source
from .numbers import agrees, fmt_value, tally, unit_places


class Kind(StrEnum):
    COMPUTED = "computed"
    RULED = "ruled"
    JUDGED = "judged"


class Method(StrEnum):
    """How the engine arrived at `value`."""

    RECOMPUTED = "recomputed"  # from the inputs, by the formula or rule
    AS_STATED = "as_stated"  # nothing to recompute from: the stated figure is taken as it is
    NOT_APPLICABLE = "not_applicable"  # the item is not scored (不适用)
    INPUT_MISSING = "input_missing"  # an input is missing: no value


KIND_LABELS = {Kind.COMPUTED: "计算", Kind.RULED: "按规则", Kind.JUDGED: "评价人判定"}


@dataclass(slots=True)
class Computed:
    key: str  # stable path: projects[0].execution.score
    label: str  # Chinese label a reviewer reads
    value: Decimal | None
    unit: str  # ratio | 分 | 万元 | 人 | ""
    formula: str  # in words: 全年执行数 ÷ 全年预算数
    inputs: dict[str, object] = field(default_factory=dict)  # name → Decimal (or text)
    rule: str = ""  # the profile rule it follows, as a reviewer names it (Profile.ref)
    stated: Decimal | None = None
    stated_src: Source | None = None
    note: str = ""  # why a value could not be computed, or a caveat
    parts: int = 0  # rounded parts summed (tolerance for stated comparison)
    text: str = ""  # non-numeric results (a grade)
    stated_text: str = ""
    kind: Kind = Kind.COMPUTED
    method: Method = Method.RECOMPUTED
    allowed: tuple[Decimal, Decimal] | None = None  # judged: the range the rule allows
    path: str = ""  # canonical path of the stated field this figure is compared with (what an editor links to)

    def __post_init__(self) -> None:
        if self.method is Method.RECOMPUTED and self.value is None and not self.text:
            self.method = Method.INPUT_MISSING

    @property
    def judged(self) -> bool:
        return self.kind is Kind.JUDGED

    @property
    def standing(self) -> Decimal | None:
        """The figure that counts: the unit's for a judged one, the engine's otherwise."""
        return self.stated if self.kind is Kind.JUDGED else self.value


    @property
    def has_stated(self) -> bool:
        return self.stated is not None or bool(self.stated_text)

    @property
    def agrees(self) -> bool | None:
        """None when there is nothing to compare."""
        if self.text or self.stated_text:
            if not self.stated_text or not self.text:
                return None
            self._tally()
            return self.stated_text.strip() == self.text.strip()
        if self.stated is None or self.value is None:
            return None
        self._tally()
        return agrees(self.stated, self.value, self.parts, places=unit_places(self.unit))

    def _tally(self) -> None:
        """One relation evaluated, for the audit's coverage; a figure taken as stated is none."""
        if self.method is not Method.AS_STATED:
            tally(id(self), self.stated_src)

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
            "kind": str(self.kind),
            "method": str(self.method),
            "allowed": None if self.allowed is None else [str(self.allowed[0]), str(self.allowed[1])],
            "standing": None if self.standing is None else str(self.standing),
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
