"""The 主管部门 tier's story in a real browser (Playwright driving /usr/bin/chromium) at 1366×768:
three units submit and their heads approve; the department's head reviews, writes a comment on a
field and returns one unit, which fixes it and sends it again; the head approves all three; the
department's preparer rolls the package up from them (the 汇总 rows and the rolled-up 附件3 with each
unit's contribution) and submits; the department's head sends it to the bureau; the bureau sees the
department with its units nested and accepts. A screenshot of each step goes to out/screens-dept/.
"""

from __future__ import annotations

from jixiao.web.drafts import figures, layout

from . import dept_world
from .conftest import BROWSER, OUT, PASSWORD, new_page

SCREENS = OUT / "screens-dept"
WIDTH = 1366

pytestmark = BROWSER


def _signed_in(b, base: str, user):
    page = new_page(b)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() before a submission
    page.goto(base + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(base + "/")
    return page


def _submit(b, base, member) -> None:
    page = _signed_in(b, base, member["preparer"])
    page.goto(f"{base}/p/{member['package'].pk}/f/cover/")
    page.click("button:has-text('提交审核')")
    page.wait_for_url(f"{base}/p/{member['package'].pk}/versions/")
    page.context.close()


def _head_approves(b, base, member, shot=None) -> None:
    from playwright.sync_api import expect

    page = _signed_in(b, base, member["head"])
    page.goto(f"{base}/p/{member['package'].pk}/review/")
    page.fill("#opinion", "情况属实，同意报送。")
    page.click("button:has-text('审核通过并报送主管部门')")
    expect(page.locator(".flash")).to_contain_text("报送主管部门")
    if shot:
        shot(page, "unit-head-approved")
    page.context.close()


def test_the_department_reviews_rolls_up_and_sends_and_the_bureau_accepts(db, browser):
    from playwright.sync_api import expect

    from jixiao.web.models import Package, Status

    b, base = browser
    world = dept_world.build()
    units, dept = world["units"], world["dept"]
    n = [0]

    def shot(page, name: str, full: bool = False) -> None:
        n[0] += 1
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, name  # no page wider than the window
        page.screenshot(path=str(SCREENS / f"{n[0]:02d}-{name}.png"), full_page=full)

    # 1. three units submit and their heads approve: the versions go to the department
    for i, member in enumerate(units):
        _submit(b, base, member)
        _head_approves(b, base, member, shot if i == 0 else None)
    assert {Package.objects.get(pk=m["package"].pk).status for m in units} == {Status.DEPT_REVIEW}

    # 2. the department's head: its units, then the first unit's version, a comment on a field, returned
    head = _signed_in(b, base, dept["head"])
    head.click("a:has-text('下属单位')")
    expect(head.locator("#dept-units tbody tr")).to_have_count(3)
    expect(head.locator("#dept-units")).to_contain_text("主管部门审核中")
    shot(head, "department-units")
    # its deadline for its units: a later one than its own is refused beside the field, an earlier one set
    head.fill("#u-deadline", "2024-06-20")
    head.click("#units-deadline-form button")
    expect(head.locator("#u-deadline-error")).to_contain_text("下属单位的截止日期不能晚于本部门的截止日期（2024年6月15日）")
    shot(head, "department-units-deadline-refused")
    head.fill("#u-deadline", "2024-06-01")
    head.click("#units-deadline-form button")
    expect(head.locator("#units-deadline")).to_contain_text("2024年6月1日")
    first = units[0]
    head.locator(f"#dept-units tr[data-unit='{first['unit'].budget_code}'] a:has-text('审核')").click()
    path = "narrative.problems"
    slug = layout.slug_for_path(first["package"].draft, path)
    head.goto(f"{base}/p/{dept['package'].pk}/units/{first['package'].pk}/f/{slug}/")
    note = head.locator("p.ro-note").bounding_box()
    assert note and note["x"] >= 8, note  # the note keeps the page's margin, not flush with the window's edge
    head.locator(f".comment-btn[data-path='{path}']").click()
    expect(head.locator("#comment-label")).not_to_have_text("整个数据包")
    expect(head.locator(".commenting")).to_have_count(1)  # the field commented on stays marked
    expect(head.locator(f".commenting .comment-btn[data-path='{path}']")).to_have_count(1)
    head.fill("#comment-text", "问题分析过于简单，请结合执行率说明。")
    head.click("#comment-form button")
    expect(head.locator(".flash")).to_contain_text("已记录意见")
    expect(head.locator("p.comment")).to_contain_text("问题分析过于简单")
    shot(head, "department-review")
    head.fill("#return-reason", "请按意见修改后重新报送。")
    head.click("button:has-text('退回下属单位修改')")
    expect(head.locator(".flash")).to_contain_text("已退回下属单位修改")
    assert Package.objects.get(pk=first["package"].pk).status == Status.RETURNED

    # 3. the unit fixes the field the department commented on, and sends it again
    unit = _signed_in(b, base, first["preparer"])
    unit.goto(f"{base}/p/{first['package'].pk}/f/{slug}/")
    expect(unit.locator("#return-comments")).to_contain_text("：问题分析过于简单")  # after the label, with no 【主管部门】 tag
    box = unit.locator(f"#{figures.dom_id('f', path)}")
    box.fill("执行率偏低的两个项目已说明原因：资金下达较晚。")
    with unit.expect_response(lambda r: r.url.endswith("/edit")):
        box.blur()
    shot(unit, "unit-fixes")
    unit.context.close()
    _submit(b, base, first)
    _head_approves(b, base, first)

    # 4. the department's head approves all three
    for member in units:
        head.goto(f"{base}/p/{dept['package'].pk}/units/{member['package'].pk}/")
        head.click("button:has-text('审核通过，纳入本部门报送')")
        expect(head.locator(".flash")).to_contain_text("纳入本部门报送")
    head.goto(f"{base}/p/{dept['package'].pk}/units/")
    expect(head.locator("#dept-units")).not_to_contain_text("主管部门审核中")
    shot(head, "department-units-approved")

    # 5. the department's preparer rolls its package up from them and submits it
    prep = _signed_in(b, base, dept["preparer"])
    prep.click("a:has-text('部门汇总')")
    prep.click("#rebuild button")
    expect(prep.locator("#rollup-change")).to_contain_text("汇总了3个下属单位")
    captions = prep.locator(".rollup-table .caption").all_inner_texts()
    assert any("附件3" in c or "自评表" in c for c in captions) and any("收入" in c or "支出" in c for c in captions), captions
    trace = prep.locator(".rollup-table details.trace").first
    trace.locator("summary").click()
    for member in units:
        expect(trace).to_contain_text(member["unit"].name)
    shot(prep, "department-rollup")
    prep.goto(f"{base}/p/{dept['package'].pk}/f/cover/")
    shot(prep, "department-package")
    prep.click("button:has-text('提交审核')")
    prep.wait_for_url(f"{base}/p/{dept['package'].pk}/versions/")
    prep.context.close()

    # 6. the department's head sends it to the bureau with its units' packages
    head.goto(f"{base}/p/{dept['package'].pk}/review/")
    head.fill("#opinion", "经审核，同意报送。")
    head.click("button:has-text('审核通过并报送财政')")
    expect(head.locator(".flash")).to_contain_text("报送财政")
    head.context.close()
    assert {Package.objects.get(pk=p).status for p in [dept["package"].pk, *(m["package"].pk for m in units)]} \
        == {Status.SUBMITTED}

    # 7. the bureau: the department with its units nested, each tier's status; it accepts the department
    bureau = _signed_in(b, base, world["performance"])
    bureau.goto(f"{base}/b/t/{world['task'].pk}/")
    expect(bureau.locator("#tier-table tr.tier-unit")).to_have_count(3)
    expect(bureau.locator("#tier-table tr.tier-department")).to_contain_text("3/3")
    shot(bureau, "bureau-dashboard-nested")
    bureau.goto(f"{base}/b/t/{world['task'].pk}/tiers/")
    shot(bureau, "bureau-tiers")
    bureau.goto(f"{base}/b/t/{world['task'].pk}/rollup/?unit={dept['unit'].pk}")
    expect(bureau.locator("#dept-rollup")).to_contain_text(units[2]["unit"].name)
    shot(bureau, "bureau-rollup")
    bureau.goto(f"{base}/b/p/{dept['package'].pk}/")
    bureau.fill("#a-opinion", "同意。")
    bureau.click("button:has-text('审核通过')")
    expect(bureau.locator(".decisions")).to_contain_text("审核通过")
    shot(bureau, "bureau-accepted")
    assert Package.objects.get(pk=dept["package"].pk).status == Status.ACCEPTED

