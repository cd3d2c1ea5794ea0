"""The 主管部门's package built from its units' packages (issue 22, the notice's 四（三）/（五）).

A department reviews its units' self-evaluations and rolls them up into its own package:

- the cover tables (收入, 支出, 三公, 固定资产) get one row per unit and the 汇总 row above them; a
  unit's row is the unit's own 汇总 row, or the sum of its institutions' rows where it left that
  empty; the 汇总 row adds every unit's row and the department's own institution rows (本级);
- 附件3 and every 附件4 (one per fund, matched by the fund's name across units) are rolled up by
  `aggregate.aggregate`, the same rule as `jixiao aggregate`: amounts add up, rates and qualitative
  scores are weighted by the fund amount the profile names (aggregation_weight);
- everything else — the narrative, the unit's own text, the goals, the reasons — stays the
  department's own.

Never silent: a unit or a table that could not be used is listed in `gaps`, with why, in Chinese.
Pure: no Django, no rounding (Decimal throughout; a page rounds when it shows a figure).
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from . import rules
from .aggregate import aggregate, distinct_names, fund_weight
from .model import (
    Actual,
    ExpenditureRow,
    FixedAssetRow,
    FundRow,
    FundTypeDeclaration,
    IncomeRow,
    Indicator,
    Package,
    SanGongRow,
    SelfEvalTable,
    Target,
)
from .numbers import round_half_up
from .profiles import Profile
from .trace import Computed

# The cover tables: the package's attribute, the form's title, the row class, each amount's label.
COVER_TABLES: dict[str, tuple[str, type, dict[str, str]]] = {
    "income": ("部门（单位）年度收入情况", IncomeRow, {
        "total": "收入合计", "carryover": "上年结转", "general_budget": "公共财政拨款", "fund_budget": "政府基金拨款",
        "special_account": "纳入专户管理的非税收入拨款", "other": "其他收入"}),
    "expenditure": ("部门（单位）年度支出和结余情况", ExpenditureRow, {
        "total": "支出合计", "basic": "基本支出", "personnel": "人员支出", "public": "公用支出", "project": "项目支出",
        "balance_current": "当年结余", "balance_cumulative": "累计结余"}),
    "sangong": ("三公经费", SanGongRow, {
        "total": "三公经费合计", "reception": "公务接待费", "vehicle_operation": "公务用车运行维护费",
        "vehicle_purchase": "公务用车购置费", "overseas": "因公出国（境）费用"}),
    "fixed_assets": ("固定资产", FixedAssetRow, {
        "total": "固定资产合计", "in_use": "在用固定资产", "rented": "出租固定资产", "other": "其他"}),
}
OVERALL_TITLE = "附件3 部门整体支出绩效自评表"
PROJECT_TITLE = "附件4 项目支出绩效自评表"
FUND_TYPE_TITLES = {"gov_fund": "附件5 政府性基金预算支出绩效自评表",
                    "state_capital": "附件6 国有资本经营预算支出绩效自评表",
                    "social_insurance": "附件7 社会保险基金预算支出绩效自评表"}
SUMMARY_LABEL = "汇总"  # the 汇总 row's name when the department's own form has none yet
_NUMBERING = re.compile(r"^\s*[（(]?\d+[)）、.．]\s*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(slots=True)
class Gap:
    """A unit's table the roll-up could not use (or used only in part), and why."""

    unit: str
    table: str
    why: str

    def describe(self) -> str:
        return f"{self.unit}：{self.table}{self.why}"


@dataclass(slots=True)
class TableRollup:
    """One rolled-up self-evaluation table: where it stands in the department's package, and its figures."""

    path: str  # overall | projects[2]
    title: str
    members: list[str]
    figures: list[Computed]  # aggregate.aggregate's figures (the same as `jixiao aggregate`), then the fund rows'


@dataclass(slots=True)
class CoverRollup:
    """One cover table: its rows (汇总 first) and, for every amount of the 汇总 and unit rows, its trace."""

    key: str  # income | expenditure | sangong | fixed_assets
    title: str
    labels: dict[str, str]  # amount field → column label
    figures: list[Computed]


