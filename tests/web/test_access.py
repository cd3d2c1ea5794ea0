"""Every page and API endpoint refuses a user of another unit (and an anonymous visitor).

The table below has one row per URL pattern; `test_every_url_has_a_row` fails when a new URL is
added without one, so no endpoint escapes the check."""

import json

import pytest
from django.urls import get_resolver

from jixiao.web.models import RenderJob

from .conftest import api_token, client_for

# name → (method, path template, data). {pk} is the package, {job} a render job of it.
PAGES = {
    "package": ("get", "/p/{pk}/", None),
    "form": ("get", "/p/{pk}/f/cover/", None),
    "edit": ("post", "/p/{pk}/edit", {"path": "unit.contact", "value": "外人", "version": 1}),
    "structure": ("post", "/p/{pk}/structure", {"op": "add", "path": "projects", "version": 1}),
    "trace": ("get", "/p/{pk}/trace?path=overall.total", None),
    "import": ("get", "/p/{pk}/import", None),
    "adopt": ("post", "/p/{pk}/adopt", {"version": 1}),
    "export": ("get", "/p/{pk}/export/json", None),
    "pdf": ("post", "/p/{pk}/pdf", {}),
    "pdf_status": ("get", "/p/{pk}/pdf/{job}", None),
    "pdf_download": ("get", "/p/{pk}/pdf/{job}/download", None),
    "submit": ("post", "/p/{pk}/submit", {"version": 1}),
    "review": ("get", "/p/{pk}/review/", None),
    "review_form": ("post", "/p/{pk}/review/cover/", {"action": "comment", "path": "", "text": "外人"}),
    "versions": ("get", "/p/{pk}/versions/", None),
    "compare": ("get", "/p/{pk}/compare/?a=draft&b=draft", None),
    # a 主管部门's pages of its subordinate units (the world's package is nobody's department: 404 to all)
    "dept_units": ("post", "/p/{pk}/units/", {"deadline": "2025-01-01"}),
    "dept_unit": ("post", "/p/{pk}/units/{pk}/", {"action": "approve"}),
    "dept_unit_form": ("get", "/p/{pk}/units/{pk}/f/cover/", None),
    "dept_unit_trace": ("get", "/p/{pk}/units/{pk}/trace?path=overall.total", None),
    "dept_rollup": ("post", "/p/{pk}/rollup/", {}),
}
OPEN = {"home", "login", "logout", "health"}  # pages with no package in them

API = {
    "get_package": ("get", "/api/v1/packages/{pk}", None),
    "figures": ("get", "/api/v1/packages/{pk}/figures", None),
    "findings": ("get", "/api/v1/packages/{pk}/findings", None),
    "post_edit": ("post", "/api/v1/packages/{pk}/edits", {"path": "unit.contact", "value": "外人", "version": 1}),
    "post_submit": ("post", "/api/v1/packages/{pk}/submit", {"version": 1}),
    "list_versions": ("get", "/api/v1/packages/{pk}/versions", None),
    "get_version": ("get", "/api/v1/packages/{pk}/versions/1", None),
    "post_import": ("post", "/api/v1/packages/{pk}/import", "upload"),
}
API_OPEN = {"list_packages"}  # lists only the caller's own packages (tested below)


def _url(template: str, world) -> str:
    pkg = world["package"]
    job = RenderJob.objects.get_or_create(package=pkg, requested_by=world["preparer"], defaults={"state": "done", "file": "x.pdf"})[0]
    return template.format(pk=pkg.pk, job=job.pk)


def _unchanged(world) -> None:
    pkg = world["package"]
    before = pkg.draft
    pkg.refresh_from_db()
    assert pkg.draft == before and pkg.version == 1 and pkg.status == "draft"
    assert not pkg.comments.exists() and not pkg.submissions.exists()


def test_every_url_has_a_row():
    from jixiao.web.bureau import urls as bureau_urls
    from jixiao.web.public import urls as public_urls

    names = {p.name for p in get_resolver("jixiao.web.urls").url_patterns if getattr(p, "name", None)}
    # the bureau's and the public pages, and the unit's 整改 notices, have their rows in test_bureau_access.py
    elsewhere = {p.name for p in bureau_urls.urlpatterns + public_urls.urlpatterns} | {"rectifications"}
    assert names - elsewhere - set(PAGES) - OPEN == set(), "a URL without a row in the access table"
    from jixiao.web.api.endpoints import api

    ops = {op.view_func.__name__ for pv in api._routers[0][1].path_operations.values() for op in pv.operations}
    assert ops - set(API) - API_OPEN == set(), "an API operation without a row in the access table"


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("who", ["other", "other_head", "bureau"])
def test_pages_refuse_another_unit(world, name, who):
    method, template, data = PAGES[name]
    r = getattr(client_for(world[who]), method)(_url(template, world), data or {})
    assert r.status_code == 404
    assert "无权查看" in r.content.decode()
    _unchanged(world)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_send_anonymous_visitors_to_login(world, name):
    from django.test import Client

    method, template, data = PAGES[name]
    r = getattr(Client(), method)(_url(template, world), data or {})
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    _unchanged(world)


@pytest.mark.parametrize("name", sorted(API))
def test_api_refuses_another_unit(world, name):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    method, template, data = API[name]
    token = api_token(world["other"])
    c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = _url(template, world)
    if data == "upload":
        r = c.post(url, {"file": SimpleUploadedFile("a.json", b"{}"), "version": "1"})
    elif method == "post":
        r = c.post(url, json.dumps(data), content_type="application/json")
    else:
        r = c.get(url)
    assert r.status_code == 404
    assert "无权查看" in r.json()["detail"]
    # without a token at all: 401
    anon = getattr(Client(), method)(url)
    assert anon.status_code == 401
    _unchanged(world)


def test_api_lists_only_the_callers_packages(world):
    from django.test import Client

    token = api_token(world["preparer"])
    r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/packages")
    assert r.status_code == 200
    assert [p["unit"] for p in r.json()] == ["某县林业局"]
    assert Client(HTTP_AUTHORIZATION="Bearer 伪造的令牌".encode().hex()).get("/api/v1/packages").status_code == 401


def test_home_lists_only_the_users_unit(world):
    html = client_for(world["other"]).get("/").content.decode()
    assert "某县水利局" in html and "某县林业局" not in html
