"""A unit's package for a task: the draft (the canonical dict), its immutable versions, every
field-level edit and the comments anchored to fields."""

from __future__ import annotations

from django.db import models

from jixiao.web.models.organisation import Unit, User
from jixiao.web.models.tasks import EvaluationTask


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "单位审核中"
    # Issue 22: a unit under a 主管部门 that reviews its units sends there first.
    DEPT_REVIEW = "dept_review", "主管部门审核中"
    DEPT_APPROVED = "dept_approved", "主管部门审核通过"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "退回"
    # Part 2 (issue 11):
    ACCEPTED = "accepted", "财政审核通过"
    PUBLISHED = "published", "已公开"


EDITABLE_STATUSES = (Status.NOT_STARTED, Status.DRAFT, Status.RETURNED)


class Package(models.Model):
    """One unit's package for one task: the draft (canonical dict) and where it stands."""

    task = models.ForeignKey(EvaluationTask, on_delete=models.PROTECT, related_name="packages", verbose_name="自评任务")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="packages", verbose_name="预算单位")
    draft = models.JSONField("草稿（规范格式）", default=dict)
    # Optimistic concurrency: every accepted write bumps the counter; a write made on an older
    # counter is refused with a message, never applied over someone else's change.
    version = models.PositiveIntegerField("草稿版本号", default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    updated_at = models.DateTimeField("最后修改", auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The draft's figures as last recomputed, for lists (part 2's dashboard reads these).
    total_score = models.DecimalField("总分", max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=10, blank=True)
    execution_rate = models.DecimalField("执行率", max_digits=9, decimal_places=6, null=True, blank=True)
    errors = models.PositiveIntegerField("错误数", default=0)
    warnings = models.PositiveIntegerField("警告数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "数据包"
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="one_package_per_unit_and_task")]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.task.year}"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class ImmutableError(RuntimeError):
    pass


class Submission(models.Model):
    """An immutable version of a package: the canonical content, its hash, who and when, the summary."""

    class State(models.TextChoices):
        PENDING = "pending", "待单位审核"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "已报送财政"

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="submissions", verbose_name="数据包")
    number = models.PositiveIntegerField("版本号")
    content = models.JSONField("内容（规范格式）")
    content_hash = models.CharField("内容摘要", max_length=64)
    hash_algorithm = models.CharField("摘要算法", max_length=10)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="提交人")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)
    total_score = models.DecimalField("总分", max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=10, blank=True)
    execution_rate = models.DecimalField("执行率", max_digits=9, decimal_places=6, null=True, blank=True)
    errors = models.PositiveIntegerField("错误数", default=0)
    warnings = models.PositiveIntegerField("警告数", default=0)
    profile = models.CharField("评分方案", max_length=100)
    profile_digest = models.CharField("评分方案摘要", max_length=64, blank=True)
    # The decision on this version: the only fields that change after it is made.
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("审核意见", blank=True)
    # Where the content came from when it was not made in the system (issue 11's outside packages).
    origin = models.CharField("来源", max_length=300, blank=True)

    DECISION_FIELDS = ("state", "decided_by", "decided_at", "decision_note")

    class Meta:
        verbose_name = verbose_name_plural = "报送版本"
        constraints = [models.UniqueConstraint(fields=["package", "number"], name="version_number_unique")]
        ordering = ["package", "number"]

    def __str__(self) -> str:
        return f"第{self.number}版"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            fields = kwargs.get("update_fields")
            if not fields or set(fields) - set(self.DECISION_FIELDS):
                raise ImmutableError("已提交的版本不可修改（只能记录对它的审核决定）")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("已提交的版本不可删除")


class FieldEdit(models.Model):
    """One change to one field of a draft: the path in the canonical package, old and new value."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="edits")
    path = models.CharField("字段", max_length=300)
    old = models.JSONField("原值", null=True)
    new = models.JSONField("新值", null=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField("修改后版本号")
    kind = models.CharField(max_length=20, default="edit")  # edit | import | structure | opinion

    class Meta:
        ordering = ["package", "version", "id"]
        indexes = [models.Index(fields=["package", "path"])]


class Comment(models.Model):
    """A reviewer's comment anchored to a field path of the package (or to the whole package)."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="comments")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="comments")
    path = models.CharField("字段", max_length=300, blank=True)
    text = models.TextField("意见")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField("已处理", default=False)

    class Meta:
        ordering = ["created_at", "id"]
