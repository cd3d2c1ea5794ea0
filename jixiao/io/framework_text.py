"""§七 of the narrative report: the overall framework scored in prose, item by item.

Each item opens with a paragraph like "①在职人员控制率（3分）：…" and runs until
the next item or heading. From it we take the weight (the points in brackets),
the stated score (the last "得N分 / 得满分N分 / 得分N分 / 得分为N分" phrase), the
stated rate (the percent right after the formula's "＝"; for 满意度-style items
"…度为96%"), the stated formula (the "＝" segment holding ÷ or /), and inputs.

Inputs, best effort: every figure of the item with a unit (万元, 人, 份 …) is given
the label printed just before it (back to the previous comma or stop). Each term
of the stated formula then takes the figure whose label shares the longest common
substring with it (at least 2 characters), pairs chosen best-first so that a
strong match is never stolen by a weak one; a term about last year (上年) prefers
a label naming last year and avoids it otherwise. A figure left over whose label
nearly spells one of the profile formula's own input names (all but one
character, at least 3) is added under that name. Nothing here is ever fatal.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..core.catalogue import FORMULAS
from ..core.memo import text_cache
from ..core.model import FrameworkItem, Package, Source
from ..core.profiles import ProfileError, load_profile
from .blocks import Paragraph, compact

_ITEM_RE = re.compile(r"^\s*[①-⑳]?\s*(?P<name>[^（(：:，。]{2,40}?)\s*[（(]\s*(?P<w>\d+(?:\.\d+)?)\s*分\s*[）)]")
_LEVEL1_RE = re.compile(r"^\s*\d+[、.．]\s*(?P<t>[^（(]+)")
_LEVEL2_RE = re.compile(r"^\s*[（(]\d+[）)]\s*(?P<t>\S+)")
_SCORE_RE = re.compile(r"得(?:满分|分为|分)?\s*(\d+(?:\.\d+)?)\s*分")
_RATE_RE = re.compile(r"[=＝]\s*([-+−－]?\d+(?:\.\d+)?)\s*[%％]")
_RATE_FALLBACK_RE = re.compile(r"(?:率|度)(?:为|是|达到?)\s*([-+]?\d+(?:\.\d+)?)\s*[%％]")
_FIGURE_RE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万元|元|人次|人|个|份|家|项|次|㎡|平方米)")
_QUESTIONNAIRE_RE = re.compile(r"问卷[^，。；\d]{0,8}?(\d+)\s*份")
_QUOTES = re.compile(r"[“”\"'‘’「」]")
_STOPS = "，,。；;：:！？"


def unquote(text: str) -> str:
    return _QUOTES.sub("", text)


def parse_framework(pkg: Package, seg, form: str) -> None:
    paragraphs = [b for b in seg.blocks if isinstance(b, Paragraph) and b.compact]
    section = _section_seven(paragraphs)
    if not section:
        return
    try:
        prof = load_profile(pkg.profile)
    except ProfileError:  # pragma: no cover - shipped profiles always load
        return
    level1 = level2 = ""
    current: list[Paragraph] = []
    for p in section:
        m = _ITEM_RE.match(p.text)
        heading = _LEVEL1_RE.match(p.text) if not m else None
        sub = _LEVEL2_RE.match(p.text) if not m else None
        if m or heading or sub:
            _close(pkg, prof, current, level1, level2, form)
            current = []
        if m:
            current = [p]
        elif heading:
            level1 = heading.group("t").strip()
        elif sub:
            level2 = sub.group("t").strip()
        elif current:
            current.append(p)
    _close(pkg, prof, current, level1, level2, form)
    _total(pkg, section, form)


def _section_seven(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """The paragraphs under the 综合评价 heading (七、…), up to the next numbered top heading."""
    start = None
    for i, p in enumerate(paragraphs):
        t = p.compact
        if re.match(r"^[一二三四五六七八九十]+、", t) and len(t) <= 40:
            if start is not None:
                return paragraphs[start:i]
            if "综合评价" in t or "评价结论" in t:
                start = i + 1
    return paragraphs[start:] if start is not None else []


def _close(pkg: Package, prof, paras: list[Paragraph], level1: str, level2: str, form: str) -> None:
    if not paras:
        return
    head = paras[0]
    m = _ITEM_RE.match(head.text)
    name = m.group("name").strip()
    spec = match_item(name, prof["framework"])
    text = "\n".join(p.text for p in paras)
    item = FrameworkItem(id=spec["id"] if spec else "", level1=spec["level1"] if spec else level1,
                         level2=spec["level2"] if spec else level2, name=name, weight=Decimal(m.group("w")))
    where = Source(form, "七、综合评价", name, "", head.line, head.text.strip()[:80])
    item.src["name"] = item.src["weight"] = where
    item.evidence = head.text.strip()[:60]
    scores = [(p, s) for p in paras for s in _SCORE_RE.finditer(p.text)]
    if scores:
        p, s = scores[-1]
        item.stated_score = Decimal(s.group(1))
        item.src["score"] = Source(form, "七、综合评价", name, "得分", p.line, s.group(0))
    _rate_and_formula(item, text, head, form)
    item.inputs = infer_inputs(item.stated_formula, text, pkg.year, FORMULAS[spec["formula"]].inputs if spec and spec["formula"] in FORMULAS else ())
    q = _QUESTIONNAIRE_RE.search(text)
    if q and "有效问卷数" not in item.inputs:
        item.inputs["有效问卷数"] = Decimal(q.group(1))
    pkg.narrative.framework.append(item)


def match_item(name: str, framework: list[dict]) -> dict | None:
    """The profile item whose name or alias the printed name contains (or is contained in); longest wins."""
    key = unquote(compact(name))
    best: tuple[int, dict] | None = None
    for spec in framework:
        for cand in [spec["name"], *spec.get("aliases", [])]:
            c = unquote(compact(cand))
            if c and (c in key or key in c) and (best is None or len(c) > best[0]):
                best = (len(c), spec)
    return best[1] if best else None


def _rate_and_formula(item: FrameworkItem, text: str, head: Paragraph, form: str) -> None:
    m = _RATE_RE.search(text) or _RATE_FALLBACK_RE.search(text)
    if m:
        digits = m.group(1).replace("−", "-").replace("－", "-")
        item.stated_rate = Decimal(digits).scaleb(-2)
        item.src["rate"] = Source(form, "七、综合评价", item.name, "比率", head.line, m.group(0))
    for segment in re.split(r"[=＝]", text):
        if "÷" in segment or "/" in segment:
            formula = re.split(r"[，。；\n]", segment)[-1].strip() if re.search(r"[，。；\n]", segment) else segment
            item.stated_formula = formula.strip()
            item.src["formula"] = Source(form, "七、综合评价", item.name, "公式", head.line, item.stated_formula)
            break


def _figures(text: str) -> list[tuple[str, Decimal, int]]:
    """(label, value, position) for every figure with a unit; the label is the text back to the last stop."""
    out = []
    for m in _FIGURE_RE.finditer(text):
        start = m.start()
        if text[start - 1:start] in ("年", "月") or (start and text[start - 1].isdigit()):
            continue
        j = start
        while j > 0 and text[j - 1] not in _STOPS and text[j - 1] != "\n":
            j -= 1
        out.append((unquote(text[j:start]).strip(), Decimal(m.group(1).replace(",", "")), start))
    return out


@text_cache(8192)  # pure; formula terms and figure labels repeat across documents
def lcs(a: str, b: str) -> int:
    """Length of the longest common substring."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0] * (len(b) + 1)
        for j, bj in enumerate(b, start=1):
            if ch == bj:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _terms(formula: str) -> list[str]:
    parts = re.split(r"[（）()÷/×*+\-－−＋\s]", unquote(formula))
    return [p for p in parts if p and not re.fullmatch(r"[\d.%％]+", p)]


