"""A unit's approved performance targets (批复绩效目标, issue 20) as the core reads them, for every
computation of its package (the audit compares each reported indicator with them), and the draft a
new package starts from: the 附件3 and 附件4 indicator rows of its targets, with their 指标值 and
分值, for the preparer to enter 实际完成值 and reasons. The import itself is `review/targets.py`."""

from __future__ import annotations

from jixiao import services
from jixiao.core import targets as core_targets
from jixiao.core.indicators import TargetError
from jixiao.web.models import ApprovedTarget, EvaluationTask, Package, Unit

LEVEL1_WEIGHTS = {"产出指标": "50", "效益指标": "30", "满意度指标": "10"}


def approved_for(package: Package) -> list[core_targets.ApprovedTarget]:
    """The approved targets of the package's unit in its task (none imported: an empty list)."""
    return as_core(ApprovedTarget.objects.filter(task_id=package.task_id, unit_id=package.unit_id)
                   .select_related("unit").order_by("row"), package.task)


def as_core(rows, task: EvaluationTask) -> list[core_targets.ApprovedTarget]:
    bare = services.profile(name=task.profile)["bare_target_comparator"]
    out = []
    for r in rows:
        try:
            out.append(core_targets.approved(r.unit.budget_code, r.project, r.level1, r.level2, r.name, r.value,
                                             r.weight, r.year, unit_name=r.unit.name, row=r.row, bare_comparator=bare))
        except TargetError:  # read at import with the same profile: cannot happen unless the profile changed
            continue
    return out


def _indicator(t: core_targets.ApprovedTarget) -> dict:
    row = {"level1": t.level1 or "产出指标", "level2": t.level2 or "数量指标", "name": t.name, "target": t.value}
    if t.weight is not None:
        row["weight"] = format(t.weight.normalize(), "f")
    return row


def _table(name: str | None, targets: list[core_targets.ApprovedTarget]) -> dict:
    table = {"funds": [{"key": "total", "label": "年度资金总额", "weight": "10"}],
             "indicators": [_indicator(t) for t in targets], "total_weight": "100"}
    if name is not None:  # a project (附件4): the form's fund rows and the default weights of its levels
        table = {"name": name, **table, "level1_weights": dict(LEVEL1_WEIGHTS)}
        table["funds"] += [{"key": "appropriation", "label": "当年财政拨款"}, {"key": "carryover", "label": "上年结转资金"},
                           {"key": "other", "label": "其他资金"}]
    return table


def whole_unit_indicators(targets: list[core_targets.ApprovedTarget]) -> list[dict]:
    """附件3's indicator rows from the targets of the unit as a whole (建立附件3 starts from them)."""
    return [_indicator(t) for t in targets if t.whole_unit]


def starting_draft(task: EvaluationTask, unit: Unit, targets: list[core_targets.ApprovedTarget]) -> dict:
    """A new package's draft from its approved targets: the unit, the year, 附件3 with the targets of
    the unit as a whole, one 附件4 per project with its own — in the export's order."""
    doc: dict = {"year": task.year, "profile": task.profile, "unit": {"name": unit.name, "budget_code": unit.budget_code}}
    whole = [t for t in targets if t.whole_unit]
    projects: dict[str, list[core_targets.ApprovedTarget]] = {}
    for t in targets:
        if not t.whole_unit:
            projects.setdefault(t.project, []).append(t)
    if whole:
        doc["overall"] = _table(None, whole)
    if projects:
        doc["projects"] = [_table(name, group) for name, group in projects.items()]
    return doc
