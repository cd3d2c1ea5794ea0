"""Fixtures of the web suite: a bureau, two units, their users, a task and the packages, built from
small Chinese YAML packages through the same services the app uses."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("JIXIAO_VAR", str(Path(__file__).resolve().parents[2] / "out" / "test-var"))

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "web" / "某县林业局_2023.yaml"
PASSWORD = "测试-password-1"


def canonical(path: Path = FIXTURE) -> dict:
    from jixiao import services
    from jixiao.web.drafts import fields

    return fields.jsonable(services.to_canonical(package=services.read(path=path)))


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    """Uploads and generated files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def world(db):
    """Two units of one bureau, each with a preparer and a head, and one package each."""
    from django.contrib.auth.hashers import make_password

    from jixiao.web.models import Bureau, EvaluationTask, Package, Role, Status, Unit, User

    bureau = Bureau.objects.create(name="某县财政局", region_code="430000")
    forestry = Unit.objects.create(bureau=bureau, name="某县林业局", budget_code="301001")
    water = Unit.objects.create(bureau=bureau, name="某县水利局", budget_code="301002")
    task = EvaluationTask.objects.create(bureau=bureau, year=2023, title="2023年度自评", profile="national-2020",
                                         deadline=date(2024, 6, 30))
    task.units.add(forestry, water)
    pw = make_password(PASSWORD)
    users = {
        "preparer": User.objects.create(username="lin_tb", display_name="林填报", role=Role.PREPARER, unit=forestry, password=pw),
        "head": User.objects.create(username="lin_fz", display_name="林负责", role=Role.UNIT_HEAD, unit=forestry, password=pw),
        "other": User.objects.create(username="shui_tb", display_name="水填报", role=Role.PREPARER, unit=water, password=pw),
        "other_head": User.objects.create(username="shui_fz", display_name="水负责", role=Role.UNIT_HEAD, unit=water, password=pw),
        "bureau": User.objects.create(username="czj", display_name="财政局", role=Role.BUREAU_PERFORMANCE, bureau=bureau, password=pw),
    }
    doc = canonical()
    pkg = Package.objects.create(task=task, unit=forestry, draft=doc, version=1, status=Status.DRAFT)
    other_pkg = Package.objects.create(task=task, unit=water, draft=canonical(), version=1, status=Status.DRAFT)
    return {"bureau": bureau, "task": task, "package": pkg, "other_package": other_pkg, **users}


def client_for(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def post_edit(client, pkg, path: str, value: str, version: int | None = None, form: str = ""):
    pkg.refresh_from_db()
    return client.post(f"/p/{pkg.pk}/edit", {"path": path, "value": value, "form": form,
                                             "version": pkg.version if version is None else version},
                       HTTP_HX_REQUEST="true")


def text_of(html: str, element_id: str) -> str:
    """The text of the element with this id (nested elements included), whitespace collapsed."""
    from html.parser import HTMLParser

    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth, self.parts, self.found = 0, [], False

        def handle_starttag(self, tag, attrs):
            if tag in ("input", "br", "img", "meta", "link", "hr"):
                return
            if self.depth:
                self.depth += 1
            elif dict(attrs).get("id") == element_id and not self.found:
                self.depth, self.found = 1, True

        def handle_startendtag(self, tag, attrs):
            pass

        def handle_endtag(self, tag):
            if self.depth:
                self.depth -= 1

        def handle_data(self, data):
            if self.depth:
                self.parts.append(data)

    p = P()
    p.feed(html)
    assert p.found, f"no #{element_id} in the page"
    return " ".join("".join(p.parts).split())


# --- the browser tests: Playwright driving Debian's chromium (no browser download is possible) ------

CHROMIUM = os.environ.get("JIXIAO_CHROMIUM", "/usr/bin/chromium")
OUT = Path(__file__).resolve().parents[2] / "out"
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM} (make setup installs it)"),
]


def screens(module) -> Path:
    """The module's screenshot folder (`SCREENS`), emptied for this run."""
    import shutil

    shutil.rmtree(module.SCREENS, ignore_errors=True)
    module.SCREENS.mkdir(parents=True)
    return module.SCREENS


@pytest.fixture
def browser(live_server, request):
    """(chromium, the live server's address); the module's screenshot folder emptied first."""
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs beside the ORM in this thread
    screens(request.module)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b, live_server.url
        b.close()


def new_page(b, viewport: tuple[int, int] = (1366, 768)):
    """A page in a context of its own (its own cookies: one signed-in person), in Chinese."""
    context = b.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


@pytest.fixture
def browser_page(browser, request):
    """(page, the live server's address); the module's `VIEWPORT` if it has one."""
    b, base = browser
    yield new_page(b, getattr(request.module, "VIEWPORT", (1366, 768))), base
