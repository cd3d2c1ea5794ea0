"""Impossible or suspicious values as findings at the field (audit/checks/plausibility.py): negative
amounts where the form allows none, 执行数 above 全年预算数, 万元 beyond two decimals, a rate above
100% where its numerator is a part of its denominator.

Each is triggered by a small variant of tests/fixtures/checks_text/clean.yaml (whose figures all
agree) and located by the canonical path of the field; the clean package triggers none.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from jixiao.audit.registry import run_checks
from jixiao.core.model import Package
from jixiao.io.canonical import parse_package, read_package

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "tests" / "fixtures" / "checks_text" / "clean.yaml"
EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"
RULES = ("plaus.negative_amount", "plaus.executed_above_budget", "plaus.amount_precision", "plaus.rate_above_cap")


def base() -> dict:
    return yaml.safe_load(CLEAN.read_text(encoding="utf-8"))


def build(doc: dict) -> Package:
    return parse_package(yaml.safe_dump(doc, allow_unicode=True))


def found(pkg: Package, rule: str) -> list:
    return [f for f in run_checks(pkg) if f.rule == rule]


def test_clean_package_has_none():
    assert [f for f in run_checks(build(base())) if f.rule in RULES] == []


def test_negative_executed_is_an_error_at_its_field():
    doc = base()
    doc["projects"][0]["funds"][0].update(executed="-5", rate=None, score=None)
    [f] = found(build(doc), "plaus.negative_amount")
    assert f.severity == "error" and f.location.path == "projects[0].funds[0].executed"
    assert (f.location.form, f.location.row, f.location.column) == ("附件4·农技推广项目", "年度资金总额", "全年执行数")
    assert "为负数（-5万元）" in f.message and f.stated == "-5"


def test_negative_balance_or_difference_is_no_finding():
    doc = base()
    doc["expenditure"][0]["balance_current"] = "-3.00"
    assert found(build(doc), "plaus.negative_amount") == []


def test_negative_head_count_is_an_error():
    doc = base()
    doc["staffing"]["actual"] = -2
    [f] = found(build(doc), "plaus.negative_amount")
    assert f.location.path == "staffing.actual" and "实有人数" in f.message


def test_execution_ten_times_the_budget_is_an_error():
    """99,999 万元 against a budget of 328.15 万元: 执行率 30473.56% — a unit or digit slip."""
    doc = base()
    doc["projects"][0]["funds"][0].update(annual="328.15", executed="99999", rate=None, score=None)
    [f] = found(build(doc), "plaus.executed_above_budget")
    assert f.severity == "error" and f.location.path == "projects[0].funds[0].executed"
    assert "99,999.00万元高于全年预算数 328.15万元，执行率 30473.56%" in f.message and "单位" in f.message
    assert f.formula == "99,999.00 ÷ 328.15 = 30473.56% > 100%"


def test_execution_somewhat_above_the_budget_is_a_warning():
    doc = base()
    doc["projects"][0]["funds"][0].update(executed="44", rate=None, score=None)
    [f] = found(build(doc), "plaus.executed_above_budget")
    assert f.severity == "warning" and "110.00%" in f.message


def test_execution_without_budget_is_a_warning():
    doc = base()
    doc["projects"][0]["funds"][0].update(annual="0", executed="5", rate=None, score=None)
    [f] = found(build(doc), "plaus.executed_above_budget")
    assert f.severity == "warning" and "全年预算数为0" in f.message


def test_wan_yuan_beyond_two_decimals_is_a_warning():
    doc = base()
    doc["projects"][0]["funds"][0]["initial"] = "150.005"
    doc["projects"][0]["funds"][0]["annual"] = "40.000"  # trailing zeros are no extra precision
    [f] = found(build(doc), "plaus.amount_precision")
    assert f.severity == "warning" and f.location.path == "projects[0].funds[0].initial"
    assert f.stated == "150.005" and "两位小数" in f.message


def test_amount_in_yuan_may_have_its_own_precision():
    doc = base()
    costs = doc["basic_data"]["costs"]
    costs["unit"] = "元"
    costs["lines"][0][next(c for c in costs["columns"])] = "100.005"
    assert found(build(doc), "plaus.amount_precision") == []


def test_satisfaction_above_hundred_percent_is_an_error():
    doc = base()
    doc["narrative"]["framework"][0]["rate"] = "105%"
    doc["overall"]["indicators"][-1]["actual"] = "105%"
    findings = found(build(doc), "plaus.rate_above_cap")
    last = len(doc["overall"]["indicators"]) - 1
    assert sorted(f.location.path for f in findings) == ["narrative.framework[0].rate", f"overall.indicators[{last}].actual"]
    assert all(f.severity == "error" for f in findings)


def test_example_findings():
    """The example states 预算完成率 138.06% by its own formula, 本年预算执行数 ÷ 年初预算数, which may exceed
    100%: no cap applies (the formula's difference from the profile's is reported elsewhere)."""
    pkg = read_package(EXAMPLE)
    assert found(pkg, "plaus.rate_above_cap") == []
    assert found(pkg, "plaus.negative_amount") == [] and found(pkg, "plaus.amount_precision") == []


def test_capped_rate_by_its_own_part_of_whole_formula():
    doc = base()
    item = doc["narrative"]["framework"][0]
    item.update(inputs={"满意数": 42, "有效问卷数": 40}, formula="（满意数÷有效问卷数）×100%", rate="105%")
    [f] = found(build(doc), "plaus.rate_above_cap")
    assert f.severity == "error" and f.location.path == "narrative.framework[0].rate"


def test_capped_rate_without_inputs_is_reported():
    doc = base()
    doc["narrative"]["framework"][0].pop("inputs")
    doc["narrative"]["framework"][0]["rate"] = "105%"
    [f] = found(build(doc), "plaus.rate_above_cap")
    assert f.location.path == "narrative.framework[0].rate" and f.stated == "105.00%"
