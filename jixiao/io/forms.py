"""The form recogniser: walks the block stream of a real package and fills a Package.

Forms are found by their printed titles (…自评报告, …绩效评价报告, …通知,
…基础数据表, …整体支出绩效自评表, …项目支出绩效自评表, …政府性基金/国有资本经营/
社会保险基金预算支出绩效自评表), never by position: any subset of forms, in any
order, reads the same. Inside a form, tables and rows are found by their labels
(收入合计, 年初预算数, 三级指标, 总分 …). Readers of real documents are lenient: a
figure that cannot be read is left empty, a target that cannot be parsed stays
qualitative, and nothing in a document's content raises.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.indicators import TargetError, parse_actual, parse_target
from ..core.memo import text_cache
from ..core.model import (
    Actual,
    Evaluator,
    ExpenditureRow,
    FixedAssetRow,
    FundRow,
    FundTypeDeclaration,
    IncomeRow,
    Indicator,
    Jurisdiction,
    Line,
    LineTable,
    Opinion,
    Package,
    SanGongRow,
    SelfEvalTable,
    Source,
    Target,
    TextBlock,
)
from ..core.numbers import NumberError, agrees, parse_amount, parse_date, parse_number
from ..core.profiles import ProfileError, detect_jurisdiction, load_profile, resolve_profile
from .blocks import Block, Cell, Paragraph, Table, compact, is_blank_row
from .families import TableSpec, cover_labels, families, is_top, line_tops, table_spec
from .framework_text import parse_framework
from .headers import (
    cell_role,
    columns_by_role,
    combined_header,
    fund_row_role,
    grade_labels,
    header_rows,
    header_text,
    is_fund_header,
    is_indicator_header,
    is_repeated_header,
    row_roles,
    texts_of,
    words_of_roles,
)
from .reading import caption_of, forget, note, prose_reads, prose_unread, reading_of, recording, rows_left
from .score_sheet import find_sheet
from .text_tables import tables_in_text

# --- forms and their titles ------------------------------------------------------------------

COVER, NARRATIVE = "自评报告", "绩效评价报告"
FUND_FORMS = {"附件5": "gov_fund", "附件6": "state_capital", "附件7": "social_insurance"}
FUND_KIND_WORDS = {"gov_fund": "政府性基金", "state_capital": "国有资本经营", "social_insurance": "社会保险基金"}
FORM_ORDER = [COVER, NARRATIVE, "附件1", "附件2", "附件3", "附件4", "附件5", "附件6", "附件7"]


@text_cache(8192)  # pure; asked of every paragraph
def classify_title(text: str) -> str | None:
    """The form a title paragraph opens, or None. Titles are short and carry no sentence punctuation."""
    t = compact(text)
    if not t or len(t) > 80 or re.search(r"[，。；]", t):
        return None
    if re.match(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])", t):
        return None  # an item of a table of contents or of a list ("十四、2023年度部门整体支出绩效自评表")
    for word, form in (("政府性基金预算支出绩效自评表", "附件5"), ("国有资本经营预算支出绩效自评表", "附件6"),
                       ("社会保险基金预算支出绩效自评表", "附件7"), ("项目支出绩效自评表", "附件4"),
                       ("整体支出绩效自评表", "附件3")):
        if word in t:
            return form
    family_form = _family_title(t)
    if family_form:
        return family_form
    if t.endswith("基础数据表"):
        return "附件2"
    if t.endswith("通知") and ("自评" in t or "绩效" in t):
        return "附件1"
    if t.endswith("自评报告"):
        # A project's or a fund's own report ("…项目支出绩效单位自评报告", "…救灾资金绩效自评报告")
        # is prose about that spending, not the cover form of a department's package.
        if "整体" not in t and ("项目" in t or "资金" in t):
            return NARRATIVE
        return COVER
    if t.endswith("评价报告"):
        return NARRATIVE
    return None


_KIND_FORMS = {"overall": "附件3", "project": "附件4", "gov_fund": "附件5", "state_capital": "附件6",
               "social_insurance": "附件7"}


def _family_title(t: str) -> str | None:
    """The form a family's own title words open (岳阳's "…财政支出项目绩效评价自评报告" is a project form)."""
    for fam in families():
        for spec in fam.tables:
            if any(w in t for w in spec.titles):
                return _KIND_FORMS.get(spec.kind)
    return None


@dataclass
class Segment:
    form: str
    title: str
    line: int | None
    blocks: list[Block] = field(default_factory=list)


def _prose_report(seg: Segment) -> bool:
    """A "…整体支出绩效自评报告" title over numbered prose and no table is the report itself (as
    广东 publishes it), not the 湖南 cover form."""
    return seg.form == COVER and not any(isinstance(b, Table) for b in seg.blocks) \
        and any(isinstance(b, Paragraph) and is_heading(b.text) for b in seg.blocks)


def segment(blocks: list[Block]) -> list[Segment]:
    """Cut the stream at every form title; blocks before the first title form an untitled segment."""
    out = [Segment("", "", None)]
    for b in blocks:
        form = classify_title(b.text) if isinstance(b, Paragraph) else None
        if form:  # a 公文 title broken over lines (GB/T 9704 7.3.3) is one title
            title, line = b.clean.replace("\n", ""), b.line
            before = out[-1].blocks[-1] if out[-1].blocks else None
            if _title_head(before, b, form):
                out[-1].blocks.pop()  # the title's first line, printed as a paragraph of its own
                title, line = before.clean.replace("\n", "") + title, before.line
            title = re.sub(r"(?<=\d) +(?=[\d年])", "", title)  # "20 16 年度" → "2016年度"
            out.append(Segment(form, title, line))
            continue
        out[-1].blocks.append(b)
    for seg in out:
        if _prose_report(seg):
            seg.form = NARRATIVE
    return [s for s in out if s.form or s.blocks]


def _title_head(before: Block | None, title: Paragraph, form: str) -> bool:
    """A title broken over two lines ("岳阳县2016年度部门(单位)整体支出" / "绩效评价自评报告"): the
    line above is short, no sentence, no 附件 label, and the two together still open the same form."""
    if not isinstance(before, Paragraph) or not before.compact or len(before.compact) > 40:
        return False
    t = before.compact
    if re.search(r"[，。；：:、]$|[，。；]", t) or re.match(r"^附件\s*[0-9一二三四五六七八九十]", t) or is_heading(t):
        return False
    if classify_title(before.text) is not None or len(title.compact) > 20:
        return False
    return classify_title(before.text + title.text) == form and bool(re.search(r"年度|部门|单位|整体|项目", t))


# --- small lenient parsers ------------------------------------------------------------------------


def amount(text: str) -> Decimal | None:
    try:
        return parse_amount(text or "")
    except NumberError:
        return None


def rate(text: str) -> Decimal | None:
    """A percent cell as a ratio with its printed precision; a bare number in a rate column is percent points."""
    p = parse_number(text or "")
    if p.value is None:
        return None
    return p.ratio if p.unit == "%" else p.value.scaleb(-2)


def integer(text: str) -> int | None:
    p = parse_number(text or "")
    if p.value is None or p.value != p.value.to_integral_value():
        return None
    return int(p.value)


def src(form: str, cell: Cell | Paragraph | None, table: str = "", row: str = "", column: str = "",
        kind: str = "") -> Source:
    if cell is None:
        return Source(form, table, row, column)
    source = Source(form, table, row, column, cell.line, cell.clean)
    note(cell, source, kind)  # for Package.reading: this cell was read
    return source


@text_cache(8192)  # pure; row labels repeat
def label_of(text: str) -> str:
    """A row label without numbering, '其中：' or a trailing colon: '1、工资福利支出' → '工资福利支出'."""
    t = compact(text)
    t = re.sub(r"^(?:(?:\d+|[一二三四五六七八九十]+)[、.．](?!\d)|[（(](?:\d+|[一二三四五六七八九十]+)[）)]|[①-⑳])", "", t)
    t = re.sub(r"^其中[:：]?", "", t)
    return t.rstrip(":：")


@text_cache(8192)
def before_bracket(text: str) -> str:
    return re.split(r"[（(]", compact(text), maxsplit=1)[0]


def bracket_points(text: str) -> Decimal | None:
    m = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]", text or "")
    return Decimal(m.group(1)) if m else None


def cells_of(blocks: list[Block]):
    for b in blocks:
        if isinstance(b, Table):
            for row in b.rows:
                yield from row


def rows_of(blocks: list[Block]):
    for b in blocks:
        if isinstance(b, Table):
            yield from b.rows


def _filled(row: list[Cell]) -> list[Cell]:
    return [c for c in row if c.compact]


# --- the package ------------------------------------------------------------------------------------


def build_package(blocks: list[Block], source_path: str = "") -> Package:
    blocks = tables_in_text(blocks)  # rows pasted as text (TAB, '|', runs of spaces) are tables
    blocks = [part for b in blocks for part in (_one_per_item(b) if isinstance(b, Table) else (b,))]
    segments = segment(blocks)
    with recording() as notes:
        pkg = _build(segments, blocks, source_path)
        where = _tables_where(segments)
        _amount_tables(pkg, where, {id(b): seg.form for seg in segments for b in seg.blocks}, notes)
        pkg.reading = reading_of(where, notes)
    pkg.reading.tables += prose_reads(pkg.narrative)
    prose_unread(pkg.title, [b.text for b in pkg.texts], pkg.reading)
    return pkg


def _build(segments: list[Segment], blocks: list[Block], source_path: str) -> Package:
    year = _year(segments)
    pkg = Package(year=year or 0, source_path=source_path)
    pkg.jurisdiction = _jurisdiction_of(blocks)
    resolved = resolve_profile(pkg.jurisdiction, pkg.year)
    pkg.profile, pkg.profile_note = resolved.profile, resolved.note
    try:
        bare = load_profile(pkg.profile)["bare_target_comparator"]
    except ProfileError:  # pragma: no cover - shipped profiles always load
        bare = ">="
    ctx = _Ctx(pkg, bare)
    for seg in segments:
        ctx.texts(seg)
        if seg.form and seg.form not in pkg.forms_found:
            pkg.forms_found.append(seg.form)
        parser = _PARSERS.get(seg.form)
        if parser is not None:
            parser(ctx, seg)
        if seg.form not in _SELF_EVAL_FORMS:
            _score_sheets(ctx, seg)
            _self_eval_by_headers(ctx, seg)
    _finish_fund_types(ctx)
    pkg.forms_found.sort(key=FORM_ORDER.index)
    if not pkg.title:
        # No cover form: the document's own title is its first form's (a project table, a report).
        first = next((sg for sg in segments if sg.form), None)
        if first is not None:
            pkg.title = first.title
            pkg.src["title"] = Source(first.form, line=first.line, text=first.title)
    return pkg


# Column roles of amounts: a table whose header names two of them, left unread by every form, is read
# as a table of amounts (rows, their parts and their totals).
_AMOUNT_ROLES = frozenset({"initial", "annual", "executed", "final", "change", "opening", "closing", "income",
                           "balance"})
_SUBTOTAL = ("小计", "分项小计")


def _amount_tables(pkg: Package, tables: list[tuple[Table, str]], forms: dict[int, str], notes) -> None:
    """Tables of amounts no form took (a project's spending by item under its self-evaluation, a
    report's table of funds by source): found by a header naming two amount columns (预算数, 执行数,
    决算数, 结余 …), read as a line table whose rows, 其中 parts, 小计 and 合计 the sums check."""
    for table, where in tables:
        if any(id(c) in notes.cells for row in table.rows for c in row):
            continue  # read already, whole or in part, by a form
        lt = _amount_table(table, where, len(pkg.narrative.tables), forms.get(id(table)) or NARRATIVE)
        if lt is not None and not _summarises_read_tables(lt, pkg):
            pkg.narrative.tables[lt.key] = lt


def _summarises_read_tables(lt: LineTable, pkg: Package) -> bool:
    """A report's summary of the self-evaluation tables already read (one row per project with its
    budget and execution, as a report lists its projects' results) repeats their figures: it is not a
    table of its own. Only when every row names a table read and agrees with its total; a summary
    that disagrees is kept, so its sums are checked."""
    totals = {}
    for table in [pkg.overall, *pkg.projects]:
        fund = table.fund("total") if table is not None else None
        if table is not None and table.name and fund is not None:
            totals[table.name.strip()] = (fund.annual, fund.executed)
    rows = [ln for ln in lt.lines if ln.label != lt.total_label and not ln.parent]
    if not rows or set(lt.columns) - {"annual", "executed"}:
        return False
    return all(totals.get(ln.label.strip()) == (ln.values.get("annual"), ln.values.get("executed")) for ln in rows)


def _amount_table(table: Table, where: str, n: int, form: str) -> LineTable | None:
    start = next((i for i, row in enumerate(table.rows[:6]) if _amount_header(row)), None)
    if start is None:
        return None
    header = table.rows[start]
    spec: dict[str, tuple[str, ...]] = {}
    for j, cell in enumerate(header[1:], 1):
        label = cell.compact
        if not label or not any(amount(row[j].text) is not None for row in table.rows[start + 1:] if j < len(row)):
            continue  # a column of text (备注) or one no row fills
        role = cell_role(cell.text)
        if role in _AMOUNT_ROLES and role not in spec:
            spec[role] = (label,)
        elif _sums_like_an_amount(label, role):
            spec[f"column{j}"] = (label,)
    if len(spec) < 2:
        return None
    title = where if where != "文件开头" else "金额表"
    spec = dict(sorted(spec.items(), key=lambda kv: -len(kv[1][0])))  # the longest label finds its cell first
    part = Table(rows=table.rows[start:], line=header[0].line if header else table.line)
    lt = _line_table(part, f"amounts_{n}", title, spec, tuple(w for words in spec.values() for w in words),
                     form, "nested")
    lt.src["form"] = Source(form, title, line=part.line)  # the form it stands in, for the findings' places
    _subtotals(lt)
    _complete_groups(lt)
    return lt if lt.lines else None


# A column that adds up like money: its header names an amount (…数, …额, 资金) and no ratio or unit
# figure (执行率, 占比, 单价, 均价), which a total row does not sum.
_AMOUNT_LABEL = re.compile(r"(?:数|额|金额|资金|支出|收入)(?:[（(][^）)]*[）)])?$")
_NOT_ADDED = re.compile(r"率|比重|占比|比例|单价|均价|平均|%|％|分值|得分|权重")


def _sums_like_an_amount(label: str, role: str) -> bool:
    return not role and _AMOUNT_LABEL.search(label) is not None and _NOT_ADDED.search(label) is None


def _amount_header(row: list[Cell]) -> bool:
    """A header naming two amount columns and holding no figure."""
    if any(c.compact and not header_text(c.text) for c in row):
        return False
    return len(set(row_roles(texts_of(row))) & _AMOUNT_ROLES) >= 2


def _subtotals(lt: LineTable) -> None:
    """A 小计 row closes the rows above it (since the previous 小计): it is neither their peer nor a
    parent printed above them. Its rows become its parts (checked against it), and the 合计 adds the
    rows, not the subtotals (`LineTable.subtotals`): each row counts once, and a wrong subtotal is
    reported at itself alone. Subtotals are told apart by the rows they close."""
    group: list[Line] = []
    for line in lt.lines:
        if line.label == lt.total_label:
            group = []
            continue
        if not line.label.startswith(_SUBTOTAL):
            if not line.parent:
                group.append(line)
            continue
        if group:
            line.label = f"{line.label}（{group[0].label}至{group[-1].label}）" if len(group) > 1 \
                else f"{line.label}（{group[0].label}）"
            for member in group:
                member.parent = line.label
            lt.subtotals.append(line.label)
        group = []


def _complete_groups(lt: LineTable) -> None:
    """A 其中 group whose parts add up exactly to the row above in some column lists all its parts:
    in every column they must then add up to it (a 其中 list may leave parts out only where no
    column shows it complete)."""
    for parent in lt.lines:
        if not parent.partial:
            continue
        children = [c for c in lt.lines if c.parent == parent.label]
        if len(children) < 2:
            continue
        for col in lt.columns:
            values = [c.values.get(col) for c in children]
            stated = parent.values.get(col)
            if stated and all(v is not None for v in values) and sum(values, Decimal(0)) == stated:
                parent.partial = False
                break


def _tables_where(segments: list[Segment]) -> list[tuple[Table, str]]:
    """Every table of the document with where a person finds it: the caption above it (a short
    line; tables one after another share it), else the form's title."""
    out: list[tuple[Table, str]] = []
    for seg in segments:
        for i, b in enumerate(seg.blocks):
            if isinstance(b, Table):
                out.append((b, _caption_above(seg.blocks, i) or seg.title or "文件开头"))
    return out


