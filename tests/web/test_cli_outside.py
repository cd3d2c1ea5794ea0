"""Every command that reads an installation's data, run outside the folder where jixiao is deployed
(issue 19, finding 10): a Chinese message, exit 2, no traceback, and nothing written there —
formerly `jixiao verify` printed "no such table: web_submission" and left a new database behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args, cwd: Path, **env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "DATABASE_URL", "DJANGO_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


COMMANDS = [
    ["verify", "report.json"],
    ["verify-log"],
    ["export-log", "--format", "json"],
    ["backup", "backup.zip"],
    ["manage", "api_token", "somebody"],
    ["manage", "admin_account", "somebody", "--role", "审计管理员"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_outside_the_project_folder(tmp_path, args):
    (tmp_path / "report.json").write_text('{"content": {}}', encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    r = _run(args, tmp_path)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "找不到 jixiao 的数据库" in r.stderr and "Traceback" not in r.stderr + r.stdout
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no var/, no database, no backup file


def test_an_empty_database_file_is_named_not_a_traceback(tmp_path):
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    r = _run(["verify-log"], tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert r.returncode == 2 and "没有 jixiao 的数据表" in r.stderr and "Traceback" not in r.stderr
