"""Scoring rules as small pure functions (DESIGN §4).

No profile lookup and no model objects here: each function takes plain Decimals
and returns a Decimal (or a small tuple), so it can be tested by hand-derived
values and reused by every table. Parameters a jurisdiction sets come from the
profile through the engine.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_FLOOR, Decimal

from .numbers import HUNDRED, ONE, ZERO

# --- rates ---------------------------------------------------------------------------


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator ÷ denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def execution_rate(executed: Decimal | None, annual_budget: Decimal | None) -> Decimal | None:
    """执行率 = 全年执行数 ÷ 全年预算数."""
    return ratio(executed, annual_budget)


def change_rate(current: Decimal | None, prior: Decimal | None) -> Decimal | None:
    """变动率 = (本年 − 上年) ÷ 上年 (三公经费变动率)."""
    if current is None or prior is None or prior == 0:
        return None
    return (current - prior) / prior


def budget_completion_rate(
    carryover: Decimal, initial: Decimal, added: Decimal, year_end_balance: Decimal
) -> Decimal | None:
    """预算完成率 = (上年结转 + 年初预算 + 本年追加 − 年末结余) ÷ (上年结转 + 年初预算 + 本年追加)."""
    available = carryover + initial + added
    return ratio(available - year_end_balance, available)


# --- 执行率 score ------------------------------------------------------------------


def execution_score_proportional(rate: Decimal, weight: Decimal) -> Decimal:
    """得分 = min(执行率, 100%) × 分值 (财预〔2020〕10号 practice)."""
    return min(max(rate, ZERO), ONE) * weight


def banded(value: Decimal, bands: list[dict], weight: Decimal) -> Decimal:
    """Points from a band table. Each band: {above, upto, points | share}.

    `above` is exclusive and `upto` inclusive, as "0–10%(含)" means (0, 10%];
    a band with `equals` matches one value exactly (预算控制率 = 0). Bands are
    tried in order; the first that matches wins; no match gives 0.
    """
    for band in bands:
        if "equals" in band:
            if value == band["equals"]:
                return _band_points(band, weight)
            continue
        lo, hi = band.get("above"), band.get("upto")
        lo_ok = lo is None or (value >= lo if band.get("above_inclusive") else value > lo)
        hi_ok = hi is None or value <= hi
        if lo_ok and hi_ok:
            return _band_points(band, weight)
    return ZERO


def _band_points(band: dict, weight: Decimal) -> Decimal:
    if "points" in band:
        return min(band["points"], weight)
    return band["share"] * weight


# --- indicators ----------------------------------------------------------------------


def quantitative_score(comparator: str, target: Decimal, actual: Decimal, weight: Decimal) -> Decimal:
    """A quantitative indicator's points.

    ≥ / > (正向): met → full, else actual ÷ target × 分值.
    ≤ / < (反向): met → full, else target ÷ actual × 分值.
    =: hitting the value gives full marks; falling short is scored as 正向; overshooting an
    exact target also counts as met here and is left to the deviation check.
    Never above 分值, never below 0.
    """
    if comparator in (">=", ">", "="):
        met = actual > target if comparator == ">" else actual >= target
        if met:
            return weight
        if target <= 0:
            return ZERO
        return _clamp(actual / target * weight, weight)
    if comparator in ("<=", "<"):
        met = actual < target if comparator == "<" else actual <= target
        if met:
            return weight
        if actual <= 0:  # cannot happen when met is False and target ≥ 0, kept as a guard
            return weight
        return _clamp(target / actual * weight, weight)
    raise ValueError(f"unknown comparator {comparator!r}")


def date_score(deadline: date, comparator: str, done: date, weight: Decimal) -> Decimal:
    """A deadline ('…前'): done on or before → full marks, late → 0."""
    if comparator in ("<=", ""):
        return weight if done <= deadline else ZERO
    if comparator == "<":
        return weight if done < deadline else ZERO
    return weight if done >= deadline else ZERO


def deviation(comparator: str, target: Decimal, actual: Decimal) -> Decimal | None:
    """Relative deviation of the actual from the target, (actual − target) ÷ target."""
    if target == 0:
        return None
    return (actual - target) / target


def tier_of(score: Decimal, weight: Decimal, tiers: list[dict]) -> str:
    """The qualitative tier a score falls in; tiers are [{name, min, max}] in shares of 分值.

    The bounds follow the notice's wording "100%-80%（含）、80%-60%（含）、60%-0%": each tier
    includes its lower bound.
    """
    if weight == 0:
        return ""
    share = score / weight
    for tier in tiers:
        if tier["min"] <= share <= tier["max"]:
            return tier["name"]
    return ""


def tier_range(name: str, weight: Decimal, tiers: list[dict]) -> tuple[Decimal, Decimal] | None:
    for tier in tiers:
        if tier["name"] == name:
            return tier["min"] * weight, tier["max"] * weight
    return None


def rescale(scores: list[Decimal], applicable_weight: Decimal, full: Decimal) -> Decimal:
    """Non-applicable indicators dropped: Σ scores × full ÷ Σ applicable weights."""
    if applicable_weight == 0:
        return ZERO
    return sum(scores, ZERO) * full / applicable_weight


def grade(total: Decimal, bands: list[dict]) -> str:
    """Grade from bands [{min, name}] sorted high to low; each min is inclusive."""
    for band in bands:
        if total >= band["min"]:
            return band["name"]
    return bands[-1]["name"] if bands else ""


def capped_total(total: Decimal, rate: Decimal | None, caps: list[dict]) -> tuple[Decimal, dict | None]:
    """Caps by execution rate: [{below: 0.8, max_total: 89}, …]; the strictest that applies wins."""
    if rate is None:
        return total, None
    applied = None
    for cap in sorted(caps, key=lambda c: c["below"]):
        if rate < cap["below"]:
            applied = cap
            break
    if applied and total > applied["max_total"]:
        return applied["max_total"], applied
    return total, None


# --- point-rule shapes for the overall framework -------------------------------------


def threshold_deduct(value: Decimal, threshold: Decimal, per_point: Decimal, weight: Decimal, over: bool = True) -> Decimal:
    """Full marks up to a threshold, then `per_point` off per percentage point beyond it, floor 0.

    `value` and `threshold` are ratios; one percentage point is 0.01. With over=False the
    deduction applies below the threshold instead ("每低于一个百分点扣…").
    """
    excess = (value - threshold) if over else (threshold - value)
    if excess <= 0:
        return weight
    return max(ZERO, weight - excess * HUNDRED * per_point)


def step_deduct(value: Decimal, target: Decimal, step: Decimal, points: Decimal, weight: Decimal, over: bool = False) -> Decimal:
    """`points` off per full `step` short of (or, with over=True, beyond) the target, floor 0.

    "100%计满分，每低于5%扣2分": only whole steps count, so 99.27% keeps full marks.
    """
    gap = (value - target) if over else (target - value)
    if gap <= 0:
        return weight
    steps = (gap / step).to_integral_value(rounding=ROUND_FLOOR)
    return max(ZERO, weight - steps * points)


def proportional_capped(actual: Decimal, target: Decimal, weight: Decimal) -> Decimal:
    """"按完成比例计算得分，满分为止": min(actual ÷ target, 1) × 分值."""
    if target <= 0:
        return weight
    return _clamp(actual / target * weight, weight)


def checklist(passed: int, items: int, weight: Decimal) -> Decimal:
    """N items sharing the weight equally; points for those satisfied."""
    if items <= 0:
        return weight
    return weight * Decimal(passed) / Decimal(items)


def deduct_per_violation(violations: int, per_violation: Decimal, weight: Decimal) -> Decimal:
    return max(ZERO, weight - per_violation * violations)


# --- aggregation across projects or units ---------------------------------------------


def aggregate_absolute(values: list[Decimal]) -> Decimal:
    """Absolute values (counts, amounts) add up."""
    return sum(values, ZERO)


def weighted_average(values: list[Decimal], weights: list[Decimal]) -> Decimal | None:
    """Rates and qualitative scores: Σ vᵢ·wᵢ ÷ Σ wᵢ, weighted by fund amount."""
    total_weight = sum(weights, ZERO)
    if total_weight == 0:
        return None
    return sum((v * w for v, w in zip(values, weights, strict=True)), ZERO) / total_weight


def _clamp(value: Decimal, weight: Decimal) -> Decimal:
    return min(max(value, ZERO), weight)
