"""`jixiao audit`: exit codes, the JSON contract, the text / HTML / XLSX reports, batches."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT

from jixiao.audit import registry
from jixiao.audit.findings import Finding
from jixiao.audit.service import DocumentResult, audit_many, audit_package, audit_path
from jixiao.cli import main
from jixiao.core.model import Source
from jixiao.io.readers import read_any

JIXIAO = ROOT / ".venv" / "bin" / "jixiao"
FINDING_KEYS = {"rule", "severity", "message", "location", "stated", "expected", "formula", "evidence"}
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    exe = [str(JIXIAO)] if JIXIAO.exists() else [sys.executable, "-m", "jixiao.cli"]
    return subprocess.run([*exe, "audit", *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


# --- controlled checks, so that exit codes do not depend on what the catalogue holds today -------


def _error_check(ctx):
    return [Finding(rule="table.sum", severity="error", message="支出合计与各项之和不符 <b>",
                    location=Source(form="自评报告", table="支出表", row="汇总", column="支出合计", line=153),
                    stated="3,312.53", expected="1,066.75", formula="805.66 + 261.09 = 1,066.75 ≠ 3,312.53",
                    evidence="<script>alert(1)</script> 支出合计 3312.53")]


def _warning_check(ctx):
    return [Finding(rule="plausibility.low_spending", severity="warning", message="执行率偏低",
                    location=Source(form="附件4", table="公务接待拨款", line=1317), stated="1.64%",
                    formula="= 1.64% < 90%", evidence="执行率 1.64%"),
            Finding(rule="text.empty", severity="info", message="评价组组长意见为空", location=Source(form="自评报告"))]


@pytest.fixture
def checks(monkeypatch):
    """Replace the catalogue with the given check functions (in-process runs only)."""
    registry._load_all()

    def use(*funcs):
        table = {f.__name__: registry.Check(f.__name__, f.__name__, "", f) for f in funcs}
        monkeypatch.setattr(registry, "CHECKS", table)

    return use


def audit_json(capsys, *args: str) -> tuple[int, dict]:
    rc = main(["audit", "--format", "json", "--jobs", "1", *args])
    return rc, json.loads(capsys.readouterr().out)


# --- exit codes -------------------------------------------------------------------------------


def test_exit_0_when_only_warnings(checks, capsys):
    checks(_warning_check)
    rc, data = audit_json(capsys, str(EXAMPLE))
    assert rc == 0
    counts = {k: v for k, v in data["documents"][0]["summary"].items() if k != "coverage"}
    assert counts == {"errors": 0, "warnings": 1, "infos": 1}


def test_exit_1_on_an_error_finding(checks, capsys):
    checks(_warning_check, _error_check)
    rc, data = audit_json(capsys, str(EXAMPLE))
    assert rc == 1
    doc = data["documents"][0]
    assert [f["severity"] for f in doc["findings"]] == ["error", "warning", "info"]  # worst first
    first = doc["findings"][0]
    assert first["stated"] == "3,312.53" and first["expected"] == "1,066.75"
    assert first["location"]["line"] == 153 and first["location"]["form"] == "自评报告"
    assert "支出表" in first["location"]["text"]


def test_exit_2_on_unreadable_input(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("jixiao: [1\n", encoding="utf-8")
    rc, data = audit_json(capsys, str(bad), str(tmp_path / "missing.yaml"))
    assert rc == 2
    errors = [d["error"] for d in data["documents"]]
    assert "格式错误" in errors[0]
    assert "文件不存在" in errors[1]
    assert all(d["findings"] == [] and d["summary"] == {"errors": 0, "warnings": 0, "infos": 0, "coverage": {
        "status": "unchecked", "tables": 0, "figures": 0, "checks": 0, "unread": []}} for d in data["documents"])


def test_unknown_profile_exits_2_with_a_message(capsys):
    assert main(["audit", str(EXAMPLE), "--profile", "no-such-profile"]) == 2
    assert "找不到评分方案" in capsys.readouterr().err


def test_unsupported_type_is_reported_not_raised(tmp_path, capsys):
    f = tmp_path / "notes.pages"  # Apple Pages: not a format bureaus receive
    f.write_bytes(b"PK\x03\x04")
    rc, data = audit_json(capsys, str(f))
    assert rc == 2 and "不支持的文件类型" in data["documents"][0]["error"]


def _exploding_reader(path):
    raise RuntimeError("internal detail")


def test_a_reader_crash_becomes_a_generic_message(monkeypatch, tmp_path):
    from jixiao.io import readers

    monkeypatch.setitem(readers.READERS, ".txt", f"{__name__}:_exploding_reader")
    f = tmp_path / "a.txt"
    f.write_text("x", encoding="utf-8")
    result = audit_path(f)
    assert result.error == "无法解析该文件（RuntimeError）"
    assert "internal detail" not in result.error


# --- the JSON contract end to end ---------------------------------------------------------------


def test_json_shape_is_exactly_the_contract():
    proc = run_cli(str(EXAMPLE), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"documents"}
    (doc,) = data["documents"]
    assert set(doc) == {"path", "findings", "summary"} and doc["path"] == str(EXAMPLE)
    assert set(doc["summary"]) == {"errors", "warnings", "infos", "coverage"}
    coverage = doc["summary"].pop("coverage")
    assert set(coverage) == {"status", "tables", "figures", "checks", "unread"}
    assert coverage["status"] == "checked" and coverage["unread"] == []
    assert coverage["tables"] > 10 and coverage["figures"] > 300 and coverage["checks"] > 100
    for f in doc["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["severity"] in SEVERITY_RANK
        assert isinstance(f["message"], str) and f["message"]
        assert isinstance(f["location"], dict)
        assert all(isinstance(f[k], str) for k in ("stated", "expected", "formula", "evidence"))
    counted = {k: sum(1 for f in doc["findings"] if f["severity"] == s) for k, s in
               (("errors", "error"), ("warnings", "warning"), ("infos", "info"))}
    assert doc["summary"] == counted
    ranks = [SEVERITY_RANK[f["severity"]] for f in doc["findings"]]
    assert ranks == sorted(ranks)
    assert proc.returncode == (1 if counted["errors"] else 0)


def test_directory_batch_reports_the_others_and_exits_2(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "a.yaml")
    (tmp_path / "sub").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "sub" / "c.yaml")
    (tmp_path / "b.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "readme.md").write_text("ignored", encoding="utf-8")
    (tmp_path / "~$lock.docx").write_bytes(b"word lock file")
    proc = run_cli(str(tmp_path), "--format", "json", "--jobs", "2", "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    docs = json.loads(proc.stdout)["documents"]
    assert [Path(d["path"]).name for d in docs] == ["a.yaml", "b.json", "c.yaml"]
    assert "error" in docs[1] and "格式错误" in docs[1]["error"]
    for d in (docs[0], docs[2]):
        assert "error" not in d and set(d) == {"path", "findings", "summary"}
    assert docs[0]["summary"] == docs[2]["summary"]


def test_empty_directory_is_a_clear_error(tmp_path, capsys):
    assert main(["audit", str(tmp_path)]) == 2
    assert "没有找到可审核的文件" in capsys.readouterr().err


# --- text, HTML, XLSX ---------------------------------------------------------------------------


def test_text_report_groups_by_form_and_shows_the_arithmetic(checks, capsys):
    checks(_warning_check, _error_check)
    assert main(["audit", str(EXAMPLE), str(EXAMPLE), "--jobs", "1"]) == 1
    out = capsys.readouterr().out
    assert "■ 自评报告" in out and "■ 附件4 项目支出绩效自评表" in out
    assert out.index("■ 自评报告") < out.index("■ 附件4")
    assert "[错误] 支出合计与各项之和不符" in out
    assert "填报：3,312.53 → 应为：1,066.75" in out
    assert "计算：805.66 + 261.09 = 1,066.75 ≠ 3,312.53" in out
    assert "原文：「<script>alert(1)</script> 支出合计 3312.53」" in out
    assert "位置：自评报告 / 支出表 / 汇总 / 支出合计（第153行）" in out
    summary = out[out.index("汇总"):]
    assert "合计（2 份，0 份无法读取）" in summary and "有错误" in summary


def test_html_report_is_self_contained_and_escaped(checks, tmp_path, capsys):
    checks(_warning_check, _error_check)
    out = tmp_path / "审核意见.html"
    assert main(["audit", str(EXAMPLE), "--format", "html", "-o", str(out), "--jobs", "1"]) == 1
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "湘西自治州人民政府驻北京联络处2022年度预算绩效自评材料审核意见" in page
    for col in ("严重程度", "规则", "问题", "位置", "填报值", "应为", "计算", "原文"):
        assert f"<th>{col}</th>" in page
    assert "错误 1 项" in page and "警告 1 项" in page and "提示 1 项" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "支出合计与各项之和不符 &lt;b&gt;" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert not (tmp_path / "审核意见.html.tmp").exists()
    assert "已写入" in capsys.readouterr().err


def test_html_lists_an_unreadable_document(tmp_path):
    out = tmp_path / "r.html"
    proc = run_cli(str(EXAMPLE), str(tmp_path / "gone.docx"), "--format", "html", "-o", str(out))
    assert proc.returncode == 2
    page = out.read_text(encoding="utf-8")
    assert "无法读取该文件" in page and "gone.docx" in page and "汇总（2 份）" in page


@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_file_formats_require_an_output(fmt, capsys):
    assert main(["audit", str(EXAMPLE), "--format", fmt]) == 2
    assert "-o" in capsys.readouterr().err


def test_xlsx_report_has_a_summary_and_a_sheet_per_document(checks, tmp_path):
    from openpyxl import load_workbook

    checks(_warning_check, _error_check)
    missing = tmp_path / "missing.yaml"
    out = tmp_path / "r.xlsx"
    assert main(["audit", str(EXAMPLE), str(missing), "--format", "xlsx", "-o", str(out), "--jobs", "1"]) == 2
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "汇总" and len(wb.sheetnames) == 3
    summary = wb["汇总"]
    assert [c.value for c in summary[1]][:7] == ["文件", "单位", "年度", "错误", "警告", "提示", "状态"]
    assert [c.value for c in summary[2]][3:7] == [1, 1, 1, "有错误"]
    assert summary[3][6].value.startswith("无法读取")
    ws = wb[wb.sheetnames[1]]
    assert [c.value for c in ws[1]] == ["严重程度", "规则", "问题", "位置", "填报值", "应为", "计算", "原文"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert ws.column_dimensions["C"].width > 20
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows[0][:3] == ["错误", "table.sum", "支出合计与各项之和不符 <b>"]
    assert rows[1][6] == "= 1.64% < 90%"  # text, not an Excel formula
    assert ws.cell(row=3, column=7).data_type == "s"
    assert "文件不存在" in wb[wb.sheetnames[2]].cell(row=2, column=3).value


def test_text_written_to_a_file(checks, tmp_path, capsys):
    checks(_error_check)
    out = tmp_path / "r.txt"
    assert main(["audit", str(EXAMPLE), "-o", str(out), "--jobs", "1"]) == 1
    assert "支出合计与各项之和不符" in out.read_text(encoding="utf-8")
    assert capsys.readouterr().out == ""


# --- service ------------------------------------------------------------------------------------


def test_batch_results_come_back_in_input_order(tmp_path):
    paths = []
    for i in range(6):
        p = tmp_path / f"{i}.yaml"
        shutil.copy(EXAMPLE, p)
        paths.append(str(p))
    paths.insert(3, str(tmp_path / "missing.yaml"))
    results = audit_many(paths, jobs=2, progress=False)
    assert [r.path for r in results] == paths
    assert [bool(r.error) for r in results] == [False, False, False, True, False, False, False]
    assert all(isinstance(r, DocumentResult) for r in results)


def _dying_reader(path):
    os._exit(3)  # a crash no try/except can catch, as a segfault in a C extension would be


def test_a_worker_that_dies_costs_only_its_own_document(monkeypatch, tmp_path):
    from jixiao.audit.service import CRASHED
    from jixiao.io import readers

    monkeypatch.setitem(readers.READERS, ".txt", f"{__name__}:_dying_reader")  # inherited by forked workers
    paths = []
    for i in range(5):
        p = tmp_path / f"{i}.yaml"
        shutil.copy(EXAMPLE, p)
        paths.append(str(p))
    crash = tmp_path / "crash.txt"
    crash.write_text("x", encoding="utf-8")
    paths.insert(2, str(crash))
    results = audit_many(paths, jobs=2, progress=False)
    assert [r.path for r in results] == paths
    assert [r.error for r in results] == ["", "", CRASHED, "", "", ""]


def test_missing_forms_are_one_info_finding_of_the_family_rule(checks):
    checks()
    pkg = read_any(EXAMPLE)
    pkg.forms_found = ["自评报告", "绩效评价报告", "附件1", "附件2", "附件3", "附件4"]
    pkg.families = ["hunan-package"]  # as the reader names the template it recognised
    result = audit_package(pkg, "x.txt")
    (missing,) = [f for f in result.findings if f.rule == "forms.missing"]
    assert missing.severity == "info" and missing.location.form == "附件5"
    assert "应含9种表格" in missing.message and "含其中6种" in missing.message
    assert all(w in missing.message for w in ("附件5", "附件6", "附件7", "政府性基金", "湖南"))


def test_a_single_project_table_is_a_complete_project_task(checks):
    """A package that is one project's self-evaluation needs nothing else: no 'missing' for the seed's forms."""
    checks()
    pkg = read_any(EXAMPLE)
    pkg.forms_found, pkg.families = ["附件4"], ["hunan-package"]
    assert [f for f in audit_package(pkg, "x.txt").findings if f.rule == "forms.missing"] == []


def test_no_completeness_rule_for_a_template_no_family_describes(checks):
    """Which forms a 广东 bureau asks for is not known: no 'missing' guesses from the 湖南 package."""
    checks()
    pkg = read_any(EXAMPLE)
    pkg.forms_found, pkg.families = ["绩效评价报告"], []
    assert [f for f in audit_package(pkg, "x.txt").findings if f.rule == "forms.missing"] == []


def test_canonical_files_do_not_report_missing_forms(checks):
    checks()
    assert audit_path(EXAMPLE).findings == []


# --- docs/checks.md -------------------------------------------------------------------------------


def test_checks_catalogue_is_up_to_date():
    from jixiao.audit import catalogue

    committed = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert committed == catalogue.render(), f"docs/checks.md is stale; regenerate it with: {catalogue.COMMAND}"


def test_catalogue_lists_every_registered_check():
    from jixiao.audit import catalogue

    registry._load_all()
    text = catalogue.render()
    for rule, chk in registry.CHECKS.items():
        assert f"`{rule}`" in text and chk.title in text
    assert "`forms.missing`" in text


def test_a_seed_cut_before_its_annexes_lists_them_as_missing(seed_path, tmp_path, capsys):
    lines = seed_path.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if line.strip().startswith("附件1"))
    part = tmp_path / "part.txt"
    part.write_text("".join(lines[:cut]), encoding="utf-8")
    rc, data = audit_json(capsys, str(part))
    assert rc in (0, 1)
    (missing,) = [f for f in data["documents"][0]["findings"] if f["rule"] == "forms.missing"]
    assert missing["location"]["form"] == "附件1" and missing["severity"] == "info"
    assert all(f"附件{i}（" in missing["message"] for i in range(1, 8))


def test_a_dying_worker_does_not_hang_a_parent_that_handles_sigterm(monkeypatch, tmp_path):
    """A parent with its own SIGTERM handler (the task worker stops gracefully on SIGTERM) passes it
    to the pool's workers through the fork; the batch still ends after a crash. (CI once hung here
    with a worker alive and idle after another test had run the task worker in-process; this test
    does not reproduce that hang on the old code: the fix — default handlers in each worker and
    SIGKILL for the survivors of a broken pool — is for it, and this guards the behaviour.)"""
    import signal
    import threading

    from jixiao.audit.service import CRASHED
    from jixiao.io import readers

    monkeypatch.setitem(readers.READERS, ".txt", f"{__name__}:_dying_reader")
    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # a graceful-stop handler that ignores it
    try:
        paths = []
        for i in range(4):
            p = tmp_path / f"{i}.yaml"
            shutil.copy(EXAMPLE, p)
            paths.append(str(p))
        crash = tmp_path / "crash.txt"
        crash.write_text("x", encoding="utf-8")
        paths.insert(1, str(crash))
        out: list = []
        t = threading.Thread(target=lambda: out.append(audit_many(paths, jobs=2, progress=False)), daemon=True)
        t.start()
        t.join(timeout=300)
        assert not t.is_alive(), "the batch hung after a worker died"
        assert [r.error for r in out[0]] == ["", CRASHED, "", "", ""]
    finally:
        signal.signal(signal.SIGTERM, previous)
