"""Arithmetic inside tables (DESIGN §5 item 1).

Every identity the engine recomputes — a total that is the sum of its parts, a
增减 column that is 决算 − 预算, a 年末结转 that is 期初 + 收入 − 支出, a 汇总 row
that is the sum of the institutions, the fund block of each self-evaluation
table — is put beside the figure the document states. A disagreement the
document itself proves is an error.

Derived columns are checked cell by cell and never summed (the engine skips
them in parent sums), so a wrong child cell is reported once, not again in its
parent.
"""

from __future__ import annotations

from decimal import Decimal

from ...core import keys
from ...core.engine import EXPENDITURE_LABELS, FIELD_LABELS, INCOME_LABELS
from ...core.model import LineTable, Source
from ...core.numbers import ZERO, stated_agrees
from ...core.trace import Computed
from ..findings import Finding
from ..registry import AuditContext, check
from ._common import (
    FORM_BASIC_DATA,
    FORM_COVER,
    FORM_NARRATIVE,
    finding,
    location,
    mismatch,
    place,
    show,
    table_form,
    table_where,
    term,
    written_sum,
)

COVER_TABLES = {
    "income": "收入情况表",
    "expenditure": "支出及结余情况表",
    "sangong": "“三公”经费情况表",
    "fixed_assets": "固定资产情况表",
}


def _index(ctx: AuditContext):
    """The engine's results by key (`keys` builders only)."""
    return ctx.report.find


def _line_tables(ctx: AuditContext) -> list[tuple[str, str, LineTable]]:
    """(engine key, form, table) of every line table in the package."""
    pkg = ctx.package
    # A table of amounts read beside another form (a project's spending under its self-evaluation)
    # is found in that form.
    out = [(keys.narrative_table(k), t.src["form"].form if "form" in t.src else FORM_NARRATIVE, t)
           for k, t in pkg.narrative.tables.items()]
    if pkg.basic_data.costs is not None:
        out.append((keys.BASIC_COSTS, FORM_BASIC_DATA, pkg.basic_data.costs))
    return out


def _disagrees(c: Computed | None) -> bool:
    return c is not None and c.agrees is False


def _sum_finding(c: Computed, loc, what: str) -> Finding:
    values = list(c.inputs.values())
    return finding(
        "table.sum", "error", f"{what}与各项之和不符", loc,
        stated=show(c.stated, c.unit), expected=show(c.value, c.unit),
        formula=mismatch(written_sum(values, c.unit), c.value, c.stated, c.unit),
    )


def _table_name(title: str) -> str:
    return title if title.endswith("表") else f"{title}表"


# --- table.sum -------------------------------------------------------------------------------


@check("table.sum", "表内合计与各项之和不符",
       "合计数 = Σ 各组成项：收入合计 = Σ 各收入来源；基本支出 = 人员 + 公用；支出合计 = 基本 + 项目；"
       "三公经费 = 接待 + 用车运行 + 用车购置 + 出国；固定资产 = 在用 + 出租 + 其他；上级行 = Σ 下级行（每个金额列）；"
       "合计行 = Σ 一级行。按填报精度比较，每个组成项允许 0.01 的舍入误差。")
def table_sums(ctx: AuditContext) -> list[Finding]:
    return _cover_sums(ctx) + _line_sums(ctx)


def _cover_sums(ctx: AuditContext) -> list[Finding]:
    idx = _index(ctx)
    pkg = ctx.package
    out = []
    specs = [("income", pkg.income, ("total",)), ("expenditure", pkg.expenditure, ("basic", "total")),
             ("sangong", pkg.sangong, ("total",)), ("fixed_assets", pkg.fixed_assets, ("total",))]
    for name, rows, fields in specs:
        for i, row in enumerate(rows):
            for f in fields:
                c = idx(keys.cover_row(name, i, f))
                if not _disagrees(c):
                    continue
                label = EXPENDITURE_LABELS.get(f, "") if f != "total" else _total_label(name)
                loc = location(c, FORM_COVER, COVER_TABLES[name], row.institution, label)
                out.append(_sum_finding(c, loc, f"{COVER_TABLES[name]}“{row.institution}”{label}"))
    return out


def _total_label(name: str) -> str:
    return {"income": "收入合计", "expenditure": "支出合计", "sangong": "合计", "fixed_assets": "合计"}[name]


