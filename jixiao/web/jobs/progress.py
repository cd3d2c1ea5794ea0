"""A batch job's progress and result lines as one user may see them (a 归口业务科室 user: the
packages of their department only) — shared by the bureau's pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.web import access
from jixiao.web.models import BatchJob


def visible_results(job: BatchJob, user) -> list[dict]:
    """A batch job's result lines, limited to the units the user may see."""
    return access.only_visible(job.results, user, job.task_id)


@dataclass
class Progress:
    done: int
    total: int
    percent: int


def progress_for(job: BatchJob, user) -> Progress:
    """A batch job's progress as the user may see it: a 归口业务科室 user counts the packages of their
    department among those the job works through (and those it has done), not the task's."""
    allowed = access.visible_package_ids(user, job.task_id)
    if allowed is None:
        return Progress(job.done, job.total, job.progress)
    if job.packages:
        total = sum(1 for pk in job.packages if pk in allowed)
        done = sum(1 for pk in job.packages[:job.done] if pk in allowed)
    else:  # a job from before the list was kept: the lines written so far
        done = total = len(visible_results(job, user))
    percent = 100 if job.state == job.State.DONE else (done * 100 // total if total else 0)
    return Progress(done, total, percent)