def _caption_above(blocks: list[Block], i: int) -> str:
    """The nearest short line above block i that names a table (tables in between share it)."""
    for b in reversed(blocks[:i]):
        if isinstance(b, Paragraph):
            caption = caption_of(b.text)
            if caption:
                return caption
    return ""


_YEAR_IN_TITLE = re.compile(r"(2\s?0\s?\d\s?\d)\s*年")  # spaced as some covers print it: "20 16 年度"
_YEAR_IN_BODY = re.compile(r"(2\s?0\s?\d\s?\d)\s*年度")


_SELF_EVAL_FORMS = ("附件3", "附件4", "附件5", "附件6", "附件7")


def _self_eval_by_headers(ctx: _Ctx, seg: Segment) -> None:
    """Self-evaluation tables outside a form titled as one — untitled, under a title no rule knows
    ("绩效目标自评表（衔接资金）", "项目自评表（专项资金）"), embedded in a report — found by what
    their headers say: a fund block (budgeted and executed amounts) or an indicator block (indicators
    with their targets or actuals). The caption above the table, if any, is its title and a hint to
    its kind (整体 → the department's table; a fund type's words → 附件5–7), never a gate."""
    for i, b in enumerate(seg.blocks):
        if isinstance(b, Paragraph) or not _self_eval_layout(b, seg.form):
            continue
        names: list[Paragraph] = []  # "项目名称：…" over the table: the form's name rows, printed as lines
        names_end = False
        caption = seg.title
        for above in reversed(seg.blocks[:i]):  # tables one after another share their caption
            if not isinstance(above, Paragraph):
                names_end = True
                continue
            if _name_label(above.text) is not None:
                if not names_end:
                    names.insert(0, above)
            elif caption_of(above.text):
                caption = above.clean.replace("\n", "")
                break
        kind = _kind_by_caption(caption, ctx.pkg)
        form = _KIND_FORMS[kind]
        table = parse_self_eval(ctx, Segment(form, caption, b.line, [*names, b]),
                                keep=lambda t, b=b: _holds_rows(t) and not _item_rows(t, b))
        if table is None:
            forget(b)  # not a self-evaluation table: its cells are free for another reading
            continue
        for after in itertools.takewhile(lambda x: isinstance(x, Paragraph), seg.blocks[i + 1:i + 6]):
            _grade_cells(table, [after], form)  # "评价等次：良" printed under the table
        if table is not None and form not in ctx.pkg.forms_found:
            ctx.pkg.forms_found.append(form)


def _item_rows(t: SelfEvalTable, table: Table) -> bool:
    """A fund block of a total row alone beside two rows of figures that are no part of the funds
    (道路维修, 桥涵养护 … closed by 合计, with an 执行率 column): a table of spending by item."""
    return not t.indicators and all(f.key == "total" for f in t.funds) and rows_left(table) >= 2


def _one_per_item(table: Table) -> list[Table]:
    """A grid holding the tables of several projects one under the other (a sheet, or pasted text
    without a title between them), cut where a name row ("项目名称 | …") follows a table's figures:
    each part is a table of its own, read and listed in Package.reading on its own."""
    names = _union_spec_names()
    starts = [i for i, row in enumerate(table.rows)
              if i and len(row) >= 2 and row[0].compact.endswith(names)]
    if not starts:
        return [table]  # most tables: one name row at the top, or none
    cuts = [0]
    for i in starts:  # a name row after figures opens the next item's table
        if any(amount(c.text) is not None for row in table.rows[cuts[-1]:i] for c in row[1:]):
            cuts.append(i)
    if len(cuts) == 1:
        return [table]
    bounds = zip(cuts, cuts[1:] + [len(table.rows)])
    return [Table(rows=table.rows[a:b], line=table.rows[a][0].line if table.rows[a] else table.line) for a, b in bounds]


def _union_spec_names() -> tuple[str, ...]:
    return tuple(table_spec("project", "")[0].name_labels.get("name", ("项目名称",)))


def _name_label(text: str) -> str | None:
    """The label of a "项目名称：村道硬化" line above a table (a name row printed as a paragraph)."""
    m = re.match(r"^(\S{2,8}?)[:：\s\u3000]+\S", text.strip())
    if m is None:
        return None
    label = compact(m.group(1))
    return label if label.endswith(("名称", "部门", "单位")) else None


def _self_eval_layout(table: Table, form: str) -> bool:
    """A table holding a fund block, or an indicator block with targets or actuals (a score sheet of
    points and scores only is read by score_sheet.py). The cover form's quantitative targets are its
    own; there only a fund block counts."""
    if not _may_be_self_eval(table):
        return False
    for i, row in enumerate(table.rows[:40]):
        roles = row_roles(texts_of(row))
        if is_fund_header(roles):
            return True
        if form == COVER or not roles:
            continue
        combined = row_roles(texts_of(combined_header(table.rows, i)))
        if is_indicator_header(combined) and ("target" in combined or "actual" in combined):
            return True
    return False


