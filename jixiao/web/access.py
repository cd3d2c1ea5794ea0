"""Who may see and do what: the one place of the object-level rules (issue 12, 等保 8.1.4.2 访问控制).

Pages, the JSON API and the write services all ask these functions; none decides access itself.

  A unit's data (its packages, versions, comments, 整改 notices) belongs to its own users and to
  the users of the bureau that runs the task. A bureau's data (its tasks, dashboards, 抽评
  samples, batch jobs) belongs to its own users. Within that scope the roles restrict further:

  | who                 | may                                                                     |
  |---------------------|-------------------------------------------------------------------------|
  | 填报人 (preparer)     | read and edit the unit's draft, import, export, submit to the head      |
  | 单位负责人 (head)      | read the unit's draft and versions, comment, return, approve (send on)  |
  | 归口业务科室 (desk)    | read the bureau's tasks and the versions units sent; comment, return,   |
  |                     | accept, ask for 整改                                                      |
  | 绩效评价股 (performance)| all the desk may, and create tasks, 抽评, publish, batch work            |
  | the three administrators | none of the above: accounts (系统管理员), account security (安全管理员), |
  |                     | the audit log (审计管理员) — `security/roles.py`                           |

  A 归口业务科室 user belongs to one department of the bureau and sees only the units the 绩效评价股
  assigned to it (`unit_scope`); one without a department sees none (fail closed).

  The bureau reads only what a unit sent (never the draft, the unit's working copy): the unit's
  workspace pages are its own users' only.

`visible_*` are the querysets behind every list; `can_*` the predicates behind every object.
Refusing reveals nothing: a caller turns False into a 404 for an object outside the user's scope
and a 403 for an action the user's role may not take on an object they can see.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from jixiao.web.models import (
    BUREAU_ROLES,
    UNIT_ROLES,
    DepartmentTier,
    EvaluationTask,
    Package,
    Role,
    Submission,
    User,
)
from jixiao.web.security.context import note_refusal

NOT_FOUND = "没有找到该任务或数据包，或您无权查看"

# --- who the user is ----------------------------------------------------------------------------------


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_unit_user(user) -> bool:
    return _authenticated(user) and user.role in UNIT_ROLES and user.unit_id is not None


def is_bureau_user(user) -> bool:
    return _authenticated(user) and user.role in BUREAU_ROLES and user.bureau_id is not None


def is_performance(user) -> bool:
    """绩效评价股: the bureau's section that runs tasks, 抽评, publication and batch work."""
    return is_bureau_user(user) and user.role == Role.BUREAU_PERFORMANCE


def is_preparer(user) -> bool:
    return is_unit_user(user) and user.role == Role.PREPARER


def is_unit_head(user) -> bool:
    return is_unit_user(user) and user.role == Role.UNIT_HEAD


def is_desk(user) -> bool:
    """归口业务科室: limited to the units of the user's department."""
    return is_bureau_user(user) and user.role == Role.BUREAU_DESK


# --- scopes: the querysets ------------------------------------------------------------------------------


def visible_packages(user) -> QuerySet[Package]:
    """Packages whose unit workspace the user may open: their own unit's."""
    if not is_unit_user(user):
        return Package.objects.none()
    return Package.objects.filter(unit_id=user.unit_id)


def unit_scope(user, prefix: str = "") -> Q | None:
    """The filter on units (`prefix`: the path to the unit, "unit__", "package__unit__") that a
    bureau user's reads go through; None: every unit of the bureau (the 绩效评价股)."""
    if not is_desk(user):
        return None
    if user.department_id is None:
        return Q(pk__in=[])  # no department: nothing, never everything
    return Q(**{f"{prefix}department_id": user.department_id})


def scoped(qs: QuerySet, user, prefix: str = "") -> QuerySet:
    f = unit_scope(user, prefix)
    return qs if f is None else qs.filter(f)


def visible_package_ids(user, task_id: int) -> set[int] | None:
    """The packages of a task whose units `user` sees; None when the user sees every unit of the
    bureau (the 绩效评价股). For lists kept as data — a job's result lines, an import's summary —
    that a queryset cannot filter."""
    if unit_scope(user) is None:
        return None
    return set(scoped(Package.objects.filter(task_id=task_id), user, "unit__").values_list("pk", flat=True))


