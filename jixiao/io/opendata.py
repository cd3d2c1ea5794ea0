"""信息公开 as open data: a Fiscal Data Package (datapackage.json + CSV) of published packages.

The Fiscal Data Package standard describes budget lines (amounts by classification); it has no
fields for performance. We keep its shape — a `fiscal` resource of amounts with a `model` of
measures and dimensions — and add two resources of our own, marked as an extension in the
descriptor: `indicators.csv` (each indicator's target, actual, weight and score) and `scores.csv`
(each table's total and grade, with the scoring system it belongs to).

Written atomically: a directory that is complete or absent, never half-written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..core import catalogue
from ..core.engine import ScoreReport
from ..core.numbers import round_half_up

FORMAT = "jixiao-performance-1"

BUDGET_FIELDS = ["year", "unit", "budget_code", "form", "project", "fund_line", "initial", "annual", "executed",
                 "execution_rate"]
INDICATOR_FIELDS = ["year", "unit", "budget_code", "form", "project", "level1", "level2", "indicator", "target",
                    "actual", "weight", "score", "reason"]
SCORE_FIELDS = ["year", "unit", "budget_code", "form", "project", "system", "total", "grade", "profile",
                "profile_digest"]


@dataclass(frozen=True)
class Published:
    """One published package: its score report, and its content hash as shown on the public page."""

    report: ScoreReport
    content_hash: str = ""


def _num(v: Decimal | None, places: int = 2) -> str:
    return "" if v is None else format(round_half_up(v, places), "f")


def rows(items: list[Published]) -> tuple[list[dict], list[dict], list[dict]]:
    """(budget lines, indicators, scores) of every self-evaluation table of every package."""
    budget, indicators, scores = [], [], []
    for item in items:
        r = item.report
        pkg = r.package
        base = {"year": pkg.year, "unit": pkg.unit.name, "budget_code": pkg.unit.budget_code}
        for t in r.tables:
            form = catalogue.form_for_table(t.table.kind)
            where = {**base, "form": form.id if form else t.table.kind, "project": t.table.name}
            for f in t.table.funds:
                rate = f.executed / f.annual if f.executed is not None and f.annual else None
                budget.append({**where, "fund_line": f.label, "initial": _num(f.initial), "annual": _num(f.annual),
                               "executed": _num(f.executed), "execution_rate": _num(rate, 4)})
            for ind, c in zip(t.table.indicators, t.indicator_scores, strict=True):
                indicators.append({**where, "level1": ind.level1, "level2": ind.level2, "indicator": ind.name,
                                   "target": ind.target.raw, "actual": ind.actual.raw, "weight": _num(ind.weight),
                                   "score": _num(c.standing) if ind.applicable else "不适用", "reason": ind.reason})
            scores.append({**where, "system": catalogue.SYSTEM_LABELS[catalogue.SYSTEM_SELF_EVAL],
                           "total": _num(t.total.value if t.total else None), "grade": t.grade.text if t.grade else "",
                           "profile": r.profile.id, "profile_digest": r.profile.digest[:12]})
    return budget, indicators, scores


def descriptor(title: str, items: list[Published]) -> dict:
    years = sorted({i.report.package.year for i in items})
    return {
        "profile": "fiscal-data-package",
        "name": "jixiao-performance-" + "-".join(str(y) for y in years),
        "title": title,
        "countryCode": "CN",
        "fiscalPeriod": {"start": f"{years[0]}-01-01", "end": f"{years[-1]}-12-31"} if years else {},
        "x-jixiao": {"format": FORMAT, "extension": "indicators 与 scores 两个资源为绩效信息扩展（标准本身无绩效字段）",
                     "packages": [{"unit": i.report.package.unit.name, "year": i.report.package.year,
                                   "sm3": i.content_hash} for i in items]},
        "resources": [
            {"name": "budget", "path": "budget.csv", "format": "csv", "encoding": "utf-8",
             "schema": {"fields": _fields(BUDGET_FIELDS, {"initial", "annual", "executed", "execution_rate"})}},
            {"name": "indicators", "path": "indicators.csv", "format": "csv", "encoding": "utf-8",
             "schema": {"fields": _fields(INDICATOR_FIELDS, {"weight"})}},
            {"name": "scores", "path": "scores.csv", "format": "csv", "encoding": "utf-8",
             "schema": {"fields": _fields(SCORE_FIELDS, {"total"})}},
        ],
        "model": {
            "measures": {m: {"source": m, "currency": "CNY", "factor": 10000, "title": t}
                         for m, t in (("initial", "年初预算数（万元）"), ("annual", "全年预算数（万元）"),
                                      ("executed", "全年执行数（万元）"))},
            "dimensions": {
                "administrative-classification": {"dimensionType": "classification", "primaryKey": ["budget_code"],
                                                  "attributes": {"budget_code": {"source": "budget_code"},
                                                                 "unit": {"source": "unit"}}},
                "activity": {"dimensionType": "activity", "primaryKey": ["project"],
                             "attributes": {"project": {"source": "project"}, "form": {"source": "form"},
                                            "fund_line": {"source": "fund_line"}}},
                "date": {"dimensionType": "datetime", "primaryKey": ["year"], "attributes": {"year": {"source": "year"}}},
            },
        },
    }


def _fields(names: list[str], numbers: set[str]) -> list[dict]:
    return [{"name": n, "type": "number" if n in numbers else ("integer" if n == "year" else "string")} for n in names]


def _csv(fields: list[str], data: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for row in data:
        w.writerow({k: _safe(v) for k, v in row.items()})
    return buf.getvalue()


def _safe(v) -> str:
    """A cell that a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a leading '."""
    text = "" if v is None else str(v)
    if text[:1] in ("=", "+", "@") or (text[:1] == "-" and not _is_number(text)):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def write_open_data(items: list[Published], outdir: str | Path, title: str = "预算绩效自评结果公开数据") -> Path:
    """Write datapackage.json, budget.csv, indicators.csv and scores.csv into `outdir` (replaced whole)."""
    out = Path(outdir)
    budget, indicators, scores = rows(items)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".opendata-", dir=out.parent))
    try:
        (tmp / "datapackage.json").write_text(json.dumps(descriptor(title, items), ensure_ascii=False, indent=2),
                                              encoding="utf-8")
        (tmp / "budget.csv").write_text(_csv(BUDGET_FIELDS, budget), encoding="utf-8")
        (tmp / "indicators.csv").write_text(_csv(INDICATOR_FIELDS, indicators), encoding="utf-8")
        (tmp / "scores.csv").write_text(_csv(SCORE_FIELDS, scores), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