def _may_be_self_eval(table: Table) -> bool:
    """A quick test on the table's text before its rows are judged: some cell names an executed
    amount, an indicator's target or its actual (every self-evaluation layout prints one)."""
    text = "|".join(c.compact for row in table.rows[:40] for c in row)
    return words_of_roles(("executed", "target", "actual")).search(text) is not None


def _kind_by_caption(caption: str, pkg: Package) -> str:
    t = compact(caption)
    for kind, word in FUND_KIND_WORDS.items():
        if word in t:
            return kind
    if "整体" in t and pkg.overall is None:
        return "overall"
    return "project"


def _score_sheets(ctx: _Ctx, seg: Segment) -> None:
    """Framework tables with points and scores (部门整体支出绩效评价指标表), in any part of the document."""
    title = seg.title
    for b in seg.blocks:
        if isinstance(b, Paragraph):
            if b.compact and len(b.compact) <= 40:
                title = b.clean
            continue
        found = find_sheet(b, title, seg.form)
        if found is not None and found[0].items:
            ctx.pkg.score_sheets.append(found[0])
            if found[1] not in ctx.pkg.families:
                ctx.pkg.families.append(found[1])


def _year(segments: list[Segment]) -> int | None:
    """The evaluation year from a title ('…2022年度…', '20 16 年度'), the cover's first; else the
    first '…年度' the document's opening paragraphs or cells name."""
    ordered = sorted(segments, key=lambda s: 0 if s.form == COVER else 1)
    for seg in ordered:
        m = _YEAR_IN_TITLE.search(seg.title)
        if m:
            return int(re.sub(r"\s", "", m.group(1)))
    for seg in ordered:
        for b in seg.blocks[:40]:
            texts = [b.text] if isinstance(b, Paragraph) else [c.text for row in b.rows[:6] for c in row]
            for text in texts:
                m = _YEAR_IN_BODY.search(text)
                if m:
                    return int(re.sub(r"\s", "", m.group(1)))
    for seg in segments[:1]:  # the document's own first line: "2017年部门整体支出绩效评价得分表"
        first = next((b for b in seg.blocks if isinstance(b, Paragraph) and b.compact), None)
        m = first is not None and len(first.compact) <= 60 and _YEAR_IN_TITLE.search(first.text)
        if m:
            return int(re.sub(r"\s", "", m.group(1)))
    return None


def _jurisdiction_of(blocks: list[Block]) -> Jurisdiction | None:
    """The jurisdiction a document names in its opening: title, unit, bureau (the profiles' own
    names and aliases for it, data not code)."""
    texts: list[str] = []
    for b in blocks[:80]:
        texts += [b.text] if isinstance(b, Paragraph) else [c.text for row in b.rows[:12] for c in row]
    return detect_jurisdiction(texts)


_SENTENCE_MARK = re.compile(r"[，。；、]")  # a cell holding one of these is prose


class _Ctx:
    def __init__(self, pkg: Package, bare: str) -> None:
        self.pkg = pkg
        self.bare = bare
        self.statements: dict[str, tuple[str, Source]] = {}  # fund kind → the narrative's "无…预算支出" sentence
        self.fund_tables: dict[str, list[SelfEvalTable]] = {}

    def texts(self, seg: Segment) -> None:
        """Every prose paragraph, and prose held in table cells, for the text checks."""
        section = seg.title
        for b in seg.blocks:
            if isinstance(b, Paragraph):
                if not b.compact:
                    continue
                if is_heading(b.text):
                    section = b.clean
                self.pkg.texts.append(TextBlock(seg.form, section, b.clean, b.line))
            else:
                for row in b.rows:
                    for j, c in enumerate(row):
                        t = c.clean
                        if _is_prose_cell(t):
                            self.pkg.texts.append(TextBlock(seg.form, section, t, c.line))
                        elif t and j and _is_problem_label(row[j - 1].text):
                            # A short answer under its label ("存在问题 | 暂无"): a claim the checks weigh.
                            self.pkg.texts.append(TextBlock(seg.form, row[j - 1].clean, t, c.line))


@text_cache(8192)  # asked of every cell of every table
def _is_prose_cell(cleaned: str) -> bool:
    return len(compact(cleaned)) >= 15 and bool(_SENTENCE_MARK.search(cleaned))


@text_cache(8192)
def _is_problem_label(text: str) -> bool:
    t = compact(text)
    return "问题" in t and len(t) <= 8


@text_cache(8192)  # pure; asked of every paragraph, some twice
def is_heading(text: str) -> bool:
    t = compact(text)
    return bool(re.match(r"^[一二三四五六七八九十]+、", t)) and len(t) <= 40


# --- 自评报告 (cover form) ---------------------------------------------------------------------

_COVER_PARAGRAPH_FIELDS = (("名称", "name"), ("预算编码", "budget_code"), ("评价方式", "evaluation_method"),
                           ("评价机构", "evaluator_org"), ("报告时间", "report_date"), ("主管部门", "supervisor"))
_COVER_LABELS = (("联系人", "unit.contact"), ("联系电话", "unit.phone"), ("人员编制", "staffing.authorized"),
                 ("实有人数", "staffing.actual"), ("职能职责", "unit.functions"), ("年度主要工作内容", "unit.main_tasks"),
                 ("总体运行情况", "unit.summary"), ("主管部门", "unit.supervisor"))
_COVER_TABLES = {
    "income": (IncomeRow, ("total", "carryover", "general_budget", "fund_budget", "special_account", "other"), "年度收入情况"),
    "expenditure": (ExpenditureRow, ("total", "basic", "personnel", "public", "project", "balance_current",
                                     "balance_cumulative"), "年度支出和结余情况"),
    "sangong": (SanGongRow, ("total", "reception", "vehicle_operation", "vehicle_purchase", "overseas"), "三公经费"),
    "fixed_assets": (FixedAssetRow, ("total", "in_use", "rented", "other"), "固定资产"),
}


def parse_cover(ctx: _Ctx, seg: Segment) -> None:
    pkg = ctx.pkg
    pkg.title = seg.title
    pkg.src["title"] = Source(COVER, line=seg.line, text=seg.title)
    for b in seg.blocks:
        if isinstance(b, Paragraph):
            _cover_paragraph(pkg, b)
    for b in seg.blocks:
        if isinstance(b, Table):
            _cover_table(ctx, b)
    for b in seg.blocks:  # the grade note may sit below the table
        if isinstance(b, Paragraph) and b.compact.startswith("备注") and not pkg.grade_note:
            pkg.grade_note = _grade_note(b.text)
    if pkg.unit.contact or pkg.staffing.authorized is not None or pkg.income or pkg.expenditure:
        # The cover form's own labels were found: the package is of the family that prints them.
        for fam in families():
            if fam.cover_labels and fam.id not in pkg.families:
                pkg.families.append(fam.id)
                break


def _cover_fields() -> tuple[tuple[str, str], ...]:
    """The cover's paragraph labels, with the synonyms the families list (报告日期, 报告期 …)."""
    extra = tuple((w, "report_date") for w in cover_labels("report_date"))
    return _COVER_PARAGRAPH_FIELDS + extra


_LABEL_SPACE_VALUE = re.compile(r"^(\S{2,14}?)[ \u3000]+(\S.*)$")


def _cover_paragraph(pkg: Package, p: Paragraph) -> None:
    m = re.match(r"^(.*?)[：:](.*)$", p.clean)
    if m is None:
        # A label without its colon ("部门(单位)名称 岳阳县…"): the label, a space, the value.
        m = _LABEL_SPACE_VALUE.match(p.clean)
        if m is None or not any(word in compact(m.group(1)) for word, _ in _cover_fields()):
            return
    label, value = compact(m.group(1)), m.group(2).strip()
    for word, attr in _cover_fields():
        if word in label and not getattr(pkg.unit, attr):
            setattr(pkg.unit, attr, compact(value) if attr in ("report_date", "budget_code") else value)
            pkg.unit.src[attr] = src(COVER, p, "封面", label)
            return


def _cover_table(ctx: _Ctx, table: Table) -> None:
    mode = ""
    for row in table.rows:
        cells = _filled(row)
        if not cells:
            continue
        first = cells[0].compact
        new_mode = _cover_mode(row)
        if new_mode:
            mode = new_mode
            if mode in ("score", "opinions"):
                _cover_row_special(ctx, row, mode)
            continue
        if re.match(r"^[一二三四]、", first):
            mode = ""
            continue
        if mode in _COVER_TABLES:
            _cover_money_row(ctx, row, mode)
        elif mode == "goal":
            _cover_goal(ctx, row)
            mode = ""
        elif mode == "quant":
            _cover_indicator(ctx, row)
        elif mode == "evaluators":
            _cover_evaluator(ctx, row)
        else:
            _cover_labels(ctx, row)


def _cover_mode(row: list[Cell]) -> str:
    texts = [c.compact for c in row]
    joined = "|".join(texts)
    if "收入合计" in texts:
        return "income"
    if "支出合计" in texts:
        return "expenditure"
    if any(t.startswith("三公经费") for t in texts) and "机构名称" in texts:
        return "sangong"
    if any(t.startswith("固定资产") for t in texts) and "机构名称" in texts:
        return "fixed_assets"
    if "预期目标" in texts and "实际完成" in joined:
        return "goal"
    if "绩效目标" in texts and "完成情况" in texts:
        return "quant"
    if "评分" in joined and re.search(r"评分(?:[（(][^）)]*[）)])?[:：]\s*\d", joined):
        return "score"
    if "姓名" in texts:
        return "evaluators"
    if "意见" in joined and ("评价组组长" in joined or "归口业务科室" in joined or "部门（单位）意见" in joined):
        return "opinions"
    return ""


def _cover_money_row(ctx: _Ctx, row: list[Cell], mode: str) -> None:
    cls, fields, table_name = _COVER_TABLES[mode]
    name_cell = row[0]
    name = re.sub(r"^\d+[、.．]", "", name_cell.clean.replace("\n", ""))
    if len(row) < 3 or not compact(name) or compact(name) in ("机构名称", "其中:", "其中："):
        return  # a title row (one cell) or a header row, not an institution
    values = row[1:]
    obj = cls(institution=compact(name), is_summary="汇总" in name)
    obj.src["institution"] = src(COVER, name_cell, table_name, compact(name), "机构名称")
    for fname, cell in zip(fields, values):
        value = amount(cell.text)
        setattr(obj, fname, value)
        if cell.compact:
            obj.src[fname] = src(COVER, cell, table_name, obj.institution, fname)
    getattr(ctx.pkg, mode).append(obj)


def _cover_goal(ctx: _Ctx, row: list[Cell]) -> None:
    if len(row) < 2:
        return
    goal = ctx.pkg.cover_goal
    goal.expected, goal.actual = row[-2].clean, row[-1].clean
    goal.src["expected"] = src(COVER, row[-2], "定性目标", "", "预期目标")
    goal.src["actual"] = src(COVER, row[-1], "定性目标", "", "实际完成")