@dataclass(slots=True)
class DepartmentRollup:
    package: Package  # the department's package with the rolled-up tables, its own narrative kept
    members: list[str]
    cover: list[CoverRollup]
    tables: list[TableRollup]
    gaps: list[Gap] = field(default_factory=list)

    def figures(self) -> list[Computed]:
        return [c for t in self.cover for c in t.figures] + [c for t in self.tables for c in t.figures]


def roll_up(own: Package, units: list[tuple[str, Package]], prof: Profile,
            subordinates: list[str] = ()) -> DepartmentRollup:
    """The department's package (`own`) rebuilt from its units' packages, each given with its name.
    `subordinates`: the names of all the department's units, rolled up now or not — a row a former
    roll-up wrote for one of them is the unit's, never taken for the department's own (本级)."""
    names = distinct_names([n or p.unit.name for n, p in units])
    packages = [p for _, p in units]
    out = copy.deepcopy(own)
    gaps: list[Gap] = []
    theirs = set(names) | {_plain(n) for n in subordinates}
    cover = [_cover(out, key, names, packages, gaps, theirs) for key in COVER_TABLES]
    tables = []
    overall = _overall(out, names, packages, prof, gaps)
    if overall is not None:
        tables.append(overall)
    tables += _projects(out, names, packages, prof, gaps)
    tables += _fund_types(out, names, packages, prof, gaps)
    result = DepartmentRollup(out, names, cover, tables, gaps)
    rule = prof.ref("aggregation_weight")  # the sums follow the notice's rule as the weighted figures do
    for c in result.figures():
        c.rule = c.rule or rule
    return result


# --- the cover tables -------------------------------------------------------------------------------


def _plain(name: str) -> str:
    return _NUMBERING.sub("", name or "").strip()


def _cover(out: Package, key: str, names: list[str], packages: list[Package], gaps: list[Gap],
           theirs: set[str]) -> CoverRollup:
    title, cls, labels = COVER_TABLES[key]
    mine = getattr(out, key)
    summary = next((r for r in mine if r.is_summary), None)
    own_rows = [r for r in mine if not r.is_summary and _plain(r.institution) not in theirs]
    unit_rows, figures = [], []
    for name, pkg in zip(names, packages):
        row, traces = _unit_row(cls, labels, key, name, getattr(pkg, key), len(own_rows) + len(unit_rows) + 1)
        if row is None:
            gaps.append(Gap(name, title, "未填写，汇总行未计入该单位"))
            continue
        unit_rows.append(row)
        figures += traces
    if not unit_rows:  # no unit filled it: the department's table stays as it was
        return CoverRollup(key, title, dict(labels), [])
    total = cls(institution=summary.institution if summary is not None else SUMMARY_LABEL, is_summary=True)
    figures = _summary_figures(total, labels, key, own_rows, unit_rows) + figures
    setattr(out, key, [total, *own_rows, *unit_rows])
    return CoverRollup(key, title, dict(labels), figures)


def _unit_row(cls, labels: dict[str, str], key: str, name: str, rows: list, index: int):
    """A unit's row: its own 汇总 row where it filled one, else the sum of its institutions' rows."""
    summary = next((r for r in rows if r.is_summary and _filled(r, labels)), None)
    parts = [summary] if summary is not None else [r for r in rows if not r.is_summary and _filled(r, labels)]
    if not parts:
        return None, []
    row = cls(institution=name)
    figures = []
    called = distinct_names([r.institution for r in parts])
    for f, label in labels.items():
        inputs = {n: getattr(r, f) for n, r in zip(called, parts)}
        value = _sum(list(inputs.values()))
        setattr(row, f, value)
        formula = f"{name}自报的汇总行" if summary is not None else f"Σ {name}各机构{label}"
        figures.append(Computed(key=f"{key}[{index}].{f}", label=f"{name}·{label}", value=value, unit="万元",
                                formula=formula, inputs=inputs, path=f"{key}[{index}].{f}"))
    return row, figures