def _line_sums(ctx: AuditContext) -> list[Finding]:
    idx = _index(ctx)
    out = []
    for key, form, table in _line_tables(ctx):
        for i, ln in enumerate(table.lines):
            for col, header in table.columns.items():
                c = idx(keys.line_sum(key, i, col))
                if ln.partial or not _disagrees(c):
                    continue
                loc = location(c, form, table.title, ln.label, header)
                f = _sum_finding(c, loc, f"{_table_name(table.title)}“{ln.label}”{header}")
                if table.reading:  # which reading of the rows' hierarchy the sum was taken under
                    f.evidence = (f"{f.evidence}；{table.reading}" if f.evidence else table.reading)
                    f.message += f"（{table.reading}）"
                out.append(f)
            for col, spec in table.derived.items():
                c = idx(keys.line_cell(key, i, col))
                if spec[0] == "sum" and _disagrees(c):
                    header = table.columns.get(col, col)
                    loc = location(c, form, table.title, ln.label, header)
                    out.append(_sum_finding(c, loc, f"{_table_name(table.title)}“{ln.label}”{header}"))
    return out


@check("table.reading", "表格层级的读法",
       "表中某行属于哪一级未标明（如“其中：公车购置”之后无“其中”的“公车运行维护”）时，优先采用使各项之和与合计相符的读法，"
       "并以提示说明所采用的读法；任何读法下都不相符的，按默认读法报告“表内合计与各项之和不符”，不因换读法而隐藏错误。")
def table_reading(ctx: AuditContext) -> list[Finding]:
    out = []
    for _key, form, table in _line_tables(ctx):
        if table.reading and "相符的读法" in table.reading:
            out.append(Finding(rule="table.reading", severity="info", message=f"{_table_name(table.title)}：{table.reading}。",
                               location=Source(form, table.title), evidence=table.reading))
    return out


# --- table.difference / table.balance ------------------------------------------------------


@check("table.difference", "增减数与决算数、预算数之差不符",
       "增减（决算比预算增加）= 决算数 − 预算数，逐行核对；按填报精度比较。")
def table_differences(ctx: AuditContext) -> list[Finding]:
    return _derived(ctx, "diff")


@check("table.balance", "结转结余与收支不衔接",
       "年末结转和结余 = 年初结转和结余 + 收入 − 支出（逐行）；收支表 累计结余 = 收入合计 − (基本支出 + 项目支出)。")
def table_balances(ctx: AuditContext) -> list[Finding]:
    return _derived(ctx, "balance") + _cover_balances(ctx)


def _derived(ctx: AuditContext, op: str) -> list[Finding]:
    idx = _index(ctx)
    out = []
    for key, form, table in _line_tables(ctx):
        for col, spec in table.derived.items():
            if spec[0] != op:
                continue
            header = table.columns.get(col, col)
            names = [table.columns.get(a, a) for a in spec[1:]]
            for i, ln in enumerate(table.lines):
                c = idx(keys.line_cell(key, i, col))
                if not _disagrees(c):
                    continue
                loc = location(c, form, table.title, ln.label, header)
                vals = [ln.values.get(a) for a in spec[1:]]
                if op == "diff":
                    lhs = f"{term(vals[0], c.unit)} − {term(vals[1], c.unit)}"
                    msg = f"{_table_name(table.title)}“{ln.label}”{header}与{names[0]}减{names[1]}之差不符"
                else:
                    lhs = f"{term(vals[0], c.unit)} + {term(vals[1], c.unit)} − {term(vals[2], c.unit)}"
                    msg = f"{_table_name(table.title)}“{ln.label}”{header}与{names[0]}加{names[1]}减{names[2]}不符"
                out.append(finding("table.difference" if op == "diff" else "table.balance", "error", msg, loc,
                                   stated=show(c.stated, c.unit), expected=show(c.value, c.unit),
                                   formula=mismatch(lhs, c.value, c.stated, c.unit)))
    return out


def _cover_balances(ctx: AuditContext) -> list[Finding]:
    idx = _index(ctx)
    out = []
    for i, row in enumerate(ctx.package.expenditure):
        c = idx(keys.cover_row("expenditure", i, "balance_cumulative"))
        if not _disagrees(c):
            continue
        inc, basic, project = (c.inputs.get(k) for k in ("收入合计", "基本支出", "项目支出"))
        lhs = f"{term(inc, c.unit)} − ({term(basic, c.unit)} + {term(project, c.unit)})"
        loc = location(c, FORM_COVER, COVER_TABLES["expenditure"], row.institution, "累计结余")
        out.append(finding("table.balance", "error",
                           f"{COVER_TABLES['expenditure']}“{row.institution}”累计结余与收入合计减支出不符", loc,
                           stated=show(c.stated, c.unit), expected=show(c.value, c.unit),
                           formula=mismatch(lhs, c.value, c.stated, c.unit)))
    return out


# --- table.partial_exceeds ---------------------------------------------------------------


@check("table.partial_exceeds", "“其中”项之和超过上级数",
       "上级行只列部分明细（其中…）时，各明细之和不得超过上级数（每个金额列）。")
