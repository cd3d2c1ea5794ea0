"""归口业务科室: which units each department of a bureau reviews, and the rule that follows from it.

The 绩效评价股 assigns the units of its bureau to a department (`assign`). A 归口业务科室 user
(role bureau_desk) belongs to one department and sees only the units assigned to it: the dashboard,
its charts and exports, the packages, 抽评, 部门汇总, 结果应用 and batch results are all read through
`unit_filter`, and `package_for`/the review services refuse a package outside it. A desk user
without a department sees no unit (fail closed). The 绩效评价股 sees every unit of its bureau.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from jixiao.web import access
from jixiao.web.models import Department, Role, Unit, User
from jixiao.web.versions import ActionError, log

NO_DEPARTMENT = "（未分配）"


def limited(user: User) -> bool:
    """Whether the user's view of the bureau's units is limited to their department."""
    return user.role == Role.BUREAU_DESK


# The rule itself lives with the other object-level rules (access.py); these names stay for callers.
unit_filter = access.unit_scope
scoped = access.scoped
may_see_unit = access.can_see_unit


def may_assign(user: User) -> bool:
    return user.is_authenticated and user.role == Role.BUREAU_PERFORMANCE and user.bureau_id is not None


# --- the assignment page ------------------------------------------------------------------------


@dataclass
class AssignRow:
    unit: Unit
    current: int | None  # department pk
    posted: str  # what the form sent back (shown again on an error)
    error: str = ""


def departments_of(bureau_id: int):
    return Department.objects.filter(bureau_id=bureau_id).annotate(n_units=Count("units", distinct=True),
                                                                   n_users=Count("users", distinct=True))


def assignment_rows(bureau_id: int, q: str = "") -> list[AssignRow]:
    qs = Unit.objects.filter(bureau_id=bureau_id).select_related("parent", "department").order_by("budget_code")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(budget_code__startswith=q))
    return [AssignRow(u, u.department_id, "" if u.department_id is None else str(u.department_id)) for u in qs]


def assign(*, user: User, choices: dict[int, str]) -> int:
    """Set each listed unit's department (unit pk → department pk, "" for none). All or nothing:
    a unit or department not of the user's bureau refuses the whole form, naming the rows.
    Returns how many units changed."""
    if not may_assign(user):
        raise ActionError("只有绩效评价股可以分配归口业务科室", 403)
    depts = {str(d.pk): d for d in Department.objects.filter(bureau_id=user.bureau_id)}
    units = {u.pk: u for u in Unit.objects.filter(bureau_id=user.bureau_id, pk__in=list(choices))}
    problems: dict[int, str] = {}
    for pk, raw in choices.items():
        if pk not in units:
            problems[pk] = "没有该单位"
        elif raw and raw not in depts:
            problems[pk] = "请选择本局的归口业务科室"
    if problems:
        err = ActionError(f"有 {len(problems)} 处选择无效，未保存", 422)
        err.problems = problems  # type: ignore[attr-defined]
        raise err
    changed = {}
    with transaction.atomic():
        for pk, raw in choices.items():
            u = units[pk]
            new = depts[raw].pk if raw else None
            if u.department_id != new:
                changed[u.budget_code] = depts[raw].name if raw else ""
                u.department_id = new
                u.save(update_fields=["department"])
        if changed:
            log("department_assign", actor=user, target=f"bureau:{user.bureau_id}", new=changed,
                detail=f"{len(changed)}个单位改变归口业务科室")
    return len(changed)


def create_department(*, user: User, name: str) -> Department:
    if not may_assign(user):
        raise ActionError("只有绩效评价股可以设置归口业务科室", 403)
    name = name.strip()
    if not name:
        raise ActionError("请填写科室名称")
    if len(name) > 100:
        raise ActionError("科室名称不超过100个字")
    if Department.objects.filter(bureau_id=user.bureau_id, name=name).exists():
        raise ActionError(f"已有科室“{name}”", 409)
    with transaction.atomic():
        department = Department.objects.create(bureau_id=user.bureau_id, name=name)
        log("department", actor=user, target=f"bureau:{user.bureau_id}", new=name)
    return department
