"""The one home for numbers: Decimal construction, units, half-up display and
parsing of the noisy figures real documents print.

Everything numeric in jixiao goes through here, so that no float ever touches
money and every comparison of a stated figure with a computed one uses the
same notion of printed precision.
"""

from __future__ import annotations

import re
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .memo import text_cache

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

# Multipliers to 元 for the money units documents use.
MONEY_UNITS: dict[str, Decimal] = {
    "元": ONE,
    "千元": Decimal(1000),
    "万元": Decimal(10_000),
    "亿元": Decimal(100_000_000),
}
# Bare magnitude suffixes ("1.2亿", "3000万"): the number is money in 元 after scaling.
MAGNITUDES: dict[str, Decimal] = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}

COMPARATORS = (">=", "<=", ">", "<", "=")


class NumberError(ValueError):
    """A text that should hold a number does not."""


def D(value: object) -> Decimal:
    """Decimal from int, str or Decimal. Floats are refused: they have already lost digits."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"refusing to build a Decimal from {type(value).__name__} {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        parsed = parse_number(value)
        if parsed.value is None:
            raise NumberError(f"不是数字：{value!r}")
        return parsed.value
    raise TypeError(f"cannot build a Decimal from {type(value).__name__}")


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """四舍五入 to `places` decimals; used only at display or when a rule says so."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_amount(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{round_half_up(value, places):,.{places}f}"


def fmt_percent(ratio: Decimal | None, places: int = 2) -> str:
    """A ratio (0.322) shown as a percent (32.20%)."""
    if ratio is None:
        return "—"
    return f"{round_half_up(ratio * HUNDRED, places):.{places}f}%"


