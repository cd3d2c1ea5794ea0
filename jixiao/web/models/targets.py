"""Approved performance targets (批复绩效目标, issue 20): what the bureau imported from the 一体化
system's export for a task — each unit's approved indicators, for the unit as a whole (附件3, no
project) or per project (附件4) — and, per package, how many of its reported indicators differ
from them (the dashboard's flag 与批复目标不一致, worked out again when the package moves on)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# The other models by their label, not imported: jixiao.web.models imports this module.
TASK, UNIT, PACKAGE = "web.EvaluationTask", "web.Unit", "web.Package"


class TargetImport(models.Model):
    """One export of approved targets imported into a task (a later one replaces the task's targets)."""

    task = models.ForeignKey(TASK, on_delete=models.PROTECT, related_name="target_imports")
    filename = models.CharField("文件名", max_length=200)
    rows = models.PositiveIntegerField("导入行数", default=0)
    refused = models.JSONField("未导入的行", default=list)  # ["第N行：reason", …]
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "批复绩效目标导入"
        ordering = ["-at", "-id"]


class ApprovedTarget(models.Model):
    """One approved 三级指标 of a unit in a task, as the 一体化 export states it."""

    task = models.ForeignKey(TASK, on_delete=models.CASCADE, related_name="approved_targets")
    unit = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+")
    project = models.CharField("项目", max_length=200, blank=True)  # empty: the unit as a whole (附件3)
    level1 = models.CharField("一级指标", max_length=100, blank=True)
    level2 = models.CharField("二级指标", max_length=100, blank=True)
    name = models.CharField("三级指标", max_length=300)
    value = models.CharField("指标值", max_length=300)  # as written; read again by the core when compared
    weight = models.DecimalField("分值", max_digits=7, decimal_places=2, null=True, blank=True)
    year = models.PositiveIntegerField("年度", null=True, blank=True)
    source = models.ForeignKey(TargetImport, on_delete=models.PROTECT, related_name="targets")
    row = models.PositiveIntegerField("文件行号")

    class Meta:
        verbose_name = verbose_name_plural = "批复绩效目标"
        ordering = ["unit__budget_code", "project", "row"]
        indexes = [models.Index(fields=["task", "unit"], name="approved_target_unit")]


class TargetCheck(models.Model):
    """How many of a package's reported indicators differ from its unit's approved targets, as of
    `version` of the package: the dashboard's flag (one join, like `ExecutionCheck`)."""

    package = models.OneToOneField(PACKAGE, on_delete=models.CASCADE, related_name="target_check")
    version = models.PositiveIntegerField()
    differences = models.PositiveIntegerField(default=0)
