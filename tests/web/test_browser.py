"""The unit's story in a real browser (Playwright driving /usr/bin/chromium), on the demo data.

The preparer changes one indicator's 实际完成值 and sees its 得分 (the engine's reading), then judges
the 得分 and sees the 总分, the 等次 and the findings change without a reload; opens a score's trace;
inserts a figure reference in the narrative; imports a workbook; submits; the unit head returns it
with a comment on one field; the preparer fixes it and resubmits; the head approves; the versions
and the diff are there. A screenshot of each step goes to out/screens/.
"""

from __future__ import annotations

from .conftest import BROWSER, OUT

SCREENS = OUT / "screens"

pytestmark = BROWSER



class Story:
    def __init__(self, page, base: str):
        self.page, self.base, self.n = page, base, 0

    def shot(self, name: str) -> None:
        self.n += 1
        self.page.screenshot(path=str(SCREENS / f"{self.n:02d}-{name}.png"))

    def login(self, username: str) -> None:
        p = self.page
        p.goto(self.base + "/login/")
        p.fill("#id_username", username)
        p.fill("#id_password", "jixiao-demo")
        p.click("button:has-text('登录')")
        p.wait_for_url(self.base + "/")

    def logout(self) -> None:
        self.page.click("button:has-text('退出')")
        self.page.wait_for_url("**/login/")

    def type_into(self, element_id: str, value: str) -> None:
        field = self.page.locator(f"#{element_id}")
        field.fill(value)
        field.press("Tab")