def _score(term: str, label: str, year: int) -> int:
    s = lcs(term, label)
    if s < 2:
        return 0
    last_year = bool(year) and str(year - 1) in label or "上年" in label
    if "上年" in term and last_year:
        s += 2
    elif "本年" in term and last_year:
        s -= 2
    return s


def infer_inputs(formula: str, text: str, year: int, canonical: tuple[str, ...]) -> dict[str, Decimal]:
    figures = _figures(text.split("=")[0].split("＝")[0]) if formula else _figures(text)
    inputs: dict[str, Decimal] = {}
    pairs = sorted(((_score(t, f[0], year), -ti, -fi, t, fi)
                    for ti, t in enumerate(_terms(formula)) for fi, f in enumerate(figures)), reverse=True)
    used: set[int] = set()
    for score, _, _, term, fi in pairs:
        if score < 2 or term in inputs or fi in used:
            continue
        inputs[term] = figures[fi][1]
        used.add(fi)
    for name in canonical:
        if name in inputs or any(k.rstrip("数") == name.rstrip("数") for k in inputs):
            continue
        need = max(3, len(name) - 1)
        for fi, (label, value, _) in enumerate(figures):
            if fi not in used and lcs(name, label) >= need:
                inputs[name] = value
                used.add(fi)
                break
    return inputs


def _total(pkg: Package, section: list[Paragraph], form: str) -> None:
    n = pkg.narrative
    for p in section:
        if not re.search(r"等[级次]", p.text):
            continue
        m = re.search(r"得分为\s*(\d+(?:\.\d+)?)\s*分", p.text)
        g = re.search(r"等[级次]为\s*[“\"「]?\s*([^”\"」。，,\s]+)", p.text)
        if m:
            n.stated_total = Decimal(m.group(1))
            n.src["total"] = Source(form, "七、综合评价", "", "得分", p.line, m.group(0))
        if g:
            n.stated_grade = g.group(1)
            n.src["grade"] = Source(form, "七、综合评价", "", "等级", p.line, g.group(0))
