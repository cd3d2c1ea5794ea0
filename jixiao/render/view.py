"""The computed view of a package: the same package with every derived figure set
to the engine's value, so that a rendered document cannot contradict itself.

Inputs (the figures a preparer enters, and their own prose) are kept as they are.
Derived figures (sums, balances, differences, rates, scores, totals, grades) are
replaced by what `score_package` computes, rounded to the precision the forms
print (amounts and scores 0.01, rates 0.01%). Because a derived figure can feed
another one (基本支出 feeds 支出合计), the engine is re-run until nothing changes.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, is_dataclass
from dataclasses import fields as dc_fields
from datetime import date, datetime
from decimal import Decimal

from ..core.engine import FORMULA_TEXT, ScoreReport, score_package
from ..core.model import LineTable, Package, SelfEvalTable
from ..core.numbers import round_half_up
from ..core.profiles import Profile, load_profile
from ..core.trace import Computed

FUND_TYPE_LABELS = {
    "gov_fund": ("附件5", "政府性基金预算支出"),
    "state_capital": ("附件6", "国有资本经营预算支出"),
    "social_insurance": ("附件7", "社会保险基金预算支出"),
}
MAX_PASSES = 6


@dataclass
class View:
    """A consistent package, the engine's report on it and the profile used."""

    package: Package
    report: ScoreReport
    profile: Profile

    def value(self, key: str) -> Decimal | None:
        c = self.computed.get(key)
        return c.value if c is not None else None

    @property
    def computed(self) -> dict:
        cache = getattr(self, "_index", None)
        if cache is None:
            cache = {c.key: c for c in self.report.all()}
            self._index = cache
        return cache


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
    for _ in range(MAX_PASSES):
        if not _apply(out, report):
            break
        report = score_package(out, prof)
    if _framework_inputs(out, report):
        report = score_package(out, prof)
    return View(out, report, prof)


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
        if _keep(getattr(obj, attr), value, c):
            return
        if repr(getattr(obj, attr)) != repr(value):
            setattr(obj, attr, value)
            self.changed = True

    def put(self, mapping: dict, key: str, value, c: Computed | None = None) -> None:
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


def _apply(pkg: Package, report: ScoreReport) -> bool:
    idx = {c.key: c for c in report.all()}
    ch = _Changes()
    _cover_rows(pkg, idx, ch)
    for key, table in pkg.narrative.tables.items():
        _line_table(table, f"narrative.tables.{key}", idx, ch)
    if pkg.basic_data.costs is not None:
        _line_table(pkg.basic_data.costs, "basic_data.costs", idx, ch)
    _basic_data(pkg, idx, ch)
    tables: list[tuple[str, SelfEvalTable]] = []
    if pkg.overall is not None:
        tables.append(("overall", pkg.overall))
    tables += [(f"projects[{i}]", t) for i, t in enumerate(pkg.projects)]
    for i, decl in enumerate(pkg.fund_types):
        tables += [(f"fund_types[{i}].tables[{j}]", t) for j, t in enumerate(decl.tables)]
    for key, table in tables:
        _self_eval(table, key, idx, ch)
    _cover_score(pkg, report, idx, ch)
    _framework(pkg, idx, ch)
    return ch.changed


def _cover_rows(pkg: Package, idx: dict, ch: _Changes) -> None:
    for name, fields in (("income", ("total",)), ("expenditure", ("basic", "total", "balance_cumulative")),
                         ("sangong", ("total",)), ("fixed_assets", ("total",))):
        rows = getattr(pkg, name)
        for i, row in enumerate(rows):
            for f in fields:
                c = idx.get(f"{name}[{i}].{f}")
                if c is not None and c.value is not None and not row.is_summary:
                    ch.set(row, f, amount(c.value), c)
        summaries = [r for r in rows if r.is_summary]
        if summaries:
            s = summaries[0]
            for f in s.__dataclass_fields__:
                if f in ("institution", "is_summary", "src"):
                    continue
                c = idx.get(f"{name}.summary.{f}")
                ch.set(s, f, amount(c.value) if c is not None else None, c)


def _line_table(table: LineTable, key: str, idx: dict, ch: _Changes) -> None:
    for i, ln in enumerate(table.lines):
        for col in table.columns:
            c = idx.get(f"{key}.lines[{i}].{col}")  # a derived column
            if c is None and not ln.partial:
                c = idx.get(f"{key}.lines[{i}].{col}.sum")  # parent or total row
            if c is not None and c.value is not None:
                ch.put(ln.values, col, amount(c.value), c)


