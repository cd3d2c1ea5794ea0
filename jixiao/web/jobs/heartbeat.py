"""The heartbeat every background job beats while it runs (one mechanism for every kind: the PDF,
the batch audit, the batch PDF, the outside-package import, the publication's PDF).

A job begins with `begin` (state running, the first beat, one more attempt) and runs inside
`beating`: a thread of the worker stamps the job's `heartbeat_at` every `beat_seconds()`. A worker
killed with SIGKILL stops beating; `jobs.recovery` ends a running job whose last beat is older than
`stale_after()` — within a minute of any worker polling, never after a fifteen-minute timer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, OperationalError, connections, transaction
from django.db.models import F, Model
from django.utils import timezone

RUNNING = "running"


def beat_seconds() -> float:
    """How often a running job beats (JIXIAO_JOB_BEAT_SECONDS, default 5)."""
    return float(settings.JIXIAO_JOB_BEAT_SECONDS)


def stale_after() -> timedelta:
    """A running job whose last beat is older than this was left by a dead worker
    (JIXIAO_JOB_STALE_SECONDS, default 30: six missed beats, so a busy database never ends a live job)."""
    return timedelta(seconds=float(settings.JIXIAO_JOB_STALE_SECONDS))


def begin(job: Model, **fields) -> None:
    """Mark the job running (where it has a state) with its first beat and one more attempt, and
    any other fields given."""
    if hasattr(job, "state"):
        fields = {"state": RUNNING, **fields}
    for name, value in fields.items():
        setattr(job, name, value)
    job.heartbeat_at = timezone.now()

    def first_beat() -> None:
        with transaction.atomic():
            job.save(update_fields=[*fields, "heartbeat_at"])
            type(job).objects.filter(pk=job.pk).update(attempts=F("attempts") + 1)

    _retrying(first_beat)
    job.refresh_from_db(fields=["attempts"])


def save(job: Model, **fields) -> None:
    """Set and save the job's fields (its progress, its end), retrying a moment later where the
    database is locked."""
    for name, value in fields.items():
        setattr(job, name, value)
    _retrying(lambda: job.save(update_fields=list(fields)))


def _retrying(write: Callable[[], None], tries: int = 8) -> None:
    """On SQLite a page polling the job writes too (its session) and can hold the database beyond
    a write's wait: try again a little later rather than fail the job over a progress line (seen in
    the browser test, where the page polls every second)."""
    for attempt in range(tries):
        try:
            write()
            return
        except OperationalError:
            if attempt == tries - 1:
                raise
            time.sleep(0.05 * 2 ** attempt)


def _beat(model: type[Model], pk: int, stop: threading.Event) -> None:
    try:
        while not stop.wait(beat_seconds()):
            try:
                model.objects.filter(pk=pk).update(heartbeat_at=timezone.now())
            except DatabaseError:
                pass  # a locked SQLite or a dropped connection: the next beat tries again
    finally:
        connections.close_all()  # this thread's own connections


@contextmanager
def beating(job: Model) -> Iterator[None]:
    """Beat for the job while the block runs (a daemon thread: it dies with the worker, which is the point)."""
    stop = threading.Event()
    thread = threading.Thread(target=_beat, args=(type(job), job.pk, stop), name=f"heartbeat-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def folder_prefix(kind_name: str, pk: int) -> str:
    """The prefix of a job's temporary folder (tmp-<kind>-<id>-), by which recovery knows whose it is."""
    return f"tmp-{kind_name}-{pk}-"
