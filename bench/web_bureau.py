"""Benchmark: the bureau's dashboard of a task with many units (synthetic), in process.

Called by bench/web.py (after the edit figures); alone:

    .venv/bin/python bench/web_bureau.py --units 2000      # PostgreSQL (DATABASE_URL or the local test server)
    .venv/bin/python bench/web_bureau.py --quick           # SQLite, 300 units

Each unit has a package whose draft is the example (its projects make the table rows heavy, as real
ones are) and the summary the dashboard reads; half of them have a version sent to the bureau; every
unit has 一体化 figures (year-end and to June, for the unit and each project: the dashboard's 一体化 flags
and 运行监控 panel have rows). The dashboard is requested as a whole page and as the htmx table in
sorted, filtered and searched variants; p50 / p95 over all of them, and of the page and the table.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "xiangxi-beijing-office-2022.yaml"
VARIANTS = ["", "?sort=-total", "?sort=rate&status=submitted", "?q=单位1", "?flag=outrun&sort=-errors", "?grade=良&sort=-updated"]


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def build(units: int, projects_per_package: int = 10):
    """A bureau with `units` units in one task, each with a package; returns (user, task)."""
    import random

    from jixiao import services
    from jixiao.web.drafts import fields
    from jixiao.web.models import Bureau, EvaluationTask, Package, Role, Status, Submission, Unit, User

    doc = fields.jsonable(services.to_canonical(package=services.read(path=EXAMPLE)))
    projects = doc.get("projects") or []
    doc["projects"] = (projects * (projects_per_package // max(1, len(projects)) + 1))[:projects_per_package]
    bureau = Bureau.objects.create(name="看板基准财政局", region_code="888888")
    task = EvaluationTask.objects.create(bureau=bureau, year=2022, title="看板基准", profile="xiangxi-2022",
                                         deadline=date(2023, 6, 30))
    supervisor = Unit.objects.create(bureau=bureau, name="主管部门", budget_code="800000")
    rows = Unit.objects.bulk_create([Unit(bureau=bureau, name=f"单位{i:04d}", budget_code=f"8{i:05d}", parent=supervisor)
                                     for i in range(1, units + 1)])
    task.units.add(supervisor, *rows)
    user = User.objects.create(username="bench-bureau", role=Role.BUREAU_PERFORMANCE, bureau=bureau)
    rng = random.Random(7)
    statuses = [Status.DRAFT, Status.IN_REVIEW, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.PUBLISHED]
    pkgs = Package.objects.bulk_create([
        Package(task=task, unit=u, draft=doc, version=1, status=statuses[i % len(statuses)],
                total_score=Decimal(rng.randint(6000, 10000)) / 100, grade=rng.choice(["优", "良", "中", "差"]),
                execution_rate=Decimal(rng.randint(200, 1000)) / 1000, errors=rng.randint(0, 5), warnings=rng.randint(0, 9))
        for i, u in enumerate(rows)], batch_size=200)
    Submission.objects.bulk_create([
        Submission(package=p, number=1, content={}, content_hash="0" * 64, hash_algorithm="SM3", created_by=user,
                   profile="xiangxi-2022", state=Submission.State.APPROVED)
        for p in pkgs if p.status in (Status.SUBMITTED, Status.ACCEPTED, Status.PUBLISHED)], batch_size=500)
    return user, task


def add_execution(task, user) -> int:
    """The 一体化 figures of every unit: year-end (the unit as a whole and each project; a tenth of
    them differ from the package) and to the end of June (a third below the profile's checkpoint),
    so the dashboard's 一体化 flags and 运行监控 panel have rows to show. Returns the figures stored."""
    import random

    from jixiao.web.models import ExecutionFigure, ExecutionImport, Package
    from jixiao.web.review import imports as bureau_imports

    rng = random.Random(11)
    imp = ExecutionImport.objects.create(task=task, filename="一体化执行数（基准）.xlsx", imported_by=user)
    figures = []
    for p in Package.objects.filter(task=task).select_related("unit").iterator():
        for name in ["", *dict.fromkeys(pr["name"] for pr in (p.draft or {}).get("projects") or [] if pr.get("name"))]:
            budget = Decimal(rng.randint(100, 50000)) / 100
            executed = budget * Decimal(rng.randint(60, 100)) / 100
            figures.append(ExecutionFigure(task=task, unit=p.unit, project=name, month=0, budget=budget,
                                           executed=executed, source=imp, row=len(figures) + 2))
            june = budget * Decimal(rng.randint(20, 70)) / 100
            figures.append(ExecutionFigure(task=task, unit=p.unit, project=name, month=6, budget=budget,
                                           executed=june, source=imp, row=len(figures) + 2))
    ExecutionFigure.objects.bulk_create(figures, batch_size=2000)
    imp.rows = len(figures)
    imp.save(update_fields=["rows"])
    bureau_imports.refresh_monitoring(task)  # as the import does
    bureau_imports.refresh_checks(task, force=True)
    return len(figures)


def run(units: int, rounds: int) -> None:
    from django.test import Client

    t0 = time.perf_counter()
    user, task = build(units)
    figures = add_execution(task, user)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # the statistics autovacuum would gather after a bulk load
            cur.execute("ANALYZE")
    print(f"看板基准：{units} 个单位，每个数据包 10 个项目（共 {units * 10} 个项目），一体化执行数 {figures} 条；"
          f"建数 {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    client = Client()
    client.force_login(user)
    url = f"/b/t/{task.pk}/"
    client.get(url)  # warm-up
    page, table = [], []
    for _ in range(rounds):
        for v in VARIANTS:
            t = time.perf_counter()
            r = client.get(url + v)
            page.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, v
            t = time.perf_counter()
            r = client.get(url + v, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dash-table")
            table.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, v
    both = page + table
    print(f"RESULT dashboard_units={units}")
    print(f"RESULT dashboard_p50_ms={statistics.median(both):.1f} ms")
    print(f"RESULT dashboard_p95_ms={_pct(both, 0.95):.1f} ms")
    print(f"RESULT dashboard_page_p95_ms={_pct(page, 0.95):.1f} ms")
    print(f"RESULT dashboard_table_p95_ms={_pct(table, 0.95):.1f} ms")


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="SQLite, 300 units")
    ap.add_argument("--units", type=int)
    ap.add_argument("--db")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from web import setup_django

    setup_django(args)
    run(args.units or (300 if args.quick else 2000), 3 if args.quick else 10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
