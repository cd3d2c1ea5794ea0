"""Benchmark: score a synthetic province — 2,000 units × 10 projects × 15 indicators.

Builds the province in memory as model objects (targets parsed once, as a reader
does at load time), then scores every project table with the engine, single
process. Prints medians over several runs and, as a baseline measured in the same
process, the cost of the bare rule function alone, so the ratio says how much the
trace (formula, inputs, profile entry) costs on top of the arithmetic.

    .venv/bin/python bench/score.py [--units 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from decimal import Decimal

from jixiao.core import rules
from jixiao.core.engine import score_table
from jixiao.core.indicators import parse_actual, parse_target
from jixiao.core.model import FundRow, Indicator, SelfEvalTable
from jixiao.core.profiles import load_profile

LEVELS = [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"), ("产出指标", "成本指标"),
          ("效益指标", "社会效益指标"), ("效益指标", "可持续影响指标"), ("满意度指标", "服务对象满意度指标")]


def _indicator(rng: random.Random, k: int) -> Indicator:
    level1, level2 = LEVELS[k % len(LEVELS)]
    kind = k % 5
    if kind == 0:
        target, actual = f"≥{rng.randint(50, 500)}人次", f"全年完成{rng.randint(40, 600)}人次"
    elif kind == 1:
        target, actual = f"≤{rng.randint(5, 50)}万元", f"{rng.randint(3, 60)}万元"
    elif kind == 2:
        target, actual = "2023年12月31日前", f"2023年{rng.randint(6, 12)}月{rng.randint(1, 28)}日"
    elif kind == 3:
        target, actual = f"＞{rng.randint(80, 95)}%", f"{rng.randint(70, 100)}%"
    else:
        target, actual = "明显提升", "有所提升"
    t = parse_target(target)
    weight = Decimal(rng.choice([5, 6, 8, 10]))
    return Indicator(level1=level1, level2=level2, name=f"指标{k}", target=t, actual=parse_actual(actual, t),
                     weight=weight, stated_score=weight)


def build_province(units: int, projects: int, indicators: int, seed: int = 7) -> list[SelfEvalTable]:
    rng = random.Random(seed)
    tables = []
    for u in range(units):
        for p in range(projects):
            annual = Decimal(rng.randint(100, 100_000)) / 100
            executed = annual * Decimal(rng.randint(20, 110)) / 100
            funds = [FundRow(key="total", label="年度资金总额", initial=annual, annual=annual, executed=executed,
                             weight=Decimal(10))]
            tables.append(SelfEvalTable(kind="project", name=f"单位{u}项目{p}", funds=funds,
                                        indicators=[_indicator(rng, k) for k in range(indicators)]))
    return tables


def run_engine(tables, profile) -> float:
    start = time.perf_counter()
    for i, table in enumerate(tables):
        score_table(table, f"projects[{i}]", profile)
    return time.perf_counter() - start


def run_bare_rules(tables) -> float:
    """Baseline: only the arithmetic of the quantitative rule, no trace, no dispatch."""
    start = time.perf_counter()
    for table in tables:
        for ind in table.indicators:
            t, a = ind.target, ind.actual
            if t.kind == "quantitative" and a.value is not None:
                rules.quantitative_score(t.comparator, t.value, a.value, ind.weight)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--indicators", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    tables = build_province(args.units, args.projects, args.indicators)
    n = sum(len(t.indicators) for t in tables)
    print(f"synthetic province: {args.units} units × {args.projects} projects × {args.indicators} indicators "
          f"= {n:,} indicators, built in {time.perf_counter() - t0:.1f} s")
    profile = load_profile("national-2020")

    engine_times, bare_times = [], []
    for run in range(args.runs):
        engine_times.append(run_engine(tables, profile))
        bare_times.append(run_bare_rules(tables))
        print(f"run {run + 1}: engine {engine_times[-1]:.2f} s, bare rule {bare_times[-1]:.2f} s")
    engine = statistics.median(engine_times)
    bare = statistics.median(bare_times)
    print(f"median: engine {engine:.2f} s ({n / engine:,.0f} indicators/s), bare rule {bare:.2f} s; "
          f"engine costs {engine / bare:.1f}× the bare arithmetic (trace, dispatch, totals, grades)")
    print(f"RESULT indicators_per_s={n / engine:.0f} 1/s")
    print(f"RESULT tables_per_s={len(tables) / engine:.0f} 1/s")
    print(f"RESULT engine_vs_bare_ratio={engine / bare:.2f} x")


if __name__ == "__main__":
    main()
