"""The bureau dashboard's 期限 under the 主管部门 tier (issue 22): each row is held to the deadline that
applies to it — a department to its own (the bureau's date for it), its units to the date the
department gave them (else the department's), any other unit to the task's — and a tier's row says
which date it is."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jixiao.web.drafts import fields
from jixiao.web.models import Submission
from jixiao.web.models.tier import Deadline, deadline_for
from jixiao.web.review import selectors, tier

from . import dept_world
from .conftest import api_token, client_for, text_of
from .dept_world import latest, send_to_department

TODAY = date(2024, 6, 12)  # task: 6-30; the department: 6-15 (dept_world); its units: 6-10 where it sets one


@pytest.fixture
def dept(db, monkeypatch):
    world = dept_world.build()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return world


def _row_text(world) -> dict[str, str]:
    html = client_for(world["performance"]).get(f"/b/t/{world['task'].pk}/").content.decode()
    members = [world["dept"], *world["units"], world["outsider"]]
    return {m["unit"].name: text_of(html, f"unit-{m['unit'].budget_code}") for m in members}


def _deadlines(world) -> dict[str, date]:
    task = selectors.task_for(world["performance"], world["task"].pk)
    return {r.package.unit.name: r.deadline for r in selectors.dashboard(task, selectors.DashboardQuery()).rows}


def test_each_row_counts_the_days_to_its_own_tiers_deadline(dept):
    tier.set_units_deadline(package_id=dept["dept"]["package"].pk, user=dept["dept"]["head"], deadline=date(2024, 6, 10))
    rows = _row_text(dept)
    department, outsider = dept["dept"]["unit"].name, dept["outsider"]["unit"].name
    assert "剩3天" in rows[department] and "截止 2024-06-15" in rows[department]
    assert all("逾期2天" in rows[m["unit"].name] and "截止 2024-06-10" in rows[m["unit"].name] for m in dept["units"])
    assert "剩18天" in rows[outsider] and "截止" not in rows[outsider]  # the task's date, already in the page's crumbs
    assert _deadlines(dept) == {department: date(2024, 6, 15), outsider: date(2024, 6, 30),
                                **{m["unit"].name: date(2024, 6, 10) for m in dept["units"]}}


def test_units_without_a_date_of_their_own_are_held_to_the_departments(dept):
    deadlines = _deadlines(dept)
    assert {deadlines[m["unit"].name] for m in dept["units"]} == {date(2024, 6, 15)}
    assert "剩3天" in _row_text(dept)[dept["units"][0]["unit"].name]


def test_a_unit_that_sent_after_its_departments_date_for_it_is_late_though_before_the_tasks(dept):
    tier.set_units_deadline(package_id=dept["dept"]["package"].pk, user=dept["dept"]["head"], deadline=date(2024, 6, 10))
    first, second = dept["units"][:2]
    for member, day in ((first, 9), (second, 11)):
        send_to_department(member)
        sent_at = timezone.make_aware(datetime(2024, 6, day, 10, 0))
        Submission.objects.filter(package=member["package"], state=Submission.State.APPROVED).update(created_at=sent_at)
    rows = _row_text(dept)
    assert "按期报送" in rows[first["unit"].name]
    assert "逾期1天报送" in rows[second["unit"].name]


def test_the_export_counts_the_same_days_as_the_page(dept):
    tier.set_units_deadline(package_id=dept["dept"]["package"].pk, user=dept["dept"]["head"], deadline=date(2024, 6, 10))
    r = client_for(dept["performance"]).get(f"/b/t/{dept['task'].pk}/dashboard.xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    head = [c.value for c in sheet[1]]
    days = {row[0]: row[head.index("期限")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert days[dept["units"][0]["unit"].budget_code] == "逾期2天"
    assert days[dept["dept"]["unit"].budget_code] == "剩3天"
    assert days[dept["outsider"]["unit"].budget_code] == "剩18天"
    dates = {row[0]: row[head.index("截止日期")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert dates[dept["units"][0]["unit"].budget_code] == "2024-06-10"
    assert dates[dept["dept"]["unit"].budget_code] == "2024-06-15"
    assert dates[dept["outsider"]["unit"].budget_code] == "2024-06-30"  # the task's: a sheet has no crumbs


# --- every other reader of the deadline: one rule (models.tier.deadline_for) ----------------------------


def _members(world) -> list[dict]:
    return [world["dept"], *world["units"], world["outsider"]]


@pytest.mark.parametrize("units_date", [None, date(2024, 6, 10)])
def test_one_package_and_the_list_are_held_to_the_same_date(dept, units_date):
    if units_date:
        tier.set_units_deadline(package_id=dept["dept"]["package"].pk, user=dept["dept"]["head"], deadline=units_date)
    listed = _deadlines(dept)
    own = {m["unit"].name: deadline_for(m["package"]) for m in _members(dept)}
    assert {name: d.day for name, d in own.items()} == listed
    assert own[dept["dept"]["unit"].name] == Deadline(date(2024, 6, 15), "财政局为主管部门", True)
    assert own[dept["units"][0]["unit"].name] == Deadline(units_date or date(2024, 6, 15), "主管部门", True)
    assert own[dept["outsider"]["unit"].name] == Deadline(date(2024, 6, 30), "评价任务", False)


def _late_filing(member: dict, day: str = "2024-06-20") -> None:
    """The unit's 附件2 填报日期 set after its tier's date (6-15) but before the task's (6-30)."""
    package = member["package"]
    package.draft = fields.put(package.draft, "basic_data.filing_date", day)
    package.save(update_fields=["draft"])