def _cover_indicator(ctx: _Ctx, row: list[Cell]) -> None:
    if len(row) < 3 or not row[-3].compact:
        return
    if row[-3].compact == "三级指标" or row[-2].compact in ("年度指标值", "指标值"):
        return  # a second header row naming the columns (一级指标 … 实际完成值), not an indicator
    prev = ctx.pkg.cover_indicators[-1] if ctx.pkg.cover_indicators else None
    level1 = before_bracket(row[-5].text) if len(row) >= 5 and row[-5].compact else (prev.level1 if prev else "")
    level2 = compact(row[-4].text) if len(row) >= 4 and row[-4].compact else (prev.level2 if prev else "")
    ind = make_indicator(ctx, COVER, "定量目标", level1, level2, row[-3], row[-2], row[-1], None, None, None)
    ctx.pkg.cover_indicators.append(ind)


def _cover_row_special(ctx: _Ctx, row: list[Cell], mode: str) -> None:
    pkg = ctx.pkg
    for cell in row:
        text = cell.clean
        if mode == "score":
            m = re.search(r"评分(?:[（(][^）)]*[）)])?[:：]\s*(\d+(?:\.\d+)?)", text)
            if m:
                pkg.stated_score = Decimal(m.group(1))
                pkg.src["score"] = src(COVER, cell, "综合得分", "", "评分")
            g = re.search(r"等[级次][:：]\s*([^\s\n]+)", text)
            if g:
                pkg.stated_grade = g.group(1)
                pkg.src["grade"] = src(COVER, cell, "综合得分", "", "等级")
            for line in text.splitlines():
                if compact(line).startswith("备注"):
                    pkg.grade_note = _grade_note(line)
        else:
            opinion = _opinion(cell)
            if opinion is not None:
                pkg.opinions.append(opinion)


def _grade_note(text: str) -> str:
    return compact(re.sub(r"^\s*备注\s*[:：]", "", text)).rstrip("。")


_ROLES = (("评价组组长", "评价组组长"), ("归口业务科室", "财政部门归口业务科室"), ("部门（单位）意见", "部门（单位）"),
          ("部门(单位)意见", "部门（单位）"), ("单位意见", "部门（单位）"))


def _opinion(cell: Cell) -> Opinion | None:
    lines = cell.clean.splitlines()
    if not lines:
        return None
    head = compact(lines[0])
    role = next((r for word, r in _ROLES if word in head), None)
    if role is None:
        return None
    body, signer = [], ""
    for line in lines[1:]:
        c = compact(line)
        if "签字" in c:
            # Only a name written right after the colon counts: the blank form prints the next label after a gap.
            # The name must end the line or be followed by a space: "（签字）：部门（单位）（盖章）："
            # is the next label, not a signature.
            m = re.search(r"[（(]签字[)）][:：][ \u3000]?([^\s（(：:]+)(?=[\s\u3000]|$)", line)
            signer = signer or (m.group(1) if m and "盖章" not in m.group(1) else "")
            continue
        if "盖章" in c or re.fullmatch(r"年月日", c) or not c:
            continue
        body.append(line.strip())
    after = compact(lines[0].split("：", 1)[1]) if "：" in lines[0] else ""
    text = "\n".join(([after] if after else []) + body)
    when = parse_date(cell.text)
    return Opinion(role=role, text=text, signer=signer, signed_on=when[0] if when else None)


def _cover_evaluator(ctx: _Ctx, row: list[Cell]) -> None:
    if len(row) < 3 or not row[0].compact:
        return
    signed = len(row) >= 4 and bool(row[3].compact)
    ctx.pkg.evaluators.append(Evaluator(name=compact(row[0].text), title=row[1].clean, org=row[2].clean, signed=signed))


def _cover_labels(ctx: _Ctx, row: list[Cell]) -> None:
    """Label / value pairs of 一、基本概况: a cell holding a known label, its value in the next cell —
    or in the same cell after a colon ("联系人：张三")."""
    pkg = ctx.pkg
    for i, cell in enumerate(row):
        label = cell.compact
        inline = re.match(r"^([^:：]{2,20})[:：](.+)$", label)
        if inline is None and i == len(row) - 1:
            break
        for word, target in _COVER_LABELS + tuple((w, "unit.phone") for w in cover_labels("phone")):
            if not label.startswith(word) and not (word == "总体运行情况" and word in label):
                continue
            if inline is not None and inline.group(1).startswith(word):
                value_cell = Cell(re.split(r"[:：]", cell.clean, maxsplit=1)[1].strip(), cell.line)
                label = inline.group(1)
            elif i + 1 < len(row):
                value_cell = row[i + 1]
            else:
                break
            obj_name, attr = target.split(".")
            obj = pkg.unit if obj_name == "unit" else pkg.staffing
            value = integer(value_cell.text) if obj_name == "staffing" else value_cell.clean
            setattr(obj, attr, value)
            obj.src[attr] = src(COVER, value_cell, "基本概况", label)
            break


# --- indicators (cover, 附件3–7) ---------------------------------------------------------------


def make_indicator(ctx: _Ctx, form: str, table: str, level1: str, level2: str, name: Cell, target: Cell,
                   actual: Cell, weight: Cell | None, score: Cell | None, reason: Cell | None) -> Indicator:
    raw_target = target.clean.replace("\n", "")
    try:
        tgt = parse_target(raw_target, ctx.bare)
    except TargetError:  # a promise of a figure we cannot read: keep it as text, the audit will say so
        tgt = Target(raw=raw_target, kind="qualitative")
    raw_actual = actual.clean.replace("\n", "")
    act = parse_actual(raw_actual, tgt) if raw_actual else Actual(raw="")
    label = name.clean.replace("\n", "")
    ind = Indicator(level1=level1, level2=level2, name=label, target=tgt, actual=act,
                    weight=amount(weight.text) if weight else None, stated_score=amount(score.text) if score else None,
                    reason=reason.clean if reason else "")
    for key, cell in (("name", name), ("target", target), ("actual", actual), ("weight", weight),
                      ("score", score), ("reason", reason)):
        if cell is not None:
            ind.src[key] = src(form, cell, table, label, key)
    return ind


# --- 绩效评价报告 (narrative) -------------------------------------------------------------------


def parse_narrative(ctx: _Ctx, seg: Segment) -> None:
    n = ctx.pkg.narrative
    n.title = seg.title
    n.src["title"] = Source(NARRATIVE, line=seg.line, text=seg.title)
    context = ""
    prose = _PreparerProse()
    for b in seg.blocks:
        if isinstance(b, Paragraph):
            text = b.clean
            if _is_section(text):
                n.sections.append(compact(text))
            if len(compact(text)) <= 60:
                context = text
            _statement(ctx, b)
            prose.add(text)
            continue
        kind = _narrative_table_kind(b, context, n.tables)
        if kind:
            n.tables[kind] = _NARRATIVE_TABLES[kind](b)
    parse_framework(ctx.pkg, seg, NARRATIVE)
    prose.store(n)


class _PreparerProse:
    """The preparer's own text under §八–十 (经验做法, 问题, 建议, 公开), found by what the
    headings say rather than by their numbers, kept as written."""

    _FIELDS = (("经验", "achievements"), ("问题", "problems"), ("建议", "suggestions"), ("公开", "publication"),
               ("结果应用", "publication"))

    def __init__(self) -> None:
        self.field = ""
        self.parts: dict[str, list[str]] = {}

    def add(self, text: str) -> None:
        t = compact(text)
        if is_heading(t) or re.match(r"^[（(][一二三四五六七八九十]+[）)]", t):
            top = is_heading(t)
            found = self._field_of(t)
            if found:
                self.field = found
            elif top:
                self.field = ""
            return
        if self.field and t and not re.match(r"^附件[0-9一二三四五六七八九十]+[：:]?$", t):
            self.parts.setdefault(self.field, []).append(text.strip())

    def _field_of(self, heading: str) -> str:
        # "八、主要经验做法、存在的问题及原因分析" names two: its text is the problems unless a
        # sub-heading splits it.
        hits = [f for word, f in self._FIELDS if word in heading]
        return "problems" if "problems" in hits else (hits[0] if hits else "")

    def store(self, n) -> None:
        for name, parts in self.parts.items():
            if not getattr(n, name):
                setattr(n, name, "\n".join(parts))


def _is_section(text: str) -> bool:
    t = compact(text)
    if is_heading(t):
        return True
    # Unnumbered top headings ("政府性基金预算支出情况"): short, no sentence punctuation, not a sub-item.
    return (len(t) <= 20 and t.endswith("情况") and not re.search(r"[，。：:；]", t)
            and not re.match(r"^[（(\d①-⑳]", t))


def _statement(ctx: _Ctx, p: Paragraph) -> None:
    t = p.clean
    for kind, word in FUND_KIND_WORDS.items():
        if f"无{word}预算支出" in t and len(compact(t)) <= 60 and kind not in ctx.statements:
            ctx.statements[kind] = (t, src(NARRATIVE, p, f"{word}预算支出情况"))


def _narrative_table_kind(table: Table, context: str, taken: dict) -> str:
    header = _header_row(table, ("决算数", "预算"))
    if header is None:
        return ""
    labels = [c.compact for c in header]
    joined = "|".join(labels) + "|" + compact(context) + "|" + "|".join(c.compact for c in table.rows[0])
    if "年末结转和结余" in joined or "支出决算数" in joined:
        return "project_expenditure"
    if "成本" in joined or "备注" in labels or "basic_expenditure" in taken:
        return "cost_control"
    return "basic_expenditure"


def _header_row(table: Table, words: tuple[str, ...]) -> list[Cell] | None:
    for row in table.rows:
        joined = "|".join(c.compact for c in row)
        if all(w in joined for w in words):
            return row
    return None


def _columns(header: list[Cell], spec: dict[str, tuple[str, ...]]) -> dict[str, tuple[int, str]]:
    """Column key → (index, printed header) by the first header cell containing one of its words."""
    out: dict[str, tuple[int, str]] = {}
    for key, words in spec.items():
        for i, cell in enumerate(header):
            label = cell.compact
            if any(w in label for w in words) and all(i != j for j, _ in out.values()):
                out[key] = (i, re.sub(r"[（(]万元[)）]", "", label))
                break
    return out


def _cell(row: list[Cell], header: list[Cell], index: int) -> Cell | None:
    """The cell under a header column; rows narrower or wider than the header align on the right."""
    if len(row) == len(header):
        return row[index]
    j = len(row) - (len(header) - index)
    return row[j] if 0 <= j < len(row) else None


_TOTAL_LABELS = ("合计", "总计", "总支出", "支出合计")


