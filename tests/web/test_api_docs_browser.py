"""The API's documentation page in a real browser (Playwright driving /usr/bin/chromium): a bureau
user finds it in the navigation; the page, rendered on the server from the schema, shows every topic,
its table of contents lands on each, it fits 1366 px, under the site's Content-Security-Policy with no
violation and nothing fetched from another host. Screenshots go to out/screens-api/."""

from __future__ import annotations

from .conftest import BROWSER, OUT

SCREENS = OUT / "screens-api"

pytestmark = BROWSER


def test_the_docs_page_draws_the_schema_under_the_policy(db, browser_page):
    from playwright.sync_api import expect

    from jixiao.web.api.endpoints import api
    from jixiao.web.demo.units import load_demo

    load_demo()
    page, base = browser_page
    problems, hosts = [], set()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    page.goto(base + "/login/")
    page.fill("#id_username", "jixiaogu")
    page.fill("#id_password", "jixiao-demo")
    page.click("button:has-text('登录')")
    page.wait_for_url(base + "/")
    page.click("header a:has-text('接口文档')")
    page.wait_for_url(base + "/api/v1/docs")
    expect(page.locator("h1")).to_have_text("绩效自评系统接口文档")
    tags = {op["tags"][0] for ops in api.get_openapi_schema()["paths"].values() for op in ops.values()}
    expect(page.locator(".apidoc-topic")).to_have_count(len(tags))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # no sideways scrolling
    page.screenshot(path=str(SCREENS / "01-docs.png"), full_page=False)
    page.click(".apidoc-nav a:has-text('财政局：审核')")
    heading = page.locator(".apidoc-topic h2:has-text('财政局：审核')")
    expect(heading).to_be_in_viewport()
    page.wait_for_timeout(1300)  # the landing mark's flash (app.js) has faded
    page.screenshot(path=str(SCREENS / "02-reviews.png"), full_page=False)
    page.click(".apidoc-op a[href='#s-EditIn'], .apidoc-op a[href^='#s-']")  # a structure named in an operation
    expect(page.locator(".apidoc-structure:target")).to_be_in_viewport()
    page.wait_for_timeout(1300)
    page.screenshot(path=str(SCREENS / "03-structure.png"), full_page=False)
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert hosts == {base.split("/")[2]}, hosts  # no CDN: everything from the site itself
