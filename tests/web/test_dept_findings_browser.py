"""The 主管部门's review of a unit in a real browser at 1366×768: each finding beside the field it is
about, as on the bureau's forms; and the unit's own pages saying the date its department holds it to.
Screenshots go to out/screens-dept-findings/ (a module of its own: the `browser` fixture empties its
module's folder, which would wipe the tier story's screenshots in test_dept_browser.py)."""

from __future__ import annotations

from . import dept_world
from .conftest import BROWSER, OUT
from .test_dept_browser import WIDTH, _signed_in

SCREENS = OUT / "screens-dept-findings"

pytestmark = BROWSER


def test_the_department_reads_each_finding_beside_its_field(db, browser):
    """The department's head opens a unit's version whose stated total differs from the engine's: the
    finding stands beside that figure, as on the bureau's forms, and the page fits the window; the
    unit's landing and forms say the date its department holds it to."""
    from playwright.sync_api import expect

    from jixiao.web import versions
    from jixiao.web.drafts import computation, fields

    b, base = browser
    world = dept_world.build()
    member, dept = world["units"][0], world["dept"]
    package = member["package"]
    package.draft = fields.put(package.draft, "expenditure[0].total", "1550.78")  # the engine's is 500.00
    package.save(update_fields=["draft"])
    dept_world.send_to_department(member)
    comp = computation.compute(versions.latest_sent(package).content)
    slug = next(s for _t, s, items in computation.findings_by_form(comp) if any(
        f.path == "expenditure[0].total" for f in items))
    head = _signed_in(b, base, dept["head"])
    head.goto(f"{base}/p/{dept['package'].pk}/units/{package.pk}/f/{slug}/")
    beside = head.locator(".ws-form .finding-inline.sev-error").first
    expect(beside).to_be_visible()
    expect(beside).to_contain_text("支出合计与各项之和不符")
    beside.scroll_into_view_if_needed()
    assert head.evaluate("document.documentElement.scrollWidth") <= WIDTH
    head.screenshot(path=str(SCREENS / "department-review-findings.png"))
    head.context.close()
    # the unit's own landing says the date it is held to: its department's, not the task's
    unit = _signed_in(b, base, member["preparer"])
    expect(unit.locator(f"#due-{package.pk}")).to_contain_text("2024-06-15")
    expect(unit.locator(f"#due-{package.pk}")).to_contain_text("主管部门规定")
    assert unit.evaluate("document.documentElement.scrollWidth") <= WIDTH
    unit.screenshot(path=str(SCREENS / "unit-landing-deadline.png"))
    unit.goto(f"{base}/p/{package.pk}/f/cover/")
    expect(unit.locator("#deadline")).to_have_text("截止 2024-06-15（主管部门规定）")
    unit.screenshot(path=str(SCREENS / "unit-forms-deadline.png"))
    unit.context.close()
