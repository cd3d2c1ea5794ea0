"""A bureau's yearly self-evaluation task: the profile it fixes, its deadline and its units."""

from __future__ import annotations

from django.db import models

from jixiao.web.models.organisation import Bureau, Unit


class EvaluationTask(models.Model):
    """A year's self-evaluation task of a bureau: the profile is fixed by the task, not by a package."""

    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="tasks", verbose_name="财政局")
    year = models.PositiveIntegerField("评价年度")
    title = models.CharField("任务名称", max_length=200)
    profile = models.CharField("评分方案", max_length=100)
    deadline = models.DateField("报送截止日期")
    units = models.ManyToManyField(Unit, related_name="tasks", verbose_name="参评单位")

    class Meta:
        verbose_name = verbose_name_plural = "自评任务"
        constraints = [models.UniqueConstraint(fields=["bureau", "year", "title"], name="task_unique")]

    def __str__(self) -> str:
        return self.title
