"""Money and number handling: parsing the noisy figures documents print, half-up display,
comparison at printed precision."""

from datetime import date
from decimal import Decimal as D

import pytest

from jixiao.core.numbers import (
    agrees,
    convert_money,
    find_numbers,
    fmt_amount,
    fmt_percent,
    half_unit,
    parse_amount,
    parse_date,
    parse_number,
    round_half_up,
)


@pytest.mark.parametrize(
    "text, value, unit, comparator, approximate",
    [
        ("1,066.75", "1066.75", "", "", False),
        ("1.2亿", "1.2", "亿元", "", False),
        ("3000万", "3000", "万元", "", False),
        ("160余人次", "160", "人次", "", True),
        ("≥300批次", "300", "批次", ">=", False),
        ("＞95%", "95", "%", ">", False),
        ("≧95%", "95", "%", ">=", False),
        ("≦5万元", "5", "万元", "<=", False),
        ("３２．２％", "32.2", "%", "", False),
        ("联络人次＞400人", "400", "人", ">", False),
        ("不低于90%", "90", "%", ">=", False),
        ("100人以上", "100", "人", ">=", False),
        ("　100%", "100", "%", "", False),
        ("-31.75", "-31.75", "", "", False),
    ],
)
def test_parse_number_reads_noisy_figures(text, value, unit, comparator, approximate):
    p = parse_number(text)
    assert p.value == D(value)
    assert p.unit == unit
    assert p.comparator == comparator
    assert p.approximate is approximate


def test_text_without_digits_has_no_value():
    assert parse_number("≥三百批次").value is None
    assert parse_number("不断提升").value is None


def test_percent_keeps_printed_precision_as_a_ratio():
    assert parse_number("32.2%").ratio == D("0.322")
    assert parse_number("100%").ratio.as_tuple().exponent == -2  # 100% printed to whole percents


def test_find_numbers_in_prose_keeps_units_and_order():
    found = find_numbers("共服务在京人士160余人次；截止11月，领导来京对接486人次。")
    assert [(f.value, f.unit) for f in found] == [(D(160), "人次"), (D(11), "月"), (D(486), "人次")]


def test_dates_with_deadline_words():
    assert parse_date("2022年12月31日前") == (date(2022, 12, 31), "<=")
    assert parse_date("2023-06-06") == (date(2023, 6, 6), "")
    assert parse_date("2022年2月30日") is None  # not a date
    assert parse_date("截止2022你那12月30日") is None  # garbled


def test_amount_cells():
    assert parse_amount("1,231.90") == D("1231.90")
    assert parse_amount("——") is None
    assert parse_amount("　") is None
    with pytest.raises(ValueError, match="不是数字"):
        parse_amount("一百万")


def test_money_units_convert_exactly():
    assert convert_money(D("1.2"), "亿元", "万元") == D("12000")
    assert convert_money(D("3000"), "万", "亿元") == D("0.3")


def test_half_up_only_at_display():
    assert round_half_up(D("2.785")) == D("2.79")  # banker's rounding would give 2.78
    assert round_half_up(D("0.125"), 2) == D("0.13")
    assert fmt_amount(D("1066.745")) == "1,066.75"
    assert fmt_percent(D("13.72") / D("65.25")) == "21.03%"  # 0.210268… → 21.03%, not 21.02%


def test_agreement_at_printed_precision():
    assert half_unit(D("32.2")) == D("0.05")
    assert half_unit(D("10.00")) == D("0.005")
    assert agrees(D("32.2"), D("32.2036"))  # 1066.75/3312.53 printed to one decimal
    assert not agrees(D("21.02"), D("21.0268"))  # printed to two decimals: 21.03
    # a sum of two rounded parts may drift by 0.01 per part
    assert agrees(D("805.66"), D("805.67"), parts=2)
    assert not agrees(D("805.66"), D("779.88"), parts=2)


def test_normalize_is_nfkc_of_the_mapped_text():
    """normalize's fast path gives exactly NFKC(text.translate(_TRANSLATE)), also for combining marks."""
    import random
    import unicodedata

    from jixiao.core.numbers import _TRANSLATE, normalize

    def reference(text: str) -> str:
        text = unicodedata.normalize("NFKC", text.translate(_TRANSLATE))
        return text.replace("≥", ">=").replace("≤", "<=").strip()

    pool = ("０１９ＡＺａｚ（）：；，．％＞＜＝－～！？　\u00a0≧≦﹥﹤﹪—–−≥≤①㎡…、。“”《》"
            "\u0301\u0308\u0338\u3099\u309a\uff9e\uff9f\u1100\u1161\u11a8가かﾊﾟ部门预算支出 \t\nAa1.,")
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert normalize(text) == reference(text), repr(text)
