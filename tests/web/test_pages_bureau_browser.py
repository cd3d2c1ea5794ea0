"""Issue 21 in a real browser at 1366×768, the bureau's and the public pages: none wider than the
window, the unit's figures beside the engine's readable, judged scores not flagged 不一致. A
screenshot of each page kind goes to out/screens-pages-bureau/.
"""

from __future__ import annotations

from .conftest import BROWSER, OUT
from .test_pages_browser import WIDTH, _login, _width

SCREENS = OUT / "screens-pages-bureau"
# the number of lines each element's text runs over (the distinct tops of its text's boxes)
LINES = """els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e);
  return new Set([...r.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top))).size; })"""

pytestmark = BROWSER


def test_the_bureau_and_the_public_pages_fit_1366_pixels(db, browser_page):
    from jixiao.web.demo.units import load_demo
    from jixiao.web.models import Package, Status

    load_demo()
    page, base = browser_page
    sent = Package.objects.filter(status=Status.SUBMITTED).order_by("unit__budget_code").first()
    task = sent.task
    _login(page, base, "jixiaogu")
    pages = [("10-dashboard", f"/b/t/{task.pk}/"), ("11-package", f"/b/p/{sent.pk}/"),
             ("12-forms", f"/b/p/{sent.pk}/forms/"), ("13-spot", f"/b/t/{task.pk}/spot/"),
             ("14-rollup", f"/b/t/{task.pk}/rollup/"), ("15-results-use", f"/b/t/{task.pk}/use/"),
             ("16-tasks", "/b/"), ("17-public", "/public/")]
    for name, url in pages:
        page.goto(base + url)
        assert _width(page) <= WIDTH, f"{url}: {_width(page)} px wide"
        page.screenshot(path=str(SCREENS / f"{name}.png"))
    # the unit's figures beside the engine's: every column readable (no column a character wide)
    page.goto(f"{base}/b/p/{sent.pk}/")
    narrow = page.locator("#b-figures thead th").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
    assert narrow and min(narrow) >= 48, narrow
    assert not page.locator("#b-figures tr:has(td:text-is('评价人判定'))").count()  # only real differences up front
    page.locator("details.figures-rest summary").click()
    judged = page.locator("#b-figures-rest tr:has(td:text-is('评价人判定'))")
    assert judged.count() > 0 and not judged.locator(".bad").count()  # the unit's value stands: no 不一致
    # a verdict and a version's number are read whole, never broken over two lines
    for cell in ("#b-figures td:last-child", "#b-versions td:first-child"):
        lines = page.locator(cell).evaluate_all(LINES)
        assert lines and max(lines) == 1, (cell, lines)
    # findings folded by form, the agreeing figures behind a click: a few screens, not seventeen thousand pixels
    page.locator("details.figures-rest summary").click()
    assert page.evaluate("document.documentElement.scrollHeight") <= 4 * 768


def test_the_bureaus_file_fields_speak_the_pages_language(db, browser_page, tmp_path):
    """The browser's own file control says "Choose File / No file chosen" in its language: each of the
    bureau's upload forms shows a 选择文件 button and the chosen file's name instead (issue 21)."""
    from playwright.sync_api import expect

    from jixiao.web.demo.units import load_demo
    from jixiao.web.models import EvaluationTask

    load_demo()
    page, base = browser_page
    task = EvaluationTask.objects.get()
    _login(page, base, "jixiaogu")
    upload = tmp_path / "单位名单.csv"
    upload.write_text("预算编码,单位名称\n", encoding="utf-8")
    for url, field in ((f"/b/t/{task.pk}/imports/", "#zip-file"), (f"/b/t/{task.pk}/execution/", "#exec-file"),
                       (f"/b/t/{task.pk}/targets/", "#targets-file"), ("/b/new", "#t-file")):
        page.goto(base + url)
        native = page.locator(field).bounding_box()
        assert native["width"] <= 1 and native["height"] <= 1, (url, native)  # the browser's control out of sight
        expect(page.locator(f"label.file-button[for='{field[1:]}']")).to_have_text("选择文件")
        expect(page.locator(f"{field}-name")).to_have_text("未选择文件")
        page.set_input_files(field, str(upload))
        expect(page.locator(f"{field}-name")).to_have_text("单位名单.csv")
        page.focus(field)  # still reached by the keyboard, its focus shown on the button
        outline = page.locator(f"label.file-button[for='{field[1:]}']").evaluate("e => getComputedStyle(e).outlineStyle")
        assert outline == "solid", url
    page.screenshot(path=str(SCREENS / "18-file-field.png"))
