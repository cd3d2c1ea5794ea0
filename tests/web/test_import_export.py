"""Import into a draft (workbook, text, canonical file), its problems listed; export .docx/.xlsx/.json;
uploads that cannot be read or are too large change nothing."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao import services

from .conftest import FIXTURE, client_for, text_of


def _upload(c, pkg, name: str, data: bytes, follow=True):
    pkg.refresh_from_db()
    return c.post(f"/p/{pkg.pk}/import", {"file": SimpleUploadedFile(name, data), "version": pkg.version}, follow=follow)


def test_a_filled_workbook_replaces_the_draft(world, tmp_path):
    pkg, c = world["package"], client_for(world["preparer"])
    other = services.read(path=FIXTURE)
    other.unit.contact = "王五"
    other.projects[0].indicators[0].actual = services.read(path=FIXTURE).projects[0].indicators[0].actual
    workbook = services.render(package=other, outdir=tmp_path, charts=False).xlsx
    r = _upload(c, pkg, "自评表.xlsx", workbook.read_bytes())
    assert "已从“自评表.xlsx”导入草稿" in r.content.decode()
    pkg.refresh_from_db()
    assert pkg.draft["unit"]["contact"] == "王五" and pkg.version == 2
    assert pkg.draft["profile"] == "national-2020"  # the task's profile
    contact = pkg.edits.get(kind="import", path="unit.contact")
    assert (contact.old, contact.new, contact.user) == ("张三", "王五", world["preparer"])


def test_an_unreadable_workbook_lists_its_problems_and_changes_nothing(world):
    pkg, c = world["package"], client_for(world["preparer"])
    before = pkg.draft
    r = _upload(c, pkg, "坏的.xlsx", b"PK\x03\x04 this is not a workbook")
    assert r.status_code == 422
    assert "无法读取“坏的.xlsx”" in text_of(r.content.decode(), "main")
    pkg.refresh_from_db()
    assert pkg.draft == before and pkg.version == 1


def test_a_canonical_file_with_bad_fields_names_each_field(world):
    pkg, c = world["package"], client_for(world["preparer"])
    bad = FIXTURE.read_text(encoding="utf-8").replace("actual: 800亩, weight: 50", "actual: 800亩, weight: 很多")
    r = _upload(c, pkg, "数据包.yaml", bad.encode())
    assert r.status_code == 422
    assert "projects[0].indicators[0].weight" in r.content.decode()
    pkg.refresh_from_db()
    assert pkg.version == 1


def test_an_upload_too_large_gets_a_chinese_413(world, settings):
    settings.JIXIAO_MAX_UPLOAD_BYTES = 1024
    pkg, c = world["package"], client_for(world["preparer"])
    r = _upload(c, pkg, "大文件.txt", b"x" * (400 * 1024), follow=False)
    assert r.status_code == 413 and "过大" in r.content.decode()
    pkg.refresh_from_db()
    assert pkg.version == 1


def test_an_unsupported_type_is_refused(world):
    pkg, c = world["package"], client_for(world["preparer"])
    r = _upload(c, pkg, "照片.png", b"\x89PNG")
    assert r.status_code == 422 and "不支持此文件类型" in r.content.decode()


def test_exports_carry_the_draft(world):
    pkg, c = world["package"], client_for(world["preparer"])
    r = c.get(f"/p/{pkg.pk}/export/json")
    assert json.loads(b"".join(r.streaming_content) if r.streaming else r.content)["unit"]["name"] == "某县林业局"
    for fmt, magic in (("docx", b"PK"), ("xlsx", b"PK")):
        r = c.get(f"/p/{pkg.pk}/export/{fmt}")
        assert r.status_code == 200 and r.content.startswith(magic)
        assert f"301001-2023.{fmt}" in r["Content-Disposition"]
    from django.conf import settings

    assert not any((settings.MEDIA_ROOT / "tmp").iterdir())  # nothing of the package left on disk
