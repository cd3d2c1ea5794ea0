"""The audit of the seed document finds every defect of docs/seed-defects.md, by rule and line.

This table is the bridge between the hand-made list and the program: each entry is
(defect number, rule id, severity, line in the seed). Lines are where the reader
locates the stated value (None for findings about something missing)."""

import pytest

from jixiao.audit.registry import run_checks
from jixiao.io.readers import read_any

CAUGHT = [
    (1, "table.sum", "error", 153),
    (2, "table.difference", "error", 484),
    (3, "table.sum", "error", 508),
    (4, "xref.same_quantity", "error", 478),
    (5, "prose.figure", "error", 513),
    (6, "prose.figure", "error", 584),
    (7, "table.sum", "error", 610),
    (8, "xref.same_quantity", "error", 498),
    (9, "xref.same_quantity", "error", 633),
    (10, "rate.document_formula", "error", 714),
    (11, "rate.document_formula", "error", 698),
    (12, "date.year", "warning", 696),
    (13, "date.year", "warning", 690),
    (14, "score.framework_total", "error", 747),
    (15, "score.framework_item", "warning", 708),
    (15, "score.framework_item", "warning", 709),
    (16, "plaus.satisfaction_fraction", "warning", 743),
    (16, "plaus.satisfaction_sample", "warning", 743),
    (17, "score.framework_item", "warning", 706),
    (18, "rate.profile_formula", "warning", 704),
    (19, "table.sum", "error", 880),
    (19, "table.sum", "error", 881),
    (20, "score.execution", "warning", 1317),  # the execution rule is unverified: judged, 参考
    (21, "score.total", "error", 1899),
    (22, "score.execution", "warning", 1944),
    (23, "score.indicator", "warning", 1644),
    (23, "score.indicator", "warning", 1654),
    (24, "score.indicator", "warning", 2292),
    (25, "reason.execution_below_threshold", "warning", 1316),
    (25, "reason.execution_below_threshold", "warning", 1717),
    (25, "reason.execution_below_threshold", "warning", 1943),
    (26, "text.copied_goal", "warning", 2174),
    (26, "text.copied_indicator", "warning", 2267),
    (27, "date.garbled", "warning", 1352),
    (28, "text.fund_type_leftover", "error", 2388),
    (29, "text.foreign_fragment", "warning", 584),
    (30, "text.form_label", "error", 2603),
    (31, "text.grade_label", "info", 390),
    (33, "plaus.score_outruns_execution", "warning", 1316),
    (33, "plaus.score_outruns_execution", "warning", 1717),
    (33, "plaus.score_outruns_execution", "warning", 1943),
    (34, "rate.profile_formula", "warning", 712),
    (34, "xref.same_quantity", "error", 493),
    (35, "xref.same_quantity", "error", 743),
    (36, "text.required_empty", "warning", None),
    (37, "text.section_numbering", "info", None),
    (38, "text.foreign_fragment", "info", 683),
    (39, "xref.project_totals", "error", 1075),
    (40, "text.foreign_fragment", "info", 783),
    (40, "text.notice_issuer", "info", 823),
]


@pytest.fixture(scope="module")
def seed_findings():
    from conftest import SEED

    if not SEED.exists():
        pytest.skip(f"the seed document is not here ({SEED})")
    return run_checks(read_any(SEED))


@pytest.mark.parametrize("number, rule, severity, line", CAUGHT, ids=[f"#{c[0]}-{c[1]}-{c[3]}" for c in CAUGHT])
def test_hand_found_defect_is_reported(seed_findings, number, rule, severity, line):
    hits = [f for f in seed_findings if f.rule == rule and f.location.line == line]
    assert hits, f"defect #{number} ({rule} at line {line}) not reported"
    assert hits[0].severity == severity
    assert hits[0].message and (hits[0].location.form or hits[0].location.table)


def test_every_error_is_one_of_the_hand_found_defects(seed_findings):
    """No false errors: each error-level finding is a defect found by hand."""
    known = {(rule, line) for _, rule, severity, line in CAUGHT if severity == "error"}
    extra = [(f.rule, f.location.line, f.message) for f in seed_findings
             if f.severity == "error" and (f.rule, f.location.line) not in known]
    assert extra == []
