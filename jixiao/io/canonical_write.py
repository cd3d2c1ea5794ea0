"""Package → the canonical dict (the inverse of canonical.read): what `jixiao import -o` writes.

Empty values are left out so that the file stays readable; figures keep the
digits they were printed with (Decimal('10.00') is written 10.00).
"""

from __future__ import annotations

from decimal import Decimal

import yaml

from ..core.model import (
    FrameworkItem,
    FundRow,
    Goal,
    Indicator,
    LineTable,
    Package,
    SelfEvalTable,
    Staffing,
)

FORMAT_VERSION = 1  # the "jixiao:" key of a canonical file; the reader (canonical.py) accepts this one


def _decimal_representer(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


yaml.SafeDumper.add_representer(Decimal, _decimal_representer)


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [], {}) and v is not False}


def _pct(ratio: Decimal | None) -> str | None:
    if ratio is None:
        return None
    return f"{format(ratio.scaleb(2), 'f')}%"


def package_dict(pkg: Package) -> dict:
    out: dict = {"jixiao": FORMAT_VERSION, "profile": pkg.profile, "year": pkg.year, "title": pkg.title}
    if pkg.jurisdiction is not None:
        j = pkg.jurisdiction
        out["jurisdiction"] = _clean({"code": j.code, "level": j.level, "name": j.name})
    u = pkg.unit
    out["unit"] = _clean({f: getattr(u, f) for f in ("name", "budget_code", "evaluation_method", "evaluator_org",
                                                      "report_date", "contact", "phone", "supervisor", "functions",
                                                      "main_tasks", "summary")})
    out["staffing"] = _staffing(pkg.staffing)
    for key in ("income", "expenditure", "sangong", "fixed_assets"):
        rows = []
        for r in getattr(pkg, key):
            fields = {f: getattr(r, f) for f in r.__dataclass_fields__ if f not in ("institution", "is_summary", "src")}
            rows.append({"institution": r.institution, **({"summary": True} if r.is_summary else {}), **_clean(fields)})
        out[key] = rows
    out["cover"] = _clean({
        "goal": _goal(pkg.cover_goal), "indicators": [_indicator(i) for i in pkg.cover_indicators],
        "score": pkg.stated_score, "grade": pkg.stated_grade, "grade_note": pkg.grade_note,
    })
    out["evaluators"] = [_clean({"name": e.name, "title": e.title, "org": e.org, "signed": e.signed}) for e in pkg.evaluators]
    out["opinions"] = [_clean({"role": o.role, "text": o.text, "signer": o.signer, "date": o.signed_on}) for o in pkg.opinions]
    n = pkg.narrative
    out["narrative"] = _clean({
        "title": n.title, "sections": list(n.sections),
        "tables": {k: _line_table(t) for k, t in n.tables.items()},
        "framework": [_framework(f) for f in n.framework],
        "total": n.stated_total, "grade": n.stated_grade,
        "figures": [_clean({"subject": f.subject, "value": f.value, "unit": f.unit, "text": f.text}) for f in n.figures],
        "achievements": n.achievements, "problems": n.problems, "suggestions": n.suggestions,
        "publication": n.publication,
    })
    nt = pkg.notice
    out["notice"] = _clean({"issuer": nt.issuer, "scope_total": nt.scope_total, "deadline": nt.deadline,
                            "issued_on": nt.issued_on, "deviation_threshold": _pct(nt.deviation_threshold)})
    bd = pkg.basic_data
    b = bd.buildings
    out["basic_data"] = _clean({
        "staffing": _staffing(bd.staffing),
        "costs": _line_table(bd.costs) if bd.costs is not None else None,
        "buildings": _clean({"approved_area": b.approved_area, "actual_area": b.actual_area,
                             "area_rate": _pct(b.stated_area_rate), "budget_investment": b.budget_investment,
                             "actual_investment": b.actual_investment, "investment_rate": _pct(b.stated_investment_rate)}),
        "thrift_measures": bd.thrift_measures, "filler": bd.filler, "filing_date": bd.filing_date,
    })
    if pkg.overall is not None:
        out["overall"] = _table(pkg.overall)
    out["projects"] = [_table(t) for t in pkg.projects]
    out["fund_types"] = [_clean({"kind": d.kind, "has_spending": d.has_spending, "statement": d.statement,
                                 "tables": [_table(t) for t in d.tables]}) for d in pkg.fund_types]
    return _clean(out) | {"jixiao": FORMAT_VERSION, "year": pkg.year}


def _staffing(s: Staffing) -> dict:
    return _clean({"authorized": s.authorized, "actual": s.actual, "in_post": s.in_post,
                   "control_rate": _pct(s.stated_control_rate)})


def _goal(g: Goal) -> dict:
    return _clean({"expected": g.expected, "actual": g.actual})


def _indicator(i: Indicator) -> dict:
    d = _clean({"level1": i.level1, "level2": i.level2, "name": i.name, "target": i.target.raw,
                "actual": i.actual.raw, "weight": i.weight, "score": i.stated_score, "reason": i.reason,
                "tier": i.tier})
    if not i.applicable:
        d["applicable"] = False
    return d


def _fund(f: FundRow) -> dict:
    return _clean({"key": f.key, "label": f.label, "initial": f.initial, "annual": f.annual, "executed": f.executed,
                   "inline": f.inline, "weight": f.weight, "rate": _pct(f.stated_rate), "score": f.stated_score,
                   "balance": f.balance})


def _group_sum(g: FundRow) -> dict:
    return _clean({"key": g.key, "label": g.label, "initial": g.initial, "annual": g.annual, "executed": g.executed,
                   "inline": g.inline})


def _table(t: SelfEvalTable) -> dict:
    return _clean({
        "name": t.name, "form_label": t.form_label, "row_label": t.row_label, "supervisor": t.supervisor,
        "implementer": t.implementer, "funds": [_fund(f) for f in t.funds],
        "group_sums": [_group_sum(g) for g in t.group_sums], "goal": _goal(t.goal),
        "level1_weights": _clean(dict(t.level1_weights)),
        "indicators": [_indicator(i) for i in t.indicators], "total_weight": t.stated_total_weight,
        "total": t.stated_total, "grade": t.stated_grade, "filler": t.filler, "filing_date": t.filing_date,
    })


def _line_table(t: LineTable) -> dict:
    lines = []
    for ln in t.lines:
        d = {"label": ln.label}
        if ln.parent:
            d["parent"] = ln.parent
        if ln.partial:
            d["partial"] = True
        if ln.label in t.subtotals:  # a 小计: checked against its rows, never added into the total again
            d["subtotal"] = True
        if ln.note:
            d["note"] = ln.note
        d.update({c: v for c, v in ln.values.items() if v is not None})
        lines.append(d)
    return _clean({"title": t.title, "unit": t.unit if t.unit != "万元" else None, "columns": dict(t.columns),
                   "derived": {k: list(v) for k, v in t.derived.items()}, "total": t.total_label, "lines": lines})


def _framework(f: FrameworkItem) -> dict:
    return _clean({"id": f.id, "level1": f.level1, "level2": f.level2, "name": f.name, "weight": f.weight,
                   "inputs": dict(f.inputs), "formula": f.stated_formula, "rate": _pct(f.stated_rate),
                   "score": f.stated_score, "evidence": f.evidence})
