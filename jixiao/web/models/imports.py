"""Imports (issue 11): the 一体化 system's budget execution, and packages sent outside the system."""

from __future__ import annotations

from django.db import models

from jixiao.web.models.jobs import Counted, Heartbeat, JobState
from jixiao.web.models.organisation import Unit, User
from jixiao.web.models.packages import Package
from jixiao.web.models.tasks import EvaluationTask


class ExecutionImport(models.Model):
    """One export of the 一体化 (budget management integration) system imported into a task."""

    task = models.ForeignKey(EvaluationTask, on_delete=models.PROTECT, related_name="execution_imports")
    filename = models.CharField("文件名", max_length=200)
    money_unit = models.CharField("金额单位", max_length=10, default="万元")
    rows = models.PositiveIntegerField("行数", default=0)
    summary = models.JSONField("导入结果", default=dict)  # {prefilled, conflicts, unmatched: [...]}
    imported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一体化执行数导入"
        ordering = ["-at", "-id"]


class ExecutionFigure(models.Model):
    """A unit's (or one of its projects') budget and execution as the 一体化 system has it, in 万元.
    `month` 0: year-end figures (no month given, or 12: pre-filled into drafts and compared with the
    packages); 1–11: figures to the end of that month (运行监控). A later import replaces the figure
    with the same unit, project and month."""

    task = models.ForeignKey(EvaluationTask, on_delete=models.CASCADE, related_name="execution_figures")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    project = models.CharField("项目", max_length=200, blank=True)  # empty: the unit as a whole (附件3)
    month = models.PositiveSmallIntegerField("截至月份", default=0)  # 0: the whole year
    budget = models.DecimalField("全年预算数（万元）", max_digits=20, decimal_places=6)
    executed = models.DecimalField("执行数（万元）", max_digits=20, decimal_places=6)
    source = models.ForeignKey(ExecutionImport, on_delete=models.PROTECT, related_name="figures")
    row = models.PositiveIntegerField("文件行号")
    # 运行监控: an in-year figure below the profile's checkpoint for its month (None: not yet worked
    # out — year-end figures, and in-year ones until `bureau_imports.refresh_monitoring` has seen them).
    below = models.BooleanField("低于节点要求", null=True, default=None)

    class Meta:
        verbose_name = verbose_name_plural = "一体化执行数"
        ordering = ["unit__budget_code", "project", "month"]
        constraints = [models.UniqueConstraint(fields=["task", "unit", "project", "month"], name="one_execution_figure")]
        indexes = [models.Index(fields=["task", "below"], name="execution_figure_below")]


class ExecutionCheck(models.Model):
    """How many of a package's stated figures differ from the 一体化 figures, as of `version` of the
    package (recomputed when the package has moved on): the dashboard's flag."""

    package = models.OneToOneField(Package, on_delete=models.CASCADE, related_name="execution_check")
    version = models.PositiveIntegerField()
    differences = models.PositiveIntegerField(default=0)


class PackageImport(Counted, Heartbeat):
    """A background import of packages units sent outside the system (a zip, or a folder on the
    server), with the progress the page shows and one result line per file."""

    State = JobState

    task = models.ForeignKey(EvaluationTask, on_delete=models.PROTECT, related_name="package_imports")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField("文件名", max_length=300)  # the zip's name, or the folder's path
    source = models.CharField(max_length=500)  # the stored zip (relative to MEDIA_ROOT) or the folder
    kind = models.CharField(max_length=10, default="zip")  # zip | folder
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list)  # [{file, outcome, reason, unit, code, package, version, errors, warnings}]
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ExecutionImportJob(Heartbeat):
    """An 一体化 export imported in the background: the file is checked in the request (its problems
    beside the form), kept where the worker reads it, and written by the worker in one transaction
    (figures, pre-filled drafts, flags), so a killed worker leaves the task as it was."""

    State = JobState

    task = models.ForeignKey(EvaluationTask, on_delete=models.PROTECT, related_name="execution_jobs")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField("文件名", max_length=200)
    source = models.CharField(max_length=500)  # the stored upload, relative to MEDIA_ROOT, until the job has read it
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    result = models.ForeignKey(ExecutionImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
