"""Background jobs over packages and tasks (PDF rendering, batch audit and batch PDF), and the
heartbeat every job kind carries so that a killed worker is noticed."""

from __future__ import annotations

from django.db import models

from jixiao.web.models.organisation import User
from jixiao.web.models.packages import Package
from jixiao.web.models.tasks import EvaluationTask


class Heartbeat(models.Model):
    """What every background job carries so that a killed worker is noticed (jixiao/web/jobs/):
    the worker running the job stamps `heartbeat_at` every few seconds; a job still marked running
    whose stamp is older than a short bound is ended by the next worker that looks. `attempts`
    counts the runs begun, so a job is retried at most where retrying is safe."""

    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True


class JobState(models.TextChoices):
    """Where a job counted in steps stands (a unit's PDF says 生成中 of itself)."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Counted:
    """A job that counts what it has done of a known total (`done`, `total`, `state`): its percentage."""

    @property
    def progress(self) -> int:
        return 100 if self.state == JobState.DONE else (self.done * 100 // self.total if self.total else 0)


class RenderJob(Heartbeat):
    """A background PDF (and .docx) rendering of a package, with the progress the page shows."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="render_jobs")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    file = models.CharField(max_length=300, blank=True)  # relative to MEDIA_ROOT
    version = models.PositiveIntegerField(default=0)


class BatchJob(Counted, Heartbeat):
    """A background job over every package of a task (the batch audit), with the progress the page
    shows and, when done, one result line per package."""

    class Kind(models.TextChoices):
        AUDIT = "audit", "批量审核"
        PDF = "pdf", "批量生成 PDF"

    State = JobState

    task = models.ForeignKey(EvaluationTask, on_delete=models.PROTECT, related_name="batch_jobs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.AUDIT)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list)  # [{unit, code, version, errors, warnings, error}]
    # The packages the job works through, in that order (`done` of them so far): a 归口业务科室 user's
    # progress counts those of their department.
    packages = models.JSONField(default=list)
    error = models.TextField(blank=True)
    file = models.CharField(max_length=300, blank=True)  # the PDF batch's .zip, relative to MEDIA_ROOT, once complete

    class Meta:
        ordering = ["-created_at", "-id"]


class AuditJob(Heartbeat):
    """An audit asked of the API (`POST /api/v1/audit`) too large to answer in the request (a zip of
    many documents, or a file above a size): the upload is kept where the worker reads it, and the
    answer — the same JSON as `jixiao audit --format json` — is stored for the caller to poll."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField("文件名", max_length=200)
    source = models.CharField(max_length=500)  # the stored upload, relative to MEDIA_ROOT, until the job has read it
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