def _summary_figures(total, labels: dict[str, str], key: str, own_rows: list, unit_rows: list) -> list:
    figures = []
    for f, label in labels.items():
        inputs = {f"{r.institution}（本级）": getattr(r, f) for r in own_rows} | {r.institution: getattr(r, f)
                                                                                 for r in unit_rows}
        value = _sum(list(inputs.values()))
        setattr(total, f, value)
        figures.append(Computed(key=f"{key}[0].{f}", label=f"{total.institution}·{label}", value=value,
                                unit="万元", formula=f"Σ 各单位{label}（绝对值相加）", inputs=inputs,
                                path=f"{key}[0].{f}"))
    return figures


def _filled(row, labels: dict[str, str]) -> bool:
    return any(getattr(row, f) is not None for f in labels)


def _sum(values: list) -> Decimal | None:
    """Amounts add up; a column nobody filled stays empty (not 0: an empty cell is not a zero)."""
    present = [v for v in values if v is not None]
    return rules.aggregate_absolute(present) if present else None


# --- 附件3 and the per-fund 附件4 -------------------------------------------------------------------


def _overall(out: Package, names: list[str], packages: list[Package], prof: Profile, gaps: list[Gap]):
    members = []
    for name, pkg in zip(names, packages):
        if pkg.overall is None:
            gaps.append(Gap(name, OVERALL_TITLE, "未填写，附件3的汇总未计入该单位"))
        else:
            members.append((name, pkg.overall))
    if not members:
        return None
    _weightless(members, OVERALL_TITLE, prof, gaps)
    figures = aggregate([t for _, t in members], prof, [n for n, _ in members])
    out.overall = rolled_table(out.overall, members, figures, prof)
    _mirror_on_cover(out)
    return TableRollup("overall", OVERALL_TITLE, [n for n, _ in members], figures + _fund_figures("overall", members))


def _mirror_on_cover(out: Package) -> None:
    """The cover's 定量目标 is an excerpt of 附件3: each indicator it quotes takes the rolled-up target,
    actual and score, its other words staying the department's."""
    rolled = {"".join(i.name.split()): i for i in out.overall.indicators}
    for ind in out.cover_indicators:
        source = rolled.get("".join(ind.name.split()))
        if source is not None:
            ind.target, ind.actual = copy.deepcopy(source.target), copy.deepcopy(source.actual)
            if ind.stated_score is not None:  # a cover that prints the scores too
                ind.stated_score = source.stated_score


def _projects(out: Package, names: list[str], packages: list[Package], prof: Profile, gaps: list[Gap]) -> list:
    funds: OrderedDict[str, list[tuple[str, SelfEvalTable]]] = OrderedDict()
    for name, pkg in zip(names, packages):
        if not pkg.projects and pkg.overall is None:
            gaps.append(Gap(name, PROJECT_TITLE, "与附件3均未填写，该单位没有可汇总的自评表"))
        for t in pkg.projects:
            funds.setdefault(_plain(t.name), []).append((name, t))
    return _roll_tables(out.projects, funds, "projects", PROJECT_TITLE, prof, gaps)


def _fund_types(out: Package, names: list[str], packages: list[Package], prof: Profile, gaps: list[Gap]) -> list:
    """附件5–7: per kind, each item rolled up like a fund's 附件4; a kind no unit spent on keeps the
    department's own declaration (its statement that it had no such spending)."""
    kinds: OrderedDict[str, OrderedDict[str, list]] = OrderedDict()
    for name, pkg in zip(names, packages):
        for decl in pkg.fund_types:
            for t in decl.tables if decl.has_spending else []:
                kinds.setdefault(decl.kind, OrderedDict()).setdefault(_plain(t.name), []).append((name, t))
    rolled = []
    for kind, items in kinds.items():
        index = next((i for i, d in enumerate(out.fund_types) if d.kind == kind), None)
        if index is None:
            index = len(out.fund_types)
            out.fund_types.append(FundTypeDeclaration(kind=kind))
        decl = out.fund_types[index]
        decl.has_spending = True
        rolled += _roll_tables(decl.tables, items, f"fund_types[{index}].tables", FUND_TYPE_TITLES.get(kind, kind),
                               prof, gaps)
    return rolled