def test_the_unit_prepares_submits_and_gets_approved(db, browser_page, tmp_path):
    from jixiao.web.demo.units import load_demo
    from jixiao.web.models import Package

    load_demo()
    pkg = Package.objects.get(unit__budget_code="106005")
    page, base = browser_page
    s = Story(page, base)
    expect = _expect()

    s.login("tianbao")
    expect(page.locator("table.list")).to_contain_text("湘西自治州人民政府驻北京联络处")
    s.shot("preparer-home")

    # 1. change one indicator's 实际完成值: the engine's reading of its 得分 changes, no reload
    page.goto(f"{base}/p/{pkg.pk}/f/project-0/")
    page.evaluate("window.__noReload = 'still here'")
    score = page.locator("#fig-projects-0-indicators-0-score")
    expect(score).to_contain_text("参考 10.00")
    warnings_before = page.locator("#sum-warnings").inner_text()
    s.type_into("f-projects-0-indicators-0-actual", "200批次")
    expect(score).to_contain_text("参考 6.67")  # 200 ÷ 300 × 10
    expect(page.locator("#sum-warnings")).not_to_have_text(warnings_before)  # the stated 10 is outside the range now
    s.shot("actual-changed-reading-and-findings")

    # 2. the preparer judges the 得分: the 总分 and the 等次 follow
    total = page.locator("#fig-projects-0-total")
    grade = page.locator("#fig-projects-0-grade")
    expect(total).to_have_text("90.00")
    expect(grade).to_have_text("优")
    s.type_into("f-projects-0-indicators-0-score", "6.67")
    expect(total).to_have_text("86.67")
    expect(grade).to_have_text("良")
    assert page.evaluate("window.__noReload") == "still here"
    s.shot("score-judged-total-and-grade")

    # Enter moves to the cell below, as in a spreadsheet (Tab keeps the browser's order)
    page.focus("#f-projects-0-indicators-1-actual")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "f-projects-0-indicators-2-actual"

    # 3. a score's trace: formula, inputs linking to their fields, the profile clause
    total.locator("button").click()
    dialog = page.locator("dialog#trace")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("公式")
    expect(dialog).to_contain_text("湘西州州直部门整体支出绩效自评（2022年度）·")
    s.shot("trace")
    dialog.locator("button:has-text('关闭')").click()
    page.locator("#fig-projects-0-funds-0-rate button").click()
    expect(dialog.locator("a", has_text="全年执行数")).to_have_attribute("href", f"/p/{pkg.pk}/f/project-0/#f-projects-0-funds-0-executed")
    dialog.locator("button:has-text('关闭')").click()

    # 4. a figure reference in the narrative, printed with its current value
    page.goto(f"{base}/p/{pkg.pk}/f/narrative/")
    area = page.locator("#f-narrative-achievements")
    area.click()
    area.press("End")
    page.select_option("#ref-f-narrative-achievements", "公务接待拨款·总分")
    page.click("[data-select='ref-f-narrative-achievements']")
    preview = page.locator("#fig-narrative-achievements")
    expect(preview).to_contain_text("86.67")
    area.scroll_into_view_if_needed()
    s.shot("narrative-reference")

    # 5. import a workbook (the package exported as the official .xlsx, one contact changed)
    from jixiao import services
    from jixiao.web.drafts import figures
    from jixiao.web.drafts.computation import compute

    pkg.refresh_from_db()
    doc = figures.resolve_document(pkg.draft, compute(pkg.draft).report)
    doc["unit"]["contact"] = "黄觅（导入）"
    workbook = services.render(package=services.from_canonical(data=doc), outdir=tmp_path, charts=False).xlsx
    page.goto(f"{base}/p/{pkg.pk}/import")
    page.set_input_files("#file", str(workbook))
    page.click("button:has-text('预览改动')")
    expect(page.locator("#import-preview")).to_contain_text("自评报告 › 联系人")
    page.click("button:has-text('导入勾选的改动')")
    expect(page.locator(".flash")).to_contain_text("已从")
    expect(page.locator("#f-unit-contact")).to_have_value("黄觅（导入）")
    s.shot("imported-workbook")

    # 6. submit
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('提交审核')")
    expect(page.locator(".flash")).to_contain_text("已提交第1版")
    s.shot("submitted")
    s.logout()

    # 7. the head reviews read-only, comments on one field, returns
    s.login("fuzeren")
    page.goto(f"{base}/p/{pkg.pk}/review/project-0/")
    expect(page.locator(".review-panel")).to_contain_text("审核第1版")
    assert page.locator("#f-projects-0-indicators-0-actual").evaluate("e => e.tagName") == "SPAN"  # read-only
    page.locator("#f-projects-0-indicators-0-actual ~ .comment-btn").first.click()
    page.fill("#comment-text", "实际完成值与台账不符，请核实后修改。")
    page.click("button:has-text('记录意见')")
    expect(page.locator(".flash")).to_contain_text("已记录意见")
    page.click("button:has-text('退回填报人修改')")
    expect(page.locator(".flash")).to_contain_text("已退回")
    s.shot("head-returned")
    s.logout()

    # 8. the preparer sees the comment on the field, fixes it, resubmits
    s.login("tianbao")
    page.goto(f"{base}/p/{pkg.pk}/f/project-0/")
    comment = page.locator("td:has(#f-projects-0-indicators-0-actual) .comment")
    expect(comment).to_contain_text("实际完成值与台账不符")
    comment.scroll_into_view_if_needed()
    s.shot("preparer-sees-comment")
    s.type_into("f-projects-0-indicators-0-actual", "300批次")
    expect(page.locator("#ws-message")).to_contain_text("已保存")
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('提交审核')")
    expect(page.locator(".flash")).to_contain_text("已提交第2版")
    s.logout()

    # 9. the head approves with the unit's opinion; the versions and the diff are there
    s.login("fuzeren")
    page.goto(f"{base}/p/{pkg.pk}/review/")
    page.fill("#opinion", "经审核，自评材料真实完整，同意报送。")
    page.click("button:has-text('审核通过并报送财政')")
    expect(page.locator(".flash")).to_contain_text("报送财政")
    rows = page.locator("table.list").first.locator("tbody tr")
    expect(rows).to_have_count(3)
    s.shot("versions")
    page.select_option("#cmp-a", "1")
    page.select_option("#cmp-b", "3")
    page.click("button:has-text('逐字段比较')")
    expect(page.locator("table.diff")).to_contain_text("实际完成值")
    expect(page.locator("table.diff")).to_contain_text("部门（单位）意见")
    s.shot("diff")


def _expect():
    from playwright.sync_api import expect

    return expect
