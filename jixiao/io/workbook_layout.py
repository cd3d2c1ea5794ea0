"""What the workbook and its reader share: sheet of the cell map, cell kinds, paths.

Every cell that carries a package value is listed in the hidden sheet `_jixiao`
with the canonical path of the value (`projects[0].funds[1].annual`), its kind
and its role (input / derived). Constants that are part of the structure (a
fund row's key, a line table's columns) are listed there too, with their value.
The reader rebuilds the canonical dict from that sheet alone, so the visible
sheets can be laid out for people.
"""

from __future__ import annotations

import json
import re

MAP_SHEET = "_jixiao"
MAP_VERSION = "jixiao-xlsx 1"
CHUNK = 30000  # characters per map cell (Excel allows 32767)
CELL_TEXT_MAX = 32767  # what a cell holds of a longer text (the writer cuts it there)
MAP_HEADER = ("路径", "工作表", "单元格", "类型", "角色", "常量")

# cell kinds
TEXT, AMOUNT, SIGNED, RATE, INT, YEAR, DATE, TIER, BOOL, WEIGHT, SCORE, INPUTS, PROFILE = (
    "text", "amount", "signed", "rate", "int", "year", "date", "tier", "bool", "weight", "score", "inputs", "profile")
# FIGURE: a 年度指标值 / 实际完成值 cell holding the number or date of a text such as "≥300批次", shown
# with its words by a number format; the map entry's last field holds how to write the text back
# (figure_text). A cell a preparer overwrites with text is read as that text.
FIGURE = "figure"
INPUT, DERIVED, CONST = "input", "derived", "const"
# A spare indicator row's cell: an input mapped to `<table>.spare_indicators[j].<field>`. The reader
# skips spare rows left empty and appends each filled one to the table's indicators, in order.
SPARE = "spare"
SPARE_ROWS = 5
SPARE_LIST = "spare_indicators"
SPARE_PATH = re.compile(r"^(.+)\.spare_indicators\[(\d+)\]\.([a-z_0-9]+)$")
# 二级指标 names of the 财预〔2020〕10号 indicator framework (the choice list of a spare row,
# with the names the table already uses)
LEVEL2_NAMES = ("数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
                "可持续影响指标", "服务对象满意度指标")
TIERS = ("达成", "部分达成", "未达成")
YES, NO = "是", "否"

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """'projects[0].funds[1].annual' → ['projects', 0, 'funds', 1, 'annual']."""
    out: list[str | int] = []
    for name, index in _TOKEN.findall(path):
        out.append(int(index) if index else name)
    return out


def put(doc: dict, path: str, value) -> None:
    """Set `value` at `path` in a nested dict/list, creating what is missing."""
    tokens = parse_path(path)
    node = doc
    for tok, nxt in zip(tokens, tokens[1:]):
        empty = [] if isinstance(nxt, int) else {}
        if isinstance(tok, int):
            while len(node) <= tok:
                node.append(None)
            if node[tok] is None:
                node[tok] = empty
            node = node[tok]
        else:
            if node.get(tok) is None:
                node[tok] = empty
            node = node[tok]
    last = tokens[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
        node[last] = value
    else:
        node[last] = value


def sheet_title(base: str, taken: set[str]) -> str:
    """A valid, unique sheet title (≤ 31 characters, none of []:*?/\\; Excel compares titles
    without case). `taken` holds the titles given so far, case-folded."""
    clean = re.sub(r"[\[\]:*?/\\]", "", base).strip("'")[:31].strip("'") or "表"
    title, n = clean, 2
    while title.casefold() in taken or title.casefold() == MAP_SHEET:
        suffix = f"({n})"
        title, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.casefold())
    return title


def encode_map(entries: list[tuple]) -> list[str]:
    """The map as JSON text split over cells."""
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))  # tuples are written as arrays
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or ["[]"]


def decode_map(chunks: list[str]) -> list[tuple[str, str, str, str, str, str]]:
    # The map's JSON holds no raw line break (json.dumps escapes them), but a workbook saved as .xls
    # by LibreOffice comes back with one inserted where the BIFF format continues a long string in
    # a new record: dropping every raw line break restores the text exactly.
    data = json.loads("".join(chunks).replace("\r", "").replace("\n", ""))
    if not isinstance(data, list):
        raise ValueError("map is not a list")
    out = []
    for e in data:
        if not isinstance(e, list) or len(e) != 6 or not all(isinstance(x, str) for x in e):
            raise ValueError(f"bad map entry {e!r}")
        out.append(tuple(e))
    return out


def figure_text(spec: dict, value) -> str:
    """A FIGURE cell's text: spec {pre, suf, places, comma, pct} or {date, pre, suf} (from
    xlsx_formulas.Figure / DateFigure) and the cell's number or date."""
    from datetime import date, datetime
    from decimal import Decimal

    pre, suf = spec.get("pre", ""), spec.get("suf", "")
    if spec.get("date"):
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            raise ValueError(f"不是日期 {value!r}")
        return f"{pre}{value.year}年{value.month}月{value.day}日{suf}"
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"不是数字 {value!r}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    pct = spec.get("pct", "")
    if pct:
        number = number.scaleb(2)
    places = int(spec.get("places", 0))
    shown = f"{number:,.{places}f}" if spec.get("comma") else f"{number:.{places}f}"
    return f"{pre}{shown}{pct}{suf}"


# --- the stated package, carried whole -----------------------------------------------------------
# The visible sheets show the engine's view (computed and ruled figures recomputed, §七 inputs as the
# engine used them) and can hold only what a cell holds (a float, 32,767 characters). So the map sheet
# also carries, in column B, the package as it was stated — its canonical dict — and what each input
# cell was given. The reader starts from the stated package and takes an input cell only where the
# preparer changed it: a field nobody touched comes back exactly as it went out.
STATED_COLUMN = 1  # 0-based: column B of the map sheet
STATED_TAG = "jixiao-stated 1"


def _plain_json(value):
    """JSON for the canonical dict: amounts as their exact text ("286.30"), dates as ISO text."""
    from datetime import date
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def encode_stated(doc: dict, shown: dict[str, object]) -> list[str]:
    """The stated package and the value each input cell was given ('封面!C5' → value), in chunks."""
    text = json.dumps({"package": doc, "shown": shown}, ensure_ascii=False, separators=(",", ":"),
                      default=_plain_json)
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)]


def decode_stated(chunks: list[str]) -> tuple[dict, dict[str, object]]:
    data = json.loads("".join(chunks).replace("\r", "").replace("\n", ""))
    if not isinstance(data, dict) or not isinstance(data.get("package"), dict) or not isinstance(data.get("shown"), dict):
        raise ValueError("stated package is not a mapping")
    return data["package"], data["shown"]


def written(value):
    """What an input cell was given, as JSON: a number as a float (all a cell holds), a date as ISO
    text, text as it is; None for an empty cell."""
    from datetime import date, datetime
    from decimal import Decimal

    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, (Decimal, float, int)):
        return float(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:CELL_TEXT_MAX]


def unchanged(raw, given) -> bool:
    """Does the cell still hold what it was given? Numbers compare as the floats a cell holds (a
    spreadsheet that saves 286.3 for 286.30, or 10 for 10.0, has changed nothing)."""
    import math

    now = written(raw)
    if isinstance(now, float) and isinstance(given, (int, float)) and not isinstance(given, bool):
        return math.isclose(now, float(given), rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(now, str) and isinstance(given, str):
        return now.strip() == given.strip()
    return now == given
