"""Jobs a killed worker left running (power cut, OOM killer, `kill -9`), found by their heartbeat.

Every worker runs `recover` when it starts and then every few seconds while it waits for work
(`jixiao worker`), so a job whose last beat is older than `heartbeat.stale_after()` ends within a
minute of any worker being up: failed with a Chinese message, or — the publication's PDF, which
nobody would ask for again and which only writes a file — queued once more. A job's files are only
ever moved into place when complete and the jobs that change data apply their changes in one
transaction at the end, so ending a job leaves nothing half-written; its temporary folder is removed.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from jixiao.web.jobs import heartbeat
from jixiao.web.jobs.publication import render_publication
from jixiao.web.models import AuditJob, BatchJob, ExecutionImportJob, PackageImport, Publication, RenderJob

INTERRUPTED = "生成中断（后台任务进程意外退出），请重新生成"
BATCH_INTERRUPTED = "生成中断（后台任务进程意外退出），请重新发起"
IMPORT_INTERRUPTED = "导入中断（后台任务进程意外退出），本次未导入任何数据包，请重新导入"
EXECUTION_INTERRUPTED = "导入中断（后台任务进程意外退出），本次未导入任何执行数，请重新导入"
AUDIT_INTERRUPTED = "审核中断（后台任务进程意外退出），请重新提交"
PUBLICATION_FAILED = "PDF 生成中断（后台任务进程多次意外退出），请联系财政部门"
PUBLICATION_ATTEMPTS = 2  # the first run and one retry
LEGACY_FOLDER_AGE = 3600  # a temporary folder named by no job (written before jobs named theirs)
_FOLDER = re.compile(r"^tmp-(?P<kind>[a-z]+)-(?P<pk>\d+)-")


@dataclass(frozen=True)
class JobKind:
    """One kind of background job as recovery sees it: where it lives, what running means, and
    the fields a job left by a dead worker is ended with."""

    name: str  # as in the temporary folders' names: tmp-<name>-<pk>-…
    model: type[Model]
    running: Q
    ended: dict = field(default_factory=dict)


KINDS = (
    JobKind("render", RenderJob, Q(state=RenderJob.State.RUNNING),
            {"state": RenderJob.State.FAILED, "step": "失败", "error": INTERRUPTED}),
    JobKind("batch", BatchJob, Q(state=BatchJob.State.RUNNING),
            {"state": BatchJob.State.FAILED, "error": BATCH_INTERRUPTED}),
    JobKind("import", PackageImport, Q(state=PackageImport.State.RUNNING),
            {"state": PackageImport.State.FAILED, "error": IMPORT_INTERRUPTED}),
    JobKind("execution", ExecutionImportJob, Q(state=ExecutionImportJob.State.RUNNING),
            {"state": ExecutionImportJob.State.FAILED, "step": "失败", "error": EXECUTION_INTERRUPTED}),
    JobKind("audit", AuditJob, Q(state=AuditJob.State.RUNNING), {"state": AuditJob.State.FAILED, "error": AUDIT_INTERRUPTED}),
    # A publication's PDF runs from its first beat until the file or the error is there.
    JobKind("publication", Publication, Q(pdf="", pdf_error="", heartbeat_at__isnull=False),
            {"pdf_error": PUBLICATION_FAILED}),
)


def _stale(kind: JobKind, now) -> Q:
    """Running, with the last beat older than the bound (no beat at all: a job begun before jobs
    beat, judged by its age like the others)."""
    cutoff = now - heartbeat.stale_after()
    beat_missed = Q(heartbeat_at__lt=cutoff)
    if "created_at" in {f.name for f in kind.model._meta.fields}:
        beat_missed |= Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    return kind.running & beat_missed


def _retry_publications(stale_pks: list[int]) -> list[int]:
    """Queue the publications' PDFs again that have had fewer than PUBLICATION_ATTEMPTS runs;
    returns the ones left to end as failed."""
    retry = list(Publication.objects.filter(pk__in=stale_pks, attempts__lt=PUBLICATION_ATTEMPTS).values_list("pk", flat=True))
    if retry:
        with transaction.atomic():
            Publication.objects.filter(pk__in=retry).update(heartbeat_at=None)  # queued again, not running
            for pk in retry:
                transaction.on_commit(lambda pk=pk: render_publication.enqueue(pk))
    return [pk for pk in stale_pks if pk not in retry]


def recover() -> dict[str, list[int]]:
    """End (or queue again) every job whose worker stopped beating; remove the temporary folders
    of jobs no longer running. Returns the ended or re-queued jobs' ids by kind."""
    now = timezone.now()
    ended: dict[str, list[int]] = {}
    for kind in KINDS:
        pks = list(kind.model.objects.filter(_stale(kind, now)).values_list("pk", flat=True))
        if not pks:
            continue
        to_fail = _retry_publications(pks) if kind.model is Publication else pks
        # The filter again: a job that beat in between stays running.
        kind.model.objects.filter(_stale(kind, now), pk__in=to_fail).update(**kind.ended)
        ended[kind.name] = pks
    _remove_uploads(PackageImport.objects.filter(pk__in=ended.get("import", []), kind="zip"))
    _remove_uploads(ExecutionImportJob.objects.filter(pk__in=ended.get("execution", [])))
    _remove_uploads(AuditJob.objects.filter(pk__in=ended.get("audit", [])))
    remove_left_folders()
    return ended


def _remove_uploads(jobs) -> None:
    """The uploaded files of ended imports (kept only until their job has read them)."""
    for job in jobs.filter(state="failed"):
        if job.source:
            (Path(settings.MEDIA_ROOT) / job.source).unlink(missing_ok=True)


def _still_running(kind_name: str, pk: int) -> bool:
    kind = next((k for k in KINDS if k.name == kind_name), None)
    return kind is not None and kind.model.objects.filter(kind.running, pk=pk).exists()


def remove_left_folders() -> int:
    """The temporary folders (under MEDIA_ROOT/pdf and MEDIA_ROOT/public) of jobs that are no
    longer running; a folder no job name is removed after an hour. Returns how many."""
    removed = 0
    for root in (Path(settings.MEDIA_ROOT) / "pdf", Path(settings.MEDIA_ROOT) / "public"):
        if not root.is_dir():
            continue
        for folder in root.iterdir():
            if not folder.is_dir() or not folder.name.startswith("tmp"):
                continue
            named = _FOLDER.match(folder.name)
            if named:
                left = not _still_running(named["kind"], int(named["pk"]))
            else:
                left = time.time() - folder.stat().st_mtime >= LEGACY_FOLDER_AGE
            if left:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    return removed
