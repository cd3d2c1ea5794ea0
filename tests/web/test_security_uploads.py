"""XML bombs through the web's uploads: the import of a draft and the bureau's unit list refuse
them with a Chinese message; nothing is written."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.test_xml_bomb import EXTERNAL, LAUGHS, _docx, _replace, _xlsx

from .conftest import client_for


def test_the_import_refuses_a_billion_laughs_docx(world, tmp_path):
    pkg = world["package"]
    bomb = _replace(_docx(tmp_path), "word/document.xml", LAUGHS, tmp_path / "laughs.docx").read_bytes()
    r = client_for(world["preparer"]).post(f"/p/{pkg.pk}/import", {"file": SimpleUploadedFile("自评报告.docx", bomb),
                                                                   "version": pkg.version})
    html = r.content.decode()
    assert r.status_code == 422 and "XML 炸弹" in html and "文档类型定义" in html
    before = pkg.version
    pkg.refresh_from_db()
    assert pkg.version == before and not pkg.edits.exists()


def test_the_unit_list_refuses_an_external_entity(world, tmp_path):
    bomb = _replace(_xlsx(tmp_path), "xl/sharedStrings.xml", EXTERNAL, tmp_path / "xxe.xlsx").read_bytes()
    tasks = world["task"].bureau.tasks.count()
    r = client_for(world["bureau"]).post("/b/new", {"title": "新任务", "year": "2024", "profile": "national-2020",
                                                   "deadline": "2025-06-30", "file": SimpleUploadedFile("名单.xlsx", bomb)})
    assert r.status_code == 400 and "XML 炸弹" in r.content.decode()
    assert world["task"].bureau.tasks.count() == tasks
