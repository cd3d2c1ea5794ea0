"""What a document reader read, and what it saw but could not use: `Package.reading`.

While forms.build_package runs, every Source made from a table cell is noted against that cell
(`note`); afterwards each table of the block stream is looked up: a table some of whose cells
became figures of the package is a `TableRead` (where a person finds it, what kind of table it was
taken for, how many rows and figures were read), a table holding figures of which none was read is
an `Unread` with the reason, in Chinese, for the audit's coverage report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from ..core.model import Reading, Source, TableRead, Unread
from .blocks import Cell, Table, compact
from .headers import row_roles, texts_of


@dataclass
class Notes:
    """The Source read from each cell (by the cell's identity) and the kind of each line table or
    score sheet by the table name its Sources carry. Lives for one document's reading only."""

    cells: dict[int, Source] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


_NOTES: ContextVar[Notes | None] = ContextVar("jixiao_reading_notes", default=None)

# The table names the recogniser gives its Sources → the kind of table a reviewer would call it.
_KIND_BY_TABLE = {"资金": "资金表", "绩效指标": "指标表", "定量目标": "指标表", "总分": "指标表", "综合得分": "评分表",
                  "年度收入情况": "收支表", "年度支出和结余情况": "收支表", "三公经费": "收支表", "固定资产": "收支表",
                  "财政供养人员情况": "基础数据表", "楼堂馆所控制情况": "基础数据表", "基本概况": "概况表"}
_KIND_ORDER = ("资金表", "指标表", "评分表", "金额表", "收支表", "基础数据表", "概况表")
# Sources that name a row rather than hold one of its figures.
_LABEL_COLUMNS = frozenset({"name", "机构名称", "项目", "名称"})
_NUMBERING = re.compile(r"^\s*(?:[（(]?\d{1,2}[)）、.．](?!\d)|[（(][一二三四五六七八九十]+[)）])")
_FIGURE = re.compile(r"\d")
_ROLE_NAMES = {"initial": "年初预算数", "annual": "全年预算数", "executed": "执行数", "rate": "执行率", "weight": "分值",
               "score": "得分", "level1": "一级指标", "level2": "二级指标", "name": "三级指标", "target": "指标值",
               "actual": "完成值", "reason": "偏差原因", "final": "决算数", "change": "增减", "opening": "年初结转",
               "closing": "年末结转", "income": "收入数"}


@contextmanager
def recording() -> Iterator[Notes]:
    """Note the Sources made from table cells while the block stream is read."""
    notes = Notes()
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def note(cell: Cell | object, source: Source, kind: str = "") -> None:
    """`source` was read from `cell` (a no-op outside `recording`). `kind` names the table's kind
    where the Source's table name does not say it (a line table, a score sheet)."""
    notes = _NOTES.get()
    if notes is not None and isinstance(cell, Cell):
        notes.cells.setdefault(id(cell), source)  # a cell is one figure, however many fields it fills
        if kind:
            notes.kinds[source.table] = kind


def forget(table: Table) -> None:
    """A reading of `table` was tried and dropped: its cells were not read after all."""
    notes = _NOTES.get()
    if notes is not None and notes.cells:
        for row in table.rows:
            for c in row:
                notes.cells.pop(id(c), None)


def rows_left(table: Table) -> int:
    """Rows of `table` holding a figure of which no cell has been read so far."""
    notes = _NOTES.get()
    cells = notes.cells if notes is not None else {}
    return sum(1 for row in table.rows if _row_figure(row) and not any(id(c) in cells for c in row))


def reading_of(tables: list[tuple[Table, str]], notes: Notes) -> Reading:
    """The Reading of a document: `tables` are its tables in order, each with where it stands."""
    entries: list[tuple[TableRead | None, list[Unread]]] = []  # per table: what was read, what was not
    for table, where in tables:
        cells = notes.cells
        sources = [cells[id(c)] for row in table.rows for c in row if id(c) in cells]
        # A goal's text naming "60次" is prose, not a figure of the table; "1、工资福利支出" a label.
        figures = [s for s in sources if s.text and _FIGURE.search(s.text) and s.column not in _LABEL_COLUMNS
                   and _kind(s, notes) and _FIGURE.search(_NUMBERING.sub("", s.text))]
        if figures:
            kinds = {_kind(s, notes) for s in figures}
            kind = "、".join(k for k in _KIND_ORDER if k in kinds)
            held = {id(s) for s in figures}
            rows = sum(1 for row in table.rows if any(id(cells.get(id(c))) in held for c in row if id(c) in cells))
            read = TableRead(where=_named(where, figures), kind=kind, rows=rows, figures=len(figures),
                             sources=frozenset(map(id, sources)))
            skipped = [row for row in table.rows if not any(id(c) in notes.cells for c in row) and _row_figure(row)]
            entries.append((read, [Unread(read.where, _why_rows(skipped))] if skipped else []))
        elif _holds_figures(table):
            entries.append((None, [Unread(where=where, why=_why(table, bool(sources)))]))
    _number_alike(entries)
    return Reading(tables=[read for read, _ in entries if read is not None],
                   unread=[u for _, left in entries for u in left])


def _number_alike(entries: list[tuple[TableRead | None, list[Unread]]]) -> None:
    """Tables that would be found at the same place are told apart by their order there."""
    places = [read.where if read else left[0].where for read, left in entries]
    counts = {w: places.count(w) for w in places}
    seen: dict[str, int] = {}
    for (read, left), where in zip(entries, places):
        if counts[where] > 1:
            seen[where] = seen.get(where, 0) + 1
            numbered = f"{where}（第{seen[where]}张表）"
            for item in ([read] if read else []) + left:
                item.where = numbered


def _kind(source: Source, notes: Notes) -> str:
    return _KIND_BY_TABLE.get(source.table) or notes.kinds.get(source.table, "")


def _named(where: str, figures: list[Source]) -> str:
    """A form that evaluates one item is known by it: the recogniser names its Sources' form after
    the project ("附件4·公务接待拨款"); the table's place says that name too."""
    forms = [s.form for s in figures if "·" in s.form]
    if not forms:
        return where
    name = max(set(forms), key=forms.count).split("·", 1)[1]
    return where if name in where else f"{where}·{name}"


def prose_reads(narrative) -> list[TableRead]:
    """What was read from the narrative's paragraphs rather than its tables: the scored items of its
    overall evaluation (投入 / 过程 / 产出 / 效果, each with its points, rate and score) and the
    figures its sentences state about a subject (整体支出…万元), which the audit checks too."""
    out = []
    title = narrative.title or "绩效评价报告"
    items = narrative.framework
    if items:
        figures = sum(len(i.inputs) + sum(v is not None for v in (i.weight, i.stated_rate, i.stated_score))
                      for i in items) + (narrative.stated_total is not None)
        out.append(TableRead(where=f"{title}·综合评价（正文）", kind="评分项", rows=len(items), figures=figures))
    if narrative.figures:
        out.append(TableRead(where=f"{title}（正文）", kind="正文数字", rows=len(narrative.figures),
                             figures=len(narrative.figures)))
    return out


_FIGURE_CELL = re.compile(r"[-+≥≤＞＜>=<≧≦约]*\d[\d,，.]*(?:万元|元|亿元|%|％|分)?")


def _row_figure(row: list[Cell]) -> bool:
    """A row with a figure in a cell of its own (not a date, a numbered label, nor a row of contact
    details: a phone number or a postcode is no figure to check)."""
    if not any(_FIGURE_CELL.fullmatch(c.compact) for c in row if c.compact):
        return False
    return _CONTACT.search("|".join(c.compact for c in row)) is None


_CONTACT = re.compile("电话|邮编|邮政编码|传真|编码|代码|号码|手机")


_PROSE_FIGURE = re.compile(r"\d[\d,，.]*\s*(?:万元|亿元|元|%|％|分)")


def prose_unread(title: str, paragraphs: list[str], reading: Reading) -> None:
    """A document of which no table and no scored item was read, whose prose states figures: say
    so, for the report must not read as 未发现问题 (nothing in it could be checked)."""
    if reading.tables or reading.unread:
        return
    stated = sum(1 for text in paragraphs if _PROSE_FIGURE.search(text))
    if stated:
        reading.unread.append(Unread(where=title or "正文", why=f"正文有{stated}段含金额、比率或分值，但未找到可读取的资金表、"
                                                                  "指标表或评分表，这些数字未核对"))


def _holds_figures(table: Table) -> bool:
    return any(_row_figure(row) for row in table.rows)


def _why_rows(rows: list[list[Cell]]) -> str:
    """Rows of a table read in part: how many rows with figures were left, naming the first."""
    label = next((c.clean.replace("\n", "") for c in rows[0] if c.compact and not _FIGURE_CELL.fullmatch(c.compact)), "")
    first = f"（如“{label[:20]}”行）" if label else ""
    return f"表中另有{len(rows)}行含数字未能对应到已识别的列或行{first}，这些数字未核对"


def _why(table: Table, some_text: bool) -> str:
    roles: dict[str, int] = {}
    for row in table.rows[:8]:
        found = row_roles(texts_of(row))
        if len(found) > len(roles):
            roles = found
    if not roles:
        return "表头未能识别：未找到预算数、执行数或分值等列，表中数字未核对"
    named = "、".join(_ROLE_NAMES.get(r, r) for r in roles)
    if some_text:
        return f"表头列（{named}）可识别，但只读到文字，表中数字未能对应到资金、指标或金额行，未核对"
    return f"表头列（{named}）可识别，但缺少判断表格种类所需的列或行，表中数字未核对"


def caption_of(text: str) -> str:
    """A short paragraph above a table as its caption, or '' for prose."""
    t = compact(text)
    if not t or len(t) > 40 or re.search(r"[。；]", t) or _NOT_CAPTION.match(t) or _FIELD.match(t):
        return ""
    return t


# A field filled in above a table ("报告时间：2023年6月", "填报单位：某局"), not the table's name.
_FIELD = re.compile(r"^[^：:表]{1,16}[：:].")
# Lines above a table that are not its name: the year alone ("（2023年度）"), the unit of its
# amounts ("单位：万元"), a date, an attachment number alone ("附件2"), who made the form ("某县财政局（制）").
_NOT_CAPTION = re.compile(r"^(?:[（(]?\s*\d{4}\s*年度?[)）]?|[（(]?(?:金额)?单位[:：].*|\d{4}年\d{1,2}月(?:\d{1,2}日)?"
                          r"|附件\s*[0-9一二三四五六七八九十]*[:：]?|.*[（(]制[)）])$")
