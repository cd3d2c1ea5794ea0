"""The bureau's side (issue 11): review decisions, 抽评 samples and scores, publication, 整改."""

from __future__ import annotations

from django.db import models

from jixiao.web.models.jobs import Heartbeat
from jixiao.web.models.organisation import User
from jixiao.web.models.packages import Package, Submission
from jixiao.web.models.tasks import EvaluationTask


class BureauDecision(models.Model):
    """A bureau reviewer's decision on a version the unit sent: returned (with the reason) or
    accepted (with the 财政部门意见 written into the package). Recorded with the version it was
    made on; never changed afterwards."""

    class Action(models.TextChoices):
        RETURN = "return", "退回"
        ACCEPT = "accept", "审核通过"

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="bureau_decisions")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="bureau_decisions",
                                   verbose_name="所审版本")
    action = models.CharField("决定", max_length=10, choices=Action.choices)
    text = models.TextField("理由或意见")
    signer = models.CharField("签署人", max_length=50, blank=True)
    signed_on = models.DateField("签署日期", null=True, blank=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    result = models.ForeignKey(Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="写入意见后的版本")

    class Meta:
        verbose_name = verbose_name_plural = "财政审核决定"
        ordering = ["at", "id"]


class SpotCheck(models.Model):
    """A package drawn into a task's 抽评 sample, with the reasons it was drawn (risk-ranked)."""

    task = models.ForeignKey(EvaluationTask, on_delete=models.PROTECT, related_name="spot_checks")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="spot_checks")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+", verbose_name="抽评版本")
    rank = models.PositiveIntegerField("风险排序")
    risk = models.DecimalField("风险分", max_digits=9, decimal_places=2)
    reasons = models.JSONField("抽取理由", default=list)  # [text, …] in the order of the profile's weights
    drawn_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽评样本"
        ordering = ["task", "rank"]
        constraints = [models.UniqueConstraint(fields=["task", "package"], name="one_spot_check_per_package")]


class SpotScore(models.Model):
    """The bureau reviewer's score of one indicator of a sampled package, beside the unit's own."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="scores")
    key = models.CharField("指标", max_length=200)  # the engine's key (core.keys.indicator_score)
    label = models.CharField("指标名称", max_length=300)
    self_score = models.DecimalField("自评得分", max_digits=7, decimal_places=2, null=True, blank=True)
    bureau_score = models.DecimalField("抽评得分", max_digits=7, decimal_places=2)
    note = models.CharField("说明", max_length=300, blank=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽评评分"
        constraints = [models.UniqueConstraint(fields=["spot_check", "key"], name="one_spot_score_per_indicator")]

    @property
    def difference(self):
        return None if self.self_score is None else self.bureau_score - self.self_score


class Publication(Heartbeat):
    """An accepted version made public (信息公开): the page per unit and year shows this version."""

    package = models.OneToOneField(Package, on_delete=models.PROTECT, related_name="publication")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)
    pdf = models.CharField(max_length=300, blank=True)  # relative to MEDIA_ROOT, once rendered
    pdf_error = models.TextField(blank=True)  # why the PDF could not be rendered (the public page says so)

    class Meta:
        verbose_name = verbose_name_plural = "信息公开"


class Rectification(models.Model):
    """A 整改 notice: the bureau asks a unit to correct something (a finding, a 抽评 difference) by
    a due date; the unit answers; the bureau closes it. Open ones are tracked on the dashboard."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="rectifications")
    text = models.TextField("整改要求")
    due = models.DateField("整改期限")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField("整改情况", blank=True)
    answered_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改通知"
        ordering = ["due", "id"]

    @property
    def state(self) -> str:
        if self.closed_at:
            return "已销号"
        return "单位已答复" if self.answered_at else "待整改"
