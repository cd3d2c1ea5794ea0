"""The computed view of a package: the same package with every derived figure set
to the engine's value, so that a rendered document cannot contradict itself.

Inputs (the figures a preparer enters, and their own prose) are kept as they are, and so
are judged figures — scores that need the evaluator's judgement: the unit's entry stands.
Computed and ruled figures (sums, balances, differences, rates, rule scores, totals, grades)
are replaced by what `score_package` computes, rounded to the precision the forms print
(amounts and scores 0.01, rates 0.01%). Because a derived figure can feed
another one (基本支出 feeds 支出合计), the engine is re-run until nothing changes.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, is_dataclass
from dataclasses import fields as dc_fields
from datetime import date, datetime
from decimal import Decimal

from . import catalogue, keys
from .engine import ScoreReport, score_package
from .model import LineTable, Package, SelfEvalTable
from .numbers import round_half_up
from .profiles import Profile, load_profile
from .trace import Computed

# kind → (附件 number, spending it covers), from the catalogue
FUND_TYPE_LABELS = {f.table_kind: (f.id, f.fund_type) for f in catalogue.FORMS if f.fund_type}
MAX_PASSES = 6


@dataclass
class View:
    """A consistent package, the engine's report on it and the profile used."""

    package: Package
    report: ScoreReport
    profile: Profile
    notes: list[str] = field(default_factory=list)  # what the writers' caller should tell the user
    # The package as given, its stated figures untouched: a writer whose reader must give it back
    # (the workbook) carries it beside what it shows.
    stated: Package | None = None

    def find(self, key: keys.Key) -> Computed | None:
        return self.report.find(key)

    def value(self, key: keys.Key) -> Decimal | None:
        """The figure that stands for `key` (the unit's for a judged one)."""
        c = self.report.find(key)
        return c.standing if c is not None else None


def amount(v: Decimal | None) -> Decimal | None:
    return None if v is None else round_half_up(v, 2)


def ratio(v: Decimal | None) -> Decimal | None:
    return None if v is None else round_half_up(v, 4)


