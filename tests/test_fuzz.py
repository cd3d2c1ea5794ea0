"""Hostile and damaged inputs: `jixiao audit` gives a normal report or a clear message, never a traceback.

Truncated, shuffled and duplicated versions of the seed (and of the example YAML),
garbage bytes, empty files, oversized files, a .docx that is not a zip and a zip
bomb. Hypothesis examples are bounded so the suite stays fast.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.audit import report
from jixiao.audit.findings import SEVERITIES
from jixiao.audit.service import DocumentResult, audit_path
from jixiao.cmd.audit import exit_code

CJK = re.compile(r"[\u4e00-\u9fff]")
FUZZ = settings(max_examples=20, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
RNG = st.integers(0, 2**32 - 1).map(random.Random)  # one draw per example, whatever the seed's size
SUFFIXES = (".txt", ".docx", ".yaml", ".yml", ".json", ".xlsx")
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"




@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    if not SEED.exists():
        pytest.skip(f"the seed document is not here ({SEED}); it lives in ../shared/seeds/ beside the repository")
    return SEED.read_text(encoding="utf-8").splitlines(keepends=True)


EXAMPLE_LINES = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)


def audit_bytes(data: bytes, suffix: str) -> DocumentResult:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"fuzz{suffix}"
        p.write_bytes(data)
        return audit_path(p)


def assert_sane(result: DocumentResult) -> None:
    """Either a clear Chinese message for an unreadable file, or a report every renderer can show."""
    if result.error:
        assert CJK.search(result.error), result.error
        assert "Traceback" not in result.error and 'File "' not in result.error
        assert exit_code([result]) == 2
    else:
        assert all(f.severity in SEVERITIES and f.message for f in result.findings)
        crashed = [f.message for f in result.findings if f.rule == "internal.check_failed"]
        assert not crashed, crashed
        assert exit_code([result]) in (0, 1)
    json.loads(report.render_json([result]))
    assert result.path in report.render_text([result])
    report.render_html([result])


# --- the seed, damaged ----------------------------------------------------------------------------


@FUZZ
@given(cut=st.floats(0, 1))
def test_truncated_seed(seed_lines, cut):
    text = "".join(seed_lines)
    assert_sane(audit_bytes(text[: int(len(text) * cut)].encode("utf-8"), ".txt"))


@FUZZ
@given(rnd=RNG)
def test_shuffled_seed_lines(seed_lines, rnd):
    lines = list(seed_lines)
    start = rnd.randrange(len(lines))
    window = lines[start: start + rnd.randint(2, 400)]
    rnd.shuffle(window)
    lines[start: start + len(window)] = window
    assert_sane(audit_bytes("".join(lines).encode("utf-8"), ".txt"))


@FUZZ
@given(rnd=RNG)
def test_duplicated_and_dropped_seed_lines(seed_lines, rnd):
    lines = []
    for line in seed_lines:
        roll = rnd.random()
        if roll < 0.05:
            continue
        lines.append(line)
        if roll > 0.95:
            lines.append(line)
    assert_sane(audit_bytes("".join(lines).encode("utf-8"), ".txt"))


@FUZZ
@given(data=st.data())
def test_seed_with_garbage_inserted(seed_lines, data):
    raw = bytearray("".join(seed_lines).encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(raw)))
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=64))
    assert_sane(audit_bytes(bytes(raw), ".txt"))


def test_seed_is_audited_with_findings(seed_lines):
    result = audit_bytes("".join(seed_lines).encode("utf-8"), ".txt")
    assert_sane(result)
    assert not result.error and result.findings


# --- the example YAML, damaged (needs no document reader) -------------------------------------------


@FUZZ
@given(cut=st.integers(0, len(EXAMPLE_LINES)))
def test_truncated_yaml(cut):
    assert_sane(audit_bytes("".join(EXAMPLE_LINES[:cut]).encode("utf-8"), ".yaml"))


@FUZZ
@given(rnd=RNG)
def test_shuffled_or_duplicated_yaml_lines(rnd):
    lines = list(EXAMPLE_LINES)
    i, j = sorted(rnd.sample(range(len(lines)), 2))
    if rnd.random() < 0.5:
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines[i:i] = lines[i:j][:50]
    assert_sane(audit_bytes("".join(lines).encode("utf-8"), ".yaml"))


@FUZZ
@given(data=st.data())
def test_yaml_with_numbers_replaced(data):
    """Every number token replaced by junk or an odd value: a report or a list of bad fields."""
    junk = st.sampled_from(["-1", "1e400", "NaN", "≥", "1,2,3", "１２３", "''", "[]", "{}", "0x1F", "99999999999999999999"])

    def swap(m: re.Match) -> str:
        return data.draw(junk) if data.draw(st.booleans()) else m.group(0)

    text = re.sub(r"\d+(?:\.\d+)?", swap, "".join(EXAMPLE_LINES))
    assert_sane(audit_bytes(text.encode("utf-8"), ".yaml"))


# --- garbage and empty files --------------------------------------------------------------------------


@FUZZ
@given(blob=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_garbage_bytes(blob, suffix):
    result = audit_bytes(blob, suffix)
    assert_sane(result)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_empty_file(suffix):
    result = audit_bytes(b"", suffix)
    assert_sane(result)
    if suffix in (".docx", ".xlsx", ".yaml", ".yml", ".json"):
        assert result.error


# --- oversized files and archives ---------------------------------------------------------------------


def _big_file(path: Path, size: int) -> Path:
    with open(path, "wb") as f:  # sparse: instant, and the size check must not read it
        f.truncate(size)
    return path


@pytest.mark.parametrize("name,size", [("big.txt", 50), ("big.yaml", 50), ("big.json", 50), ("big.docx", 60)])
def test_oversized_file_is_refused(tmp_path, name, size):
    result = audit_path(_big_file(tmp_path / name, size * 1024 * 1024))
    assert "文件过大" in result.error and "MB" in result.error
    assert_sane(result)


def test_docx_that_is_not_a_zip(tmp_path):
    p = tmp_path / "report.docx"
    p.write_text("湘西自治州人民政府驻北京联络处 2022 年度（其实是纯文本）", encoding="utf-8")
    result = audit_path(p)
    assert "不是有效的Word 文档（.docx）" in result.error
    assert_sane(result)


def _zip_bomb(path: Path, megabytes: int) -> Path:
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as member:
            for _ in range(megabytes):
                member.write(chunk)
    return path


def test_zip_bomb_is_refused(tmp_path):
    p = _zip_bomb(tmp_path / "bomb.docx", 64)
    assert p.stat().st_size < 1024 * 1024
    result = audit_path(p)
    assert "压缩炸弹" in result.error
    assert_sane(result)


def test_a_zip_that_is_not_a_word_document(tmp_path):
    p = tmp_path / "other.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("hello.txt", "not a word document")
    assert_sane(audit_path(p))


# --- end to end: one batch of hostile files, one clean exit ---------------------------------------------


def test_cli_batch_of_hostile_files_never_shows_a_traceback(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "garbage.docx").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "garbage.json").write_bytes(b"\xff\xfe{\x00")
    _big_file(tmp_path / "huge.txt", 50 * 1024 * 1024)
    _zip_bomb(tmp_path / "bomb.docx", 32)
    (tmp_path / "ok.yaml").write_bytes(EXAMPLE.read_bytes())
    exe = [str(JIXIAO)] if JIXIAO.exists() else [sys.executable, "-m", "jixiao.cli"]
    proc = subprocess.run([*exe, "audit", str(tmp_path), "--format", "json", "--quiet"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    docs = {Path(d["path"]).name: d for d in json.loads(proc.stdout)["documents"]}
    assert set(docs) == {"empty.txt", "garbage.docx", "garbage.json", "huge.txt", "bomb.docx", "ok.yaml"}
    assert "error" not in docs["ok.yaml"]
    assert "文件过大" in docs["huge.txt"]["error"]
    assert "压缩炸弹" in docs["bomb.docx"]["error"]
    assert "不是有效的Word" in docs["garbage.docx"]["error"]
    for name in ("garbage.docx", "garbage.json", "huge.txt", "bomb.docx"):
        assert CJK.search(docs[name]["error"]), docs[name]


@pytest.mark.parametrize("suffix,text", [
    (".yaml", "[" * 200_000 + "]" * 200_000),
    (".json", "[" * 200_000 + "]" * 200_000),
    (".yaml", "a: " + "{b: " * 50_000 + "1" + "}" * 50_000),
])
def test_deeply_nested_data_is_refused(suffix, text):
    result = audit_bytes(text.encode("utf-8"), suffix)
    assert result.error
    assert_sane(result)
