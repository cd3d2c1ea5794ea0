"""The 主管部门 tier (issue 22): a department reviews its subordinate units' packages before the
bureau — comments on fields, returns a unit's version, approves it into the department — builds its
own package from theirs, and sends it up with theirs attached (`versions.approve`).

Shared by the unit's side (a department is a unit: its pages are in web/unit) and the bureau's (the
department's deadline, the nested dashboard). Who may act is `access.py`'s; every write is logged
through `versions.log` under a Chinese action name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models.functions import Coalesce

from jixiao.web import access
from jixiao.web.drafts import rollup as unit_rollup
from jixiao.web.models import (
    Comment,
    DepartmentAttachment,
    DepartmentDecision,
    DepartmentTier,
    EvaluationTask,
    Package,
    Status,
    Submission,
    Unit,
    User,
)
from jixiao.web.models.tier import deadline_annotation
from jixiao.web.versions import SENT, ActionError, check_comment, latest_sent, log, package_target


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


# --- deadlines per tier -------------------------------------------------------------------------------


def set_tier(*, task_id: int, department_id: int, user: User, deadline: date) -> DepartmentTier:
    """The bureau sets a 主管部门's deadline in a task; from then on its units send to it first."""
    task = EvaluationTask.objects.get(pk=task_id)
    if not access.can_set_tier(user, task):
        raise ActionError("只有本财政局的绩效评价股可以设定主管部门的截止日期", 403)
    department = Unit.objects.filter(pk=department_id, bureau_id=task.bureau_id).first()
    if department is None or not task.units.filter(pk=department_id).exists():
        raise ActionError("该单位不是本任务的参评单位", 404)
    if not task.units.filter(parent_id=department_id).exists():
        raise ActionError(f"{department.name}在本任务中没有下属单位，不能作为主管部门审核", fields={"deadline": "没有下属单位"})
    if deadline > task.deadline:
        message = f"主管部门的截止日期不能晚于任务的报送截止日期（{_day(task.deadline)}）"
        raise ActionError(message, fields={"deadline": message})
    with transaction.atomic():
        tier, created = DepartmentTier.objects.select_for_update().get_or_create(
            task=task, department=department, defaults={"deadline": deadline, "set_by": user})
        old = None if created else tier.deadline.isoformat()
        tier.deadline, tier.set_by = deadline, user
        if tier.units_deadline and tier.units_deadline > deadline:  # the units' may never be the later one
            tier.units_deadline = None
        tier.save()
        log("dept_tier", actor=user, target=f"task:{task.pk}", path=f"tiers[{department.budget_code}]",
            old=old, new=deadline.isoformat(), detail=department.name)
    return tier


def set_units_deadline(*, package_id: int, user: User, deadline: date) -> DepartmentTier:
    """The department gives its units a deadline — its own or an earlier one, never a later one."""
    package = Package.objects.select_related("task", "unit").get(pk=package_id)
    tier = access.tier_led_by(package)
    if tier is None or not access.can_set_units_deadline(user, tier):
        raise ActionError("只有主管部门的负责人可以设定下属单位的截止日期", 403)
    if deadline > tier.deadline:
        message = f"下属单位的截止日期不能晚于本部门的截止日期（{_day(tier.deadline)}）"
        raise ActionError(message, fields={"units_deadline": message})
    with transaction.atomic():
        old = tier.units_deadline.isoformat() if tier.units_deadline else None
        tier.units_deadline, tier.units_set_by = deadline, user
        tier.save(update_fields=["units_deadline", "units_set_by"])
        log("dept_units_deadline", actor=user, target=package_target(package), path="units_deadline", old=old,
            new=deadline.isoformat())
    return tier


def tier_deadline() -> Coalesce:
    """The deadline of its tier for each package of a Package queryset (an annotation; None for a unit
    outside every tier, held to the task's): `models.tier.deadline_annotation`, the queryset form of
    `deadline_for`."""
    return deadline_annotation()


