"""The imports' part of `jixiao demo`: an 一体化 export of the task's figures — most as the units
stated them, a few that differ (flagged), one draft with its 全年执行数 still empty (pre-filled),
and in-year figures to June and August of which some are below the profile's checkpoints
(运行监控) — and one zip of packages sent outside the system (one stored, one unmatched, one
unreadable). Called once, inside the demo's transaction, through the same services as the pages."""

from __future__ import annotations

import csv
import io
import random
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

from jixiao import services
from jixiao.web import versions
from jixiao.web.demo.documents import adopt_readings, example_doc, perturb
from jixiao.web.drafts import fields
from jixiao.web.models import EvaluationTask, Package, PackageImport, Role, Status, User
from jixiao.web.review import imports as bureau_imports

EXECUTION_FILE = "一体化预算执行情况（演示）.csv"
# Share of the budget executed by June / August for each unit in turn: some below 45% / 60%.
IN_YEAR = [(Decimal("0.52"), Decimal("0.71")), (Decimal("0.31"), Decimal("0.48")), (Decimal("0.47"), Decimal("0.66")),
           (Decimal("0.22"), Decimal("0.63")), (Decimal("0.58"), Decimal("0.80"))]
EXTRA = Decimal("12.50")  # what the 一体化 system has more than the unit stated, where they differ


def _content(p: Package) -> dict:
    sub = versions.latest_sent(p) if p.status in versions.SENT else None
    return sub.content if sub is not None else p.draft


def execution_csv(task: EvaluationTask) -> bytes:
    """The export as the 一体化 system would give it for the task's units that have a package."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["预算编码", "单位名称", "项目名称", "全年预算数（万元）", "全年执行数（万元）", "截至月份"])
    packages = [p for p in Package.objects.filter(task=task).select_related("unit").order_by("unit__budget_code") if p.draft]
    blanked = False
    for k, p in enumerate(packages):
        doc = _content(p)
        for i, proj in enumerate(doc.get("projects") or []):
            total = next((f for f in proj.get("funds") or [] if f.get("key") == "total"), None)
            if total is None or total.get("annual") in (None, "") or total.get("executed") in (None, ""):
                continue
            annual, executed = Decimal(str(total["annual"])), Decimal(str(total["executed"]))
            if i == 0 and k % 6 == 1:  # every sixth unit: the 一体化 figure differs from the stated one
                executed += EXTRA
            if i == 0 and not blanked and p.status == Status.DRAFT and p.unit.is_synthetic:
                # a draft whose 全年执行数 is still empty: the import fills it in
                p.draft = fields.put(p.draft, f"projects[{i}].funds[{proj['funds'].index(total)}].executed", None)
                p.save(update_fields=["draft"])
                blanked = True
            w.writerow([p.unit.budget_code, p.unit.name, proj.get("name", ""), annual, executed, ""])
            if i == 0 and annual > 0:
                june, august = IN_YEAR[k % len(IN_YEAR)]
                w.writerow([p.unit.budget_code, p.unit.name, proj.get("name", ""), annual, (annual * june).quantize(Decimal("0.01")), 6])
                w.writerow([p.unit.budget_code, p.unit.name, proj.get("name", ""), annual, (annual * august).quantize(Decimal("0.01")), 8])
    return buf.getvalue().encode("utf-8-sig")


def _outside_zip(task: EvaluationTask) -> bytes:
    """A zip as a unit not yet in the system would send: its workbook, a file of a unit not in the
    task, and a damaged one."""
    office = task.units.filter(packages__task=task, packages__status=Status.NOT_STARTED, is_synthetic=False).order_by("budget_code").first()
    rng = random.Random(20230701)
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        example = example_doc()
        members = [(f"{office.name}2022年度自评表.xlsx", office.name, office.budget_code)] if office else []
        members.append(("湘西州某外县单位自评表.xlsx", "凤凰县某局（非本任务）", "999999"))
        for filename, name, code in members:
            doc, _, _ = versions.apply_figures(adopt_readings(perturb(example, rng, name, code)))  # a careful preparer
            out = services.render(package=services.from_canonical(data=doc, name=name), outdir=Path(tmp) / code, charts=False)
            z.write(out.xlsx, f"收到的材料/{filename}")
        z.writestr("收到的材料/扫描件说明.docx", b"PK\x03\x04 damaged")
    return buf.getvalue()


def build(task: EvaluationTask) -> None:
    performance = User.objects.get(bureau=task.bureau, role=Role.BUREAU_PERFORMANCE)
    bureau_imports.import_execution(task_id=task.pk, user=performance, filename=EXECUTION_FILE, data=execution_csv(task))
    job = bureau_imports.start_zip_import(task_id=task.pk, user=performance, filename="系统外报送（演示）.zip", data=_outside_zip(task),
                              enqueue=False)
    bureau_imports.run_import(job.pk)
    assert PackageImport.objects.get(pk=job.pk).state == PackageImport.State.DONE
