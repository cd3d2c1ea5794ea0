"""The bureau's part of `jixiao demo`: the synthetic units under a 主管部门 (so 部门汇总 has
something to add up), more packages sent to the bureau, some accepted (with the 财政部门意见) and
two published, a 抽评 sample with one package re-scored — so the dashboard, the review, 抽评, 部门汇总, 结果应用 and the public pages all show
real data. The units are assigned to the bureau's 归口业务科室 by their line of work, and the demo
归口 user belongs to one of them; the versions the units sent are dated over the weeks before the
(relative) deadline, a few after it. Called once, inside the demo's transaction."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from jixiao.web import versions
from jixiao.web.demo.imports import build as imports
from jixiao.web.demo.targets import build as approved_targets
from jixiao.web.models import Bureau, Department, EvaluationTask, Package, Role, Status, Submission, Unit, User
from jixiao.web.review import services as bureau_services
from jixiao.web.review.selectors import score_lines

SUPERVISOR = "湘西州人民政府（模拟）"
# 归口业务科室 → the lines of work of the units it looks after (the demo's synthetic names carry them)
DEPARTMENTS = {
    "教科文科": ("教育", "文化旅游", "科技", "体育", "档案", "地方志"),
    "农业农村科": ("农业农村", "水利", "林业", "自然资源", "生态环境", "乡村振兴", "供销"),
    "社会保障科": ("卫生健康", "民政", "人力资源", "医疗保障", "退役军人事务"),
    "经济建设科": ("交通运输", "住房城乡建设", "商务", "工业信息化", "市场监管", "统计"),
    "行政政法科": (),  # everything else: the government offices, 审计, 司法, 信访 …
}
DEMO_DESK_DEPARTMENT = "农业农村科"


def build(bureau: Bureau, task: EvaluationTask) -> None:
    supervisor = Unit.objects.create(bureau=bureau, name=SUPERVISOR, budget_code="900000")
    task.units.add(supervisor)
    Package.objects.create(task=task, unit=supervisor, status=Status.NOT_STARTED)
    Unit.objects.filter(bureau=bureau, supervisor_name=SUPERVISOR).update(parent=supervisor, supervisor_name="")
    performance = User.objects.get(bureau=bureau, role=Role.BUREAU_PERFORMANCE)
    # Most packages the unit heads have in review are sent on to the bureau too (two stay in review).
    in_review = Package.objects.filter(task=task, status=Status.IN_REVIEW).select_related("unit").order_by("unit__budget_code")
    for p in list(in_review)[:-2]:
        head = User.objects.get(unit=p.unit, role=Role.UNIT_HEAD)
        versions.approve(package_id=p.pk, user=head, opinion="经审核，自评情况属实，同意报送。")
    sent = list(Package.objects.filter(task=task, status=Status.SUBMITTED).order_by("unit__budget_code"))
    for k, p in enumerate(sent[::2]):  # every other one accepted; the rest wait for review
        sub = p.submissions.filter(state="approved").order_by("-number").first()
        bureau_services.accept(package_id=p.pk, user=performance, version=sub.number,
                  opinion="经审核，该单位自评结果基本客观，同意。" if k % 2 == 0 else "经审核，同意；请对偏差较大的指标加强分析。")
        if k < 2:
            bureau_services.publish(package_id=p.pk, user=performance)

    imports(task)  # the 一体化 execution file (pre-fill, flags, 运行监控) and a zip of outside packages
    approved_targets(task)  # the approved performance targets (one unit reports a lowered target)

    _departments(bureau)
    _date_sending(task)
    _spot_check(task, performance)


def _spot_check(task: EvaluationTask, performance: User) -> None:
    """The 抽评 sample drawn, its first package re-scored in full: the bureau agrees with the unit
    but for one indicator, a point lower — so the sheet shows 抽评总分 beside the unit's and 结果应用
    takes the spot check's result for that unit."""
    sample = bureau_services.draw(task_id=task.pk, user=performance)
    if not sample:
        return
    entries, lowered = {}, False
    for line in score_lines(sample[0]):
        lo = line.allowed[0] if line.allowed else Decimal(0)
        score = line.self_score if line.self_score is not None else lo
        note = ""
        if not lowered and score - 1 >= lo:
            score, note, lowered = score - 1, "佐证材料不足，酌情扣分", True
        entries[line.key] = (str(score), note)
    bureau_services.rescore(spot_id=sample[0].pk, user=performance, entries=entries)


def _departments(bureau: Bureau) -> None:
    depts = {name: Department.objects.create(bureau=bureau, name=name) for name in DEPARTMENTS}
    fallback = depts["行政政法科"]
    for u in Unit.objects.filter(bureau=bureau):
        kind = next((d for d, kinds in DEPARTMENTS.items() if any(f"州{k}" in u.name for k in kinds)), None)
        u.department = depts[kind] if kind else fallback
        u.save(update_fields=["department"])
    User.objects.filter(bureau=bureau, role=Role.BUREAU_DESK).update(department=depts[DEMO_DESK_DEPARTMENT])


def _date_sending(task: EvaluationTask) -> None:
    """Each unit's own versions dated back to days before the deadline (most) or just after it (a
    few); the bureau's decisions stay today's. Only the dates move: content and hashes are as made."""
    rng = random.Random(20230620)
    tz = timezone.get_current_timezone()
    packages = Package.objects.filter(task=task, submissions__isnull=False).distinct().order_by("unit__budget_code")
    sent = 0
    for p in packages:
        reached = p.submissions.filter(state=Submission.State.APPROVED).exists()  # the unit head sent it on
        sent += reached
        days_before = -rng.randint(1, 2) if reached and sent % 4 == 0 else rng.randint(0, 20)  # every fourth sent late
        day = task.deadline - timedelta(days=days_before)
        when = timezone.make_aware(datetime.combine(day, time(9 + rng.randint(0, 8), rng.randint(0, 59))), tz)
        own = Submission.objects.filter(package=p, created_by__bureau__isnull=True)
        first = own.order_by("created_at").first()
        if first is not None:
            own.update(created_at=F("created_at") - (first.created_at - when))
