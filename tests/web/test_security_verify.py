"""`jixiao verify FILE`: a downloaded version checked against the SM3 hash the system recorded."""

from __future__ import annotations

import io
import json
import re

import pdfplumber
import pypdfium2
from django.test import Client

from jixiao import integrity, services
from jixiao.cli import main
from jixiao.web import versions

from .conftest import api_token
from .test_publication import needs_office, published  # noqa: F401 - the published package, rendered by the worker


def _download(world, tmp_path):
    """Version 1 as the API hands it out (pretty-printed JSON, the content inside)."""
    from django.test import Client

    sub = versions.submit(package_id=world["package"].pk, user=world["preparer"], version=1)
    token = api_token(world["head"])
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


# --- a published PDF, as the public page serves it -------------------------------------------------


def _served(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@needs_office
def test_a_published_pdf_carries_its_content_hash_and_verifies(published, tmp_path, capsys):  # noqa: F811
    pub = published["package"].publication
    pub.refresh_from_db()
    anon = Client()
    data = _served(anon, "/public/2023/301001/report.pdf")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        subject = pdf.metadata.get("Subject", "")
    assert f"内容摘要（SM3）：{pub.submission.content_hash}" in subject  # in the document properties
    page = anon.get("/public/2023/301001/").content.decode()
    shown = re.search(r'id="pub-pdf-hash">([0-9a-f]{64})<', page).group(1)
    assert shown == integrity.sm3(data)  # the page's file digest is the served file's
    assert pub.submission.content_hash in page and "PDF 文件摘要" in page
    downloaded = tmp_path / "下载的报告.pdf"
    downloaded.write_bytes(data)
    capsys.readouterr()
    assert main(["verify", str(downloaded)]) == 0
    out = capsys.readouterr().out
    assert "一致" in out and "与公开的文件完全相同" in out and "某县林业局2023年度" in out
    assert main(["verify", str(downloaded), "--hash", shown]) == 0
    assert "一致" in capsys.readouterr().out
    # the content hash is not the file's: given as --hash it is refused with the reason
    assert main(["verify", str(downloaded), "--hash", pub.submission.content_hash]) == 1
    assert "PDF 文件摘要" in capsys.readouterr().err

    # a copy edited in a PDF tool (its last page removed), properties and content hash kept
    edited = tmp_path / "改过的报告.pdf"
    doc = pypdfium2.PdfDocument(data)
    doc.del_page(len(doc) - 1)
    doc.save(str(edited))
    doc.close()
    assert services_hash(edited) == pub.submission.content_hash
    assert main(["verify", str(edited)]) == 1
    err = capsys.readouterr().err
    assert "不一致" in err and "下载后可能已被修改" in err and integrity.sm3(data) in err
    assert main(["verify", str(edited), "--hash", shown]) == 1
    assert "不一致" in capsys.readouterr().err
    # a few bytes appended (an incremental update) are a change too
    appended = tmp_path / "追加的报告.pdf"
    appended.write_bytes(data + b"\n%\xe6\x94\xb9\n")
    assert main(["verify", str(appended)]) == 1
    assert "不一致" in capsys.readouterr().err
    # a PDF that cannot be read
    broken = tmp_path / "坏的报告.pdf"
    broken.write_bytes(data[:2000])
    assert main(["verify", str(broken)]) == 2
    assert "无法读取" in capsys.readouterr().err


def services_hash(path) -> str | None:
    return services.embedded_content_hash(data=path.read_bytes())