def _roll_tables(own: list[SelfEvalTable], items: OrderedDict, path: str, form: str, prof: Profile,
                 gaps: list[Gap]) -> list[TableRollup]:
    """Each item (a fund, by name) rolled up over the units that report it, in place of the department's
    table of that name or after its tables; the department's other tables are left as they are."""
    rolled = []
    for item, members in items.items():
        title = f"{form}（{item or '未命名项目'}）"
        _weightless(members, title, prof, gaps)
        figures = aggregate([t for _, t in members], prof, [n for n, _ in members])
        index = next((i for i, t in enumerate(own) if _plain(t.name) == item), None)
        table = rolled_table(own[index] if index is not None else None, members, figures, prof)
        if index is None:
            index = len(own)
            own.append(table)
        else:
            own[index] = table
        where = f"{path}[{index}]"
        rolled.append(TableRollup(where, title, [n for n, _ in members], figures + _fund_figures(where, members)))
    return rolled


def _weightless(members: list, title: str, prof: Profile, gaps: list[Gap]) -> None:
    """A table without a fund amount weighs nothing in the weighted figures: said, not hidden."""
    basis = prof["aggregation_weight"]
    for name, table in members:
        if not fund_weight(table, basis):
            gaps.append(Gap(name, title, "没有年度资金总额（或为0），比率与定性指标得分的加权中权重为0"))


def _fund_figures(path: str, members: list) -> list[Computed]:
    """Every fund row (年度资金总额, 财政拨款, 上年结转 …) column by column, with each unit's part."""
    out = []
    for key, label in _fund_keys(members).items():
        for col, col_label in (("initial", "年初预算数"), ("annual", "全年预算数"), ("executed", "全年执行数")):
            inputs = {n: getattr(t.fund(key), col) for n, t in members if t.fund(key) is not None}
            out.append(Computed(key=f"{path}.funds.{key}.{col}", label=f"{label}·{col_label}", value=_sum(list(inputs.values())),
                                unit="万元", formula=f"Σ 各单位{label}{col_label}", inputs=inputs))
    return out


def _fund_keys(members: list) -> OrderedDict[str, str]:
    keys: OrderedDict[str, str] = OrderedDict()
    for _, t in members:
        for f in t.funds:
            keys.setdefault(f.key, f.label)
    return keys


def rolled_table(own: SelfEvalTable | None, members: list, figures: list[Computed], prof: Profile) -> SelfEvalTable:
    """The department's table: figures from its units', text (goal, reasons, filler) its own."""
    first = members[0][1]
    base = copy.deepcopy(own) if own is not None else SelfEvalTable(kind=first.kind, name=first.name,
                                                                    form_label=first.form_label, row_label=first.row_label)
    weights = [fund_weight(t, prof["aggregation_weight"]) for _, t in members]
    base.funds = _rolled_funds(members, weights)
    base.group_sums = []
    base.indicators = _rolled_indicators(base.indicators, members, weights)
    base.level1_weights = dict(base.level1_weights or first.level1_weights)
    base.stated_total_weight = base.stated_total_weight if base.stated_total_weight is not None else first.stated_total_weight
    total = next((c for c in figures if c.key == "aggregate.total"), None)
    base.stated_total = _points(total.value) if total is not None else None
    base.stated_grade = ""  # the engine grades the rolled-up total; a grade typed for other figures would mislead
    return base


def _rolled_funds(members: list, weights: list[Decimal]) -> list[FundRow]:
    rows = []
    for key, label in _fund_keys(members).items():
        parts = [(t.fund(key), w) for (_, t), w in zip(members, weights) if t.fund(key) is not None]
        row = FundRow(key=key, label=label, **{c: _sum([getattr(f, c) for f, _ in parts])
                                               for c in ("initial", "annual", "executed")})
        row.weight = next((f.weight for f, _ in parts if f.weight is not None), None)
        if key == "total":
            row.stated_rate = _ratio(rules.execution_rate(row.executed, row.annual))
            row.stated_score = _points(_weighted([(f.stated_score, w) for f, w in parts]))
        rows.append(row)
    return rows


def _weighted(pairs: list[tuple[Decimal | None, Decimal]]) -> Decimal | None:
    present = [(v, w) for v, w in pairs if v is not None]
    if not present:
        return None
    return rules.weighted_average([v for v, _ in present], [w for _, w in present])


