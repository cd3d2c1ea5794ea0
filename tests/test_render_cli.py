"""`jixiao render` says when the entered data contradicts itself in ways no recomputation can settle."""

from conftest import EXAMPLE, FIXTURES

from jixiao.cli import main


def test_render_warns_about_conflicting_entries(tmp_path, capsys):
    assert main(["render", str(EXAMPLE), "-o", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "处错误级问题来自填报数据本身" in err and "jixiao audit" in err


def test_render_of_consistent_data_is_quiet(tmp_path, capsys):
    clean = FIXTURES / "checks" / "correct.yaml"
    assert main(["render", str(clean), "-o", str(tmp_path)]) == 0
    assert "错误级问题" not in capsys.readouterr().err


CLEAN_PACKAGES = [FIXTURES / "checks" / "correct.yaml", FIXTURES / "checks_text" / "clean.yaml",
                  FIXTURES / "core" / "项目_执行率与定量指标.yaml"]


def test_other_units_round_trip_through_docx_without_errors(tmp_path):
    """Units other than the seed's (other names, years, projects): render → read the .docx → audit."""
    import pytest

    from jixiao.audit.registry import run_checks
    from jixiao.io.canonical import read_package
    from jixiao.io.docx_reader import read_docx
    from jixiao.render.api import render_package

    for path in CLEAN_PACKAGES:
        pkg = read_package(path)
        if any(f.severity == "error" for f in run_checks(pkg)):
            pytest.fail(f"{path.name} is meant to be a consistent package")
        out = render_package(pkg, tmp_path / path.stem, charts=False)
        back = read_docx(out.docx)
        assert back.unit.name == pkg.unit.name and back.year == pkg.year
        errors = [f"{f.rule}: {f.message}" for f in run_checks(back) if f.severity == "error"]
        assert errors == [], path.name