# --- the department's review of a unit's version -------------------------------------------------------


def _under_department(package: Package, version: int | None = None) -> Submission:
    if package.status != Status.DEPT_REVIEW:
        raise ActionError(f"数据包当前状态为“{package.get_status_display()}”，不在主管部门审核中", 409)
    sub = latest_sent(package)
    if sub is None:
        raise ActionError("没有报送主管部门的版本", 409)
    if version is not None and sub.number != version:
        raise ActionError(f"单位已报送第{sub.number}版（您看到的是第{version}版），请刷新后审核最新版本", 409)
    return sub


def _locked(package_id: int) -> Package:
    return Package.objects.select_for_update(of=("self",)).select_related("task", "unit").get(pk=package_id)


def comment(*, package_id: int, user: User, path: str, text: str) -> Comment:
    """A comment on one field (or the whole package) of the version under the department's review;
    the unit sees it beside that field when the package comes back."""
    package = Package.objects.select_related("task", "unit").get(pk=package_id)
    if not access.can_comment_subordinate(user, package):
        raise ActionError("只有主管部门的人员可以写审核意见", 403)
    check_comment(path, text)
    with transaction.atomic():
        package = _locked(package_id)
        sub = _under_department(package)
        note = Comment.objects.create(package=package, submission=sub, path=path, text=f"【主管部门】{text.strip()}",
                                      author=user)
        log("dept_comment", actor=user, target=package_target(package), path=path, new=text.strip(),
            detail=f"第{sub.number}版")
        return note


def return_unit(*, package_id: int, user: User, version: int, reason: str) -> DepartmentDecision:
    """Back to the unit with the reason (and the comments on its fields): its preparer edits the draft,
    its head approves again, and the version comes back to the department."""
    package = Package.objects.select_related("task", "unit").get(pk=package_id)
    if not access.can_review_subordinate(user, package):
        raise ActionError("只有主管部门的负责人可以退回下属单位", 403)
    with transaction.atomic():
        package = _locked(package_id)
        sub = _under_department(package, version)
        if not reason.strip() and not package.comments.filter(submission=sub, resolved=False).exists():
            raise ActionError("退回时请写明原因：在字段上写意见，或填写退回说明", fields={"reason": "请写明退回原因"})
        if reason.strip():
            Comment.objects.create(package=package, submission=sub, path="", text=f"【主管部门退回】{reason.strip()}",
                                   author=user)
        decision = DepartmentDecision.objects.create(package=package, submission=sub, user=user, text=reason.strip(),
                                                     action=DepartmentDecision.Action.RETURN)
        package.status = Status.RETURNED
        package.save(update_fields=["status", "updated_at"])
        log("dept_return", actor=user, target=package_target(package), path=f"submissions[{sub.number}]",
            old=Status.DEPT_REVIEW, new=Status.RETURNED, detail=reason.strip())
        return decision


def approve_unit(*, package_id: int, user: User, version: int, note: str = "") -> DepartmentDecision:
    """The unit's version approved into the department. It goes to the bureau with the department's
    package — at once when the department has already sent its own (a unit the bureau returned)."""
    package = Package.objects.select_related("task", "unit").get(pk=package_id)
    if not access.can_review_subordinate(user, package):
        raise ActionError("只有主管部门的负责人可以审核通过下属单位", 403)
    with transaction.atomic():
        package = _locked(package_id)
        sub = _under_department(package, version)
        decision = DepartmentDecision.objects.create(package=package, submission=sub, user=user,
                                                     text=note.strip() or "审核通过", action=DepartmentDecision.Action.APPROVE)
        department = Package.objects.filter(task_id=package.task_id, unit_id=package.unit.parent_id).first()
        department_sent = latest_sent(department) if department is not None and department.status in SENT else None
        package.status = Status.SUBMITTED if department_sent else Status.DEPT_APPROVED
        package.save(update_fields=["status", "updated_at"])
        if department_sent:  # the department's package is with the bureau already: this one joins it
            department_sent.attachments.create(unit_submission=sub)
        package.comments.filter(resolved=False).update(resolved=True)
        log("dept_approve", actor=user, target=package_target(package), path=f"submissions[{sub.number}]",
            old=Status.DEPT_REVIEW, new=package.status, detail=note.strip())
        return decision


