"""The bureau's import of approved performance targets (批复绩效目标, issue 20), shared by its pages
(bureau/target_views.py) and the API (api/targets.py).

The 一体化 export (.csv / .xlsx) is read by the core (`services.read_targets`: columns by their
header, every bad row refused with its reason) and checked against the task: a 预算编码 that is not
a unit of the task, a 单位名称 that is not the code's, a 年度 other than the task's are refused too,
each naming its row. `preview` shows what would be read and refused, keeps the file where only the
server reads it and signs a token naming it; `apply` reads it again and, in one transaction:

- replaces the task's approved targets with the file's (the export is the whole set);
- gives every package not started yet (an empty draft) its starting draft: 附件3 and one 附件4 per
  project with the approved indicators, 指标值 and 分值 (`web/targets.starting_draft`), recorded as
  edits of kind ``import`` — the unit's status stays 未开始, a draft already begun is never touched;
- works out again, for every package, how many reported indicators differ from its targets
  (`TargetCheck`, the dashboard's filter 与批复目标不一致), and logs the import (targets_import).

Rows refused are never dropped in silence: the preview lists them and the import keeps them.
"""

from __future__ import annotations

import re
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from jixiao import services
from jixiao.core.targets import ApprovedTarget as CoreTarget
from jixiao.web.drafts.computation import compute
from jixiao.web.models import (
    ApprovedTarget,
    EvaluationTask,
    FieldEdit,
    Package,
    Status,
    TargetCheck,
    TargetImport,
    Unit,
    User,
)
from jixiao.web.models.tier import deadline_for
from jixiao.web.review.imports import ImportProblems, may_import
from jixiao.web.review.selectors import task_packages
from jixiao.web.security import audit as security_audit
from jixiao.web.targets import approved_for, starting_draft
from jixiao.web.versions import SENT, ActionError, latest_sent, log, summarise

SALT = "jixiao.web.targets-preview"
PREVIEW_MAX_AGE = 3600  # seconds a preview can be applied
SHOWN = 500  # rows a preview lists
COUNTED = ("error", "warning")  # the findings that flag a package (an info says only what was not compared)
REFUSED = "只有本任务所属财政局的绩效评价股可以导入批复绩效目标"


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


@dataclass
class Preview:
    filename: str
    targets: list[CoreTarget] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    units: int = 0
    token: str = ""

    @property
    def shown(self) -> list[CoreTarget]:
        return self.targets[:SHOWN]


def _checked(task: EvaluationTask, filename: str, data: bytes) -> Preview:
    """The file read by the core, then each target checked against the task's units and year."""
    if not data:
        raise ImportProblems("上传的文件是空的", status=400)
    if len(data) > settings.JIXIAO_MAX_UPLOAD_BYTES:
        raise ImportProblems(f"文件过大，上限 {settings.JIXIAO_MAX_UPLOAD_BYTES // 1024 // 1024} MB", status=413)
    try:
        read = services.read_targets(filename=filename, data=data, profile_name=task.profile)
    except services.ServiceError as exc:
        raise ImportProblems(exc.message, exc.problems, status=400 if not exc.problems else 422) from None
    units = {u.budget_code: u for u in task.units.all()}
    out = Preview(Path(filename).name[:200], refused=list(read.refused))
    for t in read.targets:
        unit = units.get(t.budget_code)
        if unit is None:
            out.refused.append(f"第{t.row}行：预算编码“{t.budget_code}”不是本任务的参评单位")
        elif t.unit_name and _key(t.unit_name) != _key(unit.name):
            out.refused.append(f"第{t.row}行：预算编码“{t.budget_code}”是“{unit.name}”，文件中写的是“{t.unit_name}”")
        elif t.year is not None and t.year != task.year:
            out.refused.append(f"第{t.row}行：年度为{t.year}年，本任务是{task.year}年度")
        else:
            out.targets.append(t)
    out.refused.sort(key=lambda text: int(re.match(r"第(\d+)行", text)[1]) if re.match(r"第(\d+)行", text) else 0)
    out.units = len({t.budget_code for t in out.targets})
    return out


