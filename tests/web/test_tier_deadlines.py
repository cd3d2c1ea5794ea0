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

from jixiao.web.models import Submission
from jixiao.web.review import selectors, tier

from . import dept_world
from .conftest import client_for, text_of
from .dept_world import send_to_department

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
