"""The bureau's background work (django-tasks; `jixiao worker` runs the queue): the batch audit of
every version a task's units sent to the bureau, with progress saved after each package."""

from __future__ import annotations

import time

from django_tasks import task

from jixiao.web.drafts.computation import compute
from jixiao.web.jobs import batches, heartbeat
from jixiao.web.models import BatchJob, EvaluationTask, Package, User
from jixiao.web.models.tier import deadline_for, task_tiers
from jixiao.web.targets import approved_for
from jixiao.web.versions import latest_sent


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
    tiers = task_tiers(job.task_id)  # each package's filing date is held to its own tier's deadline
    heartbeat.begin(job, total=len(sent), done=0, results=[], packages=[p.pk for p, _ in sent])
    results = []
    shown = time.monotonic()
    try:
        for i, (p, sub) in enumerate(sent, start=1):
            p.task = job.task  # one task for every package: its profile read once, not per package
            comp = compute(sub.content, targets=approved_for(p),  # compared with the unit's approved targets
                           deadline=deadline_for(p, tiers))
            results.append({"unit": p.unit.name, "code": p.unit.budget_code, "package": p.pk, "version": sub.number,
                            "errors": comp.summary.get("errors", 0), "warnings": comp.summary.get("warnings", 0),
                            "coverage": comp.coverage_line,
                            "error": comp.error if comp.report is None else ""})
            # The counter after every package; the lines so far at most once a second (rewriting a
            # list of 2,000 lines after each package would cost more than the audits).
            if time.monotonic() - shown >= 1 or i == len(sent):
                heartbeat.save(job, done=i, results=results)
                shown = time.monotonic()
            else:
                heartbeat.save(job, done=i)
    except Exception as exc:  # noqa: BLE001 - the job is marked failed with a message, never left running
        heartbeat.save(job, state=BatchJob.State.FAILED, error=f"审核中断：{type(exc).__name__}")
        raise
    heartbeat.save(job, state=BatchJob.State.DONE)
    return len(results)


def start(*, task: EvaluationTask, user: User) -> BatchJob:
    """Queue the batch audit of every version the task's units sent (the 绩效评价股 only)."""
    return batches.start(task=task, user=user, kind=BatchJob.Kind.AUDIT, run=batch_audit)
