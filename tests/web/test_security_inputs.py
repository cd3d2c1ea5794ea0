"""Input no request may carry (issue 19, finding 6): NUL characters anywhere and JSON nested
200,000 deep get a 400 with a Chinese message, never a server error — on SQLite and on PostgreSQL
(DATABASE_URL=postgres://…, where a NUL in text was a 500)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from .conftest import client_for

CHINESE = "空字符"


def _assert_refused(r, words=CHINESE):
    body = r.content.decode()
    assert r.status_code == 400, (r.status_code, body[:300])
    assert words in body and "Traceback" not in body


def test_anonymous_public_search_with_nul(db):
    _assert_refused(Client().get("/public/", {"q": "林业\x00局"}))
    _assert_refused(Client().get("/public/?q=%00"))


def test_a_nul_in_an_edit_changes_nothing(world):
    pkg = world["package"]
    c = client_for(world["preparer"])
    r = c.post(f"/p/{pkg.pk}/edit", {"path": "unit.contact", "value": "林\x00填", "version": 1, "form": ""},
               HTTP_HX_REQUEST="true")
    _assert_refused(r)
    pkg.refresh_from_db()
    assert pkg.version == 1 and pkg.edits.count() == 0


def test_a_nul_in_a_field_name_or_a_multipart_form(world):
    pkg = world["package"]
    c = client_for(world["preparer"])
    _assert_refused(c.post(f"/p/{pkg.pk}/edit", {"pa\x00th": "x"}))
    _assert_refused(c.post(f"/p/{pkg.pk}/import", {"version": "1", "note": "\x00"}))  # multipart


def test_bureau_search_with_nul(world):
    c = client_for(world["bureau"])
    _assert_refused(c.get(f"/b/t/{world['task'].pk}/", {"q": "\x00"}))


def test_api_json_with_nul(world):
    c = client_for(world["preparer"])
    pkg = world["package"]
    body = json.dumps({"path": "unit.contact", "value": "林\u0000填", "version": 1})
    r = c.post(f"/api/v1/packages/{pkg.pk}/edits", body, content_type="application/json")
    assert r.status_code == 400 and CHINESE in r.json()["detail"]
    pkg.refresh_from_db()
    assert pkg.version == 1


@pytest.mark.parametrize("depth", [65, 200_000])
def test_api_json_nested_deep(world, depth):
    c = client_for(world["preparer"])
    pkg = world["package"]
    body = '{"path": "unit.contact", "value": ' + "[" * depth + "]" * depth + ', "version": 1}'
    r = c.post(f"/api/v1/packages/{pkg.pk}/edits", body, content_type="application/json")
    assert r.status_code == 400 and "嵌套" in r.json()["detail"]


def test_ordinary_input_still_passes(world):
    c = client_for(world["preparer"])
    pkg = world["package"]
    body = json.dumps({"path": "unit.contact", "value": "林小填", "version": 1})
    assert c.post(f"/api/v1/packages/{pkg.pk}/edits", body, content_type="application/json").status_code == 200
    assert Client().get("/public/", {"q": "林业局"}).status_code == 200


# --- huge numbers, bad paths, made-up versions (issue 19, findings 6 and 7) ---------------------------


def test_a_4000_digit_yitihua_amount_is_a_row_error(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.web.models import ExecutionFigure

    huge = "9" * 4000
    data = f"预算编码,单位名称,项目,全年预算数,全年执行数\n301001,,造林补助,{huge},180\n".encode("utf-8-sig")
    r = client_for(world["bureau"]).post(f"/b/t/{world['task'].pk}/execution/", {"file": SimpleUploadedFile("执行.csv", data)},
                                         follow=True)
    body = r.content.decode()
    assert r.status_code == 422 and "第2行" in body and "过大" in body and huge not in body
    assert not ExecutionFigure.objects.exists()


def test_an_invalid_comment_path_is_a_400(world):
    from jixiao.web import versions

    pkg = world["package"]
    versions.submit(package_id=pkg.pk, user=world["preparer"], version=1)
    c = client_for(world["head"])
    for path in ("projects[x", "a..b", "projects[0]]", "x" * 400):
        r = c.post(f"/p/{pkg.pk}/review/", {"action": "comment", "path": path, "text": "请核对"}, follow=True)
        assert r.status_code < 500 and "字段路径无效" in r.content.decode(), (path, r.status_code)
    assert not pkg.comments.exists()


@pytest.mark.parametrize("version", [10**9, 3, 0, -1, "abc"])
def test_a_version_the_package_never_had_is_a_conflict_not_an_overwrite(world, version):
    from .conftest import post_edit

    pkg = world["package"]
    c = client_for(world["preparer"])
    assert post_edit(c, pkg, "unit.contact", "林小填", version=1).status_code == 200  # now at version 2
    r = post_edit(c, pkg, "unit.contact", "伪造的新值", version=version)
    assert r.status_code == 409 and "版本" in r.content.decode()
    pkg.refresh_from_db()
    assert pkg.version == 2 and pkg.draft["unit"]["contact"] == "林小填"


def test_api_version_from_the_future_is_a_conflict(world):
    c = client_for(world["preparer"])
    pkg = world["package"]
    body = json.dumps({"path": "unit.contact", "value": "伪造", "version": 10**9})
    r = c.post(f"/api/v1/packages/{pkg.pk}/edits", body, content_type="application/json")
    # refused as the edit's conflict, naming the version the package never had
    assert r.status_code == 409 and f"第{10**9}版不存在" in r.json()["conflict"]
    pkg.refresh_from_db()
    assert pkg.version == 1