def preview(*, task_id: int, user: User, filename: str, data: bytes) -> Preview:
    """What the file holds for the task, read and refused, and the token `apply` takes (only when
    something can be imported). The file is kept under MEDIA_ROOT/imports, never served."""
    task = EvaluationTask.objects.get(pk=task_id)
    if not may_import(user, task):
        raise ActionError(REFUSED, 403)
    found = _checked(task, filename, data)
    if found.targets:
        folder = Path(settings.MEDIA_ROOT) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        _remove_expired(folder)
        stored = folder / f"targets-{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"
        stored.write_bytes(data)
        found.token = signing.dumps({"task": task.pk, "file": stored.name, "name": found.filename}, salt=SALT)
    return found


def _remove_expired(folder: Path) -> None:
    """Previewed files nobody applied, past the time their token could be applied: nothing reads them."""
    limit = time.time() - PREVIEW_MAX_AGE
    for stale in folder.glob("targets-*"):
        try:
            if stale.stat().st_mtime < limit:
                stale.unlink()
        except OSError:  # removed by another request at the same moment
            pass


def apply(*, task_id: int, user: User, token: str) -> TargetImport:
    """The previewed file imported (read and checked again: the task may have changed since)."""
    if not may_import(user, EvaluationTask.objects.get(pk=task_id)):
        raise ActionError(REFUSED, 403)
    try:
        prepared = signing.loads(token, salt=SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise ActionError("导入预览已过期（超过一小时），请重新上传文件", 409) from None
    except signing.BadSignature:
        raise ActionError("导入预览无效，请重新上传文件") from None
    if prepared.get("task") != task_id:
        raise ActionError("导入预览不属于这个任务，请重新上传文件")
    stored = Path(settings.MEDIA_ROOT) / "imports" / Path(str(prepared.get("file", ""))).name
    if not stored.is_file():
        raise ActionError("导入预览已使用或已过期，请重新上传文件", 409)
    data = stored.read_bytes()
    imp = import_targets(task_id=task_id, user=user, filename=prepared.get("name") or stored.name, data=data)
    stored.unlink(missing_ok=True)
    return imp


def import_targets(*, task_id: int, user: User, filename: str, data: bytes) -> TargetImport:
    """Read, check and store at once (the API, the demo): all in one transaction."""
    task = EvaluationTask.objects.get(pk=task_id)
    if not may_import(user, task):
        raise ActionError(REFUSED, 403)
    found = _checked(task, filename, data)
    if not found.targets:
        raise ImportProblems(f"文件中没有可以导入的批复目标（{len(found.refused)}行未通过检查）", found.refused)
    return _store(task, user, found)


def _store(task: EvaluationTask, user: User, found: Preview) -> TargetImport:
    units = {u.budget_code: u for u in task.units.all()}
    with transaction.atomic():
        imp = TargetImport.objects.create(task=task, filename=found.filename, rows=len(found.targets),
                                          refused=found.refused, imported_by=user)
        ApprovedTarget.objects.filter(task=task).delete()
        ApprovedTarget.objects.bulk_create([
            ApprovedTarget(task=task, unit=units[t.budget_code], project=t.project[:200], level1=t.level1[:100],
                           level2=t.level2[:100], name=t.name[:300], value=t.value[:300], weight=t.weight, year=t.year,
                           source=imp, row=t.row) for t in found.targets])
        started = _start_drafts(task, user, found.targets, imp)
        refresh_checks(task, force=True)
        log("targets_import", actor=user, target=f"task:{task.pk}", path=f"target_imports[{imp.pk}]",
            new={"rows": len(found.targets), "refused": len(found.refused), "units": found.units, "drafts": started},
            detail=imp.filename)
    return imp


def _start_drafts(task: EvaluationTask, user: User, targets: list[CoreTarget], imp: TargetImport) -> int:
    """Every package of the task with an empty draft starts from its unit's targets. Returns how many."""
    by_code: dict[str, list[CoreTarget]] = {}
    for t in targets:
        by_code.setdefault(t.budget_code, []).append(t)
    edits = []
    started = 0
    for p in Package.objects.select_for_update(of=("self",)).filter(task=task, unit__budget_code__in=by_code).select_related("unit"):
        if p.draft or p.status not in (Status.NOT_STARTED,):
            continue
        doc = starting_draft(task, p.unit, by_code[p.unit.budget_code])
        p.draft, p.version, p.updated_by = doc, p.version + 1, user
        summarise(p, _computed(doc, p))
        p.save()
        edits += [FieldEdit(package=p, path=key, old=None, new=doc[key], user=user, version=p.version, kind="import")
                  for key in ("overall", "projects") if key in doc]
        started += 1
    if edits:
        security_audit.record_field_edits(FieldEdit.objects.bulk_create(edits))
    return started


def _computed(doc: dict, package: Package):
    return compute(doc, deadline=deadline_for(package), targets=approved_for(package))


# --- the flag and the differences --------------------------------------------------------------------


def _content_read(package: Package) -> dict:
    """What the bureau reads of a package: the latest version sent, else the unit's draft."""
    sub = latest_sent(package) if package.status in SENT else None
    return sub.content if sub is not None else package.draft or {}


def differences(package: Package, doc: dict | None = None) -> list:
    """The findings of the comparison with the unit's approved targets (the audit family
    `targets`), of the content the bureau reads; none without targets or a readable package."""
    targets = approved_for(package)
    doc = _content_read(package) if doc is None else doc
    if not targets or not doc:
        return []
    try:
        pkg = services.from_canonical(data=doc, name=package.unit.name)
    except services.ServiceError:
        return []
    return services.compare_targets(package=pkg, targets=targets, profile_name=package.task.profile)


def refresh_checks(task: EvaluationTask, *, force: bool = False) -> int:
    """Bring every package's count of differences up to date with its version (only those that moved
    on since, unless `force`). Returns how many were worked out."""
    has_targets = Exists(ApprovedTarget.objects.filter(task=task, unit=OuterRef("unit")))
    qs = Package.objects.filter(task=task).filter(has_targets)
    if not force:
        qs = qs.exclude(target_check__version=F("version"))
    stale = list(qs.select_related("unit", "task"))
    if force:  # packages whose unit has no targets any more: no flag
        TargetCheck.objects.filter(package__task=task).exclude(package__in=stale).delete()
    for p in stale:
        count = sum(1 for f in differences(p) if f.severity in COUNTED)
        try:
            with transaction.atomic():
                TargetCheck.objects.update_or_create(package=p, defaults={"version": p.version, "differences": count})
        except IntegrityError:  # another request wrote it at the same moment: the same count
            pass
    return len(stale)


def latest(task: EvaluationTask) -> TargetImport | None:
    return task.target_imports.select_related("imported_by").first()


def visible_unit(task: EvaluationTask, code: str) -> Unit | None:
    """A unit of the task by its 预算编码, if the viewer sees it (a 归口业务科室 user: their department's)."""
    package = task_packages(task).filter(unit__budget_code=code).first()
    return package.unit if package is not None else None


def targets_of(task: EvaluationTask, unit: Unit | None = None):
    """The task's approved targets the viewer sees (a 归口业务科室 user: their department's units)."""
    visible = task_packages(task).values("unit_id")
    qs = ApprovedTarget.objects.filter(task=task, unit_id__in=visible).select_related("unit", "source")
    return qs.filter(unit=unit) if unit is not None else qs


def flagged_count(task: EvaluationTask) -> int:
    return task_packages(task).filter(target_check__differences__gt=0).count()


def as_rows(targets: list[CoreTarget]) -> list[dict]:
    """Targets as the preview table and the API list them."""
    return [{"row": t.row, "code": t.budget_code, "project": t.project or "（部门整体）", "level1": t.level1,
             "level2": t.level2, "name": t.name, "value": t.value, "direction": t.direction,
             "figure": None if t.figure is None else format(t.figure, "f"), "unit": t.target.unit,
             "weight": None if t.weight is None else format(t.weight, "f"), "year": t.year} for t in targets]
