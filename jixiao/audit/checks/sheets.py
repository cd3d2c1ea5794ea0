"""Checks of scored indicator sheets (部门整体支出绩效评价指标表 / 得分表, families' `score_sheets`)
and of counts written against the lists they count.

A sheet prints each level's points; the arithmetic it must satisfy is its own: the points of a
level's parts add up to the level's points (the whole sheet to 100), a score is never above its
points, and the scores add up to the total the sheet or the text states.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ...core.model import ScoreItem, ScoreSheet, Source
from ..findings import Finding
from ..registry import AuditContext, check

ZERO = Decimal(0)
FULL = Decimal(100)


def _num(v: Decimal | None) -> str:
    return "—" if v is None else f"{v.normalize():f}"


@check("sheet.weights", "指标表分值合计不符",
       "部门整体支出绩效评价指标表（得分表）中，同一指标下各下级指标分值之和 = 该指标所列分值（如 部门决策(25分) = "
       "目标任务(15分) + 预算编制(10分)）；各一级指标分值之和 = 100。")
def sheet_weights(ctx: AuditContext) -> list[Finding]:
    out: list[Finding] = []
    for sheet in ctx.package.score_sheets:
        out += _level_sums(sheet)
    return out


def _level_sums(sheet: ScoreSheet) -> list[Finding]:
    out = []
    depth = max((len(i.path) for i in sheet.items), default=0)
    for level in range(depth):
        # Each node at this level: its own points, and the distinct children below it with theirs.
        nodes: dict[tuple[str, ...], tuple[Decimal | None, dict[str, Decimal | None], ScoreItem]] = {}
        for item in sheet.items:
            if len(item.path) <= level + 1:
                continue
            key = item.path[:level + 1]
            own, children, first = nodes.get(key, (item.weights[level], {}, item))
            children.setdefault(item.path[level + 1], item.weights[level + 1])
            nodes[key] = (own, children, first)
        closed = list(nodes) if sheet.stated_total is not None else list(nodes)[:-1]
        for key in closed:
            # The last group of a sheet without its total row may be where the copy was cut.
            own, children, first = nodes[key]
            weights = list(children.values())
            if own is None or any(w is None for w in weights) or not weights:
                continue  # a level without points (部门特性指标): nothing to add up
            total = sum(weights, ZERO)
            if total != own:
                out.append(Finding(
                    rule="sheet.weights", severity="error",
                    message=f"{sheet.title}“{key[-1]}”所列{_num(own)}分，其下各指标分值之和为{_num(total)}分。",
                    location=_loc(sheet, first, key[-1], "分值"), stated=_num(own), expected=_num(total),
                    formula=f"{' + '.join(_num(w) for w in weights)} = {_num(total)} ≠ {_num(own)}"))
    tops: dict[str, Decimal | None] = {}
    for item in sheet.items:
        tops.setdefault(item.path[0], item.weights[0])
    if tops and all(w is not None for w in tops.values()):
        total = sum(tops.values(), ZERO)
        # Fewer than 100 points is an error only when the sheet is whole (it prints its total row).
        if total > FULL or (total != FULL and sheet.stated_total is not None):
            first = sheet.items[0]
            out.append(Finding(
                rule="sheet.weights", severity="error",
                message=f"{sheet.title}各一级指标分值之和为{_num(total)}分，不是100分。",
                location=_loc(sheet, first, first.path[0], "分值"), stated=_num(total), expected="100",
                formula=f"{' + '.join(_num(w) for w in tops.values())} = {_num(total)} ≠ 100"))
    return out


@check("sheet.scores", "指标表得分超出分值或合计不符",
       "部门整体支出绩效评价指标表（得分表）中，每项得分不超过其分值且不为负；表列合计（或正文“自评得分N分”，表格完整时）"
       " = 各项得分之和。")
def sheet_scores(ctx: AuditContext) -> list[Finding]:
    out: list[Finding] = []
    for sheet in ctx.package.score_sheets:
        for item in sheet.items:
            points = item.weights[-1]
            if item.score is None or points is None:
                continue
            if item.score > points or item.score < ZERO:
                out.append(Finding(
                    rule="sheet.scores", severity="error",
                    message=f"{sheet.title}“{item.path[-1]}”得{_num(item.score)}分，超出其分值{_num(points)}分。",
                    location=_loc(sheet, item, item.path[-1], "得分"), stated=_num(item.score),
                    expected=f"0–{_num(points)}", formula=f"{_num(item.score)} > {_num(points)}"))
        scores = [i.score for i in sheet.items]
        if sheet.stated_total is not None and scores and all(s is not None for s in scores):
            total = sum(scores, ZERO)
            if total != sheet.stated_total:
                out.append(Finding(
                    rule="sheet.scores", severity="error",
                    message=f"{sheet.title}合计{_num(sheet.stated_total)}分，各项得分之和为{_num(total)}分。",
                    location=sheet.src.get("total", Source(table=sheet.title)), stated=_num(sheet.stated_total),
                    expected=_num(total), formula=f"Σ 各项得分 = {_num(total)} ≠ {_num(sheet.stated_total)}"))
    return out


def _loc(sheet: ScoreSheet, item: ScoreItem, row: str, column: str) -> Source:
    base = item.src.get("score") or item.src.get("label") or Source()
    return Source(base.form, sheet.title, row, column, base.line, base.text)


# --- counts against the lists they count -----------------------------------------------------------

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# A count: "10个", "三家". Each one found is then looked at on both sides, anchored, so that the
# check stays linear in the text (free-running lazy patterns backtrack on every paragraph).
_ANY_COUNT = re.compile(r"(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,3})(?P<unit>个|家|项|所|名|类|条|支)")
_LIST_AFTER = re.compile(r"(?P<noun>[\u4e00-\u9fff]{0,10}?)[，,]?(?:分别是|分别为|包括|即|为|[:：])(?P<list>[^。；;：:\n]+)")
_NOUN_AFTER = re.compile(r"[\u4e00-\u9fff]{1,8}")
_CLAUSE_END = re.compile(r"[，。；;：:\n]")
_LIST_OPENERS = ("下设", "共设", "包括", "设", "有", "含")


def _counted_lists(text: str):
    """(count match, the listed text, what was said) for each count written beside a list."""
    for m in _ANY_COUNT.finditer(text):
        after = _LIST_AFTER.match(text, m.end())
        if after is not None:
            start = max(0, m.start() - 12)
            said = text[start:m.end()] + after.group("noun")
            yield m, after.group("list"), said.lstrip("，,。；;：: ")
            continue
        window = text[max(0, m.start() - 200):m.start()]
        if "、" not in window:
            continue
        window = _CLAUSE_END.split(window)[-1].removesuffix("共")
        at, word = max(((window.rfind(w), w) for w in _LIST_OPENERS), key=lambda x: x[0])
        listed = window[at + len(word):] if at >= 0 else ""
        if len(listed) >= 4 and "等" not in listed:
            noun = _NOUN_AFTER.match(text, m.end())
            yield m, listed, f"{listed}{m.group(0)}{noun.group(0) if noun else ''}"


def _count(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if len(text) == 2 and text[0] == "十":
        return 10 + _CN.get(text[1], 0)
    if len(text) == 2 and text[1] == "十":
        return _CN.get(text[0], 0) * 10
    if len(text) == 3 and text[1] == "十":
        return _CN.get(text[0], 0) * 10 + _CN.get(text[2], 0)
    return _CN.get(text)


def _items(listed: str) -> list[str]:
    """The items of a list written with 、 (brackets kept with their item: "法制处(科研处)")."""
    depth, parts, current = 0, [], ""
    for ch in listed:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        if ch == "、" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


@check("prose.count_list", "所述个数与列举项数不符",
       "“直属事业单位10个：A、B…”或“设A、B、C…12个内设机构”中，所述个数应等于以顿号列举的项数；以“等”收尾的列举不计。")
def count_list(ctx: AuditContext) -> list[Finding]:
    out = []
    for block in ctx.package.texts:
        text = block.text
        if "、" not in text or _ANY_COUNT.search(text) is None:
            continue  # no list, or no count: most paragraphs
        for m, listed, said in _counted_lists(text):
            if "等" in listed or "、" not in listed:
                continue  # "…等28个展区": the list is not the whole
            items = _items(re.sub(r"[（(][^）)]*$", "", listed))
            n = _count(m.group("n"))
            if n is None or len(items) < 2 or n == len(items):
                continue
            out.append(Finding(
                rule="prose.count_list", severity="warning",
                message=f"文中称“{said}”，但列举了{len(items)}项，请核对个数或名单。",
                location=Source(block.form, block.section, "", "", block.line, said[:80]),
                stated=f"{n}{m.group('unit')}", expected=f"{len(items)}{m.group('unit')}",
                formula=f"列举：{'、'.join(items)}（{len(items)}项）≠ {n}", evidence=said[:120]))
    return out
