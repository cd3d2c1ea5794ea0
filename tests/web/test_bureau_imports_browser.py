"""The bureau's imports in a real browser (Playwright driving /usr/bin/chromium), on the demo data:
the 绩效评价股 uploads an 一体化 execution file, sees what it pre-filled and which figures differ,
finds the flagged units on the dashboard with the 运行监控 warnings, opens one to see 单位填报 beside
一体化; then uploads a zip of outside packages and watches the worker's progress. Screenshots go to
out/screens-imports/."""

from __future__ import annotations

import io
import zipfile

from .conftest import BROWSER, OUT

SCREENS = OUT / "screens-imports"

pytestmark = BROWSER
VIEWPORT = (1366, 900)



def test_the_bureau_imports_execution_figures_and_outside_packages(db, browser_page, tmp_path):
    from django.core.management import call_command
    from playwright.sync_api import expect

    from jixiao.web.demo.units import load_demo
    from jixiao.web.models import EvaluationTask, Package, PackageImport, Status

    load_demo()
    task = EvaluationTask.objects.get()
    page, base = browser_page

    def shot(name: str) -> None:
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)

    page.goto(base + "/login/")
    page.fill("#id_username", "jixiaogu")
    page.fill("#id_password", "jixiao-demo")
    page.click("button:has-text('登录')")
    page.wait_for_url(base + "/")
    page.click("a:has-text('打开')")

    # 1. an 一体化 file where the seed unit's 全年执行数 of its first project differs from what it sent
    seed = Package.objects.get(unit__budget_code="106005")
    project = seed.draft["projects"][0]
    total = next(f for f in project["funds"] if f["key"] == "total")
    path = tmp_path / "一体化导出.csv"
    path.write_text(f"预算编码,项目名称,全年预算数,全年执行数,截至月份\n106005,{project['name']},{total['annual']},100,\n"
                    f"106005,{project['name']},{total['annual']},1,4\n", encoding="utf-8-sig")
    page.click("nav.bureau-nav a:has-text('一体化执行数')")
    page.set_input_files("#exec-file", str(path))
    page.click("button:has-text('导入执行数')")
    expect(page.locator(".flash")).to_contain_text("已导入“一体化导出.csv”2行")
    expect(page.locator("#exec-conflicts")).to_contain_text(seed.unit.name)
    shot("01-execution-imported")

    # a bad file: every problem by row, nothing imported
    path.write_text("预算编码,项目名称,全年预算数,全年执行数\n106005,x,很多,1\n777777,x,1,1\n", encoding="utf-8")
    page.set_input_files("#exec-file", str(path))
    page.click("button:has-text('导入执行数')")
    expect(page.locator("#import-problems li")).to_have_count(2)
    expect(page.locator(".error-summary")).to_contain_text("没有导入任何数据")
    shot("02-execution-refused")

    # 2. the dashboard: the flagged units, the 运行监控 panel
    page.click("nav.bureau-nav a:has-text('自评情况')")
    page.select_option("#f-flag", "exec")
    expect(page.locator("table.dash tbody tr .exec-flag").first).to_be_visible()
    flagged = page.locator("table.dash tbody tr")
    expect(flagged).to_have_count(task.packages.filter(execution_check__differences__gt=0).count())
    expect(page.locator("#unit-106005")).to_contain_text("一体化不一致")
    expect(page.locator("#monitoring-warnings")).to_contain_text("4月末 25.00%")
    shot("03-dashboard-flags-and-warnings")

    # 3. a flagged package (sent): 单位填报 beside 一体化
    sent = Package.objects.filter(status__in=(Status.SUBMITTED, Status.ACCEPTED, Status.PUBLISHED),
                                  execution_check__differences__gt=0).first()
    page.goto(f"{base}/b/p/{sent.pk}/")
    expect(page.locator("#b-execution")).to_contain_text("不一致")
    shot("04-package-differences")

    # 4. a zip of outside packages: the worker reads it, the page polls its progress
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("材料/坏的.docx", b"PK\x03\x04 damaged")
        z.writestr("材料/说明.pdf", b"%PDF-1.4")
    (tmp_path / "外部.zip").write_bytes(buf.getvalue())
    page.goto(f"{base}/b/t/{task.pk}/imports/")
    page.set_input_files("#zip-file", str(tmp_path / "外部.zip"))
    page.click("button:has-text('开始导入')")
    expect(page.locator("#import-job")).to_contain_text("排队中")
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    expect(page.locator("#import-job")).to_contain_text("已完成", timeout=20000)
    expect(page.locator("#import-results")).to_contain_text("无法读取")
    expect(page.locator("#import-results")).to_contain_text("不支持的文件类型")
    assert PackageImport.objects.first().state == "done"
    shot("05-package-import-done")
