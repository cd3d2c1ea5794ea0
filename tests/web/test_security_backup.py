"""`jixiao backup` / `jixiao restore`: a round trip into a new, empty database (SQLite, and
PostgreSQL when a server runs) finds every content hash, every file and the log chain intact."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
import zipfile

import pytest

from jixiao.web import versions
from jixiao.web.models import Submission
from jixiao.web.security import audit
from jixiao.web.security.backup import backup


def _run(args, tmp_path, var: str, db_url: str = "", code: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "DATABASE_URL", "DJANGO_"))}
    env["JIXIAO_VAR"] = str(tmp_path / var)
    if db_url:
        env["DATABASE_URL"] = db_url
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "jixiao.cli", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def backed_up(world, tmp_path, settings):
    """A world with edits, two versions, a return and a generated file; backed up."""
    settings.MEDIA_ROOT = tmp_path / "files"
    pkg = world["package"]
    versions.apply_edit(package_id=pkg.pk, user=world["preparer"], path="unit.contact", raw="林小填", version=1)
    versions.submit(package_id=pkg.pk, user=world["preparer"], version=2)
    versions.return_package(package_id=pkg.pk, user=world["head"], note="请核对", comments=[("unit.contact", "电话？")])
    versions.submit(package_id=pkg.pk, user=world["preparer"], version=2)
    (tmp_path / "files" / "pdf").mkdir(parents=True)
    (tmp_path / "files" / "pdf" / "job-1.pdf").write_bytes(b"%PDF-1.7 \x00\xff" * 100)
    path = tmp_path / "jixiao-backup.zip"
    manifest = backup(path)
    assert manifest["files"] == {"pdf/job-1.pdf": manifest["files"]["pdf/job-1.pdf"]}
    return path, sorted(s.content_hash for s in Submission.objects.all()), audit.verify().entries


def _restored_ok(r, hashes: list, entries: int) -> None:
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"内容摘要：校验 {len(hashes)} 个，全部相符" in r.stdout
    assert f"审计日志：{entries} 条，哈希链完整" in r.stdout


FIND_HASHES = ("import os, django; os.environ['DJANGO_SETTINGS_MODULE']='jixiao.web.settings'; django.setup();"
               "from jixiao.web.models import Submission; from jixiao.web.security import audit;"
               "from jixiao.web.models import User; audit.record('edit', actor=User.objects.first(), new='恢复后');"
               "print(sorted(Submission.objects.values_list('content_hash', flat=True)))")


def test_round_trip_into_an_empty_sqlite_database(backed_up, tmp_path):
    path, hashes, entries = backed_up
    r = _run(["restore", str(path)], tmp_path, "new")
    _restored_ok(r, hashes, entries)
    assert (tmp_path / "new" / "files" / "pdf" / "job-1.pdf").read_bytes() == b"%PDF-1.7 \x00\xff" * 100
    found = _run([], tmp_path, "new", code=FIND_HASHES)  # and the log goes on from where it was
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(hashes)
    v = _run(["verify-log"], tmp_path, "new")
    assert v.returncode == 0 and f"共 {entries + 1} 条" in v.stdout


PG = os.environ.get("JIXIAO_TEST_PG", "postgres://127.0.0.1:5432")


def _pg_available() -> bool:
    return shutil.which("pg_isready") is not None and subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


@pytest.mark.skipif(not _pg_available(), reason="PostgreSQL 未运行")
def test_round_trip_into_an_empty_postgresql_database(backed_up, tmp_path):
    import psycopg

    path, hashes, entries = backed_up
    name = f"jixiao_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG + "/test", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        r = _run(["restore", str(path)], tmp_path, "pg", PG + "/" + name)
        _restored_ok(r, hashes, entries)
        found = _run([], tmp_path, "pg", PG + "/" + name, code=FIND_HASHES)  # sequences reset: new rows insert
        assert found.returncode == 0, found.stderr
        assert found.stdout.strip() == str(hashes)
    finally:
        with psycopg.connect(PG + "/test", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_damaged_backup_is_refused(backed_up, tmp_path):
    path, _, _ = backed_up
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data.replace("林小填".encode(), "林大填".encode()) if item.filename == "data.json" else data)
    r = _run(["restore", str(bad)], tmp_path, "new")
    assert r.returncode == 2 and "已损坏" in r.stderr


def test_restore_refuses_a_database_that_is_not_empty(backed_up, tmp_path):
    path, hashes, entries = backed_up
    _restored_ok(_run(["restore", str(path)], tmp_path, "twice"), hashes, entries)
    r = _run(["restore", str(path)], tmp_path, "twice")
    assert r.returncode == 2 and "不是空的" in r.stderr
