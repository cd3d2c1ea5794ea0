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


# The words a form's labels and headers are made of (the national indicator framework's 一级/二级 names,
# the fund and column headers): a label or header wrapped in its cell breaks only between them, as a
# typesetter sets a short heading — "服务对象 / 满意度 / 指标", never "满意度指 / 标". A character not
# in any of them is a word of its own. Longest first where two start alike (预算数 before 预算).
LABEL_WORDS = frozenset((
    "服务对象", "满意度", "满意", "指标值", "指标", "一级", "二级", "三级", "绩效", "产出", "效益", "数量", "质量",
    "时效", "成本", "经济", "社会", "生态", "可持续", "影响", "持续", "年度", "预算数", "预算", "申请", "年初",
    "全年", "执行数", "执行率", "执行", "分值", "得分", "总分", "项目", "资金", "万元", "实际", "完成值", "完成",
    "情况", "偏差", "原因", "分析", "改进", "措施", "主管", "部门", "实施", "单位", "名称", "总体", "目标",
    "预期", "支出", "整体", "收入", "性质", "基本", "公共", "财政", "拨款", "政府性", "基金", "结转", "结余",
    "其他", "资本", "经营", "保险", "等次", "自评", "评价", "指标名称", "计划", "进度", "比例", "成效",
    "其中", "当年", "上年", "一般", "非税", "专户", "纳入", "总额", "管理", "年度资金",
))
_LONGEST_WORD = max(len(w) for w in LABEL_WORDS)
_OPEN, _CLOSE = "（(", "）)"
BRACKET_UNIT_CHARS = 6  # a parenthesised unit this short ("（万元）", "（50分）") is kept whole


def label_units(text: str) -> list[str]:
    """`text` as the pieces no line of a label or header may divide: the words above (longest match
    first), a short parenthesised unit, a run of figures or Latin letters; any other character alone."""
    units: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN:
            end = next((j for j in range(i + 1, min(len(text), i + BRACKET_UNIT_CHARS)) if text[j] in _CLOSE), -1)
            if end > 0:
                units.append(text[i:end + 1])
                i = end + 1
                continue
        if ch.isascii() and ch.isalnum():
            j = i
            while j < len(text) and text[j].isascii() and (text[j].isalnum() or text[j] in ".,%/-"):
                j += 1
            units.append(text[i:j])
            i = j
            continue
        size = next((n for n in range(min(_LONGEST_WORD, len(text) - i), 1, -1) if text[i:i + n] in LABEL_WORDS), 1)
        units.append(text[i:i + size])
        i += size
    return units


def word_cuts(text: str) -> set[int]:
    """Where a label or header may break: between two of its label_units."""
    out, at = set(), 0
    for unit in label_units(text)[:-1]:
        at += len(unit)
        out.add(at)
    return out