def build_view(pkg: Package, profile: Profile | str | None = None) -> View:
    """Deep-copy `pkg`, set every derived figure to the engine's value, return the view."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile or pkg.profile)
    out = clone(pkg)
    _structural(out)
    report = score_package(out, prof)
    notes = []
    for _ in range(MAX_PASSES):
        if not _apply(out, report):
            break
        report = score_package(out, prof)
    else:  # a figure that keeps moving: the package's own entries contradict each other
        notes.append(f"经{MAX_PASSES}轮计算，部分派生数字仍未稳定（填报数据前后矛盾），生成的文件可能仍有不一致之处，请先用 jixiao audit 核对")
    if _framework_inputs(out, report):
        report = score_package(out, prof)
    return View(out, report, prof, notes, stated=pkg)


# --- a deep copy of the model ----------------------------------------------------------------

_ATOMS = frozenset({str, int, float, bool, Decimal, date, datetime, bytes, type(None)})
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def clone(obj, memo: dict | None = None):
    """A deep copy of a model tree (dataclasses, lists, dicts, tuples; immutable leaves shared).
    Shared objects stay shared, as with copy.deepcopy; about 3× faster than a pickle round trip,
    which spent its time re-creating Decimals that are immutable anyway."""
    if memo is None:
        memo = {}
    t = type(obj)
    if t in _ATOMS:
        return obj
    hit = memo.get(id(obj))
    if hit is not None:
        return hit
    if t is list:
        out = memo[id(obj)] = []
        out.extend([clone(x, memo) for x in obj])
        return out
    if t is dict:
        out = memo[id(obj)] = {}
        for k, v in obj.items():
            out[k] = clone(v, memo)
        return out
    if t is tuple:
        return tuple([clone(x, memo) for x in obj])
    names = _FIELDS.get(t, ())
    if names == ():
        names = _FIELDS[t] = tuple(f.name for f in dc_fields(t)) if is_dataclass(t) else None
    if names is None:  # anything else (sets, enums, foreign objects): the general deep copy
        out = memo[id(obj)] = copy.deepcopy(obj)
        return out
    out = memo[id(obj)] = object.__new__(t)
    for name in names:
        try:
            value = getattr(obj, name)
        except AttributeError:  # an unset slot stays unset
            continue
        setattr(out, name, clone(value, memo))
    return out


# --- structure: what a rendered package carries, whatever the source said ------------------


def _structural(pkg: Package) -> None:
    for decl in pkg.fund_types:
        if not decl.has_spending:
            decl.tables = []  # never another unit's leftovers
            if not decl.statement:
                decl.statement = f"本单位{pkg.year}年无{FUND_TYPE_LABELS.get(decl.kind, ('', decl.kind))[1]}。"
    pkg.narrative.figures = []  # statements about a source document's prose; ours is regenerated
    pkg.narrative.sections = []  # headings a reader found in a source document
    pkg.staffing.stated_control_rate = None  # the cover form prints no rate; 附件2 carries it
    pkg.texts = []
    pkg.forms_found = []


# --- one pass: copy computed values into the stated fields; report whether anything changed --


class _Changes:
    def __init__(self) -> None:
        self.changed = False

    def set(self, obj, attr: str, value, c: Computed | None = None) -> None:
        if c is not None and c.judged:  # the unit's judgement stands
            return
        if _keep(getattr(obj, attr), value, c):
            return
        if repr(getattr(obj, attr)) != repr(value):
            setattr(obj, attr, value)
            self.changed = True

    def put(self, mapping: dict, key: str, value, c: Computed | None = None) -> None:
        if c is not None and c.judged:
            return
        if _keep(mapping.get(key), value, c):
            return
        if repr(mapping.get(key)) != repr(value):
            mapping[key] = value
            self.changed = True


def _keep(old, new, c: Computed | None) -> bool:
    """A stated figure within rounding of the computed one (DESIGN §3) is noise: keep what was printed.
    When it is the same number at display precision, the computed form is written (10 → 10.00)."""
    if c is None or (isinstance(old, Decimal) and isinstance(new, Decimal) and old == new):
        return False  # (tested before c.agrees, which compares at the stated precision each time it is read)
    return c.agrees


def self_eval_tables(pkg: Package) -> list[tuple[str, SelfEvalTable]]:
    """(table key, table) for 附件3, every 附件4 and every 附件5–7 table, in document order."""
    tables: list[tuple[str, SelfEvalTable]] = []
    if pkg.overall is not None:
        tables.append((keys.OVERALL, pkg.overall))
    tables += [(keys.project(i), t) for i, t in enumerate(pkg.projects)]
    for i, decl in enumerate(pkg.fund_types):
        tables += [(keys.fund_type_table(i, j), t) for j, t in enumerate(decl.tables)]
    return tables


def _apply(pkg: Package, report: ScoreReport) -> bool:
    idx = report.find
    ch = _Changes()
    _cover_rows(pkg, idx, ch)
    for key, table in pkg.narrative.tables.items():
        _line_table(table, keys.narrative_table(key), idx, ch)
    if pkg.basic_data.costs is not None:
        _line_table(pkg.basic_data.costs, keys.BASIC_COSTS, idx, ch)
    _basic_data(pkg, idx, ch)
    for key, table in self_eval_tables(pkg):
        _self_eval(table, key, idx, ch)
    _cover_score(pkg, report, ch)
    _framework(pkg, idx, ch)
    return ch.changed


def _cover_rows(pkg: Package, idx: dict, ch: _Changes) -> None:
    for name, fields in (("income", ("total",)), ("expenditure", ("basic", "total", "balance_cumulative")),
                         ("sangong", ("total",)), ("fixed_assets", ("total",))):
        rows = getattr(pkg, name)
        for i, row in enumerate(rows):
            for f in fields:
                c = idx(keys.cover_row(name, i, f))
                if c is not None and c.value is not None and not row.is_summary:
                    ch.set(row, f, amount(c.value), c)
        summaries = [r for r in rows if r.is_summary]
        if summaries:
            s = summaries[0]
            for f in s.__dataclass_fields__:
                if f in ("institution", "is_summary", "src"):
                    continue
                c = idx(keys.cover_summary(name, f))
                ch.set(s, f, amount(c.value) if c is not None else None, c)


def _line_table(table: LineTable, key: str, idx: dict, ch: _Changes) -> None:
    for i, ln in enumerate(table.lines):
        for col in table.columns:
            c = idx(keys.line_cell(key, i, col))  # a derived column
            if c is None and not ln.partial:
                c = idx(keys.line_sum(key, i, col))  # parent or total row
            if c is not None and c.value is not None:
                ch.put(ln.values, col, amount(c.value), c)


def _basic_data(pkg: Package, idx: dict, ch: _Changes) -> None:
    st = pkg.basic_data.staffing
    c = idx(keys.STAFF_CONTROL_RATE)
    ch.set(st, "stated_control_rate", ratio(c.value) if c is not None else None, c)
    b = pkg.basic_data.buildings
    for attr, key in (("stated_area_rate", "area_rate"), ("stated_investment_rate", "investment_rate")):
        c = idx(keys.building_rate(key))
        ch.set(b, attr, ratio(c.value) if c is not None else None, c)


def _self_eval(table: SelfEvalTable, key: str, idx: dict, ch: _Changes) -> None:
    total = table.fund("total")
    if total is not None:
        first = "general_budget" if table.kind == "overall" else "appropriation"
        for col in ("initial", "annual", "executed"):
            c = idx(keys.fund_sum(key, first, col))
            if c is None and table.kind == "overall":
                c = idx(keys.fund_sum(key, "basic", col))
            if c is not None:
                ch.set(total, col, amount(c.value), c)
        rate = idx(keys.execution_rate(key))
        score = idx(keys.execution_score(key))
        ch.set(total, "stated_rate", ratio(rate.value) if rate is not None else None, rate)
        ch.set(total, "stated_score", amount(score.value) if score is not None else None, score)
    for row in table.funds:
        if row.key != "total":
            ch.set(row, "weight", None)
            ch.set(row, "stated_rate", None)
            ch.set(row, "stated_score", None)
    for i, ind in enumerate(table.indicators):
        c = idx(keys.indicator_score(key, i))
        if c is not None and c.value is not None:
            ch.set(ind, "stated_score", amount(c.value), c)
    weights = {}
    for level1 in dict.fromkeys(i.level1 for i in table.indicators):
        c = idx(keys.level1_weight(key, level1))
        if c is not None:
            weights[level1] = amount(c.value)
    if table.level1_weights != weights:
        table.level1_weights = weights
        ch.changed = True
    ch.set(table, "stated_total_weight", total_weight(table))
    c = idx(keys.total(key))
    ch.set(table, "stated_total", amount(c.value) if c is not None else None, c)


def total_weight(table: SelfEvalTable) -> Decimal | None:
    """总分 分值: Σ indicator weights + the 执行率 weight."""
    weights = [i.weight for i in table.indicators if i.weight is not None]
    total = table.fund("total")
    if total is not None and total.weight is not None:
        weights.append(total.weight)
    return sum(weights, Decimal(0)) if weights else None


def _cover_score(pkg: Package, report: ScoreReport, ch: _Changes) -> None:
    """The cover's 综合得分 restates the total of the system the profile names (`cover_score`)."""
    overall = report.table(keys.OVERALL)
    if report.profile["cover_score"] == catalogue.SYSTEM_FRAMEWORK:
        total, grade = report.find(keys.FRAMEWORK_TOTAL), report.find(keys.FRAMEWORK_GRADE)
    else:
        total, grade = (overall.total, overall.grade) if overall is not None else (None, None)
    if total is None or total.value is None:
        return
    ch.set(pkg, "stated_score", amount(total.value))
    ch.set(pkg, "stated_grade", grade.text if grade else "")
    ch.set(pkg, "grade_note", grade_note(report.profile))
    executed = pkg.overall.fund("total").executed if pkg.overall and pkg.overall.fund("total") else None
    if executed is not None:
        ch.set(pkg.notice, "scope_total", executed)


