"""The editor's merges and conflicts in a real browser (chromium, 1366×768), on the sample package:

- export the workbook, change one cell with openpyxl, import it: the preview lists that one field
  with both values, and applying it changes only that field;
- two pages on one field: the second page, after saving another field, saves the same field and
  gets the conflict naming the first page's value; the first page's value stays;
- the sample's stated figures shown beside the computed ones; 采用计算数 on one of them.

Screenshots go to out/screens-editor-shots/.
"""

from __future__ import annotations

import io
import re

import pytest

from .conftest import BROWSER, OUT, PASSWORD, new_page

SCREENS = OUT / "screens-editor"  # emptied by the browser fixture before each test
SHOTS = OUT / "screens-editor-shots"  # every test's screenshots, kept side by side


def shot(page, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)

pytestmark = BROWSER


@pytest.fixture
def sample(db):
    from .test_stated_figures import make_sample

    return make_sample(PASSWORD)


def _login(page, base: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", "tb")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(base + "/")


def _type(page, element_id: str, value: str) -> None:
    field = page.locator(f"#{element_id}")
    field.fill(value)
    field.press("Tab")


def test_export_edit_one_cell_import_with_preview_changes_only_that_field(sample, browser, tmp_path):
    import openpyxl
    from playwright.sync_api import expect

    package, _ = sample
    b, base = browser
    page = new_page(b)
    _login(page, base)
    page.goto(f"{base}/p/{package.pk}/f/cover/")
    page.click("details.export summary")
    with page.expect_download() as download:
        page.click("a:has-text('自评表（.xlsx）')")
    exported = tmp_path / "导出.xlsx"
    download.value.save_as(exported)
    workbook = openpyxl.load_workbook(exported)
    sheet = workbook["附件4-公务接待拨款"]
    assert sheet["B7"].value.endswith("当年财政拨款") and sheet["F5"].value == "全年执行数" and sheet["F7"].value == 3.16
    sheet["F7"] = 20.5
    edited = tmp_path / "改过一格.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    edited.write_bytes(buffer.getvalue())

    package.refresh_from_db()
    before = package.draft
    page.goto(f"{base}/p/{package.pk}/import")
    picker = page.locator(".file-pick")
    expect(picker).to_have_text(re.compile(r"^\s*选择文件\s*未选择文件\s*$"))  # the browser's own words hidden
    assert page.locator("#file").bounding_box()["width"] <= 1
    page.set_input_files("#file", str(edited))
    expect(page.locator("#file-name")).to_have_text("改过一格.xlsx")
    page.click("button:has-text('预览改动')")
    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("将改动草稿中的 1 处")
    rows = preview.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("附件4 公务接待拨款 › 当年财政拨款·全年执行数")
    expect(rows.first.locator("td.old")).to_have_text("3.16")
    expect(rows.first.locator("td.new")).to_have_text("20.50")  # as the form prints it
    expect(preview).to_contain_text("当前草稿（已保存")  # draft saves are not versions
    shot(page, "01-import-preview", full_page=True)
    page.click("button:has-text('导入勾选的改动')")
    expect(page.locator(".flash")).to_contain_text("导入 1 处改动")

    package.refresh_from_db()
    imported = package.edits.filter(kind="import").exclude(path="")
    assert [(e.path, e.old, e.new) for e in imported] == [("projects[0].funds[1].executed", "3.16", "20.5")]
    moved = set(package.edits.filter(kind="computed").values_list("path", flat=True))
    from jixiao.web.drafts.merge import changes

    assert {p for p, _, _ in changes(before, package.draft)} - moved == {"projects[0].funds[1].executed"}
    assert all(p.startswith("projects[0].") for p in moved)  # only figures of that project followed
    page.goto(f"{base}/p/{package.pk}/f/project-0/")
    field = page.locator("#f-projects-0-funds-1-executed")
    expect(field).to_have_value("20.50")  # shown as the form prints it while not being edited
    expect(field).to_have_attribute("data-raw", "20.5")  # what the file said, kept as entered
    shot(page, "02-after-import")


def test_two_pages_on_one_field_the_second_save_gets_the_conflict(sample, browser):
    from playwright.sync_api import expect

    package, _ = sample
    b, base = browser
    first, second = new_page(b), new_page(b)
    for page in (first, second):
        _login(page, base)
        page.goto(f"{base}/p/{package.pk}/f/project-0/")
    _type(first, "f-projects-0-indicators-0-actual", "350批次")
    expect(first.locator("#ws-message")).to_contain_text("已保存")
    # the second page saves another field first: its page version moves on to the current one
    _type(second, "f-projects-0-indicators-1-actual", "1600人次")
    expect(second.locator("#ws-message")).to_contain_text("已保存")
    _type(second, "f-projects-0-indicators-0-actual", "360批次")
    message = second.locator("#ws-message")
    expect(message).to_contain_text("保存失败")
    expect(message).to_contain_text("样本填报已把此处改为“350批次”")
    expect(second.locator("#err-projects-0-indicators-0-actual")).to_contain_text("仍以我填写的“360批次”为准")
    second.locator("#f-projects-0-indicators-0-actual").scroll_into_view_if_needed()
    shot(second, "03-second-page-conflict")
    package.refresh_from_db()
    indicators = package.draft["projects"][0]["indicators"]
    assert indicators[0]["actual"] == "350批次" and indicators[1]["actual"] == "1600人次"
    # the second page keeps its entry on purpose: then it is saved, and the field's version moves on
    second.click("#err-projects-0-indicators-0-actual button")
    expect(message).to_contain_text("已保存")
    package.refresh_from_db()
    assert package.draft["projects"][0]["indicators"][0]["actual"] == "360批次"
    _type(second, "f-projects-0-indicators-0-actual", "370批次")  # its own later entry is no conflict
    expect(message).to_contain_text("已保存")


def test_stated_figures_are_shown_beside_the_computed_and_adopted_on_request(sample, browser):
    from playwright.sync_api import expect

    package, _ = sample
    b, base = browser
    page = new_page(b)
    _login(page, base)
    page.goto(f"{base}/p/{package.pk}/f/cover/")
    pair = page.locator("#fig-expenditure-1-total")
    expect(pair).to_contain_text("计算 1,066.75")
    expect(pair).to_contain_text("填报 3,312.53")
    expect(page.locator("#sum-differing")).to_be_visible()
    pair.scroll_into_view_if_needed()
    shot(page, "04-stated-beside-computed")
    pair.locator("button.adopt").click()
    expect(page.locator(".flash")).to_contain_text("已采用计算数")
    expect(page.locator("#fig-expenditure-1-total")).not_to_contain_text("填报")
    package.refresh_from_db()
    assert package.draft["expenditure"][1]["total"] == "1066.75"
    assert package.edits.filter(kind="adopt", path="expenditure[1].total").exists()
    shot(page, "05-after-adopt")
