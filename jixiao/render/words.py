"""Where a title or a name may break: after one of the words below (GB/T 9704 7.3.3: 回行时要做到词意完整),
never inside a figure. The cover's title and unit name, and the names in a form's head table, break
only here."""

from __future__ import annotations

BREAK_AFTER = ("自治州", "自治县", "人民政府", "联络处", "办事处", "委员会", "办公室", "中心", "局", "厅", "省", "市",
               "年度", "部门", "整体支出", "预算支出", "绩效", "评价", "自评", "报告", "关于", "开展", "工作的", "国有资本经营",
               "政府性基金", "社会保险基金", "项目支出")


def width(text: str) -> float:
    """Width in full-width characters: a CJK character 1, a figure or Latin letter ½."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.5 for ch in text)


def find_all(text: str, word: str):
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


def cuts(text: str) -> list[int]:
    """Where `text` may break: after each of the words, not between two digits, not at its ends."""
    return sorted({i + len(w) for w in BREAK_AFTER for i in find_all(text, w)
                   if 0 < i + len(w) < len(text) and not (text[i + len(w) - 1].isdigit() and text[i + len(w)].isdigit())})


def pieces(name: str) -> list[str]:
    """`name` cut at every place it may break: the parts no line may divide."""
    bounds = [0, *cuts(name), len(name)]
    return [name[a:b] for a, b in zip(bounds, bounds[1:])]


def name_lines(name: str, room: float) -> list[str]:
    """`name` in lines of at most `room` characters, broken only after one of the words titles break
    after (人民政府, 联络处, 委员会 …); a part with no such word to break after stays whole (the line
    then wraps as it must, which a name that long cannot avoid)."""
    out = []
    rest = name
    while width(rest) > room:
        fitting = [c for c in cuts(rest) if width(rest[:c]) <= room]
        if not fitting:
            break
        cut = max(fitting)
        out.append(rest[:cut])
        rest = rest[cut:]
    return out + [rest]
