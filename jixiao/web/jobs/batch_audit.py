"""The bureau's background work (django-tasks; `jixiao worker` runs the queue): the batch audit of
every version a task's units sent to the bureau, with progress saved after each package."""

from __future__ import annotations

import time

from django.db import OperationalError, transaction
from django_tasks import task

from jixiao.web import access
from jixiao.web.drafts.computation import compute
from jixiao.web.jobs import heartbeat
from jixiao.web.models import BatchJob, EvaluationTask, Package, User
from jixiao.web.targets import approved_for
from jixiao.web.versions import ActionError, latest_sent, log


def _save(job: BatchJob, **fields) -> None:
    """Save the job's progress. On SQLite a page polling the job writes too (its session), and a
    write can find the database locked beyond its wait: try again a little later rather than fail
    the whole batch over a progress line (seen in the browser test, where the page polls every second)."""

    for k, v in fields.items():
        setattr(job, k, v)
    for attempt in range(8):
        try:
            job.save(update_fields=list(fields))
            return
        except OperationalError:
            if attempt == 7:
                raise
            time.sleep(0.05 * 2 ** attempt)


@task()
def batch_audit(job_id: int) -> int:
    """Audit the latest sent version of every package of the job's task (the draft where nothing
    was sent yet is not audited: it is still the unit's). Returns how many were audited."""

    job = BatchJob.objects.select_related("task").get(pk=job_id)
    if job.state != BatchJob.State.QUEUED:  # a job runs once (one ended as interrupted stays ended)
        return 0
    with heartbeat.beating(job):
        return _audit(job)


def _audit(job: BatchJob) -> int:
    packages = [p for p in Package.objects.filter(task=job.task).select_related("unit").defer("draft").order_by("unit__budget_code")]
    sent = [(p, s) for p in packages if (s := latest_sent(p)) is not None]
    heartbeat.begin(job, total=len(sent), done=0, results=[], packages=[p.pk for p, _ in sent])
    results = []
    shown = time.monotonic()
    try:
        for i, (p, sub) in enumerate(sent, start=1):
            p.task = job.task  # one task for every package: its profile read once, not per package
            comp = compute(sub.content, targets=approved_for(p))  # compared with the unit's approved targets
            results.append({"unit": p.unit.name, "code": p.unit.budget_code, "package": p.pk, "version": sub.number,
                            "errors": comp.summary.get("errors", 0), "warnings": comp.summary.get("warnings", 0),
                            "coverage": comp.coverage_line,
                            "error": comp.error if comp.report is None else ""})
            # The counter after every package; the lines so far at most once a second (rewriting a
            # list of 2,000 lines after each package would cost more than the audits).
            if time.monotonic() - shown >= 1 or i == len(sent):
                _save(job, done=i, results=results)
                shown = time.monotonic()
            else:
                _save(job, done=i)
    except Exception as exc:  # noqa: BLE001 - the job is marked failed with a message, never left running
        _save(job, state=BatchJob.State.FAILED, error=f"审核中断：{type(exc).__name__}")
        raise
    _save(job, state=BatchJob.State.DONE)
    return len(results)


def start(*, task: EvaluationTask, user: User) -> BatchJob:
    """Queue the batch audit of every version the task's units sent (the 绩效评价股 only)."""
    if not access.can_run_task(user, task):
        raise ActionError("只有绩效评价股可以发起批量审核", 403)
    with transaction.atomic():
        job = BatchJob.objects.create(task=task, kind=BatchJob.Kind.AUDIT, requested_by=user)
        log("batch_start", actor=user, target=f"task:{task.pk}", path=f"batch_jobs[{job.pk}]", new=job.kind,
            detail="批量审核")
        transaction.on_commit(lambda: batch_audit.enqueue(job.pk))
    return job
