"""Stale writes are refused on every path — a page's field edit, the API, an import's apply, a
structure change — naming both values and who changed the field; a version ahead of the package's
is refused too. Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.web.security import tokens
from jixiao.web.security.models import ApiToken

from .conftest import canonical, client_for, text_of


def _edit(client, pkg, path: str, value: str, version: int, seen: int | None = None):
    data = {"path": path, "value": value, "version": version}
    if seen is not None:
        data["seen"] = seen  # what app.js sends: the version this field was last seen at
    return client.post(f"/p/{pkg.pk}/edit", data, HTTP_HX_REQUEST="true")


def test_a_stale_tab_that_saved_another_field_still_gets_the_conflict(world):
    """Two pages on one package at version 1. The first saves 联系人. The second saves another field
    (its page version moves on to the current one) and then 联系人: refused, naming the other value
    and who entered it; the first page's value stays."""
    pkg = world["package"]
    first, second = client_for(world["preparer"]), client_for(world["preparer"])
    assert _edit(first, pkg, "unit.contact", "王五", version=1, seen=1).status_code == 200
    r = _edit(second, pkg, "unit.phone", "0743-1234567", version=1, seen=1)
    assert r.status_code == 200
    pkg.refresh_from_db()
    assert pkg.version == 3
    r = _edit(second, pkg, "unit.contact", "李四", version=3, seen=1)
    assert r.status_code == 409
    message = text_of(r.content.decode(), "ws-message")
    assert "林填报已把此处改为“王五”" in message and "李四" in message and "第3版" in message
    pkg.refresh_from_db()
    assert pkg.draft["unit"]["contact"] == "王五" and pkg.draft["unit"]["phone"] == "0743-1234567"
    # "keep mine" (the conflict's button) posts the current version: then it is saved
    assert _edit(second, pkg, "unit.contact", "李四", version=3).status_code == 200


def test_a_version_ahead_of_the_package_is_a_conflict_on_the_page_and_the_api(world):
    pkg = world["package"]
    r = _edit(client_for(world["preparer"]), pkg, "unit.contact", "王五", version=7)
    assert r.status_code == 409 and "第7版不存在" in text_of(r.content.decode(), "ws-message")
    from django.test import Client

    token = tokens.issue(user=world["preparer"], name="测试", scope=ApiToken.Scope.WRITE).token
    r = Client().post(f"/api/v1/packages/{pkg.pk}/edits", json.dumps({"path": "unit.contact", "value": "王五", "version": 7}),
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 409 and "第7版不存在" in r.json()["conflict"]
    pkg.refresh_from_db()
    assert pkg.version == 1 and pkg.draft["unit"]["contact"] == "张三"


def test_a_structure_change_on_a_stale_page_names_who_changed_what(world):
    pkg, c = world["package"], client_for(world["preparer"])
    _edit(client_for(world["preparer"]), pkg, "projects[0].indicators[0].actual", "700亩", version=1)
    r = c.post(f"/p/{pkg.pk}/structure", {"op": "remove", "path": "projects[0].indicators[0]", "version": 1,
                                         "form": "project-0"}, follow=True)
    text = r.content.decode()
    assert "调整表格失败：您打开页面后，林填报已把“附件4 造林补助 › " in text and "“700亩”" in text
    pkg.refresh_from_db()
    assert len(pkg.draft["projects"][0]["indicators"]) == 3


def test_an_import_preview_applied_after_the_field_changed_is_refused(world):
    pkg, c = world["package"], client_for(world["preparer"])
    changed = canonical()
    changed["unit"]["contact"] = "王五"
    upload = SimpleUploadedFile("草稿.json", json.dumps(changed, ensure_ascii=False).encode("utf-8"))
    html = c.post(f"/p/{pkg.pk}/import", {"file": upload}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    _edit(client_for(world["preparer"]), pkg, "unit.contact", "李四", version=1)  # another page, meanwhile
    r = c.post(f"/p/{pkg.pk}/import", {"token": token, "apply": ["0"]})
    assert r.status_code == 409
    text = text_of(r.content.decode(), "main")
    assert "导入失败：您打开页面后，林填报已把“自评报告 › 联系人”改为“李四”" in text
    pkg.refresh_from_db()
    assert pkg.draft["unit"]["contact"] == "李四"


def test_an_import_preview_cannot_be_forged_or_reused_on_another_package(world):
    pkg, c = world["package"], client_for(world["preparer"])
    r = c.post(f"/p/{pkg.pk}/import", {"token": "forged:token", "apply": ["0"]})
    assert r.status_code == 400 and "导入预览无效" in r.content.decode()
    pkg.refresh_from_db()
    assert pkg.version == 1