def grade_note(profile: Profile) -> str:
    grades = profile["grades"]
    parts = []
    for i, g in enumerate(grades):
        lo = _num(g["min"])
        if i == 0:
            parts.append(f"{lo}（含）—100分为{g['name']}")
        elif g["min"] > 0:
            parts.append(f"{lo}（含）—{_num(grades[i - 1]['min'])}分为{g['name']}")
        else:
            parts.append(f"{_num(grades[i - 1]['min'])}分以下为{g['name']}")
    return "备注：" + "；".join(parts) + "。"


def _num(v: Decimal) -> str:
    return format(Decimal(v).normalize(), "f")


def _framework(pkg: Package, idx, ch: _Changes) -> None:
    n = pkg.narrative
    for i, item in enumerate(n.framework):
        rate = idx(keys.framework_rate(i))
        if rate is not None and rate.value is not None:
            ch.set(item, "stated_rate", ratio(rate.value), rate)
        score = idx(keys.framework_score(i))
        if score is not None and score.value is not None:
            ch.set(item, "stated_score", amount(score.value), score)
    total = idx(keys.FRAMEWORK_TOTAL)
    if total is not None:
        ch.set(n, "stated_total", amount(total.value), total)
        grade = idx(keys.FRAMEWORK_GRADE)
        ch.set(n, "stated_grade", grade.text if grade is not None else "", grade)


def _framework_inputs(pkg: Package, report: ScoreReport) -> bool:
    """Once the figures are final: each rated item states the profile's formula and the inputs it used."""
    ch = _Changes()
    for i, item in enumerate(pkg.narrative.framework):
        rate = report.find(keys.framework_rate(i))
        spec = report.profile.framework_item(item.id)
        if rate is not None and rate.value is not None and spec is not None and spec["formula"] in catalogue.FORMULAS:
            inputs = {re.sub(r"（[^（]*）$", "", k): v for k, v in rate.inputs.items() if isinstance(v, Decimal)}
            ch.set(item, "inputs", inputs)
            ch.set(item, "stated_formula", catalogue.FORMULAS[spec["formula"]].text)
    return ch.changed
