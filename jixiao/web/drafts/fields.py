"""The draft as the canonical dict: field paths, what each field holds, and reading a typed entry.

A field is named by its path in the canonical package — `projects[0].indicators[3].actual`,
`narrative.tables.cost_control.lines[2].budget` — the same path the canonical reader names in its
problems and the engine uses in its result keys. Everything here is pure (no Django), so the API,
the pages and the tests share it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from jixiao.core.indicators import TargetError, parse_target
from jixiao.core.numbers import MONEY_UNITS, convert_money, normalize, parse_date, parse_number
from jixiao.web.field_names import printed_text


class PathError(ValueError):
    pass


def split_path(path: str) -> tuple[str | int, ...]:
    """'projects[0].indicators[3].actual' → ('projects', 0, 'indicators', 3, 'actual').

    Plain string operations, no regular expression: the forms ask for a few thousand paths per request."""
    if not path or len(path) > 300:
        raise PathError("字段路径无效")
    out: list[str | int] = []
    for seg in path.split("."):
        name, bracket, rest = seg.partition("[")
        if not name or "]" in name:
            raise PathError(f"字段路径无效：{path}")
        out.append(name)
        if bracket:
            if not rest.endswith("]"):
                raise PathError(f"字段路径无效：{path}")
            for idx in rest[:-1].split("]["):
                if not idx.isdigit() or not idx.isascii():
                    raise PathError(f"字段路径无效：{path}")
                out.append(int(idx))
    return tuple(out)


def join_path(parts) -> str:
    s = ""
    for p in parts:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if s else p)
    return s


def get(doc: Any, path: str, default: Any = None) -> Any:
    cur = doc
    for p in split_path(path):
        if isinstance(p, int):
            if not isinstance(cur, list) or p >= len(cur):
                return default
            cur = cur[p]
        else:
            if not isinstance(cur, dict) or p not in cur:
                return default
            cur = cur[p]
    return cur


def put(doc: dict, path: str, value: Any, inplace: bool = False) -> dict:
    """A copy of `doc` (or `doc` itself) with the field set (None removes it). Intermediate maps are
    created; a list index must already exist (rows are added by the structure operations, not by typing)."""
    out = doc if inplace else json.loads(json.dumps(doc))  # the draft is JSON: this copies it faster than deepcopy
    parts = split_path(path)
    cur: Any = out
    for i, p in enumerate(parts[:-1]):
        nxt = parts[i + 1]
        if isinstance(p, int):
            if not isinstance(cur, list) or p >= len(cur):
                raise PathError(f"字段不存在：{path}")
            cur = cur[p]
        else:
            if not isinstance(cur, dict):
                raise PathError(f"字段不存在：{path}")
            if p not in cur or cur[p] is None:
                if isinstance(nxt, int):
                    raise PathError(f"字段不存在：{path}")
                cur[p] = {}
            cur = cur[p]
    last = parts[-1]
    if isinstance(last, int) or not isinstance(cur, dict):
        raise PathError(f"字段不存在：{path}")
    if value is None:
        cur.pop(last, None)
    else:
        cur[last] = value
    return out


def jsonable(value: Any) -> Any:
    """The canonical dict with exact strings for Decimals and ISO dates: what the database stores."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- what a field holds ------------------------------------------------------------------------

AMOUNT, SCORE, PERCENT, COUNT, DATE, TARGET, TEXT, LONGTEXT, TIER, FLAG = (
    "amount", "score", "percent", "count", "date", "target", "text", "longtext", "tier", "flag")

_ROW_TABLES = ("income", "expenditure", "sangong", "fixed_assets")
_LONG = {"functions", "main_tasks", "summary", "expected", "reason", "achievements", "problems", "suggestions",
         "publication", "thrift_measures", "statement", "evidence"}
_RATE = {"rate", "control_rate", "area_rate", "investment_rate", "deviation_threshold"}
_DATES = {"filing_date", "deadline", "issued_on", "date"}
_COUNTS = {"authorized", "actual", "in_post"}
_SCORES = {"weight", "score", "total", "total_weight"}
_AMOUNTS = {"initial", "annual", "executed", "approved_area", "actual_area", "budget_investment", "actual_investment",
            "scope_total"}


def field_kind(path: str) -> str:
    """What the field at `path` holds. Derived from the path alone, so a client cannot choose it."""
    parts = split_path(path)
    names = [p for p in parts if isinstance(p, str)]
    last = names[-1]
    if names[0] in _ROW_TABLES and last != "institution":
        return AMOUNT
    if "lines" in names and last not in ("label", "parent", "note"):
        return AMOUNT
    if "inputs" in names:
        return AMOUNT
    if "level1_weights" in names:
        return SCORE
    if last == "grade" and names[0] in ("overall", "projects", "fund_types"):
        raise PathError(f"字段不存在：{path}")  # a table's 等次 is shown, never stored
    if last in ("goal",):
        return LONGTEXT
    if names[-2:] == ["goal", "actual"] or names[-2:] == ["opinions", "text"] or (names[0] == "opinions" and last == "text"):
        return LONGTEXT
    if "staffing" in names and last in _COUNTS:
        return COUNT
    if last in _RATE:
        return PERCENT
    if last in _DATES:
        return DATE
    if last == "target":
        return TARGET
    if last == "tier":
        return TIER
    if last in ("applicable", "has_spending", "signed"):
        return FLAG
    if last in _SCORES or (names == ["cover", "score"]):
        return SCORE
    if last in _AMOUNTS:
        return AMOUNT
    if last in _LONG:
        return LONGTEXT
    return TEXT


