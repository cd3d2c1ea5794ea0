"""Benchmark: a department's roll-up (core/department.py) over many units.

Each unit is the example package under its own name with its amounts scaled by a random factor
(seeded RNG), so every unit contributes different figures to the 汇总 rows, 附件3 and each fund's
附件4. The roll-up is what the department's page computes on each view (web/drafts/rollup.py's
rollup_view), so its time per view is what is measured: the median of --runs, per unit count.

    .venv/bin/python bench/rollup.py [--units 10,50,200] [--runs 5]
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import time
from decimal import Decimal
from pathlib import Path

from jixiao import services

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "xiangxi-beijing-office-2022.yaml"
COLUMNS = ("initial", "annual", "executed")


def units(base, n: int, rng: random.Random) -> list:
    out = []
    for i in range(n):
        pkg = copy.deepcopy(base)
        pkg.unit.name = f"模拟单位{i + 1:03d}"
        factor = Decimal(rng.randint(50, 200)) / 100
        for table in [pkg.overall, *pkg.projects]:
            for row in table.funds if table is not None else []:
                for col in COLUMNS:
                    if getattr(row, col) is not None:
                        setattr(row, col, getattr(row, col) * factor)
        for rows in (pkg.income, pkg.expenditure, pkg.sangong, pkg.fixed_assets):
            for row in rows:
                row.total = row.total * factor if row.total is not None else None
        out.append((pkg.unit.name, pkg))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", default="10,50,200")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    base = services.read(path=EXAMPLE)
    rng = random.Random(22)
    for n in (int(x) for x in args.units.split(",")):
        members = units(base, n, rng)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = services.roll_up_department(own=base, units=members)
            times.append(time.perf_counter() - start)
        assert len(result.members) == n
        print(f"RESULT rollup_{n}_units_ms={statistics.median(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
