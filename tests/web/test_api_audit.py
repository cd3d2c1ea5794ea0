"""Audit as a service: `POST /api/v1/audit` answers exactly what `jixiao audit --format json` prints
for the same file — findings, summary and coverage — on a .docx written by the app's own writer from
the fixture package, and on the seed document; the upload pages' limits; refusals in the one shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jixiao import services
from tests.conftest import SEED

from .conftest import FIXTURE, api_token

JIXIAO = Path(sys.executable).with_name("jixiao")


def cli_json(path: Path) -> dict:
    """`jixiao audit --format json NAME`, run beside the file (so its path is its name, as uploaded)."""
    run = subprocess.run([str(JIXIAO), "audit", "--format", "json", "--quiet", path.name], cwd=path.parent,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1, 2) and run.stdout, run.stderr  # 2: a document could not be read (still reported)
    return json.loads(run.stdout)


def api_json(world, path: Path) -> tuple[int, dict]:
    c = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(world['bureau'])}")
    r = c.post("/api/v1/audit", {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    return r.status_code, r.json()


@pytest.fixture
def docx(tmp_path) -> Path:
    result = services.render(package=services.read(path=FIXTURE), outdir=tmp_path / "doc", charts=False)
    return Path(result.docx)


def test_the_api_answers_what_the_cli_prints_on_a_docx(world, docx):
    status, answer = api_json(world, docx)
    assert status == 200
    assert answer == cli_json(docx)
    [doc] = answer["documents"]
    assert doc["path"] == docx.name and "coverage" in doc["summary"] and doc["summary"]["coverage"]


def test_the_api_answers_what_the_cli_prints_on_the_seed(world, seed_path, tmp_path):
    copy = tmp_path / "seed" / SEED.name
    copy.parent.mkdir()
    copy.write_bytes(seed_path.read_bytes())
    status, answer = api_json(world, copy)
    assert status == 200 and answer == cli_json(copy)
    assert answer["documents"][0]["findings"]


def test_the_upload_limits_and_refusals(world, settings, tmp_path):
    c = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(world['preparer'])}")
    r = c.post("/api/v1/audit", {"file": SimpleUploadedFile("说明.exe", b"MZ")})
    assert r.status_code == 415 and r.json()["errors"][0]["field"] == "file" and "不支持" in r.json()["detail"]
    r = c.post("/api/v1/audit", {"file": SimpleUploadedFile("空.docx", b"")})
    assert r.status_code == 400 and r.json()["detail"] == "上传的文件是空的"
    r = c.post("/api/v1/audit", {"file": SimpleUploadedFile("坏.zip", b"PK not a zip")})
    assert r.status_code == 400 and "zip" in r.json()["detail"]
    r = c.post("/api/v1/audit", {})
    assert r.status_code == 422 and r.json()["errors"] == [{"field": "file", "message": "缺少文件（file）"}]
    settings.JIXIAO_MAX_UPLOAD_BYTES = 2048
    r = c.post("/api/v1/audit", {"file": SimpleUploadedFile("大.txt", "预算".encode() * 1000)})
    assert r.status_code == 413 and "上限" in r.json()["detail"]
    assert Client().post("/api/v1/audit", {"file": SimpleUploadedFile("a.txt", b"x")}).status_code == 401


def test_a_broken_document_is_reported_not_a_server_error(world, tmp_path):
    bad = tmp_path / "坏.docx"
    bad.write_bytes(b"PK\x03\x04 this is not a document")
    status, answer = api_json(world, bad)
    assert status == 200 and answer == cli_json(bad)
    assert answer["documents"][0]["error"] and str(tmp_path) not in json.dumps(answer, ensure_ascii=False)
