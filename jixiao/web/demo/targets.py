"""The approved performance targets' part of `jixiao demo` (issue 20): an 一体化 export of every
unit's approved targets — for the units that have a package, the indicators as they stated them,
except the seed unit, whose first 附件3 target was approved higher than it reports (≥ one more than
its 年度指标值: flagged on the dashboard, an error in its audit) and the first synthetic unit that
has sent its package, whose projects' first 分值 were approved 5 points higher (its review page
lists them); for the units not started yet, the example's indicators, from which their
drafts start. Called once, inside the demo's transaction, through the same service as the page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from jixiao.core.numbers import parse_number
from jixiao.web import versions
from jixiao.web.demo.documents import example_doc
from jixiao.web.models import EvaluationTask, Package, Role, User
from jixiao.web.review import targets as approved_targets

TARGETS_FILE = "批复绩效目标（演示）.csv"
HEADER = ["年度", "预算编码", "单位名称", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]


def _content(p: Package) -> dict:
    sub = versions.latest_sent(p) if p.status in versions.SENT else None
    return sub.content if sub is not None else p.draft


def _raised(value: str) -> str:
    """An approved target one above what the unit reports ('≥5个' → '≥6个')."""
    figure = parse_number(value)
    if figure.value is None:
        return value
    return value.replace(format(figure.value, "f"), format(figure.value + 1, "f"), 1)


def _rows(task: EvaluationTask, p: Package, doc: dict, changed: str) -> list[list]:
    tables = ([("", doc["overall"])] if isinstance(doc.get("overall"), dict) else []) + [
        (proj.get("name", ""), proj) for proj in doc.get("projects") or [] if isinstance(proj, dict)]
    out = []
    for project, table in tables:
        for i, ind in enumerate(table.get("indicators") or []):
            value, weight = str(ind.get("target") or ""), ind.get("weight")
            if not value or not ind.get("name"):
                continue
            if changed == "value" and not project and i == 0:
                value = _raised(value)
            if changed == "weight" and project and i == 0 and weight not in (None, ""):
                weight = Decimal(str(weight)) + 5
            out.append([task.year, p.unit.budget_code, p.unit.name, project, ind.get("level1", ""), ind.get("level2", ""),
                        ind["name"], value, "" if weight in (None, "") else weight])
    return out


def targets_csv(task: EvaluationTask) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    example = example_doc()
    weight_changed = False
    for p in Package.objects.filter(task=task).select_related("unit").order_by("unit__budget_code"):
        doc = _content(p)
        changed = ""
        if doc and not p.unit.is_synthetic and p.unit.budget_code == example["unit"].get("budget_code"):
            changed = "value"  # the seed unit: its 附件3's first target lowered after approval
        elif doc and p.unit.is_synthetic and p.status in versions.SENT and not weight_changed:
            changed, weight_changed = "weight", True
        w.writerows(_rows(task, p, doc or example, changed))
    return buf.getvalue().encode("utf-8-sig")


def build(task: EvaluationTask) -> None:
    performance = User.objects.get(bureau=task.bureau, role=Role.BUREAU_PERFORMANCE)
    approved_targets.import_targets(task_id=task.pk, user=performance, filename=TARGETS_FILE, data=targets_csv(task))
