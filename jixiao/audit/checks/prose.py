"""Numbers, years and dates in prose (DESIGN §5 items 5 and 6).

Figures followed by 万元 are tied to their subject by reading the clause before
them: the subject phrase (基本支出, 人员经费, 三公经费 …) named in the clause, else the
one the sentence named last outside any parenthesis; the measure (年初预算 /
预算 / 支出、决算 / 上年) from the words after the subject, else the clause, else
the clause before. Parts of a "其中" list (in brackets or after 其中) must name
their own subject. Clauses about a change (增加、减少、追加、调整 …) are not
figures of a quantity and are skipped. The subject/measure pair maps to the
quantity catalogue of quantities.py, so a prose figure is compared with exactly
the table cells the cross-document check reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ...core import references
from ...core.memo import text_cache
from ...core.model import Package, Source, TextBlock
from ...core.numbers import normalize
from ..findings import Finding
from ..registry import AuditContext, check
from ._common import FORM_BASIC_DATA, FORM_COVER, FORM_NARRATIVE, SECTION_FRAMEWORK, show, table_form
from ._places import disproved_ids, group, same
from .quantities import BY_ID, CATALOGUE, Place, places_of, stated_places

# --- walking the package's text ------------------------------------------------------------


@dataclass(slots=True)
class Text:
    text: str
    location: Source
    prose: bool = True  # running text (paragraphs) rather than a table cell


def prose_blocks(pkg: Package) -> list[Text]:
    """The package's paragraphs: those a document reader found, else the narrative's free-text fields."""
    if pkg.texts:
        return [Text(b.text, block_source(b)) for b in pkg.texts if b.text.strip()]
    n, u = pkg.narrative, pkg.unit
    fields = [(u.summary, FORM_COVER, "年度总体运行情况及取得的成绩"), (n.achievements, FORM_NARRATIVE, "六、部门整体支出绩效情况"),
              (n.problems, FORM_NARRATIVE, "八、存在的问题"), (n.suggestions, FORM_NARRATIVE, "九、有关建议"),
              (n.publication, FORM_NARRATIVE, "十、结果应用和公开")]
    out = [Text(t, Source(form, section)) for t, form, section in fields if t.strip()]
    out += [Text(i.evidence, Source(FORM_NARRATIVE, SECTION_FRAMEWORK, i.name)) for i in n.framework if i.evidence]
    out += [Text(f.text, Source(FORM_NARRATIVE, "正文")) for f in n.figures if f.text]
    return out


def block_source(b: TextBlock) -> Source:
    return Source(form=b.form, table=b.section, line=b.line, text=_quote(b.text))


def _quote(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width] + "…"


def cell_texts(pkg: Package) -> Iterator[Text]:
    """Table cells holding free text: goals, indicator rows, statements."""
    u = pkg.unit
    for value, name in ((u.functions, "职能职责概述"), (u.main_tasks, "年度主要工作内容")):
        if value:
            yield Text(value, Source(FORM_COVER, "一、基本概况", name), prose=False)
    for kind_table in all_tables(pkg):
        table, form, title = kind_table
        for value, col in ((table.goal.expected, "预期目标"), (table.goal.actual, "实际完成情况")):
            if value:
                yield Text(value, table.goal.src.get("expected" if col == "预期目标" else "actual")
                           or Source(form, title, "年度总体目标", col), prose=False)
        for ind in table.indicators:
            for value, col in ((ind.name, "三级指标"), (ind.target.raw, "年度指标值"), (ind.actual.raw, "实际完成值"),
                               (ind.reason, "偏差原因分析及改进措施")):
                if value:
                    yield Text(value, Source(form, title, ind.name, col), prose=False)
    for value, col in ((pkg.cover_goal.expected, "预期目标"), (pkg.cover_goal.actual, "实际完成")):
        if value:
            yield Text(value, Source(FORM_COVER, "三、整体支出绩效自评情况", "定性目标", col), prose=False)
    for decl in pkg.fund_types:
        if decl.statement:
            yield Text(decl.statement, Source(FORM_NARRATIVE, "其他预算支出情况", decl.kind), prose=False)
    if pkg.basic_data.thrift_measures:
        yield Text(pkg.basic_data.thrift_measures, Source(FORM_BASIC_DATA, "厉行节约保障措施"), prose=False)


def all_tables(pkg: Package) -> Iterator[tuple]:
    """(table, form, title) for 附件3, every 附件4 and every 附件5–7 table."""
    if pkg.overall is not None:
        yield (pkg.overall, *table_form("overall", ""))
    for t in pkg.projects:
        yield (t, *table_form("project", t.name))
    for d in pkg.fund_types:
        for t in d.tables:
            yield (t, *table_form(t.kind, t.name))


def every_text(pkg: Package) -> list[Text]:
    """Paragraphs and table cells; a cell a reader also kept as a paragraph may appear twice (checks dedupe)."""
    return prose_blocks(pkg) + list(cell_texts(pkg))


def prose_blocks_of(ctx: AuditContext) -> list[Text]:
    """`prose_blocks` of the audited package, built once per audit. Callers must not change the list."""
    return ctx.cached("prose.prose_blocks", lambda: prose_blocks(ctx.package))


def every_text_of(ctx: AuditContext) -> list[Text]:
    """`every_text` of the audited package, built once per audit. Callers must not change the list."""
    return ctx.cached("prose.every_text", lambda: prose_blocks_of(ctx) + list(cell_texts(ctx.package)))


# --- figures in prose --------------------------------------------------------------------------

# Subject phrases, most specific first. Each maps a measure to a quantity id of the catalogue.
_ENTITIES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("vehicle", r"公务(?:用)?车(?:辆)?购置(?:及|和|与)?运行(?:维护)?费?",
     {"actual": "vehicle_expenditure", "budget": "vehicle_budget", "initial": "vehicle_budget"}),
    ("vehicle_operation", r"公务(?:用)?车(?:辆)?运行(?:维护)?费?",
     {"actual": "vehicle_operation_expenditure", "budget": "vehicle_operation_budget",
      "initial": "vehicle_operation_budget"}),
    ("overseas", r"因公出国(?:\(境\)|境|\(境\)费用)?费?",
     {"actual": "overseas_expenditure", "budget": "overseas_budget", "initial": "overseas_budget"}),
    ("reception", r"公务接待费?", {"actual": "reception_expenditure", "budget": "reception_budget",
                                  "initial": "reception_budget"}),
    ("sangong", r"三公经费", {"actual": "sangong_expenditure", "budget": "sangong_budget", "initial": "sangong_budget",
                           "prior": "sangong_prior"}),
    ("meeting", r"会议费", {"actual": "meeting_expenditure", "budget": "meeting_budget", "initial": "meeting_budget"}),
    ("procurement", r"政府采购", {"actual": "procurement_actual", "budget": "procurement_budget"}),
    ("wages", r"工资福利支出", {"actual": "wages_expenditure", "budget": "wages_budget", "initial": "wages_budget"}),
    ("goods", r"商品和服务支出", {"actual": "goods_services_expenditure", "budget": "goods_services_budget",
                               "initial": "goods_services_budget"}),
    ("personnel", r"人员经费|人员支出", {"actual": "personnel_expenditure", "initial": "personnel_budget"}),
    ("public", r"(?:日常)?公用经费|公用支出", {"actual": "public_expenditure", "budget": "public_budget",
                                        "initial": "public_budget"}),
    ("basic", r"基本支出", {"actual": "basic_expenditure", "initial": "basic_budget", "annual": "basic_annual_budget"}),
    ("project", r"项目支出", {"actual": "project_expenditure", "initial": "project_budget",
                          "annual": "project_annual_budget"}),
    ("total", r"整体支出", {"actual": "total_expenditure", "initial": "initial_budget",
                                   "annual": "annual_budget"}),
)
_ENTITY_RE = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx, _ in _ENTITIES))
_ENTITY_MAP = {name: m for name, _, m in _ENTITIES}
# Whole-unit figures named without a subject phrase.
_UNIT_WIDE = {"initial": "initial_budget", "annual": "annual_budget", "actual": "total_expenditure"}

_NOISE = re.compile(r"一般公共预算|公共预算|预算部门|预算单位|财政拨款|预算绩效|绩效")
_CHANGE = re.compile(r"增加|减少|节约|增长|下降|追加|调整|超支|结余|年末结转|比上年|较上年|差额|变动")
_MONEY = re.compile(r"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d+)?)\s*万元")
_STRIP = re.compile("[“”\"'‘’《》 ]")  # quotes and spaces dropped before reading figures (a regex: str.translate is slow on CJK)


@text_cache(4096)
def plain(text: str) -> str:
    """normalize(text) without quotes, title marks and spaces; shared by the figure and year checks."""
    return _STRIP.sub("", normalize(text))


@text_cache(8192)  # pure; clauses repeat within and across documents
def measure_of(text: str, year: int) -> str:
    """'年初预算数为' → initial; '实际支出数' → actual; '' → '' (inherit)."""
    text = _NOISE.sub("", text)
    if "上年结转" in text:
        return "carryover"
    if re.search(r"上年|上一年|去年", text) or re.search(rf"{year - 1}\s*年", text):
        return "prior"
    if re.search(r"执行数|决算|实际", text):
        return "actual"
    if "年初预算" in text:
        return "initial"
    if "全年预算" in text or "调整后预算" in text:
        return "annual"
    if "预算" in text:
        return "budget"
    if "支出" in text:
        return "actual"
    return ""


@dataclass(slots=True)
class ProseNumber:
    value: Decimal
    raw: str
    quantity: str  # catalogue id, or "" when the subject could not be tied
    clause: str
    part_of: int | None = None  # index of the figure this one is a part of (其中…)
    parts: list[int] = field(default_factory=list)


@text_cache(4096)
def _visible(text: str) -> str:
    """The text with closed (…) groups removed."""
    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"\([^()]*\)", "", text)
    return text


def _last_entity(text: str) -> re.Match[str] | None:
    found = None
    for m in _ENTITY_RE.finditer(text):
        found = m
    return found


def _other_year(text: str, year: int) -> bool:
    return any(int(y) not in (year, year - 1) for y in re.findall(r"(20\d{2})\s*年", text))


def _scope(sentence: str, start: int) -> tuple[str, str, bool]:
    """(the text this figure's clause is read from, the sentence outside brackets before it, is it a part)."""
    before = sentence[:start]
    open_at = before.rfind("(")
    if open_at > before.rfind(")"):
        return before[open_at + 1:], _visible(before[:open_at]), True
    scope = _visible(before)
    at = scope.rfind("其中")
    return scope, scope, at >= 0 and _MONEY.search(scope[:at]) is not None


def _clause(scope: str) -> str:
    """The words since the last delimiter or figure: '其中人员经费支出'."""
    cut = max(max(scope.rfind(c) for c in ",;:"), max((x.end() - 1 for x in _MONEY.finditer(scope)), default=-1))
    return scope[cut + 1:]


def _quantity(clause: str, outer: str, part: bool, inherited: str, year: int) -> tuple[str, str]:
    """(quantity id or '', measure) for a figure whose clause is `clause`."""
    ent = _last_entity(clause)
    if measure_of(clause, year) == "prior":
        measure = "prior"
    elif ent is not None:
        measure = measure_of(clause[ent.end():], year) or measure_of(clause[: ent.start()], year)
    else:
        measure = measure_of(clause, year)
    measure = measure or inherited
    if ent is None and not part:
        ent = _last_entity(outer[: len(outer) - len(clause)])
    if ent is not None:
        return _ENTITY_MAP[ent.lastgroup].get(measure or "actual", ""), measure
    if not part and measure in _UNIT_WIDE and re.search(r"预算|执行数", clause):
        return _UNIT_WIDE[measure], measure
    return "", measure


def sentence_figures(sentence: str, year: int) -> list[ProseNumber]:
    """Every 万元 figure of one sentence, with its quantity and its place in a 其中 list."""
    out: list[ProseNumber] = []
    last_measure = parent_measure = ""
    parent: int | None = None
    for m in _MONEY.finditer(sentence):
        scope, outer, part = _scope(sentence, m.start())
        clause = _clause(scope)
        number = ProseNumber(Decimal(m.group(1).replace(",", "")), m.group(0), "", clause)
        if part:
            number.part_of = parent
        if "上年结转" in clause:
            number.quantity, measure = "carryover", ""
        elif not (_CHANGE.search(clause) or _other_year(clause, year)):
            number.quantity, measure = _quantity(clause, outer, part, parent_measure if part else last_measure, year)
            last_measure = measure
        else:
            measure = ""
        if not part:
            parent, parent_measure = len(out), measure
        out.append(number)
    for i, n in enumerate(out):
        if n.part_of is not None:
            out[n.part_of].parts.append(i)
    return out


def split_sentences(text: str) -> list[str]:
    norm = plain(text)
    return [s for s in re.split(r"[。\n!?]", norm) if s.strip()]


@dataclass(slots=True)
class ProseFigureFound:
    quantity: str
    value: Decimal
    location: Source
    evidence: str


def text_figures(pkg: Package, blocks: list[Text] | None = None
                 ) -> tuple[list[ProseFigureFound], list[tuple[ProseNumber, list[ProseNumber], Text, str]]]:
    """Figures tied to a quantity, and 其中 lists (parent, parts, where, sentence), from the package's prose.

    `blocks`: `prose_blocks(pkg)` when the caller has it already."""
    figures: list[ProseFigureFound] = []
    subtotals = []
    if not pkg.texts:
        blocks = []
    elif blocks is None:
        blocks = prose_blocks(pkg)
    for block in blocks:
        if "万元" not in plain(block.text):
            continue  # no sentence of it holds a 万元 figure (split_sentences cuts plain(text))
        previous = ""
        for sentence in split_sentences(block.text):
            if "万元" not in sentence:
                previous = ""
                continue
            nums = sentence_figures(sentence, pkg.year)
            for n in nums:
                if n.quantity:
                    figures.append(ProseFigureFound(n.quantity, n.value, block.location, _quote(sentence)))
            for n in nums:
                if len(n.parts) >= 2:
                    subtotals.append((n, [nums[i] for i in n.parts], block, sentence))
            subtotals += _list_after_total(previous, sentence, pkg.year, block)
            previous = sentence
    return figures, subtotals


def _list_after_total(previous: str, sentence: str, year: int, block: Text) -> list:
    """A total in one sentence and its parts listed in the next: "共完成89.97万元。其中：30万元用于…；
    30万元用于…；29.99万元用于…。" — the two are read as one."""
    if not previous or not re.match(r"^\s*其中", sentence) or _MONEY.search(previous) is None:
        return []
    if sum(1 for _ in _MONEY.finditer(previous)) != 1:
        return []  # which of several figures the list belongs to is not said
    joined = f"{previous}，{sentence}"
    nums = sentence_figures(joined, year)
    return [(n, [nums[i] for i in n.parts], block, joined) for n in nums[:1] if len(n.parts) >= 2]


def text_figures_of(ctx: AuditContext):
    """`text_figures` of the audited package, read once per audit. Callers must not change the lists."""
    return ctx.cached("prose.text_figures", lambda: text_figures(ctx.package, prose_blocks_of(ctx)))


def prose_places(pkg: Package, ctx: AuditContext | None = None) -> dict[str, list[Place]]:
    """Prose figures by quantity: narrative.figures and figures read from Package.texts, once each.

    With `ctx` (the audit of `pkg`), the places and prose figures shared with other checks are reused."""
    out: dict[str, list[Place]] = {}
    seen: set[tuple] = set()
    for q in CATALOGUE:
        for p in (places_of(ctx, q) if ctx is not None else stated_places(pkg, q)):
            if p.prose:
                key = (q.id, p.value, p.evidence)
                if key not in seen:
                    seen.add(key)
                    out.setdefault(q.id, []).append(p)
    found, _ = text_figures_of(ctx) if ctx is not None else text_figures(pkg)
    for f in found:
        key = (f.quantity, f.value, f.location.line)
        if key in seen or any(p.value == f.value for p in out.get(f.quantity, []) if p.location.line is None):
            continue
        seen.add(key)
        where = f"{f.location.form or FORM_NARRATIVE} {f.location.table}".strip()
        out.setdefault(f.quantity, []).append(Place(where + " 正文", f.value, f.location, f.evidence, prose=True))
    return out


def prose_places_of(ctx: AuditContext) -> dict[str, list[Place]]:
    """`prose_places` of the audited package, once per audit. Callers must not change the result."""
    return ctx.cached("prose.prose_places", lambda: prose_places(ctx.package, ctx))


def _wrong_prose(ctx: AuditContext) -> list[tuple[str, Place, list[list[Place]]]]:
    """(quantity id, prose place, table groups) for each prose figure no table value supports (once per audit)."""
    return ctx.cached("prose.wrong_prose", lambda: _find_wrong_prose(ctx))


def _find_wrong_prose(ctx: AuditContext) -> list[tuple[str, Place, list[list[Place]]]]:
    disproved = disproved_ids(ctx)
    out = []
    for qid, prose in prose_places_of(ctx).items():
        q = BY_ID[qid]
        tables = [p for p in places_of(ctx, q) if not p.prose and id(p.value) not in disproved]
        if not tables:
            continue
        groups = group(tables, q.unit)
        for p in prose:
            if not any(same(g[0].value, p.value, q.unit) for g in groups):
                out.append((qid, p, groups))
    return out


@check("prose.figure", "文字所述数据与表格不符",
       "绩效评价报告正文中的金额（如“基本支出1805.66万元”“项目支出年初预算数为10万元”）按主语（基本支出、人员经费、"
       "公用经费、项目支出、三公经费、公务接待费、年初预算等）对应到表格中的同一数据，与所有表格所载均不一致的报告为错误。")
def prose_figure(ctx: AuditContext) -> list[Finding]:
    out = []
    for qid, p, groups in _wrong_prose(ctx):
        q = BY_ID[qid]
        table_text = "；".join(f"{g[0].where} {show(g[0].value, q.unit)}" for g in groups)
        expected = max(groups, key=len)[0]
        severity = "error" if len(groups) == 1 else "warning"
        out.append(Finding(
            rule="prose.figure", severity=severity,
            message=f"正文所述{q.label} {show(p.value, q.unit)}{_unit_word(q.unit)}与表格不符（{table_text}）。",
            location=p.location, stated=show(p.value, q.unit), expected=show(expected.value, q.unit),
            formula=f"正文 {show(p.value, q.unit)} ≠ {expected.where} {show(expected.value, q.unit)}",
            evidence=p.evidence))
    return out


def _unit_word(unit: str) -> str:
    return "万元" if unit == "万元" else ""


@check("prose.subtotal", "文字中的“其中”分项之和不等于总数",
       "正文“X万元（其中，A…a万元，B…b万元）”或“X万元，其中A…a万元；B…b万元”中，各分项之和应等于总数 X"
       "（按打印精度，每个分项允许0.01的舍入误差）。已由“文字所述数据与表格不符”指出的错误数字不再重复报告。")
def prose_subtotal(ctx: AuditContext) -> list[Finding]:
    wrong = {(p.value, p.location.line, p.location.form) for _, p, _ in _wrong_prose(ctx)}
    _, subtotals = text_figures_of(ctx)
    out = []
    for parent, parts, block, sentence in subtotals:
        total = sum((p.value for p in parts), Decimal(0))
        line_key = (block.location.line, block.location.form)
        if any((n.value, *line_key) in wrong for n in [parent, *parts]):
            continue
        if same(parent.value, total, "万元", len(parts)):
            # Within the rounding allowance of the parts — unless the parts are written exactly: a
            # part written without decimals ("30万元") is an allocation, not a rounded figure, and
            # only the parts with decimals may have drifted (half a unit of their last digit each).
            if abs(parent.value - total) <= _printed_slack(parent, parts):
                continue
            severity, why = "warning", "（分项中不带小数的按整数额计，超出其余分项的舍入范围）"
        else:
            severity, why = "error", ""
        terms = " + ".join(show(p.value, "万元") for p in parts)
        out.append(Finding(
            rule="prose.subtotal", severity=severity,
            message=f"正文所列总数 {show(parent.value, '万元')}万元与其中各分项之和 {show(total, '万元')}万元不符{why}。",
            location=block.location, stated=show(parent.value, "万元"), expected=show(total, "万元"),
            formula=f"{terms} = {show(total, '万元')} ≠ {show(parent.value, '万元')}", evidence=_quote(sentence)))
    return out


def _printed_slack(parent: ProseNumber, parts: list[ProseNumber]) -> Decimal:
    def half(n: ProseNumber) -> Decimal:
        exp = n.value.as_tuple().exponent
        return Decimal(5).scaleb(exp - 1) if isinstance(exp, int) and exp < 0 else Decimal(0)

    return half(parent) + sum((half(p) for p in parts), Decimal(0))


# --- years and dates -------------------------------------------------------------------------

_PERIOD_YEAR = re.compile(r"(?<![\d〔\[(（])(20\d{2})\s*(年度|年年末|年年底|年末|年底|全年)")
_COMPARE_BEFORE = re.compile(r"(较|比|与|同|相比|对比|上|去|自|从)\s*$")
_DATA_AFTER = re.compile(r"^.{0,6}?(决算|预算|支出|同期|相比|比较|增|减|下降|结转|结余|基础|以来|至|-)")


def filing_years(pkg: Package) -> set[int]:
    years = {pkg.year + 1}
    for d in (pkg.notice.issued_on, pkg.notice.deadline, pkg.basic_data.filing_date):
        if d is not None:
            years.add(d.year)
    return years


@check("date.year", "引用年度与评价年度不符",
       "正文中描述评价期的年度（如“2021年度绩效目标”“2021年年末编制人数”）应为评价年度；与评价年度和填报年度都不同、"
       "又不是“较2021年”“2021年决算数”之类的比较时提示；时效指标的期限早于评价年度时同样提示。")
def date_year(ctx: AuditContext) -> list[Finding]:
    pkg = ctx.package
    allowed = {pkg.year} | filing_years(pkg)
    out: list[Finding] = []
    seen: set[tuple] = set()
    for t in every_text_of(ctx):
        norm = plain(t.text)
        if "20" not in norm:  # no year of this century (most cells): nothing for the pattern to find
            continue
        for m in _PERIOD_YEAR.finditer(norm):
            y = int(m.group(1))
            if y in allowed or _COMPARE_BEFORE.search(norm[max(0, m.start() - 3): m.start()]):
                continue
            if _DATA_AFTER.search(norm[m.end(): m.end() + 8]):
                continue
            phrase = norm[m.start(): m.end() + 8]
            key = (phrase, t.location.line, t.location.form, t.location.table)
            if key in seen:
                continue
            seen.add(key)
            out.append(Finding(
                rule="date.year", severity="warning",
                message=f"评价年度为{pkg.year}年，此处却写“{phrase}”，疑为沿用其他年度材料未改，请核实。",
                location=t.location, stated=f"{y}年", expected=f"{pkg.year}年",
                formula=f"引用年度 {y} ≠ 评价年度 {pkg.year}", evidence=_context(norm, m.start(), m.end())))
    out += _date_targets(pkg)
    return out


def _context(text: str, start: int, end: int, width: int = 20) -> str:
    return text[max(0, start - width): end + width]


def _date_targets(pkg: Package) -> list[Finding]:
    out = []
    for table, form, title in all_tables(pkg):
        for ind in table.indicators:
            when = ind.target.when
            if ind.target.kind == "date" and when is not None and when.year < pkg.year:
                out.append(Finding(
                    rule="date.year", severity="warning",
                    message=f"时效指标“{ind.name}”的期限 {ind.target.raw} 早于评价年度{pkg.year}年，疑为沿用上年指标。",
                    location=ind.src.get("target") or Source(form, title, ind.name, "年度指标值"),
                    stated=ind.target.raw, expected=f"{pkg.year}年内的期限",
                    formula=f"{when.year} < {pkg.year}", evidence=ind.target.raw))
    return out


def filing_dates(pkg: Package, bureau_opinions: bool = True) -> list[tuple[str, date, Source]]:
    """Dates the package carries. `bureau_opinions=False` leaves out the finance bureau's own opinion
    (财政部门…意见), which is signed after the units hand in and so after their deadline."""
    out: list[tuple[str, date, Source]] = []
    n = pkg.notice
    if n.issued_on is not None:
        out.append(("附件1 通知落款日期", n.issued_on, n.src.get("issued_on") or Source("附件1", "落款")))
    if pkg.basic_data.filing_date is not None:
        out.append(("附件2 填报日期", pkg.basic_data.filing_date, Source(FORM_BASIC_DATA, "", "填报日期")))
    for table, form, title in all_tables(pkg):
        if table.filing_date is not None:
            out.append((f"{form} 填报日期", table.filing_date,
                        table.src.get("filing_date") or Source(form, title, "填报日期")))
    for o in pkg.opinions:
        if o.signed_on is not None and (bureau_opinions or "财政" not in o.role):
            out.append((f"{o.role}意见日期", o.signed_on, Source(FORM_COVER, "四、评价人员", o.role, "日期")))
    return out


def _report_month(pkg: Package) -> tuple[int, int] | None:
    m = re.search(r"(20\d{2})\s*年\s*(\d{1,2})\s*月", normalize(pkg.unit.report_date or ""))
    return (int(m.group(1)), int(m.group(2))) if m else None


def _unit_dates(pkg: Package) -> list[tuple[str, date, Source]]:
    """The dates the unit writes itself: its forms' 填报日期. The notice's date is the bureau's, and
    an opinion's date is the day it was signed — in a system that records when a package was sent,
    a late hand-in is the task's record, not an error the unit could correct in its package."""
    return [(label, d, src) for label, d, src in filing_dates(pkg, bureau_opinions=False)
            if not label.startswith("附件1") and not label.endswith("意见日期")]


@check("date.deadline", "填报日期晚于报送截止日",
       "附件填报日期、通知落款日期、意见签署日期以及封面报告时间（按月）不得晚于附件1通知规定的报送截止日期。"
       "在系统中填报时以所属评价任务的截止日期为准（主管部门审核下属单位的，以主管部门或财政局为主管部门规定的截止日期为准），"
       "只核对单位自己填写的填报日期和报告时间。")
def date_deadline(ctx: AuditContext) -> list[Finding]:
    pkg = ctx.package
    task_deadline = ctx.options.get("deadline")
    deadline = task_deadline or pkg.notice.deadline
    if deadline is None:
        return []
    whose = f"{ctx.options.get('deadline_by') or '评价任务'}规定的报送截止日" if task_deadline else "通知规定的报送截止日"
    dates = _unit_dates(pkg) if task_deadline else filing_dates(pkg, bureau_opinions=False)
    late: dict[date, list[tuple[str, Source]]] = {}
    for label, d, src in dates:
        if d > deadline:
            late.setdefault(d, []).append((label, src))
    out = []
    for d, places in sorted(late.items()):
        names = "、".join(label for label, _ in places)
        out.append(Finding(
            rule="date.deadline", severity="error",
            message=f"{names}为{_cn(d)}，晚于{whose}{_cn(deadline)}。",
            location=places[0][1], stated=_cn(d), expected=f"不晚于{_cn(deadline)}",
            formula=f"{d.isoformat()} > {deadline.isoformat()}", evidence=places[0][1].text))
    month = _report_month(pkg)
    if month is not None and month > (deadline.year, deadline.month):
        out.append(Finding(
            rule="date.deadline", severity="error",
            message=f"封面报告时间“{pkg.unit.report_date}”晚于{whose}{_cn(deadline)}。",
            location=pkg.unit.src.get("report_date") or Source(FORM_COVER, "封面", "报告时间"),
            stated=pkg.unit.report_date, expected=f"不晚于{_cn(deadline)}",
            formula=f"{month[0]}-{month[1]:02d} > {deadline.isoformat()}", evidence=pkg.unit.report_date))
    return out


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


_GARBLED = re.compile(r"(20\d{2})(?!\s*[年./\-\d])([^\d\s,;:。、()]{1,4}?)(\d{1,2})\s*月")
_BAD_DATE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")


def garbled_dates(text: str) -> list[str]:
    norm = normalize(text)
    if "月" not in norm:  # both patterns end in 月
        return []
    found = [m.group(0) for m in _GARBLED.finditer(norm)]
    for m in _BAD_DATE.finditer(norm):
        month, day = int(m.group(2)), int(m.group(3) or 1)
        if not 1 <= month <= 12 or not 1 <= day <= 31:
            found.append(m.group(0))
    return found


@check("date.garbled", "日期书写错误",
       "年份后夹杂非日期文字再接“月”（如“2022你那12月30日”），或月份、日期超出范围（如“2022年13月”）的，提示更正；"
       "同一错误出现在多处时合并为一条，列出各处。")
def date_garbled(ctx: AuditContext) -> list[Finding]:
    by_token: dict[str, list[Text]] = {}
    for t in every_text_of(ctx):
        for token in garbled_dates(t.text):
            places = by_token.setdefault(token, [])
            if not any(_same_spot(p.location, t.location) for p in places):
                places.append(t)
    out = []
    for token, places in by_token.items():
        where = "、".join(_where(p.location) for p in places)
        out.append(Finding(
            rule="date.garbled", severity="warning",
            message=f"日期“{token}”书写有误（{where}），请更正为规范的“年月日”写法。",
            location=places[0].location, stated=token, expected="规范日期，如“2022年12月30日”",
            evidence=_context(normalize(places[0].text), *_span(normalize(places[0].text), token))))
    return out


def _same_spot(a: Source, b: Source) -> bool:
    """The same place in the document: the same line of the same form, or the same cell."""
    if a.line is not None and b.line is not None:
        return a.line == b.line and a.form[:3] == b.form[:3]
    return a == b


def _span(text: str, token: str) -> tuple[int, int]:
    i = text.find(token)
    return (i, i + len(token)) if i >= 0 else (0, 0)


def _where(src: Source) -> str:
    return src.describe() or src.form


# --- figure references ----------------------------------------------------------------------


@check("text.reference", "未知的引用",
       "正文或表格文字中仍有 {{…}} 形式的数字引用：网页编辑器在保存、导出和生成文档时会把认得的引用换成数字，"
       "留下的引用不指向任何数字（项目改名或删除，或手工输入）。生成的文档在该处印“【未知的引用：…】”，请重新插入引用或改写。")
def unknown_reference(ctx: AuditContext) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple] = set()
    for t in every_text_of(ctx):
        for name in references.names(t.text):
            key = (name, t.location.form, t.location.table, t.location.row, t.location.column, t.location.line)
            if key in seen:  # a cell a reader also kept as a paragraph
                continue
            seen.add(key)
            token = "{{" + name + "}}"
            out.append(Finding(
                rule="text.reference", severity="error",
                message=f"未知的引用 {token}：没有名为“{name}”的数字，文档中此处印为“{references.marker(name)}”；"
                        "请重新插入引用或改写这句话。",
                location=t.location, stated=token, evidence=_quote(t.text)))
    return out
