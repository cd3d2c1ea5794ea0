"""The bureau's polling of its background jobs (batch audit, batch PDF, the 一体化 and the
outside-package imports): one view for every kind, `jobs.status` does the rest."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from jixiao.web.bureau import refusals
from jixiao.web.jobs import status
from jixiao.web.review import selectors

PERFORMANCE_ONLY = {"batch_jobs": refusals.BATCH, "package_imports": refusals.PACKAGES}


@login_required
@require_GET
def job_status(request: HttpRequest, task: int, job: int, jobs: str) -> HttpResponse:
    """Job `job` among the task's `jobs` (the related name its URL gives), as the polling partial.
    The batch jobs and the outside-package imports are the 绩效评价股's pages, their progress too."""
    refusal = PERFORMANCE_ONLY.get(jobs)
    if refusal is not None:
        t, refused = refusals.performance_task(request, task, refusal)
        if refused is not None:
            return refused
    else:
        t = selectors.task_for(request.user, task)
    return status.respond(request, status.find(getattr(t, jobs).all(), job))
