"""The seed with every defect corrected by hand (tests/seed_corrections.py) audits clean:
no error-level finding. Built at test time from ../shared/seeds/, never copied."""

import pytest
from seed_corrections import EDITS, corrected_seed

from jixiao.audit.registry import run_checks
from jixiao.io.readers import read_any


@pytest.fixture
def corrected_path(seed_path, tmp_path):
    path = tmp_path / "corrected.txt"
    path.write_text(corrected_seed(seed_path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_every_edit_applies(seed_path):
    text = corrected_seed(seed_path.read_text(encoding="utf-8"))
    for _, _printed, corrected in EDITS:
        assert corrected in text


def test_corrected_seed_has_no_error(corrected_path):
    findings = run_checks(read_any(corrected_path))
    errors = [f"{f.rule} {f.location.describe()}: {f.message} ({f.formula})" for f in findings if f.severity == "error"]
    assert errors == []


def test_original_seed_has_errors(seed_path):
    findings = run_checks(read_any(seed_path))
    assert sum(1 for f in findings if f.severity == "error") >= 20
