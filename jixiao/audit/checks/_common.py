"""Shared helpers of the numeric check families (arithmetic.py, scores.py).

They turn an engine `Computed` or a recomputed figure into a `Finding`: location,
stated and expected values formatted for display, and the arithmetic written out
("363.48 + 416.40 = 779.88 ≠ 805.66").
"""

from __future__ import annotations

import re
from decimal import Decimal

from ...core.model import Source
from ...core.numbers import MONEY_UNITS, fmt_amount, fmt_percent, fmt_score, fmt_value, normalize
from ...core.profiles import Profile
from ...core.trace import Computed
from ..findings import Finding

FORM_COVER = "自评报告"
FORM_NARRATIVE = "绩效评价报告"
FORM_BASIC_DATA = "附件2"
SECTION_FRAMEWORK = "七、综合评价情况及评价结论"

# The self-evaluation forms by table kind: (attachment, form title).
TABLE_FORMS = {
    "overall": ("附件3", "部门整体支出绩效自评表"),
    "project": ("附件4", "项目支出绩效自评表"),
    "gov_fund": ("附件5", "政府性基金预算支出绩效自评表"),
    "state_capital": ("附件6", "国有资本经营预算支出绩效自评表"),
    "social_insurance": ("附件7", "社会保险基金预算支出绩效自评表"),
}


# --- values ------------------------------------------------------------------------------


def show(value: Decimal | None, unit: str) -> str:
    """A figure for display: 万元 with two decimals and thousands separators, rates as percent."""
    if value is None:
        return "空"
    if unit in MONEY_UNITS:
        return fmt_amount(value)
    if unit == "分":
        return fmt_score(value)
    if unit in ("ratio", "%"):
        return fmt_percent(value)
    return fmt_value(value, unit)


def term(value: Decimal | None, unit: str) -> str:
    """A term inside a written-out sum: negatives in brackets, empty cells as 0."""
    text = show(value if value is not None else Decimal(0), unit)
    return f"({text})" if value is not None and value < 0 else text


def written_sum(values: list[Decimal | None], unit: str) -> str:
    """'363.48 + 416.40'; empty cells are left out (they count as 0)."""
    shown = [term(v, unit) for v in values if v is not None]
    return " + ".join(shown) if shown else "0"


def mismatch(lhs: str, computed: Decimal | None, stated: Decimal | None, unit: str) -> str:
    """'a + b = 779.88 ≠ 805.66'."""
    return f"{lhs} = {show(computed, unit)} ≠ {show(stated, unit)}"




def decimals_printed(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# --- locations ------------------------------------------------------------------------------


def location(computed: Computed | None, form: str, table: str = "", row: str = "", column: str = "") -> Source:
    """Where the stated figure is: form, table, row and column as a reviewer names them (the same
    whichever reader filled the package), with the line and printed text from the reader's Source
    for the stated cell where it has one; the reader's names fill only what we do not know."""
    loc = place(computed.stated_src if computed is not None else None, form, table, row, column)
    if computed is not None and computed.path:
        loc.path = computed.path  # `place` made a new Source: setting it changes no one else's
    return loc


def place(src: Source | None, form: str, table: str = "", row: str = "", column: str = "") -> Source:
    """`location` for a Source read from the model directly (a new Source: the model's is not changed)."""
    if src is None:
        return Source(form=form, table=table, row=row, column=column)
    # The constructor, not dataclasses.replace: the audit builds hundreds of these per document.
    return Source(form=form or src.form, table=table or src.table, row=row or src.row,
                  column=column or src.column, line=src.line, text=src.text, path=src.path)


def evidence(src: Source | None) -> str:
    return src.text.strip() if src is not None and src.text else ""


def table_where(kind: str, name: str) -> str:
    """'附件4“公务接待拨款”项目支出绩效自评表' / '附件3 部门整体支出绩效自评表', for messages."""
    attachment, title = TABLE_FORMS.get(kind, (kind, kind))
    return f"{attachment}“{name}”{title}" if name else f"{attachment} {title}"


def table_form(kind: str, name: str) -> tuple[str, str]:
    """('附件4·公务接待拨款', '项目支出绩效自评表') for a self-evaluation table."""
    attachment, title = TABLE_FORMS.get(kind, (kind, kind))
    return (f"{attachment}·{name}" if name else attachment), title


# --- severity --------------------------------------------------------------------------------


def verified(prof: Profile, name: str) -> bool:
    return prof.verified(name)


def by_profile(prof: Profile, name: str) -> str:
    """Severity of a disagreement that rests on a profile rule: error only when it is verified."""
    return "error" if verified(prof, name) else "warning"


def profile_note(prof: Profile, name: str) -> str:
    """'（依据评分方案“<title>·部门整体支出绩效评价指标体系”，该规则未核实）' for a message; the
    rule's source and clause are in its trace."""
    if name not in prof.parameters:
        return ""
    return f"（依据评分方案“{prof.label(name)}”{'' if verified(prof, name) else '，该规则未核实'}）"


def quoted(name: str) -> str:
    """'“名称”', without doubling the quotes of a name that carries its own (“三公经费”变动率)."""
    return name if "“" in name else f"“{name}”"


# --- findings -------------------------------------------------------------------------------


def finding(rule: str, severity: str, message: str, loc: Source, stated: str = "", expected: str = "",
            formula: str = "") -> Finding:
    return Finding(rule=rule, severity=severity, message=message, location=loc, stated=stated,
                   expected=expected, formula=formula, evidence=evidence(loc))


# --- formulas written out -------------------------------------------------------------------

_QUOTES = re.compile(r"[“”\"'‘’]")
_ORIGIN = re.compile(r"（[^（）]*）$")
_OPERATORS = str.maketrans({"/": "÷", "*": "×", "-": "−", "－": "−", "（": "(", "）": ")"})


def plain_name(name: str) -> str:
    """'本年追加（收入情况表 本年拨款合计 − 年初预算数）' → '本年追加'; quotes dropped."""
    return _QUOTES.sub("", _ORIGIN.sub("", name)).strip()


def as_printed(value: Decimal) -> str:
    """A figure as a document would print it: 1,550.78, 9, −36.73."""
    text = f"{value:,f}"
    return f"({text})" if value < 0 else text


def written_formula(text: str, inputs: dict[str, object]) -> str:
    """A formula with its terms replaced by their figures: '(13.72 − 50.45) ÷ 50.45'.

    Falls back to the formula followed by its inputs when a term has no figure.
    """
    values = {plain_name(k): v for k, v in inputs.items() if isinstance(v, Decimal)}
    expr = _QUOTES.sub("", normalize(text))
    segments = [s for s in expr.split("=") if any(n in s for n in values)]
    expr = segments[-1] if segments else expr
    expr = re.sub(r"[×*]\s*100\s*%", "", expr).strip()
    for name in sorted(values, key=len, reverse=True):
        expr = expr.replace(name, as_printed(values[name]))
    if re.search(r"[\u4e00-\u9fff]", expr):
        listed = "，".join(f"{n}={as_printed(v)}" for n, v in values.items())
        return f"{text}（{listed}）" if listed else text
    return re.sub(r"\s+", " ", expr.translate(_OPERATORS).replace("÷", " ÷ ").replace("×", " × ")
                  .replace("+", " + ").replace("−", " − ")).strip()


def has_reason(table) -> bool:
    """Does a self-evaluation table give a reason anywhere (偏差原因 of an indicator, or its 完成情况)?"""
    return any(i.reason.strip() for i in table.indicators) or "原因" in table.goal.actual
