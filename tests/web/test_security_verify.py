"""`jixiao verify FILE`: a downloaded version checked against the SM3 hash the system recorded."""

from __future__ import annotations

import json

from jixiao import integrity
from jixiao.cli import main
from jixiao.web import versions
from jixiao.web.models import ApiToken


def _download(world, tmp_path):
    """Version 1 as the API hands it out (pretty-printed JSON, the content inside)."""
    from django.test import Client

    sub = versions.submit(package_id=world["package"].pk, user=world["preparer"], version=1)
    token = ApiToken.issue(world["head"])
    r = Client().get(f"/api/v1/packages/{world['package'].pk}/versions/1", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200
    f = tmp_path / "第1版.json"
    f.write_text(json.dumps(r.json(), ensure_ascii=False, indent=2), encoding="utf-8")
    return sub, f


def test_a_downloaded_version_is_found_by_its_hash(world, tmp_path, capsys):
    sub, f = _download(world, tmp_path)
    assert sub.hash_algorithm == "SM3" and sub.content_hash == integrity.sm3(versions.content_bytes(sub.content))
    assert main(["verify", str(f)]) == 0
    out = capsys.readouterr().out
    assert "一致" in out and sub.content_hash in out and "某县林业局" in out and "第1版" in out


def test_a_changed_document_is_not_found(world, tmp_path, capsys):
    _, f = _download(world, tmp_path)
    doc = json.loads(f.read_text(encoding="utf-8"))
    doc["content"]["unit"]["name"] = "某县林业局（改）"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["verify", str(f)]) == 1
    assert "未找到" in capsys.readouterr().err


def test_against_a_published_hash(world, tmp_path, capsys):
    f = tmp_path / "报告.pdf"
    f.write_bytes(b"%PDF-1.7 \xe6\x8a\xa5\xe5\x91\x8a")
    good = integrity.sm3(f.read_bytes())
    assert main(["verify", str(f), "--hash", good.upper()]) == 0
    assert "一致" in capsys.readouterr().out
    assert main(["verify", str(f), "--hash", "0" * 64]) == 1
    assert "不一致" in capsys.readouterr().err
    assert main(["verify", str(f), "--hash", "abc"]) == 2
    assert main(["verify", str(tmp_path / "没有这个文件.pdf")]) == 2
    assert "无法读取" in capsys.readouterr().err