def only_visible(lines: list[dict], user, task_id: int, key: str = "package") -> list[dict]:
    """The lines (dicts naming a package under `key`) of the units `user` sees. A line naming no
    package (a file matched to no unit) is the 绩效评价股's only: a desk user sees none of it."""
    allowed = visible_package_ids(user, task_id)
    return list(lines) if allowed is None else [line for line in lines if line.get(key) in allowed]


def can_see_unit(user, unit) -> bool:
    """A unit of the user's bureau, and for a 归口 user one of their department."""
    if not is_bureau_user(user) or unit.bureau_id != user.bureau_id:
        return False
    return not is_desk(user) or (user.department_id is not None and unit.department_id == user.department_id)


def bureau_packages(user) -> QuerySet[Package]:
    """Packages a bureau user may review: those of their own bureau's tasks, of the units they see."""
    if not is_bureau_user(user):
        return Package.objects.none()
    return scoped(Package.objects.filter(task__bureau_id=user.bureau_id), user, "unit__")


def visible_tasks(user) -> QuerySet[EvaluationTask]:
    """Tasks a bureau user may open: their own bureau's."""
    if not is_bureau_user(user):
        return EvaluationTask.objects.none()
    return EvaluationTask.objects.filter(bureau_id=user.bureau_id)


# --- predicates on one object -----------------------------------------------------------------------


def _own_unit(user, package: Package) -> bool:
    return is_unit_user(user) and user.unit_id == package.unit_id


def _own_bureau(user, package: Package) -> bool:
    """The package's bureau, and a unit the user sees (a 归口 user: of their department)."""
    return is_bureau_user(user) and user.bureau_id == package.task.bureau_id and can_see_unit(user, package.unit)


def can_view_package(user, package: Package) -> bool:
    """Anything of the package at all: its unit's users and its bureau's users."""
    return _own_unit(user, package) or _own_bureau(user, package)


def can_view_draft(user, package: Package) -> bool:
    """The unit's workspace (the draft, its edits, its export): the unit's own users only."""
    return _own_unit(user, package)


def can_edit_package(user, package: Package) -> bool:
    """Change the draft (edit a field, change a table, import): the unit's preparer. Whether the
    package's status allows it is the service's business rule (a 409), not an access question."""
    return _own_unit(user, package) and user.role == Role.PREPARER


def can_submit(user, package: Package) -> bool:
    return _own_unit(user, package) and user.role == Role.PREPARER


def can_review_unit(user, package: Package) -> bool:
    """The unit head's review: comment, return to the preparer, approve and send to the bureau."""
    return _own_unit(user, package) and user.role == Role.UNIT_HEAD


def can_review(user, package: Package) -> bool:
    """The bureau's review of a version the unit sent: comment, return, accept, 整改."""
    return _own_bureau(user, package)


def can_publish(user, package: Package) -> bool:
    return _own_bureau(user, package) and user.role == Role.BUREAU_PERFORMANCE


def can_answer_rectification(user, package: Package) -> bool:
    return _own_unit(user, package)


def can_view_task(user, task: EvaluationTask) -> bool:
    return is_bureau_user(user) and user.bureau_id == task.bureau_id


def can_run_task(user, task: EvaluationTask) -> bool:
    """抽评, batch work and the like on a task: the performance section of its bureau."""
    return can_view_task(user, task) and user.role == Role.BUREAU_PERFORMANCE


def can_create_task(user) -> bool:
    return is_performance(user)


# --- packages a user may open ----------------------------------------------------------------------------------------


def packages_for(user: User) -> QuerySet[Package]:
    """The packages whose workspace a user may open (`access.visible_packages`: their own unit's;
    the bureau reads what was sent through its own pages)."""
    return visible_packages(user).select_related("task", "unit", "task__bureau")


def package_for(user: User, pk: int) -> Package:
    """The package if the user may open it. Another unit's package is a 404, not a 403: its
    existence is not disclosed."""
    try:
        return packages_for(user).get(pk=pk)
    except Package.DoesNotExist:
        note_refusal(f"数据包 {pk}")
        raise Http404("没有找到该数据包，或您无权查看") from None


