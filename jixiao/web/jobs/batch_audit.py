"""The bureau's background work (django-tasks; `jixiao worker` runs the queue): the batch audit of
every version a task's units sent to the bureau, with progress saved after each package."""

from __future__ import annotations

import time

from django.db import OperationalError
from django_tasks import task

from jixiao.web.drafts.computation import compute
from jixiao.web.models import BatchJob, Package
from jixiao.web.versions import latest_sent


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
    packages = [p for p in Package.objects.filter(task=job.task).select_related("unit").defer("draft").order_by("unit__budget_code")]
    sent = [(p, s) for p in packages if (s := latest_sent(p)) is not None]
    _save(job, state=BatchJob.State.RUNNING, total=len(sent), done=0, results=[], packages=[p.pk for p, _ in sent])
    results = []
    shown = time.monotonic()
    try:
        for i, (p, sub) in enumerate(sent, start=1):
            comp = compute(sub.content)
            results.append({"unit": p.unit.name, "code": p.unit.budget_code, "package": p.pk, "version": sub.number,
                            "errors": comp.summary.get("errors", 0), "warnings": comp.summary.get("warnings", 0),
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
