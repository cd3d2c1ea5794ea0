"""The pure scoring rules, pinned by hand-derived values."""

from datetime import date
from decimal import Decimal as D

import pytest

from jixiao.core import rules


def test_execution_score_is_capped_proportional():
    # 32.34 ÷ 116.24 = 27.82% → 2.78 (as the seed's 运营维护 table prints it)
    rate = rules.execution_rate(D("32.34"), D("116.24"))
    assert round(rules.execution_score_proportional(rate, D(10)), 2) == D("2.78")
    assert rules.execution_score_proportional(D("1.2"), D(10)) == D(10)
    assert rules.execution_rate(D(5), D(0)) is None


@pytest.mark.parametrize(
    "comparator, target, actual, expected",
    [
        (">=", "5", "6", "8"),  # met → full
        (">=", "400", "360", "7.2"),  # 360 ÷ 400 × 8
        (">", "100", "100", "8"),  # not strictly above: 100 ÷ 100 × 8 = 8 (capped)
        ("<=", "5", "8", "5"),  # 反向: 5 ÷ 8 × 8 = 5
        ("<", "5", "4", "8"),
        ("=", "105", "105", "8"),
        ("=", "105", "84", "6.4"),  # short of an exact target: 84 ÷ 105 × 8
        (">=", "0", "0", "8"),
    ],
)
def test_quantitative_scores(comparator, target, actual, expected):
    assert rules.quantitative_score(comparator, D(target), D(actual), D(8)) == D(expected)


def test_quantitative_never_above_weight_or_below_zero():
    assert rules.quantitative_score(">=", D(10), D(-5), D(8)) == 0
    assert rules.quantitative_score("<=", D(10), D(1), D(8)) == D(8)


def test_deadline_compares_dates():
    assert rules.date_score(date(2022, 12, 31), "<=", date(2022, 12, 31), D(10)) == 10
    assert rules.date_score(date(2022, 12, 31), "<=", date(2023, 1, 3), D(10)) == 0


def test_qualitative_tiers_include_their_lower_bound():
    tiers = [{"name": "达成", "min": D("0.8"), "max": D(1)}, {"name": "部分达成", "min": D("0.6"), "max": D("0.8")},
             {"name": "未达成", "min": D(0), "max": D("0.6")}]
    assert rules.tier_of(D(8), D(10), tiers) == "达成"  # exactly 80% is 达成 ("80%（含）")
    assert rules.tier_of(D("7.9"), D(10), tiers) == "部分达成"
    assert rules.tier_of(D(6), D(10), tiers) == "部分达成"
    assert rules.tier_of(D("5.9"), D(10), tiers) == "未达成"
    assert rules.tier_range("部分达成", D(30), tiers) == (D(18), D(24))


def test_grades_with_inclusive_lower_bounds():
    bands = [{"min": D(90), "name": "优"}, {"min": D(80), "name": "良"}, {"min": D(60), "name": "中"}, {"min": D(0), "name": "差"}]
    assert rules.grade(D(90), bands) == "优"
    assert rules.grade(D("89.99"), bands) == "良"
    assert rules.grade(D(60), bands) == "中"
    assert rules.grade(D("59.5"), bands) == "差"


def test_caps_by_execution_rate():
    caps = [{"below": D("0.8"), "max_total": D(89)}, {"below": D("0.5"), "max_total": D(59)}]
    assert rules.capped_total(D(93), D("0.32"), caps) == (D(59), caps[1])
    assert rules.capped_total(D(93), D("0.75"), caps)[0] == D(89)
    assert rules.capped_total(D(93), D("0.95"), caps) == (D(93), None)


def test_rescale_drops_non_applicable():
    # (40 + 36) × 90 ÷ 80 = 85.5
    assert rules.rescale([D(40), D(36)], D(80), D(90)) == D("85.5")


def test_framework_formulas():
    assert round(rules.ratio(D(9), D(17)) * 100, 2) == D("52.94")
    assert round(rules.change_rate(D("13.72"), D("50.45")) * 100, 2) == D("-72.80")
    # (1550.78 + 772.69 + 989.06 − 2245.78) ÷ (1550.78 + 772.69 + 989.06) = 1066.75 ÷ 3312.53
    rate = rules.budget_completion_rate(D("1550.78"), D("772.69"), D("989.06"), D("2245.78"))
    assert rate == D("1066.75") / D("3312.53")


def test_threshold_deduct():
    # ≤100% full; each point over costs 0.5: 103% → 5 − 1.5 = 3.5
    assert rules.threshold_deduct(D("1.03"), D(1), D("0.5"), D(5)) == D("3.5")
    assert rules.threshold_deduct(D("0.5294"), D(1), D("0.5"), D(5)) == D(5)
    assert rules.threshold_deduct(D("2"), D(1), D("0.5"), D(5)) == 0  # 扣完为止
    # 三公经费变动率 ≤ 0 full; −72.8% → full
    assert rules.threshold_deduct(D("-0.728"), D(0), D("0.4"), D(4)) == D(4)


def test_step_deduct_counts_whole_steps_only():
    # 每低于5%扣2分: 99.27% keeps full marks; 89% is two whole steps short → 8 − 4
    assert rules.step_deduct(D("0.9927"), D(1), D("0.05"), D(2), D(8)) == D(8)
    assert rules.step_deduct(D("0.89"), D(1), D("0.05"), D(2), D(8)) == D(4)
    assert rules.step_deduct(D("0.10"), D(1), D("0.05"), D(2), D(8)) == 0
    # mirrored: each 5% over 100% costs 2
    assert rules.step_deduct(D("1.12"), D(1), D("0.05"), D(2), D(5), over=True) == D(1)


def test_bands_with_inclusive_upper_bounds():
    bands = [{"equals": D(0), "points": D(5)}, {"above": D(0), "upto": D("0.1"), "points": D(4)},
             {"above": D("0.1"), "upto": D("0.2"), "points": D(3)}, {"above": D("0.3"), "points": D(0)}]
    assert rules.banded(D(0), bands, D(5)) == 5
    assert rules.banded(D("0.1"), bands, D(5)) == 4  # "0–10%(含)" is (0, 10%]
    assert rules.banded(D("0.1001"), bands, D(5)) == 3
    assert rules.banded(D("0.3806"), bands, D(5)) == 0
    assert rules.banded(D("0.25"), bands, D(5)) == 0  # a gap in the table scores nothing


def test_proportional_capped_and_checklists():
    assert rules.proportional_capped(D("0.143"), D(1), D(6)) == D("0.858")
    assert rules.proportional_capped(D("0.96"), D("0.9"), D(6)) == D(6)
    assert rules.checklist(2, 3, D(6)) == D(4)
    assert rules.deduct_per_violation(4, D(1), D(3)) == 0


def test_aggregation_adds_absolutes_and_weights_rates_by_funds():
    assert rules.aggregate_absolute([D(340), D(120)]) == D(460)
    # rates 100% on 167.19 and 5.30% on 912.63, weighted by funds
    avg = rules.weighted_average([D(1), D("0.053")], [D("167.19"), D("912.63")])
    assert round(avg, 4) == round((D("167.19") + D("0.053") * D("912.63")) / D("1079.82"), 4)
    assert rules.weighted_average([D(1)], [D(0)]) is None