# --- the 主管部门 tier (issue 22) ------------------------------------------------------------------------
#
# A department (a unit with subordinate units) reviews its units in a task where the bureau set it up
# (`DepartmentTier`). Its preparer and head read a subordinate unit's package once the unit head has
# approved a version of it (the department sees what the unit sent, never the unit's draft); its head
# decides (comment, return, approve into the department). A department sees only its own units; a
# subordinate unit sees neither its siblings nor the department's pages (each reaches the others'
# packages only through `subordinate_for`, which answers 404).


def tier_of(package: Package) -> DepartmentTier | None:
    """The tier a package's unit sends through in its task: its 主管部门's, where that one reviews."""
    parent = package.unit.parent_id
    if parent is None:
        return None
    return DepartmentTier.objects.filter(task_id=package.task_id, department_id=parent).first()


def tier_led_by(package: Package) -> DepartmentTier | None:
    """The tier whose department's own package this is, if the department reviews units in its task."""
    return DepartmentTier.objects.filter(task_id=package.task_id, department_id=package.unit_id).first()


def is_department_user(user, package: Package) -> bool:
    """A preparer or head of the department that owns `package` and reviews its units in that task."""
    return _own_unit(user, package) and tier_led_by(package) is not None


def subordinate_packages(department_package: Package) -> QuerySet[Package]:
    """The packages of the department's subordinate units in its task that the department may read:
    those whose unit head has approved (sent) a version."""
    approved = Submission.objects.filter(package=OuterRef("pk"), state=Submission.State.APPROVED)
    return (Package.objects.filter(task_id=department_package.task_id, unit__parent_id=department_package.unit_id)
            .filter(Exists(approved)).select_related("task", "unit", "unit__parent"))


def subordinate_for(user: User, department_pk: int, pk: int) -> tuple[Package, Package]:
    """(the department's own package, a subordinate unit's package) if `user` is one of the
    department's people and the unit is one of its own, sent; anything else is a 404."""
    department = package_for(user, department_pk)
    if tier_led_by(department) is None:
        note_refusal(f"主管部门数据包 {department_pk}")
        raise Http404(NOT_FOUND)
    try:
        return department, subordinate_packages(department).get(pk=pk)
    except Package.DoesNotExist:
        note_refusal(f"下属单位数据包 {pk}")
        raise Http404(NOT_FOUND) from None


def department_package_for(user: User, pk: int) -> Package:
    """The department's own package, for its pages about its units: a 404 for anyone else, and for a
    unit that leads no tier in the task (its pages would have nothing to show)."""
    package = package_for(user, pk)
    if tier_led_by(package) is None:
        note_refusal(f"主管部门数据包 {pk}")
        raise Http404(NOT_FOUND)
    return package


def can_review_subordinate(user, package: Package) -> bool:
    """The department head's decisions on a subordinate unit's version: return, approve."""
    return (is_unit_head(user) and package.unit.parent_id == user.unit_id
            and DepartmentTier.objects.filter(task_id=package.task_id, department_id=user.unit_id).exists())


def can_comment_subordinate(user, package: Package) -> bool:
    """A comment on a subordinate unit's version: the department's preparer and head."""
    return (is_unit_user(user) and package.unit.parent_id == user.unit_id
            and DepartmentTier.objects.filter(task_id=package.task_id, department_id=user.unit_id).exists())


def can_set_units_deadline(user, tier: DepartmentTier) -> bool:
    return is_unit_head(user) and user.unit_id == tier.department_id


def can_set_tier(user, task: EvaluationTask) -> bool:
    """The department's deadline (and so its tier) is set by the bureau's 绩效评价股, which runs the task."""
    return can_run_task(user, task)


def require_role(user: User, *roles: str) -> None:
    require(user.role in roles)


def require(allowed: bool) -> None:
    """A 403 for an action the user's role may not take on an object they can see."""
    if not allowed:
        note_refusal("角色不允许此操作")
        raise PermissionDenied("您的角色不能进行此操作")
