"""After a worker was killed (power cut, OOM killer, `kill -9`): the jobs it had in hand are marked
failed with a message, and the temporary folders it was writing into are removed. The final file
of a job is only ever moved into place when complete (jixiao/web/jobs/), so nothing half-written
is left where the pages look. Run when a worker starts (`jixiao worker`)."""

from __future__ import annotations

import os
import shutil
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from jixiao.web.jobs import batch_pdf
from jixiao.web.models import RenderJob

INTERRUPTED = "生成中断（后台任务进程意外退出），请重新生成"


def _timeout() -> timedelta:
    return timedelta(seconds=int(os.environ.get("JIXIAO_JOB_TIMEOUT", getattr(settings, "JIXIAO_JOB_TIMEOUT", 900))))


def recover_interrupted(timeout: timedelta | None = None) -> tuple[int, int]:
    """Mark jobs left running for longer than `timeout` failed; remove stale temporary folders.
    Returns (jobs marked failed, folders removed)."""
    timeout = _timeout() if timeout is None else timeout
    cutoff = timezone.now() - timeout
    stale = RenderJob.objects.filter(state=RenderJob.State.RUNNING, created_at__lte=cutoff)
    n = stale.update(state=RenderJob.State.FAILED, step="失败", error=INTERRUPTED)
    n += batch_pdf.recover(timeout)  # the bureau's batch jobs (批量审核, 批量生成 PDF)
    removed = 0
    out_dir = Path(settings.MEDIA_ROOT) / "pdf"
    if out_dir.is_dir():
        for p in out_dir.iterdir():
            if p.is_dir() and p.name.startswith("tmp") and time.time() - p.stat().st_mtime >= timeout.total_seconds():
                shutil.rmtree(p, ignore_errors=True)
                removed += 1
    return n, removed
