"""The engine's figures as the workspace shows them: which field a figure fills, whether the preparer
may type it (judged) or not (computed / ruled), its trace, and figure references in the narrative.

Reads `ScoreReport` / `Computed` only (the core's trace types); no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jixiao.core import keys
from jixiao.core.engine import ScoreReport
from jixiao.core.numbers import fmt_value, round_half_up
from jixiao.core.trace import Computed
from jixiao.web.drafts import fields

_ROW_TABLES = ("income", "expenditure", "sangong", "fixed_assets")


def figure_for(path: str, report: ScoreReport | None, doc: dict | None = None) -> Computed | None:
    """The engine's figure for the field at `path`, if the engine computes that field."""
    if report is None:
        return None
    for key in result_keys(path, doc):
        c = report.find(key)
        if c is not None:
            return c
    return None


_TABLE = r"(?P<t>overall|projects\[\d+\]|fund_types\[\d+\]\.tables\[\d+\])"
_LINES = r"(?P<t>narrative\.tables\.(?P<nt>\w+)|basic_data\.costs)\.lines\[(?P<i>\d+)\]\.(?P<c>\w+)"


def result_keys(path: str, doc: dict | None = None) -> list[str]:
    """The engine's result keys (built by `core.keys`, never spelt here) that fill the canonical
    field at `path`, most specific first."""
    if m := re.fullmatch(_TABLE + r"\.indicators\[(?P<i>\d+)\]\.score", path):
        return [keys.indicator_score(m["t"], int(m["i"]))]
    if m := re.fullmatch(_TABLE + r"\.funds\[\d+\]\.(?P<f>rate|score)", path):
        return [keys.execution_rate(m["t"]) if m["f"] == "rate" else keys.execution_score(m["t"])]
    if m := re.fullmatch(_TABLE + r"\.(?P<f>total|grade)", path):
        return [keys.total(m["t"]) if m["f"] == "total" else keys.grade(m["t"])]
    if m := re.fullmatch(r"(?P<t>income|expenditure|sangong|fixed_assets)\[(?P<i>\d+)\]\.(?P<f>\w+)", path):
        if doc is not None and fields.get(doc, f"{m['t']}[{m['i']}].summary") is True:
            return [keys.cover_summary(m["t"], m["f"])]
        return [keys.cover_row(m["t"], int(m["i"]), m["f"])]
    if m := re.fullmatch(_LINES, path):
        table = keys.narrative_table(m["nt"]) if m["nt"] else keys.BASIC_COSTS
        i, col = int(m["i"]), m["c"]
        partial = doc is not None and fields.get(doc, path.rsplit(".", 1)[0] + ".partial") is True
        # a parent row is the sum of its parts, unless they are only a selection (其中…)
        return [keys.line_cell(table, i, col)] + ([] if partial else [keys.line_sum(table, i, col)])
    if m := re.fullmatch(r"narrative\.framework\[(?P<i>\d+)\]\.(?P<f>score|rate)", path):
        return [keys.framework_score(int(m["i"])) if m["f"] == "score" else keys.framework_rate(int(m["i"]))]
    return {
        "cover.score": [keys.COVER_SCORE], "cover.grade": [keys.COVER_GRADE],
        "narrative.total": [keys.FRAMEWORK_TOTAL], "narrative.grade": [keys.FRAMEWORK_GRADE],
        "basic_data.staffing.control_rate": [keys.STAFF_CONTROL_RATE],
        "basic_data.buildings.area_rate": [keys.building_rate("area_rate")],
        "basic_data.buildings.investment_rate": [keys.building_rate("investment_rate")],
    }.get(path, [])


def kind_of(c: Computed, report: ScoreReport | None = None) -> str:
    """computed / ruled / judged, as the engine says."""
    return str(c.kind)


def allowed_range(c: Computed) -> str:
    """The range the rule allows a judged figure, as printed: '0.00–10.00'."""
    if c.allowed is None:
        return ""

    lo, hi = c.allowed
    return f"{fmt_value(lo, c.unit)}–{fmt_value(hi, c.unit)}"


def stored_value(c: Computed, field_kind: str):
    """The figure as the canonical draft stores it: printed precision, half-up (what the form prints)."""

    if c.text:
        return c.text
    if c.value is None:
        return None
    if field_kind == fields.PERCENT or c.unit == "ratio":
        return f"{format(round_half_up(c.value * 100, 2), 'f')}%"
    return format(round_half_up(c.value, 2), "f")


KIND_LABELS = {"computed": "计算", "ruled": "按规则", "judged": "评价人判定"}


def dom_id(prefix: str, path: str) -> str:
    """A stable element id for a path: 'projects[0].indicators[2].score' → 'f-projects-0-indicators-2-score'."""
    slug = re.sub(r"[^0-9A-Za-z_\u4e00-\u9fff-]+", "-", path).strip("-")
    return f"{prefix}-{slug}"


# --- the trace ---------------------------------------------------------------------------------


@dataclass
class TraceInput:
    name: str
    value: str
    path: str = ""  # the field it came from, when the layout names one


def trace_inputs(c: Computed, labels: dict[str, str]) -> list[TraceInput]:
    """Each input of a figure with the field it came from. `labels` maps field path → its label on
    the form; an input is linked to the field of the same table whose label names it."""
    scope = _scope(c.key)
    candidates = {p: lbl for p, lbl in labels.items() if p.startswith(scope)}
    out = []
    for name, value in c.inputs.items():
        shown = value if isinstance(value, str) else _show(value, c.unit if name not in ("执行率",) else "ratio")
        out.append(TraceInput(name, shown, _match(name, candidates)))
    return out


