"""The workbook's live formulas: each derived cell computes what the engine computes, from the
cells a preparer fills in, so that a figure changed in Excel or WPS moves every figure that
depends on it.

Also here: how a 年度指标值 / 实际完成值 such as "≥300批次" or "2022年12月31日前" becomes a cell
holding the number (or date) itself, shown with its words by a number format
(`"≥"0"批次"`), so that a score formula can compare it; workbook_layout.figure_text() turns the cell
back into the text on import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..core.model import Indicator
from ..core.trace import Computed, Kind, Method

# --- which cells are formulas -------------------------------------------------------------


def is_formula(c: Computed | None) -> bool:
    """A derived cell is a live formula when the engine's figure is computed or ruled and was
    recomputed from inputs; a judged figure (the unit's score) is an input cell."""
    return c is not None and c.kind is not Kind.JUDGED and c.method is Method.RECOMPUTED and c.value is not None


def allowed_range(c: Computed | None, weight: Decimal | None) -> tuple[Decimal, Decimal] | None:
    """The range a judged score may take: the rule's (a tier's), else 0 … 分值."""
    if c is not None and c.allowed is not None:
        return c.allowed
    if weight is not None:
        return Decimal(0), weight
    return None


# --- figures inside an indicator's text ----------------------------------------------------

_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?")
_DATE = re.compile(r"^(?P<pre>[^\d]*)(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?P<suf>[^\d]*)$")


@dataclass(frozen=True, slots=True)
class Figure:
    """A text with one figure in it: pre + number + suf, the number printed with `places` decimals,
    thousands separators if `comma`, as a percentage if `pct` (the cell then holds the ratio)."""

    pre: str
    value: Decimal  # the cell's value (a ratio for a percentage)
    suf: str
    places: int
    comma: bool
    pct: str  # "" or the percent sign as printed ("%" / "％")

    def spec(self) -> dict:
        return {"pre": self.pre, "suf": self.suf, "places": self.places, "comma": self.comma, "pct": self.pct}


@dataclass(frozen=True, slots=True)
class DateFigure:
    pre: str
    suf: str

    def spec(self) -> dict:
        return {"date": True, "pre": self.pre, "suf": self.suf}


def _literal(text: str) -> str:
    return f'"{text}"' if text else ""


def split_figure(raw: str) -> Figure | None:
    """'≥300批次' → Figure('≥', 300, '批次', 0, False, ''); None when the text holds no figure, more
    than one, a sign, or a character a number format cannot quote."""
    text = raw or ""
    if '"' in text or "\\" in text:
        return None
    found = list(_TOKEN.finditer(text))
    if len(found) != 1:
        return None
    m = found[0]
    token = m.group(0)
    pre, suf = text[: m.start()], text[m.end():]
    if pre.endswith(("-", "－", "−", ".")) or suf.startswith((".", ",")):
        return None
    places = len(token.split(".", 1)[1]) if "." in token else 0
    comma = "," in token
    if comma and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", token):
        return None
    value = Decimal(token.replace(",", ""))
    pct = ""
    if suf[:1] in ("%", "％"):
        pct, suf = suf[0], suf[1:]
        value = value.scaleb(-2)
    return Figure(pre, value, suf, places, comma, pct)


def figure_format(f: Figure) -> str:
    digits = ("#,##0" if f.comma else "0") + ("." + "0" * f.places if f.places else "")
    return f"{_literal(f.pre)}{digits}{'%' if f.pct else ''}{_literal(f.suf)}"


def split_date(raw: str) -> DateFigure | None:
    """'2022年12月31日前' → DateFigure('', '前'); None unless the text is one date written so."""
    m = _DATE.match(raw or "")
    if m is None or '"' in raw or m.group("m").startswith("0") or m.group("d").startswith("0"):
        return None
    return DateFigure(m.group("pre"), m.group("suf"))


def date_format(f: DateFigure) -> str:
    return f'{_literal(f.pre)}yyyy"年"m"月"d"日{f.suf}"'


# --- scores ---------------------------------------------------------------------------------


def _d(v: Decimal) -> str:
    """A Decimal as a formula literal."""
    return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")


def indicator_formula(ind: Indicator, target: str, actual: str, weight: str, applicable: str) -> str | None:
    """得分 of a quantitative or date indicator by rules.quantitative_score / rules.date_score, in
    Excel: met → 分值, else 实际值 ÷ 指标值 × 分值 (正向) or 指标值 ÷ 实际值 × 分值 (反向), within
    0 … 分值; "不适用" where the indicator is marked not applicable."""
    t = ind.target
    T, A, W = target, actual, weight
    if t.kind == "quantitative":
        c = t.comparator
        if c in (">=", ">", "="):
            met = f"{A}>{T}" if c == ">" else f"{A}>={T}"
            body = f"IF({met},{W},IF({T}<=0,0,MIN(MAX({A}/{T}*{W},0),{W})))"
        elif c in ("<=", "<"):
            met = f"{A}<{T}" if c == "<" else f"{A}<={T}"
            body = f"IF({met},{W},IF({A}<=0,{W},MIN(MAX({T}/{A}*{W},0),{W})))"
        else:
            return None
    elif t.kind == "date":
        c = t.comparator
        met = f"{A}<={T}" if c in ("<=", "") else f"{A}<{T}" if c == "<" else f"{A}>={T}"
        body = f"IF({met},{W},0)"
    else:
        return None
    return f'=IF({applicable}="否","不适用",IF(OR({A}="",{T}="",{W}=""),"",{body}))'


def execution_score_formula(method: dict, rate: str, weight: str) -> str:
    """预算执行率得分: min(执行率, 100%) × 分值, or the profile's bands (rules.banded)."""
    if method["method"] != "bands":
        return f'=IF({rate}="","",MIN(MAX({rate},0),1)*{weight})'
    return f'=IF({rate}="","",{bands_formula(method["bands"], rate, weight)})'


def bands_formula(bands: list[dict], value: str, weight: str) -> str:
    """rules.banded as nested IFs: the first band that matches gives its points (or share × 分值)."""
    out = "0"
    for band in reversed(bands):
        points = f"MIN({_d(band['points'])},{weight})" if "points" in band else f"{_d(band['share'])}*{weight}"
        if "equals" in band:
            cond = f"{value}={_d(band['equals'])}"
        else:
            parts = []
            if band.get("above") is not None:
                op = ">=" if band.get("above_inclusive") else ">"
                parts.append(f"{value}{op}{_d(band['above'])}")
            if band.get("upto") is not None:
                parts.append(f"{value}<={_d(band['upto'])}")
            cond = f"AND({','.join(parts)})" if len(parts) > 1 else (parts[0] if parts else "TRUE")
        out = f"IF({cond},{points},{out})"
    return out


def grade_formula(total: str, grades: list[dict]) -> str:
    """rules.grade: the first band (high to low) whose minimum the total reaches."""
    bands = sorted(grades, key=lambda g: g["min"], reverse=True)
    out = f'"{bands[-1]["name"]}"' if bands else '""'
    for g in reversed(bands[:-1]):
        out = f'IF({total}>={_d(g["min"])},"{g["name"]}",{out})'
    return out


def caps_formula(total: str, rate: str, caps: list[dict]) -> str:
    """rules.capped_total: the strictest cap whose 执行率 threshold the rate is below."""
    limit = "1E+307"
    for cap in sorted(caps, key=lambda c: c["below"], reverse=True):
        limit = f'IF(AND(ISNUMBER({rate}),{rate}<{_d(cap["below"])}),{_d(cap["max_total"])},{limit})'
    return f"MIN({total},{limit})"


# --- §七 framework ---------------------------------------------------------------------------

# The profile formulas (core.engine.FORMULA_INPUTS order) as Excel over their input cells.
def framework_rate_formula(formula: str, refs: list[str]) -> str | None:
    if formula == "sangong_change_rate":
        cur, prior = refs
        return f'=IF(N({prior})=0,"",({cur}-{prior})/{prior})'
    if formula == "budget_completion_rate":
        carry, initial, added, balance = refs
        avail = f"({carry}+{initial}+{added})"
        return f'=IF({avail}=0,"",({avail}-{balance})/{avail})'
    if len(refs) == 2:
        a, b = refs
        return f'=IF(N({b})=0,"",{a}/{b})'
    return None


def framework_points_formula(rule: dict, rate: str, weight: str) -> str | None:
    """The points of a §七 item by its verified rule shape (core.rules)."""
    shape = rule["shape"]
    W = weight
    if shape == "threshold_deduct":
        over = rule.get("over", True)
        excess = f"({rate}-{_d(rule['threshold'])})" if over else f"({_d(rule['threshold'])}-{rate})"
        body = f"IF({excess}<=0,{W},MAX(0,{W}-{excess}*100*{_d(rule['per_point'])}))"
    elif shape == "step_deduct":
        over = rule.get("over", False)
        gap = f"({rate}-{_d(rule['target'])})" if over else f"({_d(rule['target'])}-{rate})"
        # ROUND before INT: in binary floating point (1 − 0.95) ÷ 0.05 is 0.999…, one whole step in Decimal
        body = f"IF({gap}<=0,{W},MAX(0,{W}-INT(ROUND({gap}/{_d(rule['step'])},9))*{_d(rule['points'])}))"
    elif shape == "bands":
        body = bands_formula(rule["bands"], rate, W)
    elif shape == "proportional_capped":
        target = _d(rule["target"])
        body = f"IF({target}<=0,{W},MIN(MAX({rate}/{target}*{W},0),{W}))"
    else:
        return None
    return f'=IF({rate}="","",{body})'