def _line_table(table: Table, key: str, title: str, spec: dict[str, tuple[str, ...]], header_words: tuple[str, ...],
                form: str, hierarchy: str, stop_words: tuple[str, ...] = (), tops: tuple[str, ...] = ()) -> LineTable:
    header = _header_row(table, header_words) or table.rows[0]
    cols = _columns(header, spec)
    lt = LineTable(key=key, title=title, columns={k: lbl for k, (_, lbl) in cols.items()})
    start = table.rows.index(header) + 1
    note_col = next((i for i, c in enumerate(header) if c.compact == "备注"), None)
    labels = [row[0].text for row in table.rows[start:] if row and row[0].compact]
    ranked = len({r for r in map(numbering_rank, labels) if r}) >= 2
    builder = _Hierarchy(lt, hierarchy, tops, ranked)
    for row in table.rows[start:]:
        if is_blank_row(row):
            continue
        if stop_words and any(w in c.compact for c in row for w in stop_words):
            break
        raw_label = row[0].text
        label = label_of(raw_label)
        if not label:
            continue
        line = Line(label=label)
        line.src["label"] = src(form, row[0], title, label, "项目")
        for ckey, (idx, clabel) in cols.items():
            cell = _cell(row, header, idx)
            if cell is None:
                continue
            line.values[ckey] = amount(cell.text)
            if cell.compact:
                line.src[ckey] = src(form, cell, title, label, clabel, kind="金额表")
        if note_col is not None and note_col < len(row):
            line.note = row[note_col].clean
        builder.add(line, raw_label)
    _choose_reading(lt, builder.alternatives, builder.strategy)
    return lt


class _Hierarchy:
    """Parent/child structure of a line table, from the printed cues.

    Cues, in order: a total row (合计 / 总支出) is top-level; a label the family names as a top
    row (families' `line_tops`) is top-level; a row introduced by "其中" opens a partial group
    under the row before it, and the rows after it without a cue of their own stay in that
    group ("其中：公车购置" then "公车运行维护"); a row indented deeper than its parent stays
    under it; numbering ranks rows when a table prints more than one kind (一、 over （一） over
    1. over （1） over ①); a numbered row ("1、") is a child of the current top row when the form
    has fixed tops, else top-level. Strategy 'indent' (basic-expenditure style) uses indentation
    alone; 'groups' (project-expenditure style) makes rows under a "…支出" row its children.

    Where the cues leave a row's parent open, the other readings are kept in `alternatives`
    (the default first) for `_choose_reading`.
    """

    def __init__(self, lt: LineTable, strategy: str, tops: tuple[str, ...], ranked: bool = False) -> None:
        self.lt, self.strategy, self.tops, self.ranked = lt, strategy, tops, ranked
        self.top: Line | None = None
        self.sub: Line | None = None  # the last numbered child: deeper rows may belong to it
        self.sub_indent_base = -1
        self.in_group = False
        self.group_parent: Line | None = None  # the row a 其中 group hangs under
        self.ranks: list[tuple[int, Line]] = []  # numbered rows above, by rank
        self.alternatives: list[tuple[Line, list[str]]] = []

    def add(self, line: Line, raw: str) -> None:
        indent = len(raw) - len(raw.lstrip(" \u3000"))
        label = line.label
        rank = numbering_rank(raw)
        numbered = bool(re.match(r"^\s*(?:\d+|[一二三四五六七八九十]+)[、.．]", raw))
        qizhong = bool(re.match(r"^[\s\u3000]*(?:其中|含)[:：]?", raw)) and not label.startswith("含")
        self.lt.lines.append(line)
        if label in _TOTAL_LABELS or compact(label) in _TOTAL_LABELS:
            self.lt.total_label = label
            self._set_top(None)
            return
        if self.tops and is_top(label, self.tops):
            self._set_top(line)
            return
        if self.ranked and rank and not qizhong:
            self._by_rank(line, rank)
            return
        if self.strategy == "indent":
            if indent > 0 and self.top is not None:
                line.parent = self.top.label
            else:
                self._set_top(line)
            return
        if self.strategy == "groups":
            if self.top is not None and not label.endswith("支出"):
                line.parent = self.top.label
                # Nothing printed says so: the row may as well be a peer of the one above (a
                # township's projects, one per row, closed by 合计). The sums decide.
                self._alternative(line, [self.top.label, ""])
            else:
                self._set_top(line)
            return
        self._nested(line, indent, numbered, qizhong)

    def _by_rank(self, line: Line, rank: int) -> None:
        while self.ranks and self.ranks[-1][0] >= rank:
            self.ranks.pop()
        if self.ranks:
            line.parent = self.ranks[-1][1].label
        self.ranks.append((rank, line))
        self.top = self.ranks[0][1]

    def _nested(self, line: Line, indent: int, numbered: bool, qizhong: bool) -> None:
        if qizhong:
            parent = self.sub if self.sub is not None else self.top
            if parent is None:
                self._set_top(line)
                return
            parent.partial = True
            line.parent = parent.label
            self.in_group, self.group_parent = True, parent
            return
        if self.sub is not None and indent > self.sub_indent_base and not numbered:
            line.parent = self.sub.label
            return
        if numbered:
            if self.tops and self.top is not None:
                line.parent = self.top.label
                self.sub, self.sub_indent_base = line, indent
            else:
                self._set_top(line)
            self.in_group, self.group_parent = False, None
            return
        if self.in_group and self.group_parent is not None and self.group_parent is not self.top:
            # A row without a cue after a 其中 row under a numbered child: another part of that
            # child (the default), or a further child of the top row, or a top row itself.
            line.parent = self.group_parent.label
            self._alternative(line, [self.group_parent.label, self.top.label if self.top else "", ""])
            return
        if self.top is not None and (self.tops or self.in_group):
            line.parent = self.top.label
            self.sub = None
            return
        self._set_top(line)

    def _alternative(self, line: Line, parents: list[str]) -> None:
        self.alternatives.append((line, list(dict.fromkeys(parents))))

    def _set_top(self, line: Line | None) -> None:
        self.top, self.sub, self.in_group, self.group_parent = line, None, False, None


_RANKS = ((re.compile(r"^[一二三四五六七八九十]+[、.．]"), 1), (re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), 2),
          (re.compile(r"^\d+[、.．](?!\d)"), 3), (re.compile(r"^[（(]\d+[）)]"), 4), (re.compile(r"^[①-⑳]"), 5))


def numbering_rank(raw: str) -> int:
    """The level a row's numbering gives it: 一、 → 1, （一） → 2, 1. / 1、 → 3, （1） → 4, ① → 5; 0 if none."""
    t = compact(raw)
    for pattern, rank in _RANKS:
        if pattern.match(t):
            return rank
    return 0


def _choose_reading(lt: LineTable, alternatives: list[tuple[Line, list[str]]], strategy: str = "nested") -> None:
    """Where the cues left parents open, prefer the reading under which the table's own sums hold.

    The default reading stands when its sums hold, or when no other reading makes all of them
    hold: a sum that fails under every reading is reported (the note says the other readings
    were tried), never hidden by picking the reading that fails least.
    """
    if not alternatives:
        return
    options = [cands for _, cands in alternatives]
    peers = tuple(cands[-1] for cands in options)  # every open row a peer of the rows above it
    if strategy == "groups":  # two readings only: the rows under the first are its parts, or all peers
        combos = [tuple(cands[0] for cands in options), peers]
    else:
        combos = list(itertools.islice(itertools.product(*options), 256))
    default = combos[0]

    def apply(combo) -> None:
        for (line, _), parent in zip(alternatives, combo):
            line.parent = parent

    apply(default)
    if _sums_hold(lt):
        return
    checked = _parents(lt)
    for combo in dict.fromkeys([peers, *combos[1:]]):
        apply(combo)
        # A reading may not make a sum disappear: every row that has parts under the default
        # keeps parts (a failing 项目支出 = Σ projects is not "fixed" by making the projects top rows)
        # — unless the total row confirms the new reading by arithmetic: 合计 = Σ the rows read as
        # peers. (Were the parent reading right with its own sum wrong, the total, equal to the
        # parent, could not equal the parent plus its parts.)
        if (checked <= _parents(lt) or _total_confirms(lt)) and _sums_hold(lt):
            lt.reading = _reading_note(alternatives, combo, default, strategy)
            return
    apply(default)
    if strategy == "groups":
        first = next((d for d in default if d), "")
        lt.reading = (f"表中层级未标明，已试两种读法（“{first}”为上级、其下各行为其明细；各行并列、合计为其和），"
                      f"各项之和均不相符，按前一种读法报告")
    else:
        lt.reading = "表中层级未标明处已试各种读法，各项之和均不相符，按默认读法（“其中”项后无标记的行归入同组）报告"


def _reading_note(alternatives: list[tuple[Line, list[str]]], combo: tuple, default: tuple, strategy: str) -> str:
    if strategy == "groups" and not any(combo):
        first = next((d for d in default if d), "")
        note = f"（按“{first}”为上级、其下各行为其明细的读法，各项之和不符）" if first else ""
        return f"表中层级未标明，按各项之和相符的读法：各行为并列项，合计等于各行之和{note}"
    moved = [f"“{line.label}”作为{f'“{p}”的下级项' if p else '一级项'}"
             for (line, _), p, d in zip(alternatives, combo, default) if p != d]
    return f"表中层级未标明处按各项之和相符的读法：{'；'.join(moved)}（按“其中”分组的读法各项之和不符）"


def _total_confirms(lt: LineTable) -> bool:
    """The total row states a figure that the top-level rows, two or more, add up to."""
    total = lt.line(lt.total_label) if lt.total_label else None
    if total is None:
        return False
    tops = [ln for ln in lt.lines if not ln.parent and ln is not total]
    checked = False
    for col in (c for c in lt.columns if c not in lt.derived):
        values = [ln.values.get(col) for ln in tops if ln.values.get(col) is not None]
        stated = total.values.get(col)
        if len(values) < 2 or stated is None:
            continue
        if not agrees(stated, sum(values, Decimal(0)), parts=len(values)):
            return False
        checked = True
    return checked


def _parents(lt: LineTable) -> set[str]:
    return {ln.parent for ln in lt.lines if ln.parent}


def _sums_hold(lt: LineTable) -> bool:
    """Every parent's children add up (其中 groups: do not exceed it), and the total row the top rows."""
    columns = [c for c in lt.columns if c not in lt.derived]
    groups = [(p, [c for c in lt.lines if c.parent == p.label], p.partial) for p in lt.lines]
    if lt.total_label:
        total = lt.line(lt.total_label)
        if total is not None:
            groups.append((total, [ln for ln in lt.lines if not ln.parent and ln is not total], False))
    for parent, children, partial in groups:
        if not children:
            continue
        for col in columns:
            values = [c.values.get(col) for c in children if c.values.get(col) is not None]
            stated = parent.values.get(col)
            if not values or stated is None:
                continue
            got = sum(values, Decimal(0))
            if partial:
                if got > stated + Decimal("0.01") * len(values):
                    return False
            elif not agrees(stated, got, parts=len(values)):
                return False
    return True


_BASIC_COLS = {"budget": ("年初预算数", "预算数"), "actual": ("决算数",), "diff": ("增加", "增减")}
_PROJECT_COLS = {"initial": ("年初预算",), "carryover": ("年初结转",), "income": ("收入",), "spent": ("支出决算",),
                 "closing": ("年末结转",)}


