"""Issue 20 in a real browser at 1366×768, on the demo: the bureau's page of approved targets (the
preview of a file with a refused row), the dashboard filtered on 与批复目标不一致, the review page of
a flagged unit, the seed unit's findings panel, and the editor of a unit that has not started, whose
附件3 starts from its approved targets. None wider than the window; a screenshot of each goes to
out/screens-targets/."""

from __future__ import annotations

from .conftest import BROWSER, OUT
from .test_pages_browser import WIDTH, _login, _width

SCREENS = OUT / "screens-targets"

pytestmark = BROWSER


def _shot(page, name: str) -> None:
    assert _width(page) <= WIDTH, f"{page.url}: {_width(page)} px wide"
    page.screenshot(path=str(SCREENS / f"{name}.png"))


def test_the_targets_pages_on_the_demo(db, browser_page, tmp_path):
    from jixiao.web.demo.units import load_demo
    from jixiao.web.models import ApprovedTarget, Package, Status, TargetCheck

    SCREENS.mkdir(parents=True, exist_ok=True)
    load_demo()
    page, base = browser_page
    seed = Package.objects.get(unit__budget_code="106005")
    task = seed.task
    flagged = TargetCheck.objects.filter(differences__gt=0, package__status__in=(Status.SUBMITTED, Status.ACCEPTED,
                                                                                  Status.PUBLISHED)).first().package
    with_targets = ApprovedTarget.objects.filter(task=task).values("unit")  # the demo's 主管部门 units have none
    fresh = (Package.objects.filter(task=task, status=Status.NOT_STARTED, unit__is_synthetic=True, unit__in=with_targets)
             .order_by("unit__budget_code").first())

    _login(page, base, "jixiaogu")
    page.goto(f"{base}/b/t/{task.pk}/targets/")
    assert "批复绩效目标（演示）.csv" in page.inner_text("#targets-latest")
    _shot(page, "01-targets")
    upload = tmp_path / "批复目标.csv"
    upload.write_text("预算编码,三级指标,指标值,分值\n106005,引进投资签约项目数,≥6个,8\n999999,甲,≥1个,5\n", encoding="utf-8")
    page.set_input_files("#targets-file", str(upload))
    page.click("button:has-text('预览')")
    assert "第3行：预算编码“999999”不是本任务的参评单位" in page.inner_text("#targets-refused")
    assert "引进投资签约项目数" in page.inner_text("#targets-read")
    _shot(page, "02-preview")
    page.goto(f"{base}/b/t/{task.pk}/?flag=targets")
    table = page.inner_text("#dash-table")
    assert seed.unit.name in table and "与批复目标不一致" in table
    _shot(page, "03-dashboard-filter")
    page.goto(f"{base}/b/p/{flagged.pk}/")
    for group in page.locator("details.finding-group > summary").all():  # the findings are folded by form
        group.click()
    assert "与批复的" in page.inner_text("body")
    _shot(page, "04-review")
    page.context.clear_cookies()
    _login(page, base, "tianbao")
    page.goto(f"{base}/p/{seed.pk}/f/annex3/")
    assert "较批复的“≥6个”放宽" in page.inner_text("body")
    _shot(page, "05-unit-findings")
    page.context.clear_cookies()
    number = fresh.unit.users.get(role="preparer").username
    _login(page, base, number)
    page.goto(f"{base}/p/{fresh.pk}/f/annex3/")
    names = page.locator("input, textarea").evaluate_all("els => els.map(e => e.value)")
    assert "引进投资签约项目数" in names and "≥5个" in names  # the indicator rows as approved, ready to fill
    _shot(page, "06-new-package-editor")
