"""Coverage: every report says what was read and checked, and nothing unread is reported clean."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import EXAMPLE

from jixiao.audit import registry
from jixiao.audit.coverage import CHECKED, PARTIAL, UNCHECKED, coverage_of
from jixiao.audit.report import render_html, render_json, render_text
from jixiao.audit.service import audit_package, audit_path
from jixiao.cli import main
from jixiao.core.model import Package, TableRead, Unread
from jixiao.io.readers import read_any


@pytest.fixture(scope="module")
def example() -> Package:
    return read_any(EXAMPLE)


def _package(example: Package) -> Package:
    return copy.deepcopy(example)


def test_a_canonical_package_counts_its_own_tables_and_is_checked(example):
    result = audit_package(_package(example), "example")
    cov = result.coverage
    assert cov.status == CHECKED and cov.unread == []
    where = [t.where for t in cov.tables]
    assert "附件3 部门整体支出绩效自评表" in where
    assert sum("项目支出绩效自评表" in w for w in where) == len(example.projects)
    overall = next(t for t in cov.tables if t.where == "附件3 部门整体支出绩效自评表")
    assert overall.rows == len(example.overall.funds) + len(example.overall.indicators) + 1
    assert cov.figures == sum(t.figures for t in cov.tables) > 300


def test_checks_are_the_relations_the_checks_evaluated(example, monkeypatch):
    """The count comes from the check runner: with no checks in the catalogue nothing is evaluated,
    and a package with one more stated total has one more relation."""
    full = audit_package(_package(example), "example").coverage.checks
    assert full > 100
    registry._load_all()
    monkeypatch.setattr(registry, "CHECKS", {})
    none = audit_package(_package(example), "example")
    assert none.coverage.checks == 0
    assert none.coverage.status == UNCHECKED and "没有可以相互复算核对的关系" in none.coverage.reason


def test_a_removed_stated_figure_is_one_relation_fewer(example):
    pkg = _package(example)
    before = audit_package(pkg, "example").coverage.checks
    pkg = _package(example)
    pkg.projects[0].stated_total = None
    after = audit_package(pkg, "example").coverage.checks
    assert after < before


def test_unread_parts_make_the_coverage_partial_and_are_listed(example):
    pkg = _package(example)
    pkg.reading.unread.append(Unread("第3页 表格二", "表头未能识别：未找到预算数、执行数或分值等列"))
    result = audit_package(pkg, "partly.docx")
    assert result.coverage.status == PARTIAL
    data = json.loads(render_json([result]))["documents"][0]["summary"]["coverage"]
    assert data["status"] == "partial"
    assert data["unread"] == [{"where": "第3页 表格二", "why": "表头未能识别：未找到预算数、执行数或分值等列"}]
    text = render_text([result])
    assert "未能读懂的部分（未核对）" in text and "第3页 表格二：表头未能识别" in text
    assert "表头未能识别" in render_html([result])


def test_the_readers_tables_replace_the_model_count_when_given(example):
    pkg = _package(example)
    pkg.reading.tables = [TableRead("第1页 项目支出绩效自评表", "资金表", 5, 12)]
    cov = coverage_of(pkg, checks=7)
    assert (cov.status, len(cov.tables), cov.figures, cov.checks) == (CHECKED, 1, 12, 7)


def test_a_document_with_no_figure_is_never_reported_clean(tmp_path, capsys):
    doc = tmp_path / "说明.txt"
    doc.write_text("关于2023年度项目支出绩效自评的说明\n\n本单位认真开展了自评工作，各项目均按计划推进。\n", encoding="utf-8")
    result = audit_path(doc)
    assert result.coverage.status == UNCHECKED and not result.clean
    text = render_text([result])
    assert "未能核对" in text and "未发现问题" not in text
    html = render_html([result])
    assert "未能核对" in html and "未发现问题" not in html
    assert main(["audit", "--format", "json", "--jobs", "1", str(doc)]) == 0  # exit codes stay 0/1/2
    coverage = json.loads(capsys.readouterr().out)["documents"][0]["summary"]["coverage"]
    assert coverage == {"status": "unchecked", "tables": 0, "figures": 0, "checks": 0, "unread": []}


def test_read_tables_without_figures_are_unchecked_with_the_readers_reasons():
    pkg = Package(year=2023)
    pkg.reading.tables = [TableRead("第1页 表格一", "指标表", 4, 0)]
    pkg.reading.unread = [Unread("第2页 表格二", "表头未能识别")]
    result = audit_package(pkg, "x.pdf")
    assert result.coverage.status == UNCHECKED
    assert "第2页 表格二：表头未能识别" in result.coverage.reason
    assert "未发现问题" not in render_text([result])


def test_a_clean_checked_document_says_so_beside_what_was_checked(example, monkeypatch):
    registry._load_all()
    quiet = {rule: chk for rule, chk in registry.CHECKS.items() if rule.startswith(("table.", "rate.", "score."))}
    monkeypatch.setattr(registry, "CHECKS", {rule: registry.Check(rule, chk.title, "", _silenced(chk.func))
                                             for rule, chk in quiet.items()})
    pkg = _package(example)
    pkg.forms_found = []
    result = audit_package(pkg, "example")
    assert result.findings == [] and result.coverage.status == CHECKED and result.clean
    text = render_text([result])
    assert "核对范围：已核对：表格" in text and "未发现问题" in text


def _silenced(func):
    """A check that evaluates its relations as usual but reports nothing (to see a clean report)."""
    def run(ctx):
        func(ctx)
        return []
    return run


def test_a_table_whose_indicator_rows_were_not_read_is_partial(example):
    pkg = _package(example)
    pkg.projects[0].indicators = []
    result = audit_package(pkg, "cut.docx")
    assert result.coverage.status == PARTIAL
    assert [u.why for u in result.coverage.unread] == ["未读到绩效指标行，指标得分及总分与各项得分之和未核对"]
    assert pkg.projects[0].name in result.coverage.unread[0].where


def test_the_workbook_report_has_the_coverage_of_each_document(example, tmp_path):
    from openpyxl import load_workbook

    from jixiao.audit.report import write_xlsx

    pkg = _package(example)
    pkg.reading.unread.append(Unread("第2页 表格", "表头未能识别"))
    out = tmp_path / "审核意见.xlsx"
    write_xlsx([audit_package(pkg, "a.docx"), audit_package(Package(year=2023), "b.txt")], out)
    wb = load_workbook(out)
    summary = wb["汇总"]
    assert summary.cell(1, 9).value == "核对范围"
    assert summary.cell(2, 9).value.startswith("部分核对：表格") and summary.cell(3, 9).value.startswith("未能核对")
    assert summary.cell(3, 7).value == "未能核对"
    details = [[c.value for c in row] for row in wb[wb.sheetnames[1]].iter_rows(min_row=2)]
    assert ["未核对", "coverage.unread", "未能读懂，未核对：表头未能识别", "第2页 表格"] in [d[:4] for d in details]