def fmt_score(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{round_half_up(value, places):.{places}f}"


def fmt_value(value: Decimal | None, unit: str) -> str:
    if unit in ("ratio", "%"):
        return fmt_percent(value)
    if unit in MONEY_UNITS or unit == "分":
        return fmt_amount(value) if unit != "分" else fmt_score(value)
    if value is None:
        return "—"
    text = format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return f"{text}{unit}"


# --- precision ------------------------------------------------------------------

def half_unit(stated: Decimal) -> Decimal:
    """Half a unit of the last digit printed: 32.2 → 0.05, 10.00 → 0.005, 3 → 0.5."""
    exponent = stated.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN / Infinity never reach here in practice
        return ZERO
    return Decimal(5).scaleb(exponent - 1)


def agrees(stated: Decimal, computed: Decimal, parts: int = 0, part_unit: Decimal | None = None,
           places: int | None = None) -> bool:
    """Does a stated figure agree with the recomputed one at the precision it was printed?

    A sum of `parts` rounded figures may drift by one unit of their last digit per
    part (`part_unit`, default 0.01); that drift is noise, not an error.

    `places` is the precision a kind of figure is carried at (2 for 万元 and 分):
    tables drop trailing zeros (282.3 for 282.30, 0 for 0.00), so a figure printed
    with fewer decimals is still compared at that precision, not more loosely.
    """
    tolerance = half_unit(stated)
    if places is not None:
        tolerance = min(tolerance, Decimal(5).scaleb(-places - 1))
    if parts:
        tolerance += (part_unit if part_unit is not None else Decimal("0.01")) * parts
    return abs(stated - computed) <= tolerance


def unit_places(unit: str) -> int | None:
    """The precision a kind of figure is carried at: 2 decimals for money and points, else as printed."""
    return 2 if unit == "分" or unit in MONEY_UNITS else None


# The comparisons made while a tally is open (`tallied`): the audit opens one around its checks to
# say how many relations of a document it actually evaluated. A comparison is keyed by the identity
# of what it compared, so that a relation several checks look at counts once.
_TALLY: ContextVar[dict | None] = ContextVar("comparisons", default=None)


def open_tally() -> tuple[dict, object]:
    """Start counting comparisons; returns the dict that fills (each comparison → the Source of its
    stated figure, where known) and the token to close it with."""
    seen: dict = {}
    return seen, _TALLY.set(seen)


def close_tally(token) -> None:
    _TALLY.reset(token)


def tally(key: object, where: object = None) -> None:
    """Count one comparison under `key` when a tally is open (nothing otherwise); `where` is the
    Source of the stated figure compared, so that the coverage can say which table it was checked on."""
    seen = _TALLY.get()
    if seen is not None and (where is not None or key not in seen):
        seen[key] = where


def stated_agrees(stated: Decimal, computed: Decimal, unit: str, parts: int = 0) -> bool:
    """The one comparison of a stated figure with a recomputed one of `unit` (DESIGN §3): at the
    printed precision, never looser than the unit's own, plus 0.01 per rounded part summed."""
    tally((id(stated), id(computed)))
    return agrees(stated, computed, parts, places=unit_places(unit))


# --- parsing ----------------------------------------------------------------------

_TRANSLATE = str.maketrans({
    "≧": "≥", "≦": "≤", "＞": ">", "＜": "<", "＝": "=", "﹥": ">", "﹤": "<",
    "，": ",", "．": ".", "－": "-", "—": "-", "–": "-", "−": "-",
    "％": "%", "　": " ", "\u00a0": " ", "﹪": "%",
})


# The same mapping plus the full-width forms U+FF01–U+FF5E, which NFKC maps to ASCII U+0021–U+007E
# anyway: mapped first, most paragraphs are already NFKC and unicodedata returns them from its quick
# check instead of decomposing and recomposing them. NFKC decomposes character by character, so
# NFKC(text with some of its characters replaced by their own NFKC forms) is NFKC(text): the result is
# exactly `unicodedata.normalize("NFKC", text.translate(_TRANSLATE))`. str.translate on CJK text
# costs about 0.1 µs a character; one regex scan and a replace per distinct character is far cheaper.
_FOLD = {chr(k): v for k, v in _TRANSLATE.items()}
for _cp in range(0xFF01, 0xFF5F):
    _FOLD.setdefault(chr(_cp), chr(_cp - 0xFEE0))
_FOLD_RE = re.compile("[" + "".join(re.escape(c) for c in _FOLD) + "]")


@text_cache(16384)  # checks normalise the same paragraphs again and again
def normalize(text: str) -> str:
    """Full-width digits and symbols to their ASCII forms; comparators kept as ≥/≤."""
    for ch in set(_FOLD_RE.findall(text)):
        text = text.replace(ch, _FOLD[ch])
    text = unicodedata.normalize("NFKC", text)
    return text.replace("≥", ">=").replace("≤", "<=").strip()


_WORD_COMPARATORS = [
    ("不低于", ">="), ("不少于", ">="), ("不小于", ">="), ("大于等于", ">="), ("达到", ">="),
    ("不高于", "<="), ("不超过", "<="), ("不大于", "<="), ("不多于", "<="), ("小于等于", "<="),
    ("高于", ">"), ("大于", ">"), ("超过", ">"), ("多于", ">"), ("超", ">"),
    ("低于", "<"), ("小于", "<"), ("少于", "<"), ("等于", "="),
]

_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUMBER_RE = re.compile(
    r"(?P<cmp>>=|<=|>|<|=)?\s*(?P<num>" + _NUM + r")\s*(?P<mag>万|亿)?\s*(?P<approx>余|多)?\s*"
)
# A character every word comparator starts with.
_WORD_COMPARATOR_HINT = re.compile("[" + "".join(sorted({w[0] for w, _ in _WORD_COMPARATORS})) + "]")
# Units seen in indicator targets and prose, longest first so that 人次 wins over 人.
KNOWN_UNITS = sorted(
    """% 万元 亿元 千元 元 人次 批次 户次 个 人 次 条 家 篇 期 项 件 户 天 日 月 年 分 份 场 所 台 辆 套 间
    ㎡ 平方米 m2 km 公里 米 亩 吨 册 本 名 位 处 起 例 张 座 栋 课时 小时 学时 周 季度 万人次 万人 个月""".split(),
    key=len,
    reverse=True,
)


# Alternatives are tried in order, so the longest unit still wins; one regex match instead of a loop.
_UNIT_RE = re.compile("|".join(re.escape(u) for u in KNOWN_UNITS))


def _unit_at(text: str, pos: int) -> str:
    m = _UNIT_RE.match(text, pos)
    return m.group(0) if m else ""


@dataclass(frozen=True, slots=True)
class Parsed:
    """A number read from text, with what surrounded it."""

    value: Decimal | None
    unit: str = ""
    comparator: str = ""  # one of COMPARATORS or ""
    approximate: bool = False  # 余 / 多 / 左右
    raw: str = ""

    @property
    def ratio(self) -> Decimal | None:
        """For a percent: the ratio, keeping printed precision (32.2% → 0.322)."""
        if self.value is None:
            return None
        return self.value.scaleb(-2) if self.unit == "%" else self.value


def _to_decimal(num: str) -> Decimal:
    try:
        return Decimal(num.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise NumberError(f"不是数字：{num!r}") from exc


def _match_to_parsed(m: re.Match[str], text: str, comparator: str = "") -> Parsed:
    value = _to_decimal(m.group("num"))
    unit = _unit_at(text, m.end())
    mag = m.group("mag")
    if mag:
        # "1.2亿" and "3000万" are money; "160万人" is a count. Keep the value in the
        # magnitude's money unit so no digits are lost, and say so in the unit.
        unit = mag + "元" if unit in ("", "元") else mag + unit
    approx = bool(m.group("approx"))
    return Parsed(value, unit, m.group("cmp") or comparator, approx, (m.group(0) + unit).strip())


def parse_number(text: str) -> Parsed:
    """Parse one figure: '1,066.75', '32.2%', '≥300批次', '＞95%', '160余人次', '1.2亿'.

    A text with no digits gives `Parsed(None, raw=text)`; a text with more than one
    figure gives the first. Use `find_numbers` to get them all.
    """
    norm = normalize(text)
    comparator = ""
    if _WORD_COMPARATOR_HINT.search(norm):  # most cells hold a bare figure: skip the word list
        for word, sym in _WORD_COMPARATORS:
            if word in norm:
                comparator = sym
                break
    m = _NUMBER_RE.search(norm)
    if not m:
        return Parsed(None, raw=text)
    # As _match_to_parsed, building the one Parsed this returns.
    unit = printed_unit = _unit_at(norm, m.end())
    mag = m.group("mag")
    if mag:
        unit = mag + "元" if unit in ("", "元") else mag + unit
    comparator = m.group("cmp") or comparator
    if not comparator:
        # A comparator written before a label: "联络人次>400人" is caught by the regex,
        # "以上"/"以下" after the number is a comparator too.
        after = m.end() + len(printed_unit)
        if norm.startswith("以上", after):
            comparator = ">="
        elif norm.startswith(("以下", "以内"), after):
            comparator = "<="
    return Parsed(_to_decimal(m.group("num")), unit, comparator, bool(m.group("approx")), text)


def find_numbers(text: str) -> list[Parsed]:
    """Every figure in a text, in order: used for numbers in prose."""
    norm = normalize(text)
    out = []
    for m in _NUMBER_RE.finditer(norm):
        out.append(_match_to_parsed(m, norm))
    return out


def parse_amount(text: str, unit: str = "万元") -> Decimal | None:
    """A table cell holding money in `unit`. Empty cells and dashes give None.

    Raises NumberError for a cell that holds something other than a number.
    """
    norm = normalize(text)
    if norm in ("", "-", "--", "---", "/", "无", "—", "——"):
        return None
    p = parse_number(norm)
    if p.value is None:
        raise NumberError(f"不是数字：{text.strip()!r}")
    if p.unit in MAGNITUDES or p.unit.endswith("元") and p.unit in {"万元", "亿元", "元", "千元"} and p.unit != unit:
        return convert_money(p.value, p.unit, unit)
    return p.value


def convert_money(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    src = MONEY_UNITS.get(from_unit) or MONEY_UNITS.get(from_unit + "元")
    dst = MONEY_UNITS.get(to_unit) or MONEY_UNITS.get(to_unit + "元")
    if src is None or dst is None:
        raise NumberError(f"未知的金额单位：{from_unit!r} → {to_unit!r}")
    return value * src / dst


def parse_percent(text: str) -> Decimal | None:
    """'32.2%' → Decimal('0.322'); a bare '0.322' is taken as a ratio already."""
    p = parse_number(text)
    if p.value is None:
        return None
    return p.ratio if p.unit == "%" else p.value


# a day written 2022年12月31日, 2022-12-31, 2022/12/31 or 2022.12.31 (year, month, day groups)
DATE_PATTERN = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")


def parse_date(text: str) -> tuple[date, str] | None:
    """'2022年12月31日前' → (date(2022, 12, 31), '<=') ; '2023-06-06' → (…, '')."""
    norm = normalize(text)
    m = DATE_PATTERN.search(norm)
    if not m:
        return None
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    tail = norm[m.end():].strip()
    comparator = "<=" if tail.startswith(("前", "之前", "以前")) else (">=" if tail.startswith(("后", "以后")) else "")
    return d, comparator


def units_compatible(a: str, b: str) -> bool:
    """'人' and '人次', '个' and '个', '%' and '%'. Empty unit matches anything."""
    if not a or not b:
        return True
    return a == b or a.startswith(b) or b.startswith(a)