def _basic_table(table: Table) -> LineTable:
    lt = _line_table(table, "basic_expenditure", "基本支出情况", _BASIC_COLS, ("决算数",), NARRATIVE, "indent")
    lt.derived = {"diff": ("diff", "actual", "budget")}
    return lt


def _project_table(table: Table) -> LineTable:
    lt = _line_table(table, "project_expenditure", "项目支出情况", _PROJECT_COLS, ("年末结转",), NARRATIVE, "groups")
    lt.derived = {"closing": ("balance", "carryover", "income", "spent")}
    return lt


def _cost_table(table: Table) -> LineTable:
    lt = _line_table(table, "cost_control", "预算支出成本控制情况", {"budget": ("预算数",), "actual": ("决算数",),
                     "diff": ("增加", "增减")}, ("决算数", "预算数"), NARRATIVE, "nested")
    lt.derived = {"diff": ("diff", "actual", "budget")}
    return lt


_NARRATIVE_TABLES = {"basic_expenditure": _basic_table, "project_expenditure": _project_table, "cost_control": _cost_table}


# --- 附件1 notice -----------------------------------------------------------------------------------


def parse_notice(ctx: _Ctx, seg: Segment) -> None:
    notice = ctx.pkg.notice
    form = "附件1"
    previous: Paragraph | None = None
    for b in seg.blocks:
        if not isinstance(b, Paragraph) or not b.compact:
            continue
        t = b.clean
        before, previous = previous, b
        m = re.search(r"于\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:之)?前", t)
        if m and notice.deadline is None:
            notice.deadline = parse_date(m.group(1))[0]
            notice.src["deadline"] = src(form, b, "有关要求", "", "报送期限")
        m = re.search(r"(\d+(?:\.\d+)?)\s*[%％]\s*及以上", t)
        if m and notice.deviation_threshold is None:
            notice.deviation_threshold = Decimal(m.group(1)).scaleb(-2)
            notice.src["deviation_threshold"] = src(form, b, "自评程序和步骤", "", "偏差")
        m = re.search(r"整体支出\s*([\d,，.]+)\s*万元", t)
        if m and notice.scope_total is None:
            notice.scope_total = amount(m.group(1))
            notice.src["scope_total"] = src(form, b, "自评范围", "", "整体支出")
        signed = re.match(r"^(\S.{1,40}?)\s{2,}(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*$", t)
        if signed:
            notice.issuer = signed.group(1).strip()
            notice.issued_on = parse_date(signed.group(2))[0]
            notice.src["issuer"] = notice.src["issued_on"] = src(form, b, "落款")
        elif len(compact(t)) <= 14 and parse_date(t) and notice.issued_on is None:
            notice.issued_on = parse_date(t)[0]
            notice.src["issued_on"] = src(form, b, "落款")
            # GB/T 9704 signs on two lines: the issuer's name, then the date under it.
            if before is not None and not notice.issuer and len(before.compact) <= 40 \
                    and not re.search(r"[，。；：:、,;]", before.clean) and not parse_date(before.clean):
                notice.issuer = before.clean
                notice.src["issuer"] = src(form, before, "落款")


# --- 附件2 basic data -------------------------------------------------------------------------------



def parse_basic_data(ctx: _Ctx, seg: Segment) -> None:
    bd = ctx.pkg.basic_data
    form = "附件2"
    for b in seg.blocks:
        if isinstance(b, Paragraph):
            _filler(b, bd, form)
            continue
        rows = b.rows
        for i, row in enumerate(rows):
            joined = "|".join(c.compact for c in row)
            nxt = rows[i + 1] if i + 1 < len(rows) else None
            if "编制数" in joined and "在职" in joined and nxt is not None:
                _staffing_row(ctx, row, nxt, form)
            elif "批复规模" in joined and nxt is not None:
                _buildings_row(bd, row, nxt, form)
            elif row and row[0].compact.startswith("厉行节约") and len(row) > 1:
                bd.thrift_measures = row[1].clean
                bd.src["thrift_measures"] = src(form, row[1], "厉行节约保障措施")
        if _header_row(b, ("决算数", "预算数")) is not None and bd.costs is None:
            bd.costs = _costs_table(b, ctx.pkg.year)


def _filler(p: Paragraph, holder, form: str, labels: tuple[str, ...] = ("填表人",)) -> None:
    t = p.clean
    for label in labels or ("填表人",):
        m = re.search(label + r"[:：]\s*(\S*)", t)
        if m and "联系电话" not in m.group(1) and not getattr(holder, "filler", ""):
            holder.filler = m.group(1)
            holder.src["filler"] = src(form, p, "落款", "", label)
    m = re.search(r"填报日期[:：]\s*(.*)$", t)
    if m:
        when = parse_date(m.group(1))
        if when:
            holder.filing_date = when[0]
            holder.src["filing_date"] = src(form, p, "落款", "", "填报日期")


def _staffing_row(ctx: _Ctx, header: list[Cell], row: list[Cell], form: str) -> None:
    st = ctx.pkg.basic_data.staffing
    cols = _columns(header, {"authorized": ("编制数",), "in_post": ("在职",), "rate": ("控制率",)})
    for key, (idx, label) in cols.items():
        cell = _cell(row, header, idx)
        if cell is None:
            continue
        if key == "rate":
            st.stated_control_rate = rate(cell.text)
            st.src["control_rate"] = src(form, cell, "财政供养人员情况", "", label)
        else:
            setattr(st, key, integer(cell.text))
            st.src[key] = src(form, cell, "财政供养人员情况", "", label)


_BUILDING_COLS = {"approved_area": ("批复规模",), "actual_area": ("实际规模",), "area_rate": ("规模控制率",),
                  "budget_investment": ("预算投资",), "actual_investment": ("实际投资",),
                  "investment_rate": ("概算控制率",)}


def _buildings_row(bd, header: list[Cell], row: list[Cell], form: str) -> None:
    b = bd.buildings
    for key, (idx, label) in _columns(header, _BUILDING_COLS).items():
        cell = _cell(row, header, idx)
        if cell is None:
            continue
        attr = {"area_rate": "stated_area_rate", "investment_rate": "stated_investment_rate"}.get(key, key)
        setattr(b, attr, rate(cell.text) if key.endswith("rate") else amount(cell.text))
        b.src[key] = src(form, cell, "楼堂馆所控制情况", "", label)


def _costs_table(table: Table, year: int) -> LineTable:
    header = _header_row(table, ("决算数", "预算数"))
    spec: dict[str, tuple[str, ...]] = {}
    actual_cols = [i for i, c in enumerate(header) if "决算数" in c.compact]
    # Two 决算数 columns: the earlier year's is last year's actuals.
    years = {i: int(m.group(1)) for i in actual_cols if (m := re.search(r"(20\d{2})", header[i].compact))}
    if len(actual_cols) >= 2:
        prior = min(actual_cols, key=lambda i: (years.get(i, 0), i))
        spec["prior_actual"] = (header[prior].compact,)
        spec["budget"] = ("预算数",)
        spec["actual"] = tuple(header[i].compact for i in actual_cols if i != prior)[:1]
    else:
        spec["budget"], spec["actual"] = ("预算数",), ("决算数",)
    lt = _line_table(table, "basic_data_costs", "经费控制情况", spec, ("决算数", "预算数"), "附件2", "nested",
                     stop_words=("楼堂馆所", "厉行节约"), tops=line_tops("basic_data_costs"))
    order = ["prior_actual", "budget", "actual"]
    lt.columns = {k: lt.columns[k] for k in order if k in lt.columns}
    return lt


# --- 附件3–7 self-evaluation tables ---------------------------------------------------------------
# The labels and columns of each template family are data (jixiao/families/*.yaml, io/families.py).


def _holds_rows(t: SelfEvalTable) -> bool:
    """A table found by its headers counts when an indicator or a fund block was read from it: a
    part of the funds (当年财政拨款 …) or a total with its rate or points. A total row alone is no
    fund block: a table of spending by item closed by 合计 is a table of amounts (`_amount_tables`)."""
    return bool(t.indicators) or any(f.key != "total" or f.stated_rate is not None or f.weight is not None
                                     for f in t.funds)


def parse_self_eval(ctx: _Ctx, seg: Segment, keep=None) -> SelfEvalTable | None:
    kind = {"附件3": "overall", "附件4": "project"}.get(seg.form) or FUND_FORMS[seg.form]
    form = seg.form
    spec, family_id = table_spec(kind, seg.title, _header_labels(seg))
    t = SelfEvalTable(kind=kind, form_label=seg.title)
    t.src["form_label"] = Source(form, line=seg.line, text=seg.title)
    if family_id and family_id not in ctx.pkg.families:
        ctx.pkg.families.append(family_id)
    if not any(isinstance(b, Table) for b in seg.blocks):
        return None  # the title over a statement ("本单位无政府性基金预算支出。"), no form filled in
    for b in seg.blocks:
        if isinstance(b, Paragraph):
            _filler(b, t, form, spec.signer_labels)
            _name_paragraph(t, b, form, spec)
            _grade_cells(t, [b], form)
        elif not _score_sheet_after(ctx, b, seg):
            _self_eval_table(ctx, t, b, form, spec)
    if keep is not None and not keep(t):
        return None
    if not t.filler and spec.signer_labels and "filler" not in t.src:
        t.src["filler"] = Source(form, "落款", "", spec.signer_labels[0])  # the label the form signs under
    _qualify_form(ctx, seg, t)
    if kind == "overall":
        ctx.pkg.overall = t
    elif kind == "project":
        ctx.pkg.projects.append(t)
    else:
        ctx.fund_tables.setdefault(kind, []).append(t)
    return t


def _score_sheet_after(ctx: _Ctx, table: Table, seg: Segment) -> bool:
    """A score sheet printed after the form's own table (levels, points and scores, no targets, no
    fund block): read as the score sheet it is, not as more rows of the form."""
    found = find_sheet(table, seg.title, seg.form)  # its header test looks at three rows: cheap
    if found is None or not found[0].items or _self_eval_layout(table, seg.form):
        return False
    ctx.pkg.score_sheets.append(found[0])
    if found[1] not in ctx.pkg.families:
        ctx.pkg.families.append(found[1])
    return True


def _name_paragraph(t: SelfEvalTable, p: Paragraph, form: str, spec: TableSpec) -> None:
    """A name written on the form's cover page ("项目名称        优 抚", "主管部门：…")."""
    m = re.match(r"^(\S{2,8}?)[:：\s\u3000]+(\S.*)$", p.clean)
    if m is None:
        return
    label, value = compact(m.group(1)), m.group(2).strip()
    if label in spec.name_labels.get("name", ()) and not t.name:
        t.name = compact(value)
        t.src["name"] = src(form, p, "", "", label)
    elif label in spec.name_labels.get("supervisor", ()) and not t.supervisor:
        t.supervisor = value
        t.src["supervisor"] = src(form, p, "", "", label)
    elif label in spec.name_labels.get("implementer", ()) and not t.implementer:
        t.implementer = value
        t.src["implementer"] = src(form, p, "", "", label)