def _deadline_messages(html: str) -> list[str]:
    return [line for line in html.splitlines() if "晚于" in line and "报送截止日" in line]


def test_the_preparers_pages_check_and_show_the_date_its_department_gave_it(dept):
    tier.set_units_deadline(package_id=dept["dept"]["package"].pk, user=dept["dept"]["head"], deadline=date(2024, 6, 10))
    unit, outsider = dept["units"][0], dept["outsider"]
    for member in (unit, outsider):
        _late_filing(member)
    client = client_for(unit["preparer"])
    page = client.get(f"/p/{unit['package'].pk}/f/cover/").content.decode()
    assert "截止 2024-06-10（主管部门规定）" in text_of(page, "deadline")
    assert any("晚于主管部门规定的报送截止日2024年6月10日" in line for line in _deadline_messages(page))
    home = client.get("/").content.decode()
    assert text_of(home, f"due-{unit['package'].pk}") == "2024-06-10主管部门规定"
    # a unit outside every tier: the task's date, and a filing date before it is no finding
    page = client_for(outsider["preparer"]).get(f"/p/{outsider['package'].pk}/f/cover/").content.decode()
    assert text_of(page, "deadline") == "截止 2024-06-30" and not _deadline_messages(page)
    assert text_of(client_for(outsider["preparer"]).get("/").content.decode(), f"due-{outsider['package'].pk}") == "2024-06-30"


def _send_department(world) -> None:
    """Its units approved into it, the department's own version (filed late) sent to the bureau."""
    department = world["dept"]
    for member in world["units"]:
        send_to_department(member)
        tier.approve_unit(package_id=member["package"].pk, user=department["head"], version=latest(member["package"]))
    _late_filing(department)
    send_to_department(department)


def test_the_bureau_checks_a_departments_package_against_the_date_it_set_for_the_department(dept):
    _send_department(dept)
    pk = dept["dept"]["package"].pk
    page = client_for(dept["performance"]).get(f"/b/p/{pk}/").content.decode()
    assert text_of(page, "deadline") == "截止 2024-06-15（财政局为主管部门规定）"
    assert any("晚于财政局为主管部门规定的报送截止日2024年6月15日" in line for line in _deadline_messages(page))
    token = api_token(dept["performance"], scope="read")
    found = client_for(dept["performance"]).get(f"/api/v1/reviews/{pk}/findings",
                                                HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [f["message"] for f in found if f["rule"] == "date.deadline"] == [
        "附件2 填报日期为2024年6月20日，晚于财政局为主管部门规定的报送截止日2024年6月15日。"]


def test_the_api_rows_carry_the_date_each_is_held_to(dept):
    tier.set_units_deadline(package_id=dept["dept"]["package"].pk, user=dept["dept"]["head"], deadline=date(2024, 6, 10))
    token = api_token(dept["performance"], scope="read")
    rows = client_for(dept["performance"]).get(f"/api/v1/tasks/{dept['task'].pk}/dashboard?page_size=100",
                                               HTTP_AUTHORIZATION=f"Bearer {token}").json()["rows"]
    by_code = {r["budget_code"]: (r["deadline"], r["days"]) for r in rows}
    assert by_code[dept["dept"]["unit"].budget_code] == ("2024-06-15", "剩3天")
    assert by_code[dept["units"][0]["unit"].budget_code] == ("2024-06-10", "逾期2天")
    assert by_code[dept["outsider"]["unit"].budget_code] == ("2024-06-30", "剩18天")


def test_the_batch_audit_holds_each_package_to_its_tiers_deadline(dept):
    """The 绩效评价股's batch audit counts the same findings as the package's own page: a department
    that filed after the date the bureau set for it is late, though before the task's date."""
    from jixiao.web.drafts.computation import compute
    from jixiao.web.jobs import batch_audit
    from jixiao.web.models import BatchJob

    _send_department(dept)
    package = dept["dept"]["package"]
    job = BatchJob.objects.create(task=dept["task"], requested_by=dept["performance"])
    batch_audit._audit(job)
    job.refresh_from_db()
    line = next(r for r in job.results if r["package"] == package.pk)
    content = latest_sent_content(package)
    held = compute(content, deadline=deadline_for(package)).summary
    by_task = compute(content, deadline=dept["task"].deadline).summary
    assert (held["errors"], held["warnings"]) != (by_task["errors"], by_task["warnings"])  # the date matters here
    assert (line["errors"], line["warnings"]) == (held["errors"], held["warnings"])


def latest_sent_content(package) -> dict:
    from jixiao.web.versions import latest_sent

    return latest_sent(package).content
