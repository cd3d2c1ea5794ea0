"""Bounded parsing of canonical packages (issue 19, finding 1): alias bombs, deep nesting, huge lists."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.io import limits
from jixiao.io.canonical import PackageError, parse_package

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"


def alias_bomb(repeats: int) -> str:
    """The example with its first project anchored and repeated `repeats` times by alias."""
    text = EXAMPLE.read_text(encoding="utf-8")
    head, rest = text.split("\nprojects:\n", 1)
    projects, tail = rest.split("\nfund_types:", 1)
    first = projects.split("\n  - ")[1]
    aliases = "".join("  - *p\n" for _ in range(repeats))
    return f"{head}\nprojects:\n  - &p\n    {first}\n{aliases}fund_types:{tail}"


def test_an_alias_bomb_is_refused_with_a_chinese_message():
    text = alias_bomb(1000)
    assert len(text) < 40_000
    with pytest.raises(PackageError) as caught:
        parse_package(text, "bomb.yaml")
    assert "别名" in str(caught.value)


def test_the_example_and_a_few_aliases_still_read():
    parse_package(EXAMPLE.read_text(encoding="utf-8"), "example.yaml")
    small = "jixiao: 1\nyear: 2022\nunit: &u {name: 某单位}\ntitle: x\n" + "".join(f"k{i}: *u\n" for i in range(3))
    assert limits.check_yaml_events(small) is None


def test_a_recursive_alias_is_refused():
    with pytest.raises(limits.LimitError, match="自身"):
        limits.check_yaml_events("a: &x\n  b: *x\n")


@pytest.mark.parametrize("json_input", [True, False])
def test_nesting_200000_deep_is_refused_before_parsing(json_input):
    text = "[" * 200_000 + "]" * 200_000
    with pytest.raises(PackageError) as caught:
        parse_package(text, "deep", json_input=json_input)
    assert "嵌套" in str(caught.value)


def test_too_many_projects_or_rows_are_refused():
    doc = {"jixiao": 1, "year": 2022, "projects": [{} for _ in range(limits.MAX_PROJECTS + 1)]}
    with pytest.raises(PackageError, match="项目过多"):
        parse_package(json.dumps(doc), "many.json", json_input=True)
    doc = {"jixiao": 1, "year": 2022, "income": [{} for _ in range(limits.MAX_LIST_ITEMS + 1)]}
    with pytest.raises(PackageError, match="income"):
        parse_package(json.dumps(doc), "rows.json", json_input=True)


def _limits(megabytes: int, cpu_seconds: int):
    """Address space and CPU time of the child: over either, the kernel stops it (no timed assertion)."""
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (megabytes * 1024 * 1024, megabytes * 1024 * 1024))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    return apply


def test_jixiao_import_of_a_66_kb_alias_bomb_exits_2_quickly_within_300_mb(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(10_000), encoding="utf-8")
    assert bomb.stat().st_size < 100_000  # the probe's was 66 KB; this one repeats the example's project 10,000 times
    out = tmp_path / "out.yaml"
    run = subprocess.run([sys.executable, "-m", "jixiao.cli", "import", str(bomb), "-o", str(out)], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path, preexec_fn=_limits(300, 5),
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 2, run.stderr
    assert "别名" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists()