def _header_labels(seg: Segment) -> frozenset[str]:
    """The short label cells of a form's tables (column heads, row labels): what tells two variants
    of one title apart."""
    labels = {_header_label(c.text) for b in seg.blocks if isinstance(b, Table) for row in b.rows[:40] for c in row}
    labels.discard("")
    return frozenset(labels)


@text_cache(8192)  # the same label cells come back in every form and every document of a batch
def _header_label(text: str) -> str:
    """A cell's label when it is a short one without digits (a column head, a row label), else ''."""
    t = compact(text)
    return label_of(text) if 0 < len(t) <= 12 and not any(ch.isdigit() for ch in t) else ""


def _qualify_form(ctx: _Ctx, seg: Segment, t: SelfEvalTable) -> None:
    """Name a 附件4–7 form after the item it evaluates ("附件4·公务接待拨款"), in the locations of
    its values and of its prose, so that a reviewer can tell five 附件4 apart."""
    if t.kind == "overall" or not t.name:
        return
    form = f"{seg.form}·{t.name}"
    for holder in (t, t.goal, *t.funds, *t.indicators):
        for source in holder.src.values():
            if source.form == seg.form:
                source.form = form
    lines = {b.line for b in seg.blocks if isinstance(b, Paragraph)}
    lines |= {c.line for b in seg.blocks if isinstance(b, Table) for row in b.rows for c in row}
    for block in ctx.pkg.texts:
        if block.form == seg.form and block.line in lines:
            block.form = form


def _opens_indicators(rows: list[list[Cell]], j: int) -> bool:
    return bool(row_roles(texts_of(rows[j]))) and is_indicator_header(row_roles(texts_of(combined_header(rows, j))))


_FUND_ROLES = ("fund",)
_INDICATOR_ROLES = ("indicator",)


def _is_fund_header(joined: str, spec: TableSpec) -> bool:
    return any(all(w in joined for w in group) for group in spec.fund_header)


def _self_eval_table(ctx: _Ctx, t: SelfEvalTable, table: Table, form: str, spec: TableSpec) -> None:
    rows = table.rows
    i = 0
    while i < len(rows):
        row = rows[i]
        texts = [c.compact for c in row]
        joined = "|".join(texts)
        roles = row_roles(texts_of(row))
        if spec.fund_layout == "source_cells" and _is_fund_header(joined, spec):
            i = _source_block(ctx, t, rows, i, form, spec)
            continue
        if _is_fund_header(joined, spec) or is_fund_header(roles):
            i = _fund_block(ctx, t, rows, i, form, spec)
            continue
        if spec.detail_header and all(w in texts for w in spec.detail_header):
            i = _detail_table(ctx, t, rows, i, form, spec)
            continue
        if any(w in texts for w in spec.goal_header) and i + 1 < len(rows):
            _goal(t, rows[i + 1], form)
            i += 2
            continue
        if "三级指标" in texts or (roles and is_indicator_header(row_roles(texts_of(combined_header(rows, i))))):
            i = _indicator_block(ctx, t, rows, i, form, spec)
            continue
        if _is_total_row(texts, spec):
            _total_row(t, row, form)
        else:
            _name_rows(t, row, form, spec)
            _signer_cells(t, row, form, spec)
            _grade_cells(t, row, form)
        i += 1


_GRADE_IN_CELL = re.compile(r"^\s*(?P<label>[^:：\d]{2,10})\s*[:：]\s*(?P<value>[^\d\s:：]{1,4})\s*$")


def _grade_cells(t: SelfEvalTable, row: list[Cell] | list[Paragraph], form: str) -> None:
    """The grade the table prints for itself: a label ending in one of the vocabulary's grade words
    (评价等次, 自评等级 …) with the grade in the next cell written, or after a colon in its own cell.
    A grade is a short word without figures ("优", "良好"); the score check then judges it."""
    if t.stated_grade:
        return
    words = grade_labels()
    for j, cell in enumerate(row):
        m = _GRADE_IN_CELL.match(cell.clean)
        label, value = (compact(m.group("label")), m.group("value")) if m else (label_of(cell.text), None)
        if not label.endswith(words):
            continue
        if value is None:
            after = next((c for c in row[j + 1:] if c.compact), None)
            if after is None or not _is_grade_word(after.compact):
                continue
            cell, value = after, after.compact
        t.stated_grade = compact(value)
        t.src["stated_grade"] = src(form, cell, "评价等次", "", label)
        return


def _is_grade_word(text: str) -> bool:
    return 0 < len(text) <= 4 and not any(ch.isdigit() for ch in text) and text not in grade_labels()


def _is_total_row(texts: list[str], spec: TableSpec) -> bool:
    """The 总分 row: its label in the first cell, or in the first one written (a form whose level
    columns come after the figures prints it further right)."""
    words = spec.total_words or ("总分",)
    if not texts:
        return False
    if _is_total(texts[0], words) or (len(texts) > 1 and not texts[0] and _is_total(texts[1], words)):
        return True
    if not any(t.startswith(words) for t in texts):
        return False  # most rows: no total label anywhere
    labels = [t for t in texts if t and amount(t) is None]
    return len(labels) == 1 and _is_total(labels[0], words)


def _total_by_columns(t: SelfEvalTable, row: list[Cell], header: list[Cell], cols: dict[str, tuple[int, str]],
                      form: str) -> bool:
    """The 总分 row's points and score read under the 分值 and 得分 headers, where both columns are
    known, the row lies on the header's grid and holds a figure under one of them; False leaves it
    to the row's own order (the first figure the points, the second the score)."""
    if "weight" not in cols or "score" not in cols or len(row) != len(header):
        return False  # a row narrower than the header (merged cells) aligns by no column: its own order
    cells = {k: row[cols[k][0]] for k in ("weight", "score")}
    values = {k: amount(c.text) for k, c in cells.items()}
    if all(v is None for v in values.values()):
        return False
    if values["weight"] is not None:
        t.stated_total_weight = values["weight"]
        t.src["total_weight"] = src(form, cells["weight"], "总分", "", "分值")
    if values["score"] is not None:
        t.stated_total = values["score"]
        t.src["total"] = src(form, cells["score"], "总分", "", "得分")
    return True


def _name_rows(t: SelfEvalTable, row: list[Cell], form: str, spec: TableSpec) -> None:
    names = spec.name_labels
    for j, cell in enumerate(row[:-1]):
        label = cell.compact
        bare = before_bracket(cell.text)  # "实施单位（盖章）" is the 实施单位 label
        value = row[j + 1]
        if not label or value.compact == label:
            continue
        if any(label.endswith(w) for w in names.get("name", ())) or label.endswith("部门名称"):
            if not label.endswith("部门名称"):
                t.row_label = label
                t.src["row_label"] = src(form, cell, "", "", "名称")
                t.name = value.clean.replace("\n", "")
                t.src["name"] = src(form, value, "", "", label)
        # a name set in lines in its cell (broken between its words, as the forms print a long one) is one name
        elif bare in names.get("supervisor", ("主管部门",)):
            t.supervisor = value.clean.replace("\n", "")
            t.src["supervisor"] = src(form, value, "", "", label)
        elif bare in names.get("implementer", ("实施单位",)):
            t.implementer = value.clean.replace("\n", "")
            t.src["implementer"] = src(form, value, "", "", label)
        elif bare in spec.signer_labels and not t.filler and value.compact:
            t.filler = value.clean
            t.src["filler"] = src(form, value, "落款", "", bare)


def _signer_cells(t: SelfEvalTable, row: list[Cell], form: str, spec: TableSpec) -> None:
    """Who signs the form, written in a table cell with its label ("项目负责人：查小兵")."""
    for cell in row:
        m = _SIGNER_IN_CELL.match(cell.clean)
        if m and compact(m.group(1)) in spec.signer_labels and not t.filler:
            t.filler = compact(m.group(2))
            t.src["filler"] = src(form, cell, "落款", "", compact(m.group(1)))


_SIGNER_IN_CELL = re.compile(r"^\s*([\u4e00-\u9fff]{2,6})\s*[:：]\s*(\S*)\s*$")


def _fund_block(ctx: _Ctx, t: SelfEvalTable, rows: list[list[Cell]], i: int, form: str, spec: TableSpec) -> int:
    header = combined_header(rows, i)
    cols = columns_by_role(header, spec.fund_columns, _FUND_ROLES)
    first_value = min((idx for idx, _ in cols.values()), default=1)
    j = i + header_rows(rows, i)
    while j < len(rows):
        row = rows[j]
        label_cells = [c for c in row[:max(1, len(row) - (len(header) - first_value))] if c.compact]
        if not label_cells:
            j += 1
            if is_blank_row(row):
                continue
            break
        if any(w in c.compact for c in row for w in spec.stop_words) or _opens_indicators(rows, j):
            break  # the goal or the indicator block begins
        label_cell = label_cells[-1]
        label, inline = _inline_figure(label_cell.text)
        key = next((k for k, words in spec.fund_rows if any(w in label for w in words)), None)
        group = next((g for g, words in spec.fund_groups if any(w in label for w in words)), None)
        if key is None and group is None:
            key = _vocabulary_fund_row(label, t)
        if key is None and group is None:
            j += 1  # a line of the block that is no row of it
            continue
        if key == "other" and t.kind == "overall":
            key = "other_funds"
        fr = FundRow(key=key or group, label=label)
        fr.src["label"] = src(form, label_cell, "资金", label, "")
        for ckey, (idx, clabel) in cols.items():
            cell = _cell(row, header, idx)
            if cell is None:
                continue
            if ckey == "rate":
                fr.stated_rate = rate(cell.text)
            else:
                setattr(fr, {"weight": "weight", "score": "stated_score"}.get(ckey, ckey), amount(cell.text))
            if cell.compact:
                fr.src[ckey] = src(form, cell, "资金", label, clabel)
        amounts = [k for k in ("initial", "annual", "executed") if k in cols]
        if inline is not None and not any(getattr(fr, k) is not None for k in amounts):
            # A figure written in the label cell ("按收入性质分：2030.12") and none in the row's amount cells:
            # the block's one amount column, or the family's inline_column, holds it; else its column is open.
            column = spec.inline_column if spec.inline_column in cols else amounts[0] if len(amounts) == 1 else ""
            if column:
                setattr(fr, column, inline)
                fr.src[column] = src(form, label_cell, "资金", label, cols[column][1])
            else:
                fr.inline = inline
                fr.src["inline"] = src(form, label_cell, "资金", label, "")
        if key is None:  # a sub-heading: a figure it holds is the sum of its group
            if fr.inline is not None or any(getattr(fr, c) is not None for c in ("initial", "annual", "executed")):
                t.group_sums.append(fr)
        else:
            _add_fund_row(t, fr)
        j += 1
    return j


