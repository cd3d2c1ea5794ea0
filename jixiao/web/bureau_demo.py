"""The bureau's part of `jixiao demo`: the synthetic units under a 主管部门 (so 部门汇总 has
something to add up), more packages sent to the bureau, some accepted (with the 财政部门意见) and
two published — so the dashboard, the review, 抽评, 部门汇总, 结果应用 and the public pages all show
real data. Called once, inside the demo's transaction."""

from __future__ import annotations

from . import bureau_services as BW
from . import services as W
from .models import Bureau, EvaluationTask, Package, Role, Status, Unit, User

SUPERVISOR = "湘西州人民政府（模拟）"


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
        W.approve(package_id=p.pk, user=head, opinion="经审核，自评情况属实，同意报送。")
    sent = list(Package.objects.filter(task=task, status=Status.SUBMITTED).order_by("unit__budget_code"))
    for k, p in enumerate(sent[::2]):  # every other one accepted; the rest wait for review
        sub = p.submissions.filter(state="approved").order_by("-number").first()
        BW.accept(package_id=p.pk, user=performance, version=sub.number,
                  opinion="经审核，该单位自评结果基本客观，同意。" if k % 2 == 0 else "经审核，同意；请对偏差较大的指标加强分析。")
        if k < 2:
            BW.publish(package_id=p.pk, user=performance)
    from .bureau_imports_demo import build as imports

    imports(task)  # the 一体化 execution file (pre-fill, flags, 运行监控) and a zip of outside packages
