"""What anonymous readers get — the public page, the published PDF and .docx, the open data — is the
masked copy of the accepted version: no telephone number in any spacing or punctuation, the
evaluation team without names and posts. Read back from the files as a reader gets them."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import date

import pytest

from jixiao.web.drafts import fields
from jixiao.web.models import Package
from jixiao.web.publication import mask_name, mask_phones, published_content

from .conftest import client_for
from .test_bureau import send

PHONES = ["13812345678", "15901285480", "01085234567", "07438221234"]  # as digits, whatever the spacing


@pytest.mark.parametrize("text, shown", [
    ("15901285480", "159****80"),
    ("联系电话：138 1234 5678。", "联系电话：138****78。"),
    ("138-1234-5678", "138****78"),
    ("+86 138 1234 5678", "861****78"),
    ("电话 0743-8221234，传真", "电话 074****34，传真"),
    ("(010) 8523 4567", "010****67"),
    ("（0743）8221234", "074****34"),
    ("010-85234567转123", "010****23"),
    ("电话：8221234", "电话：822****34"),
])
def test_telephone_numbers_are_masked_in_any_spacing(text, shown):
    assert mask_phones(text) == shown


@pytest.mark.parametrize("text", [
    "资金 1234.56 万元，共 12 人", "2022-12-31", "2022年12月31日", "预算编码 301001", "支出 1,066.75 万元",
    "执行率 98.53%", "全年执行数 13812345.67 元", "文号 湘财绩〔2023〕12号", "项目 20230101001 号",
])
def test_figures_dates_and_codes_are_not_telephone_numbers(text):
    assert mask_phones(text) == text


def test_the_team_is_shown_by_family_name_without_posts():
    content = {"unit": {"name": "某局", "contact": "张三", "phone": "15901285480"},
               "evaluators": [{"name": "杨再贵", "title": "联络处副主任", "org": "某局"}, {"name": "罗琳", "title": "会计"}],
               "narrative": {"achievements": "咨询 138 1234 5678"}, "overall": {"funds": [{"budget": "13812345678"}]}}
    masked = published_content(content)
    assert masked["evaluators"] == [{"name": "杨某某", "title": "", "org": "某局"}, {"name": "罗某", "title": ""}]
    assert masked["unit"] == {"name": "某局", "contact": "张三", "phone": "159****80"}
    assert masked["narrative"]["achievements"] == "咨询 138****78"
    assert masked["overall"]["funds"][0]["budget"] == "13812345678"  # an amount field keeps its figure
    assert content["unit"]["phone"] == "15901285480"  # the version itself is not changed
    assert mask_name("") == ""


def _no_phone(text: str) -> list[str]:
    """The numbers of PHONES that survive in `text`, allowing any separators between their digits."""
    return [p for p in PHONES if re.search(r"\D{0,3}".join(p), text)]


@pytest.fixture
def published(transactional_db, world):
    """The forestry bureau's package with telephone numbers in four places and a named team, sent,
    accepted (the opinion quoting a mobile number), published and rendered by the worker."""
    from django.core.management import call_command

    from jixiao.web.review import services as bureau_services

    pkg = world["package"]
    doc = fields.put(pkg.draft, "unit.phone", "138 1234 5678")
    doc = fields.put(doc, "narrative.achievements", "完成造林任务。咨询电话（010）8523 4567，监督电话 0743-8221234。")
    doc = fields.put(doc, "evaluators", [{"name": "杨再贵", "title": "联络处副主任", "org": "某县林业局"},
                                    {"name": "罗琳", "title": "办公室主任", "org": "某县林业局"}])
    Package.objects.filter(pk=pkg.pk).update(draft=doc)
    send(pkg, world["preparer"], world["head"])
    number = pkg.submissions.filter(state="approved").order_by("-number").first().number
    bureau_services.accept(package_id=pkg.pk, user=world["bureau"], version=number, opinion="同意。联系人手机 159-0128-5480。",
              signer="王审核", signed_on=date(2024, 7, 1))
    bureau_services.publish(package_id=pkg.pk, user=world["bureau"])
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    pkg.refresh_from_db()
    return world | {"content": pkg.publication.submission.content}


needs_office = pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                                  reason="LibreOffice is not installed")


@needs_office
def test_no_telephone_number_survives_in_the_published_pdf_docx_page_or_open_data(published):
    import pdfplumber
    from django.test import Client
    from docx import Document

    assert len(_no_phone(str(published["content"]))) == 4  # the accepted version holds all four
    anon = Client()
    page = anon.get("/public/2023/301001/").content.decode()
    assert not _no_phone(page) and "138****78" in page
    response = anon.get("/public/2023/301001/report.pdf")
    assert response.status_code == 200
    with pdfplumber.open(io.BytesIO(b"".join(response.streaming_content))) as pdf:
        pdf_text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert "某县林业局" in pdf_text and "138****78" in pdf_text
    assert not _no_phone(pdf_text), "a telephone number in the public PDF"
    assert "联络处副主任" not in pdf_text and "杨再贵" not in pdf_text and "杨某某" in pdf_text
    response = anon.get("/public/2023/301001/report.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    docx_text = "\n".join([p.text for p in document.paragraphs]
                          + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "010****67" in docx_text and not _no_phone(docx_text)
    assert "办公室主任" not in docx_text and "罗琳" not in docx_text
    archive = zipfile.ZipFile(io.BytesIO(anon.get("/public/2023/opendata.zip").content))
    open_text = "\n".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    assert "某县林业局" in open_text and not _no_phone(open_text)


def test_the_bureau_still_reads_the_version_unmasked(world):
    pkg = world["package"]
    Package.objects.filter(pk=pkg.pk).update(draft=fields.put(pkg.draft, "unit.phone", "15901285480"))
    send(pkg, world["preparer"], world["head"])
    html = client_for(world["bureau"]).get(f"/b/p/{pkg.pk}/forms/", follow=True).content.decode()
    assert "15901285480" in html  # masking is for the public, not for the reviewers