def _vocabulary_fund_row(label: str, t: SelfEvalTable) -> str | None:
    """A fund row no family names, by the vocabulary's row words; a part already read keeps its
    first row (a second "合计" lower down is no second total)."""
    key = fund_row_role(label)
    if not key or (key == "total" and t.fund("total") is not None):
        return None
    if t.kind == "overall":  # the department's table splits its funds by source and by use instead
        return {"total": "total", "other": "other_funds"}.get(key)
    return key


_INLINE_FIGURE = re.compile(r"^(?P<label>.*?[^\d.,\s])\s*[:：]\s*(?P<value>[-+]?\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|元)?)\s*$",
                            re.S)


def _inline_figure(text: str) -> tuple[str, Decimal | None]:
    """A label cell's label, and the figure written after its colon, if any: '合计：2030.12万元' →
    ('合计', 2030.12); '其中：本年财政拨款' → ('本年财政拨款', None)."""
    m = _INLINE_FIGURE.match(text or "")
    if m is None:
        return label_of(text), None
    value = amount(m.group("value"))
    return (label_of(m.group("label")), value) if value is not None else (label_of(text), None)


_LABELLED_AMOUNT = re.compile(r"^(?P<label>.*?)\s*(?P<value>[-+]?\d[\d,]*(?:\.\d+)?)?\s*$", re.S)


def _source_block(ctx: _Ctx, t: SelfEvalTable, rows: list[list[Cell]], i: int, form: str, spec: TableSpec) -> int:
    """Amounts side by side in the header row, each source's label and amount in one cell below:

        计划安排资金(万元) | 170 | 实际到位资金(万元) | 170 | 实际支出(万元) | 179.6 | 结余(万元) | 0
        其中:中央财政      | 其中:中央财政 | …
        省财政 170         | 省财政 170    | 省财政 170 | 省财政

    The header's label cells name the columns (fund_columns), the cell after each its total."""
    header = rows[i]
    total = FundRow(key="total", label="资金总额")
    columns: list[str] = []  # the fund column of each printed column, left to right
    for j, cell in enumerate(header[:-1]):
        key = next((k for k, words in spec.fund_columns.items() if any(w in cell.compact for w in words)), None)
        if key is None:
            continue
        columns.append(key)
        value = header[j + 1]
        setattr(total, key, amount(value.text))
        if value.compact:
            total.src[key] = src(form, value, "资金", total.label, cell.compact)
    t.funds.append(total)
    j = i + 1
    while j < len(rows) and len(rows[j]) >= len(columns) and columns:
        row = rows[j]
        parsed = [_LABELLED_AMOUNT.match(c.clean.replace("\n", " ")) for c in row[:len(columns)]]
        labels = {label_of(m.group("label")) for m in parsed if m is not None}
        if len(labels) != 1 or not next(iter(labels)):
            break  # not a row of one source across the columns
        label = labels.pop()
        key = next((k for k, words in spec.fund_rows if any(w in label for w in words)), None)
        if key is None or key == "total":
            break
        fr = FundRow(key=key, label=label)
        fr.src["label"] = src(form, row[0], "资金", label, "")
        for col, cell, m in zip(columns, row, parsed):
            setattr(fr, col, amount(m.group("value") or ""))
            if m.group("value"):
                fr.src[col] = src(form, cell, "资金", label, col)
        _add_fund_row(t, fr)
        j += 1
    return j


def _detail_table(ctx: _Ctx, t: SelfEvalTable, rows: list[list[Cell]], i: int, form: str, spec: TableSpec) -> int:
    """A spending-detail table (支出内容 | 实际支出数 …, closed by 支出合计): a line table whose total row
    must equal its rows; kept with the package's other line tables."""
    end = next((k for k in range(i + 1, len(rows)) if label_of(rows[k][0].text) in _TOTAL_LABELS), len(rows) - 1)
    part = Table(rows=rows[i:end + 1], line=rows[i][0].line)
    title = f"{t.name or '项目'}支出明细"
    lt = _line_table(part, "project_detail", title, dict(spec.detail_columns), tuple(spec.detail_header), form,
                     "nested")
    ctx.pkg.narrative.tables[f"project_detail_{len(ctx.pkg.narrative.tables)}"] = lt
    return end + 1


def _add_fund_row(t: SelfEvalTable, fr: FundRow) -> None:
    """A second row of the same part (四川's 财政专户管理资金, 单位资金 and 其他资金 are all "other")
    joins the first: the part's amounts are their sum, its label names both."""
    same = t.fund(fr.key)
    if same is None or fr.key == "total":
        t.funds.append(fr)
        return
    for col in ("initial", "annual", "executed"):
        a, b = getattr(same, col), getattr(fr, col)
        if b is not None:
            setattr(same, col, b if a is None else a + b)
            same.src.setdefault(col, fr.src.get(col))
    same.label = f"{same.label}＋{fr.label}"
    same.stated_rate = same.stated_score = None  # a rate or score of one of the parts is not the part's


def _goal(t: SelfEvalTable, row: list[Cell], form: str) -> None:
    if len(row) < 2:
        return
    t.goal.expected, t.goal.actual = row[-2].clean, row[-1].clean
    t.goal.src["expected"] = src(form, row[-2], "年度总体目标", "", "预期目标")
    t.goal.src["actual"] = src(form, row[-1], "年度总体目标", "", "实际完成情况")


def _indicator_block(ctx: _Ctx, t: SelfEvalTable, rows: list[list[Cell]], i: int, form: str, spec: TableSpec) -> int:
    header = combined_header(rows, i)
    cols = columns_by_role(header, spec.indicator_columns, _INDICATOR_ROLES)
    header_roles = {k: idx for k, (idx, _) in cols.items()}
    header_texts = {c.compact for c in header if c.compact}
    level1 = level2 = ""
    j = i + header_rows(rows, i)
    while j < len(rows):
        row = rows[j]
        texts = [c.compact for c in row]
        if _is_total_row(texts, spec):
            if _total_by_columns(t, row, header, cols, form):
                return j + 1
            return j
        if any(c.compact in header_texts for c in row) and is_repeated_header(row, header_roles):
            j += 1  # the header printed again on a new page
            continue
        row = _with_blank_levels(row, header, cols)
        cell = {k: _cell(row, header, idx) for k, (idx, _) in cols.items()}
        if cell.get("level1") is not None and cell["level1"].compact:
            level1 = before_bracket(cell["level1"].text)
            points = bracket_points(cell["level1"].text)
            if points is not None:
                t.level1_weights[level1] = points
        if cell.get("level2") is not None and cell["level2"].compact:
            text = cell["level2"].text  # "数量指标（20分）": the level's name, its points printed beside it
            level2 = before_bracket(text) if bracket_points(text) is not None else compact(text)
        name = cell.get("name")
        j += 1
        if name is None or not name.compact or set(name.compact) <= {"…", "."}:
            continue
        empty = Cell("", None)
        target, actual = _target_cells(cell, empty)
        t.indicators.append(make_indicator(ctx, form, "绩效指标", level1, level2, name, target, actual,
                                           cell.get("weight"), cell.get("score"), cell.get("reason")))
    return j


def _with_blank_levels(row: list[Cell], header: list[Cell], cols: dict[str, tuple[int, str]]) -> list[Cell]:
    """A row narrower than the header whose missing cells are level labels a merged cell left blank
    (text pasted with spaces drops empty cells). Where the level columns open the table, aligning
    on the right (`_cell`) already puts every figure under its header; where they stand after
    other columns, the blanks are put back in the level columns, level 1 first."""
    missing = len(header) - len(row)
    levels = [cols[k][0] for k in ("level1", "level2") if k in cols][:max(missing, 0)]
    if missing <= 0 or len(levels) < missing or not levels:
        return row
    if all(i <= len(levels) for i in levels):
        return row  # the levels lead: right alignment reads the row
    out = list(row)
    for i in sorted(levels):
        out.insert(i, Cell("", None))
    return out


def _target_cells(cell: dict[str, Cell | None], empty: Cell) -> tuple[Cell, Cell]:
    """The target and the actual as one text each. A form that prints the comparator, the value and
    the unit in three columns (四川: "≤ | 30 | 万元") gives "≤30万元"; a bare actual takes that unit."""
    target = cell.get("target") or empty
    actual = cell.get("actual") or empty
    comparator, unit = cell.get("comparator"), cell.get("unit")
    if comparator is None and unit is None:
        return target, actual
    unit_text = unit.compact if unit is not None and unit.compact not in ("/", "-") else ""
    op = comparator.compact if comparator is not None else ""
    op = {"≧": "≥", "≦": "≤", ">=": "≥", "<=": "≤"}.get(op, op)
    joined = Cell(f"{op}{target.compact}{unit_text}" if target.compact else "", target.line)
    bare = re.fullmatch(r"[-+]?\d+(?:\.\d+)?", actual.compact or "")
    done = Cell(actual.compact + unit_text if bare else actual.text, actual.line)
    return joined, done


def _is_total(text: str, words: tuple[str, ...] = ("总分",)) -> bool:
    """The 总分 row's label, bare or naming its scoring system: 总分（自评表总分）; 四川 prints 合计."""
    if text in words:
        return True
    if not text.startswith(words):
        return False  # most cells: no regex needed
    return any(re.fullmatch(re.escape(w) + r"[（(][^）)]*[）)]", text) for w in words)


def _total_row(t: SelfEvalTable, row: list[Cell], form: str) -> None:
    values = [(c, amount(c.text)) for c in row if c.compact and not _is_total(c.compact, ("总分", "合计"))]
    values = [(c, v) for c, v in values if v is not None]
    if values:
        t.stated_total_weight = values[0][1]
        t.src["total_weight"] = src(form, values[0][0], "总分", "", "分值")
    if len(values) > 1:
        t.stated_total = values[1][1]
        t.src["total"] = src(form, values[1][0], "总分", "", "得分")


def _finish_fund_types(ctx: _Ctx) -> None:
    """附件5–7 and the narrative's "无…预算支出" statements become FundTypeDeclarations."""
    for kind in FUND_KIND_WORDS:
        tables = ctx.fund_tables.get(kind, [])
        statement = ctx.statements.get(kind)
        if not tables and statement is None:
            continue
        has_spending = any((f.annual or f.executed) for tb in tables for f in tb.funds if f.key == "total")
        ctx.pkg.fund_types.append(FundTypeDeclaration(kind=kind, has_spending=bool(has_spending),
                                                      statement=statement[0] if statement else "", tables=tables))


_PARSERS = {COVER: parse_cover, NARRATIVE: parse_narrative, "附件1": parse_notice, "附件2": parse_basic_data,
            "附件3": parse_self_eval, "附件4": parse_self_eval, "附件5": parse_self_eval, "附件6": parse_self_eval,
            "附件7": parse_self_eval}
