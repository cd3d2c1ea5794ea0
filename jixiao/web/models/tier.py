"""The 主管部门 tier (issue 22): a department (a unit with subordinate units) that reviews its
units' packages before the bureau, and sends its own package up with theirs attached.

A department acts as a tier in a task only where the bureau has set it up (`DepartmentTier`: the
department's deadline, set by the bureau, and the earlier one the department gives its units);
elsewhere its units send straight to the bureau, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import DateField, OuterRef, Subquery
from django.db.models.functions import Coalesce

# The models of web/models it points to are named by their label ("web.Package"): importing them
# here would be an import cycle with the package that re-exports this module.
TASK, PACKAGE, SUBMISSION, UNIT, USER = "web.EvaluationTask", "web.Package", "web.Submission", "web.Unit", "web.User"


class DepartmentTier(models.Model):
    """A 主管部门 reviewing its subordinate units in one task, with the deadline of each tier."""

    task = models.ForeignKey(TASK, on_delete=models.PROTECT, related_name="department_tiers",
                             verbose_name="自评任务")
    department = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="tiers", verbose_name="主管部门")
    deadline = models.DateField("主管部门报送截止日期")  # set by the bureau
    units_deadline = models.DateField("下属单位报送截止日期", null=True, blank=True)  # set by the department, not later
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    units_set_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "主管部门审核"
        constraints = [models.UniqueConstraint(fields=["task", "department"], name="one_tier_per_department_and_task")]

    @property
    def effective_units_deadline(self):
        return self.units_deadline or self.deadline


class DepartmentDecision(models.Model):
    """The department's decision on the version a subordinate unit's head sent: returned (with the
    reason) or approved into the department. Never changed afterwards."""

    class Action(models.TextChoices):
        RETURN = "return", "退回"
        APPROVE = "approve", "审核通过"

    package = models.ForeignKey(PACKAGE, on_delete=models.PROTECT, related_name="department_decisions")
    submission = models.ForeignKey(SUBMISSION, on_delete=models.PROTECT, related_name="department_decisions",
                                   verbose_name="所审版本")
    action = models.CharField("决定", max_length=10, choices=Action.choices)
    text = models.TextField("理由或意见", blank=True)
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "主管部门审核决定"
        ordering = ["at", "id"]


class DepartmentAttachment(models.Model):
    """A subordinate unit's version sent to the bureau with (attached to) the department's version."""

    department_submission = models.ForeignKey(SUBMISSION, on_delete=models.PROTECT, related_name="attachments",
                                              verbose_name="主管部门报送版本")
    unit_submission = models.ForeignKey(SUBMISSION, on_delete=models.PROTECT, related_name="+",
                                        verbose_name="下属单位版本")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "随部门报送的下属单位版本"
        ordering = ["department_submission", "id"]


# --- the deadline a package is held to ------------------------------------------------------------------
# One rule, two forms: `deadline_for` for one package (its pages, its audit, the API), `deadline_annotation`
# for a queryset of them (the dashboard's rows, the landing page). tests/web/test_tier_deadlines.py holds
# them equal.


@dataclass(frozen=True)
class Deadline:
    """The date a package must be sent by, and who set it (the audit's sentence names them)."""

    day: date
    whose: str  # "评价任务" / "主管部门" / "财政局为主管部门"
    tier: bool  # a tier's date rather than the task's: pages say which date it is


def task_tiers(task_id: int) -> dict:
    """Every 主管部门 tier of a task by its department, for `deadline_for` over many packages at once."""
    return {t.department_id: t for t in DepartmentTier.objects.filter(task_id=task_id)}


def deadline_for(package, tiers: dict | None = None) -> Deadline:
    """A 主管部门 reviewing its units: its own date (the bureau set it); a unit under one: the date its
    department gave its units, else the department's; any other unit: the task's. `tiers`: the task's
    tiers by department (`task_tiers`), when the caller reads many packages of one task."""
    unit = package.unit
    if tiers is None:
        tiers = {t.department_id: t for t in DepartmentTier.objects.filter(
            task_id=package.task_id, department_id__in=[unit.pk, *([unit.parent_id] if unit.parent_id else [])])}
    if unit.pk in tiers:
        return Deadline(tiers[unit.pk].deadline, "财政局为主管部门", True)
    if unit.parent_id in tiers:
        return Deadline(tiers[unit.parent_id].effective_units_deadline, "主管部门", True)
    return Deadline(package.task.deadline, "评价任务", False)


def deadline_annotation() -> Coalesce:
    """`deadline_for`'s tier date for each package of a Package queryset (None: the task's applies)."""
    tiers = DepartmentTier.objects.filter(task_id=OuterRef("task_id"))
    own = tiers.filter(department_id=OuterRef("unit_id"))
    above = tiers.filter(department_id=OuterRef("unit__parent_id"))
    return Coalesce(Subquery(own.values("deadline")[:1]), Subquery(above.values("units_deadline")[:1]),
                    Subquery(above.values("deadline")[:1]), output_field=DateField())
