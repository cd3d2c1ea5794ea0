"""`jixiao demo`: a bureau (marked 演示), the seed unit with the example package as its draft, and 30
synthetic units (marked 模拟) whose packages are perturbed from the example — different figures,
some with errors, some submitted, some returned, some not started — with a user for each role.

Idempotent: a second run finds the bureau and changes nothing. Refuses under production settings.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from jixiao.web import versions
from jixiao.web.demo import documents
from jixiao.web.demo.bureau import build as bureau_side
from jixiao.web.demo.tier import LOGINS as TIER_LOGINS
from jixiao.web.demo.tier import build as tier_side
from jixiao.web.drafts import fields
from jixiao.web.models import Bureau, Comment, EvaluationTask, Package, Role, Status, Unit, User

DEMO_PASSWORD = "jixiao-demo"
REGION_CODE = "433100"  # 湘西土家族苗族自治州
SYNTHETIC = 30

_KINDS = ["教育", "卫生健康", "交通运输", "农业农村", "文化旅游", "民政", "人力资源", "自然资源", "生态环境", "住房城乡建设",
          "水利", "林业", "商务", "应急管理", "市场监管", "统计", "医疗保障", "退役军人事务", "乡村振兴", "审计",
          "司法", "科技", "工业信息化", "体育", "档案", "机关事务", "信访", "民族宗教", "供销", "地方志"]


@dataclass
class Logins:
    password: str
    users: list[tuple[str, str, str]] = field(default_factory=list)


def load_demo() -> Logins:
    if os.environ.get("JIXIAO_ENV") == "production":
        raise ValueError("生产环境不能载入演示数据")
    logins = Logins(DEMO_PASSWORD)
    if Bureau.objects.filter(region_code=REGION_CODE).exists():
        _list_logins(logins)
        return logins
    with transaction.atomic():
        _build()
    _list_logins(logins)
    return logins


def _list_logins(logins: Logins) -> None:
    names = ["tianbao", "fuzeren", "tianbao02", "fuzeren02", "jixiaogu", "guikou", *TIER_LOGINS]
    for u in User.objects.filter(username__in=names).order_by("id"):
        place = u.unit.name if u.unit else (u.bureau.name if u.bureau else "")
        logins.users.append((u.username, u.get_role_display(), place))


_HASHED: list[str] = []


def _user(username: str, name: str, role: str, unit: Unit | None = None, bureau: Bureau | None = None) -> User:
    if not _HASHED:  # one hash for every demo account: hashing is slow by design
        _HASHED.append(make_password(DEMO_PASSWORD))
    u = User(username=username, display_name=name, role=role, unit=unit, bureau=bureau, password=_HASHED[0])
    u.full_clean(exclude=["password"])
    u.save()
    return u


def _build() -> None:
    bureau = Bureau.objects.create(name="湘西州财政局（演示）", region_code=REGION_CODE, is_demo=True)
    doc = documents.example_doc()
    office = Unit.objects.create(bureau=bureau, name="湘西自治州人民政府办公室", budget_code="106001")
    seed = Unit.objects.create(bureau=bureau, name=doc["unit"]["name"], budget_code=doc["unit"].get("budget_code", "106005"),
                               parent=office)
    task = EvaluationTask.objects.create(bureau=bureau, year=doc["year"], title=f"{doc['year']}年度部门整体支出绩效自评",
                                         profile=doc.get("profile", "xiangxi-2022"), deadline=_deadline())
    task.units.add(office, seed)
    # The bureau's notice (附件1) states the task's deadline: the two agree, and the audit checks the
    # unit's filing dates against the task's.
    doc = fields.put(doc, "notice.deadline", task.deadline.isoformat())
    preparer = _user("tianbao", "黄觅（演示）", Role.PREPARER, unit=seed)
    head = _user("fuzeren", "杨再贵（演示）", Role.UNIT_HEAD, unit=seed)
    _user("jixiaogu", "绩效评价股（演示）", Role.BUREAU_PERFORMANCE, bureau=bureau)
    _user("guikou", "归口业务科室（演示）", Role.BUREAU_DESK, bureau=bureau)
    pkg = Package.objects.create(task=task, unit=seed, draft=doc, status=Status.DRAFT, version=1, updated_by=preparer)
    versions.summarise(pkg, versions.compute(doc))
    pkg.save()
    Package.objects.create(task=task, unit=office, status=Status.NOT_STARTED)
    rng = random.Random(20230620)
    for n in range(1, SYNTHETIC + 1):
        _synthetic(bureau, task, doc, rng, n, head if n == 0 else None)

    bureau_side(bureau, task)
    tier_side(bureau, task, doc, _user)  # a 主管部门 reviewing its units (issue 22)


def _deadline() -> date:
    """Relative to the day the demo is loaded (a fixed date would show every unit years late): just
    passed, so the dashboard shows units sent on time, a few sent late, and the rest overdue."""
    return timezone.localdate() - timedelta(days=3)


_PLAN = ["not_started", "draft", "draft_errors", "in_review", "submitted", "returned"]


def _synthetic(bureau: Bureau, task: EvaluationTask, example: dict, rng: random.Random, n: int, _unused) -> None:
    name = f"湘西州{_KINDS[(n - 1) % len(_KINDS)]}事务中心（模拟{n:02d}）"
    unit = Unit.objects.create(bureau=bureau, name=name, budget_code=f"9{n:05d}", supervisor_name="湘西州人民政府（模拟）",
                               is_synthetic=True)
    task.units.add(unit)
    preparer = _user(f"tianbao{n:02d}", f"填报人{n:02d}（模拟）", Role.PREPARER, unit=unit)
    head = _user(f"fuzeren{n:02d}", f"负责人{n:02d}（模拟）", Role.UNIT_HEAD, unit=unit)
    plan = _PLAN[n % len(_PLAN)]
    if plan == "not_started":
        Package.objects.create(task=task, unit=unit, status=Status.NOT_STARTED)
        return
    doc = documents.perturb(example, rng, name, unit.budget_code)
    if plan != "draft_errors":
        # a careful preparer: each judged score taken from the engine's reading, and every
        # computed figure as the engine has it
        doc = documents.adopt_readings(doc)
        doc, _, _ = versions.apply_figures(doc)
    pkg = Package.objects.create(task=task, unit=unit, draft=doc, status=Status.DRAFT, version=1, updated_by=preparer)
    versions.summarise(pkg, versions.compute(doc))
    pkg.save()
    if plan in ("in_review", "submitted", "returned"):
        versions.submit(package_id=pkg.pk, user=preparer, version=pkg.version)
    if plan == "submitted":
        versions.approve(package_id=pkg.pk, user=head, opinion="经审核，自评情况属实，同意报送。")
    if plan == "returned":
        Comment.objects.create(package=pkg, submission=pkg.submissions.first(), path="projects[0].indicators[0].actual",
                               text="实际完成值请附佐证材料并写明统计口径。", author=head)
        versions.return_package(package_id=pkg.pk, user=head, note="请补充偏差原因。", comments=[])
