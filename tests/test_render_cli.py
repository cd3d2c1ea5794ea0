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
