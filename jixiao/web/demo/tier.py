"""The 主管部门 tier of `jixiao demo` (issue 22): a department reviewing its six subordinate units,
with logins for its people and for the units', the units in every state of the tier — not started,
a draft, with their head, with the department (two), returned by it with a comment on a field, and
approved into it (two) — and the department's own package as a draft to roll up and send.
Called once, inside the demo's transaction."""

from __future__ import annotations

import random
from datetime import timedelta

from jixiao.web import versions
from jixiao.web.demo import documents
from jixiao.web.models import Bureau, EvaluationTask, Package, Role, Status, Unit, User
from jixiao.web.review import tier

DEPARTMENT = ("湘西州农业农村局（模拟）", "800000")
# (name, the state the unit is left in)
UNITS = [("湘西州农业技术推广站（模拟）", "draft"), ("湘西州畜牧水产事务中心（模拟）", "dept_review"),
         ("湘西州农业综合执法支队（模拟）", "dept_approved"), ("湘西州种子管理站（模拟）", "returned"),
         ("湘西州农村经营管理站（模拟）", "in_review"), ("湘西州农机事务中心（模拟）", "dept_approved"),
         ("湘西州农业科学研究所（模拟）", "not_started"), ("湘西州植保植检站（模拟）", "dept_review")]
# The demo's logins of the tier (README lists them): the department's, and the first units' people.
LOGINS = ["zhuguan_tb", "zhuguan_fz", "xiashu1_tb", "xiashu1_fz", "xiashu2_tb", "xiashu2_fz"]


def build(bureau: Bureau, task: EvaluationTask, example: dict, user) -> None:
    """`user(username, name, role, unit=…)` makes a demo account (units.py's, one password)."""
    rng = random.Random(20240522)
    department = Unit.objects.create(bureau=bureau, name=DEPARTMENT[0], budget_code=DEPARTMENT[1], is_synthetic=True)
    task.units.add(department)
    preparer = user("zhuguan_tb", "主管部门填报人（模拟）", Role.PREPARER, unit=department)
    head = user("zhuguan_fz", "主管部门负责人（模拟）", Role.UNIT_HEAD, unit=department)
    _package(task, department, documents.perturb(example, rng, *DEPARTMENT), preparer)
    members = []
    for n, (name, state) in enumerate(UNITS, start=1):
        unit = Unit.objects.create(bureau=bureau, name=name, budget_code=f"{DEPARTMENT[1][:3]}{n:03d}", parent=department,
                                   is_synthetic=True)
        task.units.add(unit)
        members.append((state, unit, (user(f"xiashu{n}_tb", f"下属单位{n}填报人（模拟）", Role.PREPARER, unit=unit),
                                      user(f"xiashu{n}_fz", f"下属单位{n}负责人（模拟）", Role.UNIT_HEAD, unit=unit))))
    performance = User.objects.get(bureau=bureau, role=Role.BUREAU_PERFORMANCE)
    led = tier.set_tier(task_id=task.pk, department_id=department.pk, user=performance,
                        deadline=task.deadline - timedelta(days=1))
    tier.set_units_deadline(package_id=Package.objects.get(task=task, unit=department).pk, user=head,
                            deadline=led.deadline - timedelta(days=10))
    for state, unit, people in members:
        _unit_in(state, task, unit, example, rng, people, head)


def _package(task, unit, doc: dict, preparer) -> Package:
    doc = documents.adopt_readings(doc)
    doc, _, _ = versions.apply_figures(doc)
    package = Package.objects.create(task=task, unit=unit, draft=doc, status=Status.DRAFT, version=1, updated_by=preparer)
    versions.summarise(package, versions.compute(doc, deadline=task.deadline))
    package.save()
    return package


def _unit_in(state: str, task, unit, example, rng, people, department_head) -> None:
    preparer, head = people
    if state == "not_started":
        Package.objects.create(task=task, unit=unit, status=Status.NOT_STARTED)
        return
    package = _package(task, unit, documents.perturb(example, rng, unit.name, unit.budget_code), preparer)
    if state == "draft":
        return
    versions.submit(package_id=package.pk, user=preparer, version=package.version)
    if state == "in_review":
        return
    versions.approve(package_id=package.pk, user=head, opinion="经审核，自评情况属实，同意报送主管部门。")
    number = versions.latest_sent(package).number
    if state == "returned":
        tier.comment(package_id=package.pk, user=department_head, path="narrative.problems",
                     text="存在问题分析过于笼统，请结合执行率偏低的项目具体说明。")
        tier.return_unit(package_id=package.pk, user=department_head, version=number, reason="请按意见修改后重新报送。")
    elif state == "dept_approved":
        tier.approve_unit(package_id=package.pk, user=department_head, version=number, note="同意。")
