"""Property tests over the layout generator (tests/layouts): a correct project table printed in any
layout the readers understand gives no error and full coverage; a defect planted in it is reported
at its place. What the readers cannot read yet is measured by bench/layouts.py, not asserted here."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from layouts import DEFECTS, FORMATS, Layout, audit_layout, correct_project, found, planted
from layouts.formats import text
from layouts.grid import build

from jixiao.audit.report import render_text

LAYOUT_SETTINGS = settings(max_examples=8, deadline=None, derandomize=True,
                           suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Every layout and format the generator prints, but PDF (LibreOffice is slow: one layout below): any
# title (the national one, another fund's, none), any of the three column orders, any header
# vocabulary, one or two header rows, merged or repeated level labels with or without points in the
# label, an amount table of peers, of 小计 groups or of a parent with its 其中 parts, the grade after
# its label or in its own cell; as TAB text (whole or trimmed rows), aligned spaces (figures flush
# left or right), pipes, the TAB-per-cell dump, HTML (UTF-8, or GB18030 with no charset), .xlsx, .docx.
READ_FORMATS = tuple(f for f in FORMATS if f != "pdf")
layouts = st.builds(
    Layout,
    title=st.sampled_from(("project", "linked", "special", "none")),
    order=st.sampled_from(("standard", "points_first", "score_before_actual")),
    words=st.sampled_from((0, 1, 2)),
    header_rows=st.sampled_from((1, 2)),
    merged=st.booleans(),
    points_in_label=st.booleans(),
    amounts=st.sampled_from(("none", "peers", "subtotals", "parent")),
    grade_in_cell=st.booleans(),
)
CHECKED_DEFECTS = list(DEFECTS)


@LAYOUT_SETTINGS
@given(layout=layouts, fmt=st.sampled_from(READ_FORMATS))
def test_a_correct_table_in_any_layout_has_no_error_and_full_coverage(layout, fmt):
    result = audit_layout(correct_project(), layout, fmt)
    assert not result.error
    errors = [f"{f.rule}: {f.message}" for f in result.findings if f.severity == "error"]
    assert errors == [], layout.family
    assert result.coverage.status == "checked", (layout.family, result.coverage.line())
    assert result.coverage.figures >= 30 and result.coverage.checks >= 10


@LAYOUT_SETTINGS
@given(layout=layouts, fmt=st.sampled_from(READ_FORMATS), defect=st.sampled_from(CHECKED_DEFECTS))
def test_a_planted_defect_is_found_at_its_place(layout, fmt, defect):
    if defect.needs_amounts and layout.amounts == "none":
        layout = dataclasses.replace(layout, amounts="peers")
    result = audit_layout(planted(defect), layout, fmt)
    assert found(result, defect), (layout.family, fmt, defect.name,
                                   [f"{f.rule} {f.location.describe()}" for f in result.findings])


@pytest.mark.parametrize("defect", CHECKED_DEFECTS, ids=lambda d: d.name)
def test_every_defect_is_found_in_the_national_layout(defect, tmp_path):
    """One per check family, in the plainest layout: each planted defect is reported where it was planted."""
    layout = Layout(amounts="peers") if defect.needs_amounts else Layout()
    assert found(audit_layout(planted(defect), layout, "docx", tmp_path), defect)


def test_the_correct_table_is_clean_and_says_what_was_checked(tmp_path):
    result = audit_layout(correct_project(), Layout(), "docx", tmp_path)
    report = render_text([result])
    assert "核对范围：已核对：表格 1 张" in report
    assert "· 项目支出绩效自评表·乡村道路养护项目：资金表、指标表，11 行，数字 41 个，核对关系 " in report
    assert "未发现问题" not in report  # it has an info finding; "no problem" is said only with none


def test_text_layouts_print_one_row_per_line():
    grid = build(correct_project(), Layout(header_rows=2, merged=True))
    for fmt, sep in (("tab", "\t"), ("pipes", " | ")):
        lines = [ln for ln in text(grid, fmt).splitlines() if sep in ln]
        assert len(lines) == len(grid.rows)
    assert text(grid, "dump").count("\n\n") >= len(grid.rows)


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed; the PDF layouts need it")
def test_a_pdf_layout_is_read_and_checked():
    """PDF through LibreOffice is slow: one layout, whose indicator row with a long reason wraps
    across the page break. The row is joined again: no false error, every table read."""
    with tempfile.TemporaryDirectory() as tmp:
        result = audit_layout(correct_project(), Layout(), "pdf", Path(tmp))
    assert not result.error
    assert result.coverage.status == "checked" and result.coverage.figures >= 30
    assert [f.rule for f in result.findings if f.severity == "error"] == []


def test_each_table_read_says_how_many_relations_were_checked_on_it(tmp_path):
    """A project table with its spending by item below: both read, each with its own relations (the
    项目 table: its fund rows, rate, scores, total; the 金额表: its 合计 against its rows)."""
    result = audit_layout(correct_project(), Layout(amounts="subtotals"), "docx", tmp_path)
    project, amounts = result.coverage.tables
    assert amounts.kind == "金额表" and amounts.checks == 9  # two 小计 and the 合计, three columns each
    assert project.checks >= 10
    assert project.checks + amounts.checks <= result.coverage.checks
    assert f"金额表，6 行，数字 18 个，核对关系 {amounts.checks} 项" in render_text([result])
