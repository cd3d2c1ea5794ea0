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
