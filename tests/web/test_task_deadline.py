"""Dates a unit cannot change are not its error: in the system the filing dates are checked against
the deadline of the evaluation task the package belongs to, and the unit head's approval (dated the
day it is given) produces no deadline finding (the demo's notice states its task's deadline:
test_api_demo_tasks.py)."""

from __future__ import annotations

from datetime import date

from jixiao.web.drafts import fields
from jixiao.web.drafts.computation import compute


def _deadline_findings(comp) -> list:
    return [f for f in comp.findings if f.rule == "date.deadline"]


def test_a_filing_date_after_the_tasks_deadline_is_reported_against_the_task(world):
    doc = fields.put(world["package"].draft, "basic_data.filing_date", "2024-07-15")
    found = _deadline_findings(compute(doc, deadline=date(2024, 6, 30)))
    assert [f.message for f in found] == ["附件2 填报日期为2024年7月15日，晚于评价任务规定的报送截止日2024年6月30日。"]
    assert _deadline_findings(compute(doc, deadline=date(2024, 8, 1))) == []


def test_approving_after_the_deadline_is_not_an_error_of_the_unit(world):
    from jixiao.web import versions

    pkg, task = world["package"], world["task"]
    task.deadline = date(2024, 6, 30)  # passed: the head approves today, after it
    task.save()
    versions.submit(package_id=pkg.pk, user=world["preparer"], version=pkg.version)
    sub = versions.approve(package_id=pkg.pk, user=world["head"], opinion="同意报送。")
    opinion = next(o for o in sub.content["opinions"] if o["role"] == versions.UNIT_OPINION_ROLE)
    assert opinion["date"] > "2024-06-30"
    comp = compute(sub.content, deadline=task.deadline)
    assert _deadline_findings(comp) == []
    # the same package read outside the system (no task) is still held to its notice, if it has one
    with_notice = fields.put(sub.content, "notice.deadline", "2024-06-30")
    assert _deadline_findings(compute(with_notice)) != []