def partial_exceeds(ctx: AuditContext) -> list[Finding]:
    out = []
    for _key, form, table in _line_tables(ctx):
        for ln in table.lines:
            if not ln.partial:
                continue
            children = [c for c in table.lines if c.parent == ln.label]
            for col, header in table.columns.items():
                if col in table.derived:
                    continue
                out += _partial_cell(form, table, ln, children, col, header)
    return out


def _partial_cell(form: str, table: LineTable, parent, children, col: str, header: str) -> list[Finding]:
    values = [c.values.get(col) for c in children]
    stated = parent.values.get(col)
    if stated is None or all(v is None for v in values):
        return []
    total = sum((v for v in values if v is not None), ZERO)
    if total <= stated or stated_agrees(stated, total, table.unit, len(values)):
        return []
    loc = place(parent.src.get(col), form, table.title, parent.label, header)
    lhs = written_sum(values, table.unit)
    return [finding("table.partial_exceeds", "error",
                    f"{_table_name(table.title)}“{parent.label}”{header}的其中项之和超过其本身", loc,
                    stated=show(stated, table.unit), expected=f"不超过 {show(stated, table.unit)}",
                    formula=f"{lhs} = {show(total, table.unit)} > {show(stated, table.unit)}")]


# --- table.summary_row ---------------------------------------------------------------------


@check("table.summary_row", "汇总行与各机构之和不符",
       "收支情况各表的“汇总”行 = Σ 各机构行（逐列）。")
def summary_rows(ctx: AuditContext) -> list[Finding]:
    idx = _index(ctx)
    pkg = ctx.package
    out = []
    for name, rows in (("income", pkg.income), ("expenditure", pkg.expenditure), ("sangong", pkg.sangong),
                       ("fixed_assets", pkg.fixed_assets)):
        summary = next((r for r in rows if r.is_summary), None)
        if summary is None:
            continue
        for f in summary.__dataclass_fields__:
            c = idx(keys.cover_summary(name, f))
            if not _disagrees(c):
                continue
            label = INCOME_LABELS.get(f) if name == "income" and f != "total" else FIELD_LABELS.get(f, f)
            loc = location(c, FORM_COVER, COVER_TABLES[name], summary.institution, label or f)
            out.append(finding("table.summary_row", "error",
                               f"{COVER_TABLES[name]}“{summary.institution}”{label}与各机构之和不符", loc,
                               stated=show(c.stated, c.unit), expected=show(c.value, c.unit),
                               formula=mismatch(written_sum(list(c.inputs.values()), c.unit), c.value, c.stated,
                                                c.unit)))
    return out


# --- funds.identity ----------------------------------------------------------------------


FUND_COLUMNS = {"initial": "年初预算数", "annual": "全年预算数", "executed": "全年执行数"}


@check("funds.identity", "年度资金总额与其组成不符",
       "自评表资金块：年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金（附件4–7）；附件3 年度资金总额 = "
       "一般公共预算 + 政府性基金 + 专户非税 + 其他资金，且 = 基本支出 + 项目支出；年初预算数、全年预算数、全年执行数逐列核对。")
def fund_identities(ctx: AuditContext) -> list[Finding]:
    out = []
    for t in ctx.report.tables:
        form, title = table_form(t.table.kind, t.table.name)
        total = t.table.fund("total")
        for c in t.values:
            if ".funds." not in c.key or not _disagrees(c):
                continue
            col = FUND_COLUMNS.get(c.key.rsplit(".", 1)[-1], "")
            # The row: the sub-heading whose figure states its group's sum ("按支出性质分"), or the total row.
            row = _group_sum_label(t, c) if getattr(c.key, "builder", "") == "fund_group_sum" else (
                total.label if total else "年度资金总额")
            loc = location(c, form, title, row, col)
            parts = "、".join(c.inputs)
            f = finding("funds.identity", "error",
                        f"{table_where(t.table.kind, t.table.name)}“{loc.row}”{col}与{parts}之和不符", loc,
                        stated=show(c.stated, c.unit), expected=show(c.value, c.unit),
                        formula=mismatch(written_sum(_fund_cells(t.table, c), c.unit), c.value, c.stated, c.unit))
            if c.note:  # a figure written in its label cell, compared in the column the note names
                f.evidence = f"{f.evidence}；{c.note}" if f.evidence else c.note
            out.append(f)
    return out


def _group_sum_label(t, c: Computed) -> str:
    """The label of the group sum whose `fund_group_sum` result `c` is (按支出性质分)."""
    return next((g.label for g in t.table.group_sums for col in FUND_COLUMNS
                 if c.key == keys.fund_group_sum(t.key, g.key, col)), "")


def _fund_cells(table, c: Computed) -> list[Decimal | None]:
    """The parts' cells as printed (empty cells stay empty) in the Computed's column."""
    col = c.key.rsplit(".", 1)[-1]
    by_label = {f.label: f for f in table.funds}
    return [getattr(by_label[k], col) if k in by_label else v for k, v in c.inputs.items()]
