"""What the two batch kinds over a task (批量审核 and 批量生成 PDF) share: how one is started."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django_tasks.base import Task

from jixiao.web import access
from jixiao.web.models import BatchJob, EvaluationTask, User
from jixiao.web.versions import ActionError, log

REFUSALS = {BatchJob.Kind.AUDIT: "只有绩效评价股可以发起批量审核", BatchJob.Kind.PDF: "只有绩效评价股可以批量生成 PDF"}


def start(*, task: EvaluationTask, user: User, kind: BatchJob.Kind, run: Task,
          ready: Callable[[], None] | None = None) -> BatchJob:
    """Queue the batch job `kind` over the task — the 绩效评价股 of its bureau only — with its
    audit entry; `run` is the kind's background task, queued once the job is committed. `ready()`
    raises the ActionError of a task with nothing to work on (checked after the role)."""
    if not access.can_run_task(user, task):
        raise ActionError(REFUSALS[kind], 403)
    if ready is not None:
        ready()
    with transaction.atomic():
        job = BatchJob.objects.create(task=task, kind=kind, requested_by=user)
        log("batch_start", actor=user, target=f"task:{task.pk}", path=f"batch_jobs[{job.pk}]", new=job.kind,
            detail=kind.label)
        transaction.on_commit(lambda: run.enqueue(job.pk))
    return job
