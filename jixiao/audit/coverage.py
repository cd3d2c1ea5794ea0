"""What an audit covered: the tables and figures read, the relations evaluated, what was not understood.

A report that lists no problem says nothing unless it also says what was looked at. Every
`DocumentResult` carries a `Coverage`: the tables the reader understood (from `Package.reading`,
or — for a package from our own canonical file or workbook, which is read by construction — the
package's own tables), the figures in them, the number of relations the checks actually evaluated
(counted by the check runner, `registry.run_checks`), and every part not understood with the
reader's reason.

status: `checked` when figures were read and relations evaluated and nothing was left unread;
`partial` when some part was not understood; `unchecked` when no figure was read or no relation
could be evaluated — such a document is never reported as free of problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..core.model import (
    LineTable,
    Package,
    ScoreSheet,
    SelfEvalTable,
    TableRead,
    Unread,
)

CHECKED, PARTIAL, UNCHECKED = "checked", "partial", "unchecked"
STATUS_LABELS = {CHECKED: "已核对", PARTIAL: "部分核对", UNCHECKED: "未能核对"}

KIND_FUNDS = "资金及指标自评表"
KIND_AMOUNTS = "金额表"
KIND_SCORES = "评分表"


@dataclass
class Coverage:
    status: str = UNCHECKED
    tables: list[TableRead] = field(default_factory=list)
    checks: int = 0  # relations the checks evaluated (stated figure against its recomputation, and the like)
    unread: list[Unread] = field(default_factory=list)
    reason: str = ""  # why nothing could be checked, when status is unchecked

    @property
    def figures(self) -> int:
        return sum(t.figures for t in self.tables)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    def summary(self) -> dict:
        """`summary.coverage` of the JSON contract (DESIGN §7, docs/checks.md)."""
        return {"status": self.status, "tables": len(self.tables), "figures": self.figures, "checks": self.checks,
                "unread": [{"where": u.where, "why": u.why} for u in self.unread]}

    def tables_read(self) -> list[dict]:
        """Each table read: where, its kind, rows and figures read, and the relations checked on it."""
        return [{"where": t.where, "kind": t.kind, "rows": t.rows, "figures": t.figures, "checks": t.checks}
                for t in self.tables]

    def line(self) -> str:
        """One sentence for a panel or a summary row: '已核对：表格 3 张，数字 120 个，核对关系 85 项'."""
        if self.status == UNCHECKED:
            return f"未能核对：{self.reason}"
        text = f"{self.label}：表格 {len(self.tables)} 张，数字 {self.figures} 个，核对关系 {self.checks} 项"
        if self.unread:
            text += f"；另有 {len(self.unread)} 处未能读懂"
        return text


# --- building it ----------------------------------------------------------------------------


def coverage_of(pkg: Package, checks: int | dict) -> Coverage:
    """The coverage of one audited package, `checks` being the relations the check runner counted
    (or the runner's tally itself: each relation with the Source of its stated figure, which also
    gives each table the count of the relations checked on it)."""
    tables = [replace(t) for t in pkg.reading.tables] or model_tables(pkg)
    if isinstance(checks, dict):
        _per_table(tables, checks)
        checks = len(checks)
    cov = Coverage(tables=tables, checks=checks, unread=list(pkg.reading.unread) + parts_missing(pkg))
    cov.reason = _unchecked_reason(cov)
    if cov.reason:
        cov.status = UNCHECKED
    elif cov.unread:
        cov.status = PARTIAL
    else:
        cov.status = CHECKED
    return cov


def _per_table(tables: list[TableRead], tally: dict) -> None:
    """Each relation counts on the table its stated figure was read from (a relation of figures of
    two tables — a total against another table's — on the stated figure's)."""
    owner = {sid: t for t in reversed(tables) for sid in t.sources}
    for where in tally.values():
        table = owner.get(id(where)) if where is not None else None
        if table is not None:
            table.checks += 1


def parts_missing(pkg: Package) -> list[Unread]:
    """What the audit itself sees was not read: a self-evaluation table that states its 总分 but of
    which no indicator row came through (a header the reader did not take) cannot have its total
    checked — said here, so that the table is not reported as fully checked."""
    return [Unread(where, "未读到绩效指标行，指标得分及总分与各项得分之和未核对")
            for table, where in _self_eval_tables(pkg) if table.stated_total is not None and not table.indicators]


def unreadable(why: str) -> Coverage:
    """The coverage of a document that could not be read or audited at all."""
    return Coverage(status=UNCHECKED, reason=why)


def _unchecked_reason(cov: Coverage) -> str:
    if cov.figures == 0:
        if cov.unread:
            return "未读到任何数字；" + "；".join(f"{u.where}：{u.why}" for u in cov.unread[:3]) + \
                ("等" if len(cov.unread) > 3 else "")
        return "未读到任何表格或数字，无法复算核对"
    if cov.checks == 0:
        return f"读到数字 {cov.figures} 个，但其中没有可以相互复算核对的关系（如合计与各项、执行率与两项金额、得分与分值）"
    return ""


# --- the package's own tables (canonical files, and readers that leave Package.reading empty) ------


def model_tables(pkg: Package) -> list[TableRead]:
    """Every table the package holds, with its rows and figures: what was read by construction."""
    out: list[TableRead] = []
    cover = (("收入情况表", pkg.income), ("支出及结余情况表", pkg.expenditure),
             ("“三公”经费情况表", pkg.sangong), ("固定资产情况表", pkg.fixed_assets))
    for title, rows in cover:
        if rows:
            out.append(TableRead(f"自评报告 {title}", KIND_AMOUNTS, len(rows), sum(_figures(r) for r in rows)))
    for table in pkg.narrative.tables.values():
        out.append(_line_table("绩效评价报告", table))
    if pkg.basic_data.costs is not None:
        out.append(_line_table("附件2 基础数据表", pkg.basic_data.costs))
    for table, where in _self_eval_tables(pkg):
        out.append(_self_eval(where, table))
    if pkg.narrative.framework:
        items = pkg.narrative.framework
        figures = sum(_figures(i) + len(i.inputs) for i in items) + (pkg.narrative.stated_total is not None)
        out.append(TableRead("绩效评价报告 综合评价（各项得分）", KIND_SCORES, len(items), figures))
    for sheet in pkg.score_sheets:
        out.append(_score_sheet(sheet))
    return [t for t in out if t.rows or t.figures]


def _self_eval_tables(pkg: Package):
    from .checks._common import table_where

    if pkg.overall is not None:
        yield pkg.overall, table_where("overall", "")
    for table in pkg.projects:
        yield table, table_where("project", table.name)
    for decl in pkg.fund_types:
        for table in decl.tables:
            yield table, table_where(table.kind, table.name)


def _line_table(form: str, table: LineTable) -> TableRead:
    figures = sum(1 for ln in table.lines for v in ln.values.values() if v is not None)
    return TableRead(f"{form} {table.title}".strip(), KIND_AMOUNTS, len(table.lines), figures,
                     sources=_sources(table.lines))


def _sources(holders) -> frozenset:
    """The identities of the Sources the holders (rows, indicators, the table itself) keep."""
    return frozenset(id(s) for h in holders for s in getattr(h, "src", {}).values() if s is not None)


def _self_eval(where: str, table: SelfEvalTable) -> TableRead:
    figures = sum(_figures(row) for row in table.funds)
    for ind in table.indicators:
        figures += sum(v is not None for v in (ind.weight, ind.stated_score, ind.target.value, ind.actual.value))
    figures += sum(v is not None for v in table.level1_weights.values())
    figures += (table.stated_total is not None) + (table.stated_total_weight is not None)
    rows = len(table.funds) + len(table.indicators) + (table.stated_total is not None)
    return TableRead(where, KIND_FUNDS, rows, figures,
                     sources=_sources([table, table.goal, *table.funds, *table.indicators, *table.group_sums]))


def _score_sheet(sheet: ScoreSheet) -> TableRead:
    figures = sum(sum(w is not None for w in item.weights) + (item.score is not None) for item in sheet.items)
    figures += sheet.stated_total is not None
    return TableRead(sheet.title or "评分表", KIND_SCORES, len(sheet.items), figures,
                     sources=_sources([sheet, *sheet.items]))


def _figures(row: object) -> int:
    """The Decimal fields a row holds (its printed amounts, rates, points)."""
    return sum(isinstance(getattr(row, name, None), Decimal) for name in row.__slots__ if name != "src")
