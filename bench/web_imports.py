"""Benchmark: the 一体化 budget-execution import of a task with many units, and the dashboard with
its flags and 运行监控 panel afterwards (in process).

    .venv/bin/python bench/web_imports.py --quick           # SQLite, 300 units
    .venv/bin/python bench/web_imports.py --units 2000      # PostgreSQL (DATABASE_URL or the local test server)

The task is bench/web_bureau.py's (each package the example with 10 projects). The export has a
year-end row per project (one in ten differing from the stated figure) and June / August rows for
each unit's first project; the import is timed end to end (read, check, store, pre-fill, flag).
"""

from __future__ import annotations

import csv
import io
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path


def _csv(task) -> bytes:
    from jixiao.web.models import Package

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["预算编码", "项目名称", "全年预算数", "全年执行数", "截至月份"])
    n = 0
    for p in Package.objects.filter(task=task).select_related("unit").order_by("unit__budget_code"):
        seen = set()
        for proj in p.draft.get("projects") or []:
            name = proj.get("name", "")
            if name in seen:
                continue
            seen.add(name)
            total = next(f for f in proj["funds"] if f.get("key") == "total")
            annual, executed = Decimal(str(total["annual"])), Decimal(str(total["executed"]))
            n += 1
            w.writerow([p.unit.budget_code, name, annual, executed + (1 if n % 10 == 0 else 0), ""])
            if len(seen) == 1:
                w.writerow([p.unit.budget_code, name, annual, (annual * Decimal("0.4")).quantize(Decimal("0.01")), 6])
                w.writerow([p.unit.budget_code, name, annual, (annual * Decimal("0.7")).quantize(Decimal("0.01")), 8])
    return buf.getvalue().encode("utf-8-sig")


def run(units: int, rounds: int) -> None:
    from django.test import Client
    from web_bureau import VARIANTS, _pct, build

    from jixiao.web.review import imports as bureau_imports

    user, task = build(units)
    data = _csv(task)
    rows = data.count(b"\n") - 1
    t = time.perf_counter()
    imp = bureau_imports.import_execution(task_id=task.pk, user=user, filename="bench.csv", data=data)
    took = time.perf_counter() - t
    print(f"一体化导入：{rows} 行，预填 {len(imp.summary['prefilled'])} 处，不一致 {len(imp.summary['conflicts'])} 处，"
          f"{imp.summary['flagged']} 个数据包有差异", file=sys.stderr)
    print(f"RESULT execution_import_rows={rows}")
    print(f"RESULT execution_import_s={took:.2f} s")
    print(f"RESULT execution_import_rows_per_s={rows / took:.0f} rows/s")
    client = Client()
    client.force_login(user)
    url = f"/b/t/{task.pk}/"
    client.get(url)  # warm-up
    times = []
    for _ in range(rounds):
        for v in [*VARIANTS, "?flag=exec"]:
            t = time.perf_counter()
            r = client.get(url + v)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200 and "运行监控预警" in r.content.decode(), v
    print(f"RESULT dashboard_exec_p50_ms={statistics.median(times):.1f} ms")
    print(f"RESULT dashboard_exec_p95_ms={_pct(times, 0.95):.1f} ms")


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