@dataclass(frozen=True)
class Entry:
    """A typed entry read: the canonical value to store, or a Chinese message for the field."""

    value: Any = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


_ONE_FIGURE = re.compile(r"\s*[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*(万元|亿元|千元|元|万|亿|%|分|人|个|名)?\s*")

_HINTS = {
    AMOUNT: "请填写金额（万元），如 1,066.75",
    SCORE: "请填写分数，如 9.5",
    PERCENT: "请填写百分数，如 32.2%",
    COUNT: "请填写整数，如 17",
    DATE: "请填写日期，如 2023年6月6日 或 2023-06-06",
}


NUL = "\x00"
NUL_MESSAGE = "内容含有不可见的空字符（NUL），无法保存：请删除后重新填写"


def has_nul(value: Any) -> bool:
    """Whether any text in the (JSON) value, keys included, holds a NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def read_entry(kind: str, raw: str) -> Entry:
    """Read what a preparer typed with the core's number parser. Empty clears the field."""
    text = (raw or "").strip() if kind not in (LONGTEXT,) else (raw or "").replace("\r\n", "\n").strip()
    if len(text) > 20000:
        return Entry(error="内容过长（不超过 20000 字）")
    if NUL in text:  # PostgreSQL cannot store it in the draft (jsonb): a message, not a server error
        return Entry(error=NUL_MESSAGE)
    if kind == FLAG:
        return Entry(text in ("1", "true", "on", "是"))
    if text == "":
        return Entry(None)
    if kind in (AMOUNT, SCORE, PERCENT, COUNT):
        return _number(kind, text)
    if kind == DATE:
        d = parse_date(text)
        return Entry(d[0].isoformat()) if d else Entry(error=_HINTS[DATE])
    if kind == TARGET:
        try:
            parse_target(text)
        except TargetError:
            return Entry(error="读不出指标值：比较符后应是数字，如 ≥300批次、＞95%、2022年12月31日前")
        return Entry(text)
    if kind == TIER:
        return Entry(text) if text in ("达成", "部分达成", "未达成") else Entry(error="请选择：达成 / 部分达成 / 未达成")
    return Entry(text)


def _number(kind: str, text: str) -> Entry:
    p = parse_number(text)
    hint = _HINTS[kind]
    # The core's parser finds the first figure anywhere in a text; a table cell must hold one figure
    # and at most its unit, so "约300" or "12和13" is refused rather than half-read.
    if p.value is None or p.comparator or not _ONE_FIGURE.fullmatch(normalize(text)):
        return Entry(error=f"“{text}”不是数字：{hint}")
    value, unit = p.value, p.unit
    # Beyond any budget (a trillion 万元) the engine's decimal arithmetic would overflow: refuse it here.
    if not value.is_finite() or value.adjusted() >= 13 or (value != 0 and value.adjusted() < -12):
        return Entry(error=f"“{text[:30]}{'…' if len(text) > 30 else ''}”的数值超出合理范围：{hint}")
    if kind == AMOUNT:
        if unit in MONEY_UNITS and unit != "万元":
            value = convert_money(value, unit, "万元")
        elif unit not in ("", "万元"):
            return Entry(error=f"金额的单位应为万元（写了“{unit}”）：{hint}")
        return Entry(format(value, "f"))
    if kind == SCORE:
        if unit not in ("", "分"):
            return Entry(error=f"分数不带单位（写了“{unit}”）：{hint}")
        if value < 0:
            return Entry(error="分数不能为负")
        return Entry(format(value, "f"))
    if kind == PERCENT:
        if unit not in ("", "%"):
            return Entry(error=f"“{text}”不是百分数：{hint}")
        return Entry(f"{format(value, 'f')}%")
    if unit not in ("", "人", "个", "名"):
        return Entry(error=f"“{text}”不是人数：{hint}")
    if value != value.to_integral_value() or value < 0:
        return Entry(error=f"“{text}”不是非负整数：{hint}")
    return Entry(int(value))


def shown_entry(kind: str, value: Any) -> str:
    """The stored value as the input shows it."""
    if value is None:
        return ""
    if kind == FLAG:
        return "1" if value else ""
    if kind == DATE and isinstance(value, str):
        try:
            d = date.fromisoformat(value)
            return f"{d.year}年{d.month}月{d.day}日"
        except ValueError:
            return value
    return str(value)


def printed_entry(path: str, value):
    """A stored entry of the field at `path` as the forms print it: amounts, points and rates with
    two decimals, a date as 2023年6月6日; any other value (text, a row, a table) unchanged."""
    if isinstance(value, Decimal):
        value = format(value, "f")
    if not isinstance(value, str):
        return value
    try:
        kind = field_kind(path)
    except (PathError, IndexError):  # a path the forms do not hold (a whole table, an old field)
        return value
    return shown_entry(kind, value) if kind == DATE else printed_text(kind, value)