# --- the department's package from its units ----------------------------------------------------------


def approved_versions(department_package: Package) -> list[Submission]:
    """The versions the department approved of each of its units (what its roll-up is built from)."""
    units = access.subordinate_packages(department_package).filter(status__in=(Status.DEPT_APPROVED, *SENT))
    return [v for v in (latest_sent(p) for p in units.order_by("unit__budget_code")) if v is not None]


def rebuild(*, package_id: int, user: User):
    """The department's draft built again from its units' approved versions (the 汇总 rows, 附件3,
    the per-fund 自评表), its own narrative kept: what changed, field by field."""
    package = Package.objects.select_related("task", "unit").get(pk=package_id)
    if access.tier_led_by(package) is None or not access.can_edit_package(user, package):
        raise ActionError("只有主管部门的填报人可以汇总下属单位数据", 403)
    if not package.editable:
        raise ActionError(f"数据包当前状态为“{package.get_status_display()}”，不能修改；如需修改请由负责人退回", 409)
    sent_versions = approved_versions(package)
    if not sent_versions:
        raise ActionError("还没有经本部门审核通过的下属单位数据包，无法汇总", 409)
    with transaction.atomic():
        package = _locked(package_id)
        try:
            change = unit_rollup.roll_up_into(package, sent_versions, actor=user)
        except unit_rollup.RollupError as exc:
            raise ActionError(exc.message, exc.status) from None
        log("dept_rollup", actor=user, target=package_target(package), path="rollup",
            new=[v.package.unit.budget_code for v in sent_versions], detail=f"汇总下属单位{len(sent_versions)}个")
    return change


# --- reads ----------------------------------------------------------------------------------------------


@dataclass
class UnitLine:
    """One subordinate unit as the department (or the bureau) sees it."""

    unit: Unit
    package: Package | None
    readable: bool  # its head has sent a version: the department may open it
    version: Submission | None = None
    decisions: list[DepartmentDecision] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        if self.package is None:
            return Status.NOT_STARTED.label
        return self.package.get_status_display() if self.readable else "尚未报送主管部门"

    @property
    def status(self) -> str:
        return self.package.status if self.package is not None and self.readable else "not_started"


def unit_lines(department_package: Package) -> list[UnitLine]:
    """Every subordinate unit of the department in its task, sent or not (an unsent one shows only that)."""
    units = department_package.task.units.filter(parent_id=department_package.unit_id).order_by("budget_code")
    packages = {p.unit_id: p for p in Package.objects.filter(task_id=department_package.task_id, unit__in=units)
                .defer("draft")}
    readable = set(access.subordinate_packages(department_package).values_list("pk", flat=True))
    lines = []
    for unit in units:
        p = packages.get(unit.pk)
        ok = p is not None and p.pk in readable
        lines.append(UnitLine(unit, p, ok, latest_sent(p) if ok else None,
                              list(p.department_decisions.select_related("user")) if ok else []))
    return lines


@dataclass
class TierRow:
    """A department with its units nested, for the bureau's dashboard: each tier's status."""

    tier: DepartmentTier
    package: Package | None
    units: list[UnitLine]

    @property
    def status_label(self) -> str:
        return self.package.get_status_display() if self.package is not None else Status.NOT_STARTED.label

    @property
    def counts(self) -> str:
        done = sum(1 for u in self.units if u.package is not None and u.package.status in (Status.DEPT_APPROVED, *SENT))
        return f"{done}/{len(self.units)}"