def _scope(key: str) -> str:
    m = re.match(r"^((?:projects|fund_types)\[\d+\](?:\.tables\[\d+\])?|overall|narrative\.tables\.\w+|narrative\.framework\[\d+\]|basic_data|"
                 r"income|expenditure|sangong|fixed_assets|cover)", key)
    if not m:
        return ""
    s = m.group(1)
    m2 = re.match(r"^(.+?\.indicators\[\d+\])", key)
    if m2:
        return m2.group(1)
    m3 = re.match(r"^((?:income|expenditure|sangong|fixed_assets)\[\d+\])", key)
    return m3.group(1) if m3 else s


_ALIASES = {"指标值": "年度指标值", "实际值": "实际完成值", "分值": "分值", "全年执行数": "全年执行数", "全年预算数": "全年预算数",
            "人员支出": "人员支出", "公用支出": "公用支出", "在职人数": "年末实际在职人数", "编制数": "年末编制数"}


def _match(name: str, candidates: dict[str, str]) -> str:
    want = _ALIASES.get(name, name)
    best = ""
    for path, label in candidates.items():
        parts = re.split(r"[·]", label)
        if want in parts or label == want or label.endswith("·" + want):
            if "年度资金总额" in label or not best:
                best = path
    if best:
        return best
    for path, label in candidates.items():
        if want and want in label:
            return path
    return ""


def _show(v: object, unit: str) -> str:
    try:
        return fmt_value(v, unit) if unit in ("万元", "分") else format(v, "f")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(v)


# --- figure references in prose -------------------------------------------------------------------

TOKEN = re.compile(r"\{\{\s*([^{}]{1,80}?)\s*\}\}")


@dataclass(frozen=True)
class FigureRef:
    token: str  # what the preparer inserts: {{支出合计}}
    key: str  # the engine's result key
    label: str


def figure_refs(report: ScoreReport | None) -> list[FigureRef]:
    """The figures a narrative may cite, named as a preparer reads them."""
    if report is None:
        return []
    out: list[FigureRef] = []

    def add(token: str, key: str) -> None:
        c = report.find(key)
        if c is not None and (c.value is not None or c.text):
            out.append(FigureRef(token, key, c.label))

    pkg = report.package
    for table, label in (("expenditure", "支出合计"), ("income", "收入合计"), ("sangong", "三公经费合计"), ("fixed_assets", "固定资产合计")):
        rows = getattr(pkg, table)
        if any(r.is_summary for r in rows):
            add(label, keys.cover_summary(table, "total"))
        else:
            for i, r in enumerate(rows):
                if not r.is_summary:
                    add(label, keys.cover_row(table, i, "total"))
                    break
    add("基本支出", keys.cover_summary("expenditure", "basic"))
    add("项目支出", keys.cover_summary("expenditure", "project"))
    add("综合得分", keys.COVER_SCORE)
    add("评价等次", keys.COVER_GRADE)
    add("整体预算执行率", keys.execution_rate(keys.OVERALL))
    add("自评表总分", keys.total(keys.OVERALL))
    add("自评表等次", keys.grade(keys.OVERALL))
    add("§七综合得分", keys.FRAMEWORK_TOTAL)
    for i, p in enumerate(pkg.projects):
        name = p.name or f"项目{i + 1}"
        add(f"{name}·执行率", keys.execution_rate(keys.project(i)))
        add(f"{name}·总分", keys.total(keys.project(i)))
    seen: set[str] = set()
    unique = []
    for r in out:
        if r.token not in seen:
            seen.add(r.token)
            unique.append(r)
    return unique


@dataclass
class Resolved:
    text: str
    parts: list[tuple[str, str]]  # ("text", s) | ("ref", shown value) | ("bad", token)
    unknown: list[str]


def resolve(text: str, refs: list[FigureRef], report: ScoreReport | None) -> Resolved:
    """The text with each {{reference}} replaced by the figure's current value, as printed."""
    by_token = {r.token: r for r in refs}
    parts: list[tuple[str, str]] = []
    unknown: list[str] = []
    pos = 0
    out = []
    for m in TOKEN.finditer(text or ""):
        parts.append(("text", text[pos:m.start()]))
        out.append(text[pos:m.start()])
        ref = by_token.get(m.group(1))
        c = report.find(ref.key) if (ref and report) else None
        if c is None:
            unknown.append(m.group(1))
            parts.append(("bad", m.group(0)))
            out.append(m.group(0))
        else:
            shown = c.shown()
            parts.append(("ref", shown))
            out.append(shown)
        pos = m.end()
    parts.append(("text", (text or "")[pos:]))
    out.append((text or "")[pos:])
    return Resolved("".join(out), parts, unknown)


PROSE_PATHS = ("narrative.achievements", "narrative.problems", "narrative.suggestions", "narrative.publication",
               "unit.summary", "unit.main_tasks", "unit.functions")


def resolve_document(doc: dict, report: ScoreReport | None) -> dict:
    """The canonical dict with every reference in prose replaced by its value: what is exported and
    what a submitted version holds, so the printed package never carries a token."""
    refs = figure_refs(report)
    out = doc
    for path in PROSE_PATHS:
        text = fields.get(doc, path)
        if isinstance(text, str) and TOKEN.search(text):
            out = fields.put(out, path, resolve(text, refs, report).text)
    return out
