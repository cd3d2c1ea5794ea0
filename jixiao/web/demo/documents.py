"""The documents of the demonstration: the example package, and the same package made into other units'
by varying its figures."""

from __future__ import annotations

import os
import random
from decimal import Decimal
from pathlib import Path

from jixiao import services
from jixiao.core.numbers import parse_number
from jixiao.web.drafts import fields, figures, stated

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "xiangxi-beijing-office-2022.yaml"


def example_doc() -> dict:
    """The example package as canonical data (JIXIAO_DEMO_EXAMPLE names another file)."""
    source = os.environ.get("JIXIAO_DEMO_EXAMPLE", str(EXAMPLE))
    return fields.jsonable(services.to_canonical(package=services.read(path=source)))


def adopt_readings(doc: dict) -> dict:
    """The draft with every judged figure set to the engine's reading (参考): what a preparer who
    accepts each suggestion would enter."""
    report = services.score(package=services.from_canonical(data=doc, name="演示"))
    out = fields.put(doc, "title", doc.get("title"))
    for path, kind in stated.figure_paths(doc):
        c = figures.figure_for(path, report, doc)
        if c is not None and figures.kind_of(c) == "judged" and not path.startswith("narrative"):
            value = figures.stored_value(c, kind)
            if value is not None:
                fields.put(out, path, value, inplace=True)
    return out


def perturb(example: dict, rng: random.Random, name: str, code: str) -> dict:
    """The example with another unit's name and different figures: budgets scaled, execution and
    indicator results varied. Deterministic for a given random generator."""
    doc = fields.put(example, "unit.name", name)
    doc = fields.put(doc, "unit.budget_code", code)
    doc["title"] = f"{name}{doc['year']}年度部门整体支出绩效自评报告"
    scale = Decimal(str(round(rng.uniform(0.3, 2.5), 2)))
    for i, p in enumerate(doc.get("projects") or []):
        rate = Decimal(str(round(rng.uniform(0.25, 1.0), 2)))
        for f in p.get("funds") or []:
            for col in ("initial", "annual"):
                if f.get(col) is not None:
                    f[col] = format((Decimal(f[col]) * scale).quantize(Decimal("0.01")), "f")
            if f.get("annual") is not None:
                f["executed"] = format((Decimal(f["annual"]) * rate).quantize(Decimal("0.01")), "f")
        for ind in p.get("indicators") or []:
            _vary_actual(ind, rng)
        doc["projects"][i] = p
    for ind in (doc.get("overall") or {}).get("indicators") or []:
        _vary_actual(ind, rng)
    overall = doc.get("overall") or {}
    for f in overall.get("funds") or []:
        if f.get("executed") is not None and f.get("annual") is not None:
            f["executed"] = format((Decimal(f["annual"]) * Decimal(str(round(rng.uniform(0.3, 1.0), 2)))).quantize(Decimal("0.01")), "f")
    return doc


def _vary_actual(ind: dict, rng: random.Random) -> None:
    actual = ind.get("actual") or ""
    p = _figure_of(actual)
    if p is None or rng.random() < 0.6:
        return
    value, unit = p
    factor = Decimal(str(round(rng.uniform(0.6, 1.1), 2)))
    new = (value * factor).quantize(Decimal("1")) if unit != "%" else min(Decimal(100), (value * factor).quantize(Decimal("0.1")))
    ind["actual"] = f"{new}{unit}"


def _figure_of(text: str):
    p = parse_number(text)
    if p.value is None or len(text) > 12:
        return None
    return p.value, p.unit