def _basic_data(pkg: Package, idx: dict, ch: _Changes) -> None:
    st = pkg.basic_data.staffing
    c = idx.get("basic_data.staffing.control_rate")
    ch.set(st, "stated_control_rate", ratio(c.value) if c is not None else None, c)
    b = pkg.basic_data.buildings
    for attr, key in (("stated_area_rate", "area_rate"), ("stated_investment_rate", "investment_rate")):
        c = idx.get(f"basic_data.buildings.{key}")
        ch.set(b, attr, ratio(c.value) if c is not None else None, c)


def _self_eval(table: SelfEvalTable, key: str, idx: dict, ch: _Changes) -> None:
    total = table.fund("total")
    if total is not None:
        first = "general_budget" if table.kind == "overall" else "appropriation"
        for col in ("initial", "annual", "executed"):
            c = idx.get(f"{key}.funds.{first}_sum.{col}")
            if c is None and table.kind == "overall":
                c = idx.get(f"{key}.funds.basic_sum.{col}")
            if c is not None:
                ch.set(total, col, amount(c.value), c)
        rate = idx.get(f"{key}.execution.rate")
        score = idx.get(f"{key}.execution.score")
        ch.set(total, "stated_rate", ratio(rate.value) if rate is not None else None, rate)
        ch.set(total, "stated_score", amount(score.value) if score is not None else None, score)
    for row in table.funds:
        if row.key != "total":
            ch.set(row, "weight", None)
            ch.set(row, "stated_rate", None)
            ch.set(row, "stated_score", None)
    for i, ind in enumerate(table.indicators):
        c = idx.get(f"{key}.indicators[{i}].score")
        if c is not None and c.value is not None:
            ch.set(ind, "stated_score", amount(c.value), c)
    weights = {}
    for level1 in dict.fromkeys(i.level1 for i in table.indicators):
        c = idx.get(f"{key}.level1.{level1}.weight")
        if c is not None:
            weights[level1] = amount(c.value)
    if table.level1_weights != weights:
        table.level1_weights = weights
        ch.changed = True
    ch.set(table, "stated_total_weight", total_weight(table))
    c = idx.get(f"{key}.total")
    ch.set(table, "stated_total", amount(c.value) if c is not None else None, c)


def total_weight(table: SelfEvalTable) -> Decimal | None:
    """总分 分值: Σ indicator weights + the 执行率 weight."""
    weights = [i.weight for i in table.indicators if i.weight is not None]
    total = table.fund("total")
    if total is not None and total.weight is not None:
        weights.append(total.weight)
    return sum(weights, Decimal(0)) if weights else None


def _cover_score(pkg: Package, report: ScoreReport, idx: dict, ch: _Changes) -> None:
    overall = next((t for t in report.tables if t.key == "overall"), None)
    if overall is None or overall.total is None:
        return
    ch.set(pkg, "stated_score", pkg.overall.stated_total if pkg.overall is not None else amount(overall.total.value))
    ch.set(pkg, "stated_grade", overall.grade.text if overall.grade else "")
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


def _framework(pkg: Package, idx: dict, ch: _Changes) -> None:
    n = pkg.narrative
    for i, item in enumerate(n.framework):
        key = f"narrative.framework[{i}]"
        rate = idx.get(f"{key}.rate")
        if rate is not None and rate.value is not None:
            ch.set(item, "stated_rate", ratio(rate.value), rate)
        score = idx.get(f"{key}.score")
        if score is not None and score.value is not None:
            ch.set(item, "stated_score", amount(score.value), score)
    total = idx.get("narrative.framework.total")
    if total is not None:
        ch.set(n, "stated_total", amount(total.value), total)
        grade = idx.get("narrative.framework.grade")
        ch.set(n, "stated_grade", grade.text if grade is not None else "")


def _framework_inputs(pkg: Package, report: ScoreReport) -> bool:
    """Once the figures are final: each rated item states the profile's formula and the inputs it used."""
    idx = {c.key: c for c in report.all()}
    ch = _Changes()
    for i, item in enumerate(pkg.narrative.framework):
        rate = idx.get(f"narrative.framework[{i}].rate")
        if rate is not None and rate.value is not None:
            inputs = {re.sub(r"（[^（]*）$", "", k): v for k, v in rate.inputs.items() if isinstance(v, Decimal)}
            ch.set(item, "inputs", inputs)
            ch.set(item, "stated_formula", FORMULA_TEXT.get(_formula_id(rate.formula), rate.formula))
    return ch.changed


def _formula_id(text: str) -> str:
    for k, v in FORMULA_TEXT.items():
        if v == text:
            return k
    return ""
