"""A 主管部门 with three subordinate units, each with a preparer and a head, in one task of a bureau
that has set the department's deadline (issue 22): shared by the tier's tests, page and browser."""

from __future__ import annotations

from datetime import date

from .conftest import PASSWORD, canonical

DEPARTMENT = ("某县农业农村局", "402000")
UNITS = [("某县农业技术推广中心", "402001"), ("某县动物疫病预防控制中心", "402002"), ("某县农村经营服务站", "402003")]


def _doc(name: str, code: str) -> dict:
    from jixiao.web.drafts import fields

    return fields.put(fields.put(canonical(), "unit.name", name), "unit.budget_code", code)


def build(password_hash: str | None = None, deadline: date = date(2024, 6, 15)) -> dict:
    """The department (`dept`), its units (`units`: three dicts with unit, package, preparer, head),
    a unit of the same bureau outside the department (`outsider`), the bureau's 绩效评价股 user, the
    task and its tier. Every package holds a draft; nothing is sent yet."""
    from django.contrib.auth.hashers import make_password

    from jixiao.web import versions
    from jixiao.web.models import Bureau, EvaluationTask, Package, Role, Status, Unit, User
    from jixiao.web.review import tier

    pw = password_hash or make_password(PASSWORD)
    bureau = Bureau.objects.create(name="某县财政局", region_code="430100")
    task = EvaluationTask.objects.create(bureau=bureau, year=2023, title="2023年度自评", profile="national-2020",
                                         deadline=date(2024, 6, 30))

    def member(name: str, code: str, slug: str, parent=None) -> dict:
        unit = Unit.objects.create(bureau=bureau, name=name, budget_code=code, parent=parent)
        task.units.add(unit)
        package = Package.objects.create(task=task, unit=unit, draft=_doc(name, code), version=1, status=Status.DRAFT)
        versions.summarise(package, versions.compute(package.draft))
        package.save()
        people = {role: User.objects.create(username=f"{slug}_{tag}", display_name=f"{name[2:6]}{label}", role=role,
                                            unit=unit, password=pw)
                  for role, tag, label in ((Role.PREPARER, "tb", "填报"), (Role.UNIT_HEAD, "fz", "负责"))}
        return {"unit": unit, "package": package, "preparer": people[Role.PREPARER], "head": people[Role.UNIT_HEAD]}

    dept = member(*DEPARTMENT, "nyj")
    units = [member(name, code, f"u{i + 1}", parent=dept["unit"]) for i, (name, code) in enumerate(UNITS)]
    outsider = member("某县水利局", "403000", "sl")
    performance = User.objects.create(username="czj_jx", display_name="绩效评价股", role=Role.BUREAU_PERFORMANCE,
                                      bureau=bureau, password=pw)
    led = tier.set_tier(task_id=task.pk, department_id=dept["unit"].pk, user=performance, deadline=deadline)
    return {"bureau": bureau, "task": task, "dept": dept, "units": units, "outsider": outsider,
            "performance": performance, "tier": led}


def send_to_department(member: dict) -> None:
    """The unit's preparer submits and its head approves: the version goes to the department."""
    from jixiao.web import versions

    package = member["package"]
    package.refresh_from_db()
    versions.submit(package_id=package.pk, user=member["preparer"], version=package.version)
    versions.approve(package_id=package.pk, user=member["head"], opinion="情况属实，同意报送。")
    package.refresh_from_db()


def latest(package) -> int:
    return package.submissions.filter(state="approved").order_by("-number").first().number