def tier_rows(task: EvaluationTask, viewer: User | None = None) -> list[TierRow]:
    """The task's reviewing departments, each with its units nested (a 归口 user: those of their scope)."""
    tiers = DepartmentTier.objects.filter(task=task).select_related("department").order_by("department__budget_code")
    rows = []
    for tier in tiers:
        if viewer is not None and not _sees(viewer, tier.department):
            continue
        package = Package.objects.filter(task=task, unit=tier.department).select_related("task", "unit").defer("draft").first()
        shell = package or Package(task=task, unit=tier.department)
        lines = [line for line in unit_lines(shell) if viewer is None or _sees(viewer, line.unit)]
        rows.append(TierRow(tier, package, lines))
    return rows


def _sees(viewer: User, unit: Unit) -> bool:
    return access.can_see_unit(viewer, unit)


def tiers_for_bureau(task: EvaluationTask) -> list[tuple[Unit, DepartmentTier | None]]:
    """The task's units with subordinate units in it, each with its tier where the bureau set one."""
    tiers = {t.department_id: t for t in DepartmentTier.objects.filter(task=task)}
    units = Unit.objects.filter(pk__in=task.units.filter(parent__isnull=False).values("parent_id"),
                                tasks=task).order_by("budget_code")
    return [(u, tiers.get(u.pk)) for u in units]


def rollup_view(department_package: Package):
    """The department's figures with their traces and each unit's contribution (item 3's view)."""
    return unit_rollup.rollup_view(department_package, approved_versions(department_package))


def department_rollup(task: EvaluationTask, department: Unit):
    """The roll-up a department sent the bureau: over the units' versions attached to its latest
    version sent (None where the department reviews no units in the task or has sent nothing)."""
    if not DepartmentTier.objects.filter(task=task, department=department).exists():
        return None
    package = Package.objects.filter(task=task, unit=department).select_related("task", "unit").first()
    attached = attached_versions(package) if package is not None and package.status in SENT else []
    if not attached:
        return None
    return unit_rollup.rollup_view(package, attached)


def attached_versions(department_package: Package) -> list[Submission]:
    """The units' versions the department's package carried to the bureau: for each unit the latest
    one attached to any of its versions (the bureau's accept makes a new version, which carries none;
    a unit the bureau returned and the department approved again joins a version already sent)."""
    latest: dict[int, Submission] = {}
    for attachment in (DepartmentAttachment.objects.filter(department_submission__package=department_package)
                       .select_related("unit_submission__package__unit").order_by("unit_submission__number", "id")):
        latest[attachment.unit_submission.package_id] = attachment.unit_submission
    return sorted(latest.values(), key=lambda v: v.package.unit.budget_code)


def led_package_ids(packages) -> set[int]:
    """Of `packages`, those of a department reviewing its units in their task (their pages link to it)."""
    led = DepartmentTier.objects.filter(task_id__in=[p.task_id for p in packages]).values_list("task_id", "department_id")
    pairs = set(led)
    return {p.pk for p in packages if (p.task_id, p.unit_id) in pairs}


def waiting_for_department(packages, led: set[int]) -> list[tuple[Package, int]]:
    """Each led department package of `packages` with how many of its units' versions wait for its
    review (the home page says so, with a link to the units page)."""
    return [(p, access.subordinate_packages(p).filter(status=Status.DEPT_REVIEW).count())
            for p in packages if p.pk in led]


@dataclass
class PackageTier:
    """Where a package stands in the tier, for the bureau's page of it: the department it went
    through (a unit's), or the units' versions it carried (a department's)."""

    department: Unit | None = None
    decisions: list[DepartmentDecision] = field(default_factory=list)
    attached: list[Submission] = field(default_factory=list)


def package_tier(package: Package) -> PackageTier | None:
    through = access.tier_of(package)
    if through is not None:
        return PackageTier(department=through.department,
                           decisions=list(package.department_decisions.select_related("user", "submission")))
    if access.tier_led_by(package) is None:
        return None
    return PackageTier(attached=attached_versions(package))