def _rolled_indicators(own: list[Indicator], members: list, weights: list[Decimal]) -> list[Indicator]:
    """Matched by (一级, 二级, 三级) as aggregate.aggregate matches them, in the order it numbers them."""
    groups: OrderedDict[tuple[str, str, str], list] = OrderedDict()
    for (name, table), w in zip(members, weights):
        for ind in table.indicators:
            groups.setdefault((ind.level1, ind.level2, ind.name), []).append((name, ind, w))
    mine = {(i.level1, i.level2, i.name): i for i in own}
    return [_rolled_indicator(mine.get(k), parts) for k, parts in groups.items()]


def _rolled_indicator(own: Indicator | None, parts: list) -> Indicator:
    first = parts[0][1]
    out = copy.deepcopy(own) if own is not None else Indicator(first.level1, first.level2, first.name,
                                                               copy.deepcopy(first.target), Actual(raw=""))
    out.weight = out.weight if own is not None and out.weight is not None else first.weight
    out.applicable = any(p[1].applicable for p in parts)
    out.stated_score = _points(_weighted([(p[1].stated_score, p[2]) for p in parts]))
    if first.target.kind == "quantitative":
        relative = first.target.unit == "%"
        out.target = _rolled_target(out.target if own is not None else first.target, parts, relative)
        out.actual = _rolled_actual(parts, relative)
    elif own is None or not out.actual.raw:
        # Qualitative: the units' own words, each named — what the department would otherwise copy by hand.
        out.actual = Actual(raw="；".join(f"{p[0]}：{p[1].actual.raw}" for p in parts if p[1].actual.raw))
    return out


def _combine(values: list[Decimal | None], weights: list[Decimal], relative: bool) -> Decimal | None:
    """Amounts add up (exact); a rate is weighted, and written as the form prints it (a percent with two
    decimals, half-up) — the trace keeps the exact value."""
    if any(v is None for v in values):
        return None
    if relative:
        return _ratio(rules.weighted_average(values, weights))
    return rules.aggregate_absolute(values)


def _ratio(value: Decimal | None) -> Decimal | None:
    """A ratio at the form's precision: 0.76499986… → 0.7650 (76.50%)."""
    return None if value is None else round_half_up(value, 4)


def _points(value: Decimal | None) -> Decimal | None:
    """A score at the form's precision (two decimals, half-up)."""
    return None if value is None else round_half_up(value, 2)


def _rolled_target(target: Target, parts: list, relative: bool) -> Target:
    value = _combine([p[1].target.value for p in parts], [p[2] for p in parts], relative)
    if value is None or target.value is None or value == target.value:  # the same target: its own words
        return copy.deepcopy(target)
    return Target(raw=_renumber(target.raw, value, relative, target.unit), kind=target.kind, comparator=target.comparator,
                  value=value, unit=target.unit, when=target.when)


def _rolled_actual(parts: list, relative: bool) -> Actual:
    value = _combine([p[1].actual.value for p in parts], [p[2] for p in parts], relative)
    if value is None:  # a unit gave no figure: its words are kept, named, and no figure is made up
        return Actual(raw="；".join(f"{p[0]}：{p[1].actual.raw}" for p in parts if p[1].actual.raw))
    first = parts[0][1]
    unit = first.actual.unit or first.target.unit
    raw = _figure(value, relative) if relative else f"{_figure(value, relative)}{unit if unit != '%' else ''}"
    return Actual(raw=raw, value=value, unit=unit)


def _figure(value: Decimal, relative: bool) -> str:
    """A rate as the form prints it (76.50%, from a ratio rounded by `_ratio`); a sum without trailing zeros."""
    if relative:
        return format(value.scaleb(2), "f") + "%"
    return format(value.normalize(), "f")


def _renumber(raw: str, value: Decimal, relative: bool, unit: str = "") -> str:
    """The unit's wording with the rolled-up figure in place of its own: '≥200人次' → '≥700人次'.
    A wording with several figures keeps only what precedes the first ('岗位信息＞') and its unit."""
    number = _figure(value, relative).rstrip("%")
    found = list(_NUMBER.finditer(raw))
    if not found:
        return _figure(value, relative)
    if len(found) == 1:
        return raw[:found[0].start()] + number + raw[found[0].end():]
    return raw[:found[0].start()] + _figure(value, relative) + ("" if relative else unit)
