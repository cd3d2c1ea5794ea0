"""The bureau's story in a real browser (Playwright driving /usr/bin/chromium), on the demo data.

The 绩效评价股 opens the task and sees the dashboard with its charts; sorts and searches the table
without a reload; opens a sent package and returns it with a comment on a field; accepts another
with the 财政部门意见; draws the 抽评 sample and re-scores one indicator; runs the batch audit and
watches its progress; renders every accepted package to PDF as one .zip; reads a package in the
read-only form view; publishes an accepted package; then an anonymous visitor opens the public page and downloads the open data. A screenshot
of each step goes to out/screens-bureau/.
"""

from __future__ import annotations

import re
import zipfile

from .conftest import BROWSER, OUT

SCREENS = OUT / "screens-bureau"

pytestmark = BROWSER



def test_the_bureau_reviews_samples_and_publishes(db, browser_page, tmp_path):
    from playwright.sync_api import expect

    from jixiao.web.demo.units import load_demo
    from jixiao.web.models import BureauDecision, Package, SpotScore, Status, Unit

    load_demo()
    page, base = browser_page
    n = [0]

    def shot(name: str, full: bool = False) -> None:
        n[0] += 1
        page.screenshot(path=str(SCREENS / f"{n[0]:02d}-{name}.png"), full_page=full)

    page.goto(base + "/login/")
    page.fill("#id_username", "jixiaogu")
    page.fill("#id_password", "jixiao-demo")
    page.click("button:has-text('登录')")
    page.wait_for_url(base + "/")
    page.click("a:has-text('打开')")

    # 1. the dashboard: every unit, the charts drawn
    expect(page.locator("table.dash tbody tr")).to_have_count(Package.objects.count())
    expect(page.locator("#chart-hist canvas")).to_have_count(1)
    expect(page.locator("#chart-scatter canvas")).to_have_count(1)
    expect(page.locator("#chart-funnel canvas")).to_have_count(1)
    shot("dashboard")

    # 2. sort by 总分 (highest first) and search, without a reload
    page.evaluate("window.__noReload = 'still here'")
    page.click("table.dash th a:has-text('总分')")
    expect(page.locator("table.dash th a:has-text('总分')")).to_contain_text("▲")
    page.click("table.dash th a:has-text('总分')")
    expect(page.locator("table.dash th a:has-text('总分')")).to_contain_text("▼")
    best = Package.objects.filter(total_score__isnull=False).order_by("-total_score").first()
    expect(page.locator("table.dash tbody tr").first).to_contain_text(best.unit.name)
    page.fill("#f-q", "统计")
    expect(page.locator("table.dash tbody tr")).to_have_count(1)
    assert page.evaluate("window.__noReload") == "still here"
    shot("dashboard-sorted-searched")
    page.fill("#f-q", "")
    page.select_option("#f-status", "submitted")
    expect(page.locator("table.dash tbody tr")).to_have_count(Package.objects.filter(status=Status.SUBMITTED).count())
    expect(page.locator("table.dash th a:has-text('总分')")).to_contain_text("▼")  # the sort survives the filter
    assert "sort=-total" in page.url and "status=submitted" in page.url

    # 3. open a sent package, comment on a field, return it with a reason
    first, second = Package.objects.filter(status=Status.SUBMITTED).order_by("unit__budget_code")[:2]
    page.click(f"table.dash a:has-text('{first.unit.name}')")
    expect(page.locator("h1")).to_contain_text(first.unit.name)
    expect(page.locator("#b-figures")).to_be_visible()
    shot("review-package")
    assert page.locator("select#c-path").count() == 0  # no list of every field: the reviewer clicks on the field
    page.click("#comment-on-fields")
    page.locator("#f-unit-contact ~ .comment-btn").first.click()
    expect(page.locator("#comment-label")).to_contain_text("联系人")
    page.fill("#comment-text", "请补充联系人职务")
    page.click("#comment-form button:has-text('记录意见')")
    expect(page.locator(".flash")).to_contain_text("已记录意见")
    assert "/forms/" in page.url  # back on the form it was written on
    expect(page.locator("td:has(#f-unit-contact), .form-group:has(#f-unit-contact)").locator(".comment")).to_contain_text(
        "请补充联系人职务")
    shot("comment-by-click")
    from jixiao.web.models import Comment

    assert list(Comment.objects.filter(text__contains="请补充联系人职务").values_list("package_id", "path")) == [
        (first.pk, "unit.contact")]
    page.goto(f"{base}/b/p/{first.pk}/")
    page.fill("#r-reason", "偏差原因分析不充分，请补充。")
    page.click("button:has-text('退回')")
    expect(page.locator(".flash")).to_contain_text("已退回")
    shot("returned")
    assert Package.objects.get(pk=first.pk).status == Status.RETURNED

    # 4. accept another with the 财政部门意见
    page.goto(f"{base}/b/p/{second.pk}/")
    page.fill("#a-opinion", "经审核，该单位自评结果基本客观，同意。")
    page.click("button:has-text('审核通过')")
    expect(page.locator(".flash")).to_contain_text("财政部门意见写入")
    expect(page.locator(".decisions")).to_contain_text("审核通过")
    shot("accepted")
    assert BureauDecision.objects.filter(package=second, action="accept").exists()

    # 4b. the accepted version laid out as the unit's forms, read-only, findings beside the fields
    page.click("#open-forms")
    expect(page.locator("#form-title")).to_be_visible()
    expect(page.locator(".crumb")).to_contain_text("只读")
    assert page.locator("input[name=value], textarea[name=value]").count() == 0
    shot("read-only-cover", full=True)
    page.click("nav.tabs a:has-text('附件3')")
    expect(page.locator("table.form-table").first).to_be_visible()
    fig = page.locator("button.fig").first
    fig.click()
    expect(page.locator("#trace-body h2")).to_be_visible()
    shot("read-only-annex3-trace")
    page.keyboard.press("Escape")
    page.click("a:has-text('返回')")
    expect(page.locator("h1")).to_contain_text(second.unit.name)

    # 5. 抽评: the demo's sample is drawn and partly re-scored already (a second draw is refused once
    # scoring began); the reasons are shown, and one more indicator is re-scored
    page.click("nav.bureau-nav a:has-text('抽评')")
    expect(page.locator("#spot-sample .reasons li").first).to_be_visible()
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('抽取样本')")
    expect(page.locator(".flash")).to_contain_text("抽评已开始评分，不能重新抽取")
    shot("spot-sample")
    page.locator("#spot-sample a:has-text('评分')").first.click()
    page.fill("#s-1", "0")
    page.fill("#n-1", "佐证材料不足")
    page.click("button:has-text('保存抽评得分')")
    # the sheet keeps the demo's earlier scores in its fields, so the save writes every line it shows
    expect(page.locator(".flash")).to_contain_text(re.compile(r"已保存\d+项抽评得分"))
    shot("spot-rescored")
    assert SpotScore.objects.filter(note="佐证材料不足", bureau_score=0).count() == 1
    with page.expect_download() as dl:
        page.goto(page.url)  # back on the sample
        page.click("nav.bureau-nav a:has-text('抽评')")
        page.click("a:has-text('导出抽评表')")
    assert dl.value.suggested_filename.endswith(".xlsx")

    # 6. 部门汇总 and 结果应用
    page.click("nav.bureau-nav a:has-text('部门汇总')")
    expect(page.locator("#rollup")).to_contain_text("汇总 年度资金总额")
    shot("rollup")
    page.click("nav.bureau-nav a:has-text('结果应用')")
    expect(page.locator("#results-use tbody tr").first).to_be_visible()
    shot("results-use")

    # 7. the batch audit: started in the page, run by the worker, its progress polled by the page
    page.click("nav.bureau-nav a:has-text('批量处理')")
    page.click("button:has-text('开始批量审核')")
    expect(page.locator("#batch-job")).to_contain_text("排队中")
    from django.core.management import call_command

    call_command("db_worker", batch=True, interval=0, verbosity=0)
    expect(page.locator("#batch-job")).to_contain_text("已完成", timeout=20000)
    expect(page.locator("#batch-results tbody tr").first).to_be_visible()
    shot("batch-audit-done")

    # 7b. the batch PDF: every accepted package rendered by the worker, one .zip with a file per unit
    from jixiao.web.models import BatchJob

    page.click("button:has-text('批量生成 PDF')")
    expect(page.locator("#batch-pdf-job")).to_contain_text("排队中")
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    expect(page.locator("#batch-pdf-job")).to_contain_text("已完成", timeout=20000)
    accepted = Package.objects.filter(status__in=(Status.ACCEPTED, Status.PUBLISHED)).select_related("unit")
    expect(page.locator("#batch-pdf-results tbody tr")).to_have_count(accepted.count())
    shot("batch-pdf-done")
    with page.expect_download() as dl:
        page.click("#batch-pdf-download")
    path = tmp_path / "pdfs.zip"
    dl.value.save_as(path)
    names = zipfile.ZipFile(path).namelist()
    job = BatchJob.objects.get(kind=BatchJob.Kind.PDF)
    made = [r for r in job.results if not r["error"]]
    assert len(names) == len(made) > 0 and {r["file"] for r in made} == set(names)
    assert f"{second.unit.budget_code}_{second.unit.name}.pdf" in names

    # 8. publish the accepted package
    page.goto(f"{base}/b/p/{second.pk}/")
    page.click("button:has-text('公开')")
    expect(page.locator(".flash")).to_contain_text("已公开")
    page.click("button:has-text('退出')")
    page.wait_for_url("**/login/")

    # 9. an anonymous visitor: the public index, the unit's page, the open data
    page.goto(f"{base}/public/")
    expect(page.locator("#public-list")).to_contain_text(second.unit.name)
    shot("public-index")
    page.click(f"#public-list a:has-text('{second.unit.name}')")
    sub = Package.objects.get(pk=second.pk).publication.submission
    expect(page.locator("#pub-hash")).to_have_text(sub.content_hash)
    shot("public-unit")
    page.go_back()
    with page.expect_download() as dl:
        page.click("a:has-text('下载开放数据')")
    path = tmp_path / "open.zip"
    dl.value.save_as(path)
    assert "datapackage.json" in zipfile.ZipFile(path).namelist()

    # 10. the 归口业务科室: the 绩效评价股's assignment page, then the demo desk user sees only its units
    from jixiao.web.models import User

    guikou = User.objects.get(username="guikou")
    mine = Package.objects.filter(unit__department=guikou.department)
    page.goto(base + "/login/")
    page.fill("#id_username", "jixiaogu")
    page.fill("#id_password", "jixiao-demo")
    page.click("button:has-text('登录')")
    page.wait_for_url(base + "/")
    page.click("a:has-text('归口业务科室')")
    expect(page.locator("#assignments tbody tr")).to_have_count(Unit.objects.count())
    shot("departments")
    page.click("button:has-text('退出')")
    page.wait_for_url("**/login/")
    page.fill("#id_username", "guikou")
    page.fill("#id_password", "jixiao-demo")
    page.click("button:has-text('登录')")
    page.wait_for_url(base + "/")
    page.click("a:has-text('打开')")
    expect(page.locator("table.dash tbody tr")).to_have_count(mine.count())
    shot("desk-dashboard")
