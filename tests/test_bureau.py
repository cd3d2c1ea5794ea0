"""The bureau's side in the core and services: 部门汇总, 抽评 sample, 结果应用, 运行监控, open data."""

from __future__ import annotations

import csv
import json
from decimal import Decimal as D

import pytest
from conftest import EXAMPLE, FIXTURES

from jixiao import services
from jixiao.cli import main
from jixiao.core import keys
from jixiao.core.profiles import load_profile
from jixiao.core.results_use import consequence, monitoring_warning
from jixiao.core.spot_check import Candidate, draw_sample, sample_size

XIANGXI = load_profile("xiangxi-2022")


# --- 部门汇总 ---------------------------------------------------------------------------------


def test_aggregate_command_rolls_up_the_projects_with_their_trace(capsys):
    assert main(["aggregate", str(EXAMPLE), "--projects", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    values = {v["key"]: v for v in data["values"]}
    assert len(data["members"]) == 5
    # Σ 全年预算数 of the five projects: 193.03 + 167.19 + 116.24 + 912.63 + 10.00
    assert values[keys.aggregate_fund("annual")]["display"] == "1,399.09"
    assert values[keys.aggregate_fund("executed")]["display"] == "261.09"
    assert values[keys.AGGREGATE_EXECUTION_RATE]["display"] == "18.66%"  # 261.09 ÷ 1,399.09
    assert values[keys.AGGREGATE_TOTAL]["formula"].startswith("Σ 各表总分 × 全年预算数")


def test_aggregate_refuses_packages_of_different_profiles_unless_told(capsys):
    other = FIXTURES / "core" / "项目_执行率与定量指标.yaml"  # national-2020
    assert main(["aggregate", str(EXAMPLE), str(other), "--projects"]) == 2
    assert "分属不同的评分方案" in capsys.readouterr().err
    assert main(["aggregate", str(EXAMPLE), str(other), "--projects", "--profile", "national-2020"]) == 0


def test_aggregate_without_the_tables_asked_for_says_so():
    pkg = services.read(path=FIXTURES / "core" / "项目_执行率与定量指标.yaml")
    with pytest.raises(services.ServiceError, match="附件3"):
        services.aggregate(packages=[pkg])


# --- 抽评 ----------------------------------------------------------------------------------------


def _c(name, **kw) -> Candidate:
    return Candidate(key=name, name=name, **kw)


def test_sample_size_is_a_share_with_a_minimum():
    assert sample_size(10, XIANGXI) == 3  # 20% of 10 = 2, at least 3
    assert sample_size(31, XIANGXI) == 7  # ⌈6.2⌉
    assert sample_size(2, XIANGXI) == 2  # never more than there are


def test_sample_is_risk_ranked_with_reasons():
    cands = [
        _c("甲", total=D(95), execution_rate=D("0.40"), funds=D(100)),  # outruns by 55 points: 3
        _c("乙", total=D(88), execution_rate=D("0.90"), errors=2, funds=D(50)),  # errors: 3
        _c("丙", total=D(90), execution_rate=D("0.95"), few_questionnaires=True, days_late=3, funds=D(10)),  # 1 + 1
        _c("丁", total=D(80), execution_rate=D("0.99"), funds=D(5000)),  # large funds: 1
        _c("戊", total=D(85), execution_rate=D("0.90"), funds=D(20)),  # nothing
        _c("己", total=D(97), execution_rate=D("0.30"), errors=1, returns=2, funds=D(30)),  # 3 + 3 + 1
    ]
    drawn = draw_sample(cands, XIANGXI)
    assert [d.candidate.name for d in drawn] == ["己", "甲", "乙"]  # 7, then 3 with the larger funds first
    assert [r.signal for r in drawn[0].reasons] == ["score_outruns_execution", "errors", "returned"]
    assert drawn[0].reasons[0].text == "得分率97.00%高于执行率30.00%，超过5个百分点"
    assert drawn[0].risk == D(7)


def test_candidate_from_a_package_reads_its_scores_and_findings():
    c = services.spot_check_candidate(package=services.read(path=EXAMPLE), key="seed", days_late=0, returns=1)
    assert c.total.quantize(D("0.01")) == D("93.22") and c.execution_rate.quantize(D("0.0001")) == D("0.3220")
    assert c.errors > 0 and c.few_questionnaires  # the seed's 20 questionnaires
    assert c.funds == D("3312.53")


# --- 结果应用 and 运行监控 ------------------------------------------------------------------------


def test_grade_consequences_follow_the_profile():
    assert consequence("较差", XIANGXI) == "督促整改，从严安排预算"
    assert consequence("中", load_profile("national-2020")) == "督促整改，从严安排预算"
    assert "未规定" in consequence("甲等", XIANGXI)


@pytest.mark.parametrize("executed, month, warned", [
    (D(20), 3, False),  # before the first checkpoint
    (D(20), 4, True),  # 20% < 25% by April
    (D(30), 5, False),  # April's checkpoint still applies: 30% ≥ 25%
    (D(44), 7, True),  # June's 45%
    (D(80), 12, False),
])
def test_monitoring_warnings_by_checkpoint(executed, month, warned):
    w = monitoring_warning(executed, D(100), month, XIANGXI)
    assert (w is not None) is warned
    if w:
        assert w.message.startswith(f"截至{month}月预算执行率")


# --- open data -------------------------------------------------------------------------------------


def test_open_data_is_a_fiscal_data_package_with_performance_fields(tmp_path):
    pkg = services.read(path=EXAMPLE)
    pkg.unit.name = "=HYPERLINK(\"http://x\")"  # hostile text must not become a formula in a spreadsheet
    out = services.open_data(published=[(pkg, "ab" * 32)], outdir=tmp_path / "open")
    desc = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["profile"] == "fiscal-data-package" and desc["model"]["measures"]["annual"]["factor"] == 10000
    assert {r["name"] for r in desc["resources"]} == {"budget", "indicators", "scores"}
    assert desc["x-jixiao"]["packages"][0]["sm3"] == "ab" * 32
    with open(out / "scores.csv", encoding="utf-8") as f:
        scores = list(csv.DictReader(f))
    overall = next(r for r in scores if r["form"] == "附件3")
    assert (overall["total"], overall["grade"], overall["system"]) == ("93.22", "优", "自评表总分")
    assert overall["unit"].startswith("'=")
    with open(out / "indicators.csv", encoding="utf-8") as f:
        indicators = list(csv.DictReader(f))
    assert len(indicators) == sum(len(t.indicators) for t in [pkg.overall, *pkg.projects])
    assert not list(tmp_path.glob(".opendata-*"))  # the temporary directory is gone


def test_aggregate_keeps_tables_that_share_a_name():
    pkg = services.read(path=EXAMPLE)
    twice = services.aggregate(packages=[pkg, services.read(path=EXAMPLE)])
    annual = next(c for c in twice.values if c.key == keys.aggregate_fund("annual"))
    assert annual.value == 2 * pkg.overall.fund("total").annual
    assert list(annual.inputs) == [pkg.unit.name, f"{pkg.unit.name}（2）"]


def test_the_bureaus_opinion_may_be_signed_after_the_units_deadline():
    from datetime import date

    from jixiao.audit.registry import run_checks

    pkg = services.read(path=EXAMPLE)
    for o in pkg.opinions:
        o.signed_on = date(2023, 7, 10) if "财政" in o.role else None
    assert not [f for f in run_checks(pkg) if f.rule == "date.deadline" and "财政" in f.message]
    unit = next(o for o in pkg.opinions if o.role == "部门（单位）")
    unit.signed_on = date(2023, 7, 10)  # the unit's own opinion is part of what it hands in: still late
    assert [f for f in run_checks(pkg) if f.rule == "date.deadline" and "部门（单位）意见日期" in f.message]
