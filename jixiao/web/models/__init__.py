"""The web application's data: who works where, which task asks for which package, the draft,
its immutable versions, every field-level edit and the comments anchored to fields.

The draft is the core's canonical package (the dict `jixiao.services.to_canonical` returns, the
same data `jixiao import` writes). Everything the dashboards need from a version (总分, 等次,
执行率, finding counts, profile digest) is copied onto the version when it is made, so lists never
re-score packages.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Bureau(models.Model):
    """A finance bureau (财政局) that runs self-evaluation tasks for the units under it."""

    name = models.CharField("名称", max_length=100)
    region_code = models.CharField("行政区划代码", max_length=12, unique=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "财政局"

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A 归口业务科室 of a bureau: the units assigned to it are the ones its users review (the
    绩效评价股 assigns them; a 归口 user sees only these)."""

    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="departments", verbose_name="财政局")
    name = models.CharField("科室名称", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "归口业务科室"
        constraints = [models.UniqueConstraint(fields=["bureau", "name"], name="department_unique_in_bureau")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A budget unit (预算单位). Units form a tree: a 主管部门 and its subordinate units."""

    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="units", verbose_name="财政局")
    name = models.CharField("单位名称", max_length=200)
    budget_code = models.CharField("预算编码", max_length=32)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name="主管部门")
    supervisor_name = models.CharField("主管部门（名称）", max_length=200, blank=True,
                                       help_text="主管部门不在本系统时，按文件所载名称记录")
    is_synthetic = models.BooleanField("模拟单位", default=False)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="units",
                                   verbose_name="归口业务科室")

    class Meta:
        verbose_name = verbose_name_plural = "预算单位"
        constraints = [models.UniqueConstraint(fields=["bureau", "budget_code"], name="unit_code_unique_in_bureau")]
        ordering = ["budget_code"]

    def __str__(self) -> str:
        return self.name

    @property
    def supervisor(self) -> str:
        return self.parent.name if self.parent else self.supervisor_name


class Role(models.TextChoices):
    PREPARER = "preparer", "填报人"
    UNIT_HEAD = "unit_head", "单位负责人"
    # Bureau roles: placeholders for part 2 (issue 11); they see nothing of part 1's unit pages.
    BUREAU_DESK = "bureau_desk", "归口业务科室"
    BUREAU_PERFORMANCE = "bureau_performance", "绩效评价股"


UNIT_ROLES = (Role.PREPARER, Role.UNIT_HEAD)
BUREAU_ROLES = (Role.BUREAU_DESK, Role.BUREAU_PERFORMANCE)


class User(AbstractUser):
    """A person with one role in one unit or one bureau."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=32, choices=Role.choices, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users",
                             verbose_name="所在单位")
    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, null=True, blank=True, related_name="users",
                               verbose_name="所在财政局")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="users",
                                   verbose_name="所在归口业务科室")
    # Issue 12: a password an administrator set (an initial one, a reset) must be changed by its
    # owner at the next login before anything else (security.middleware.PasswordChangeMiddleware).
    must_change_password = models.BooleanField("须修改密码", default=False)
    # When the owner last changed the password (and the account's creation): past
    # JIXIAO_PASSWORD_MAX_AGE_DAYS the owner must change it again, like an initial one (等保 8.1.4.1 a)
    # 定期更换). Null reads as "not expired" (migration 0008 fills it in for the accounts it found).
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True, default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def clean(self) -> None:
        if self.role in UNIT_ROLES and (self.unit_id is None or self.bureau_id is not None):
            raise ValidationError("单位角色的用户必须属于一个预算单位，且不属于财政局")
        if self.role in BUREAU_ROLES and (self.bureau_id is None or self.unit_id is not None):
            raise ValidationError("财政局角色的用户必须属于一个财政局，且不属于预算单位")
        if self.department_id is not None and (self.role != Role.BUREAU_DESK or self.department.bureau_id != self.bureau_id):
            raise ValidationError("只有归口业务科室的用户属于本财政局的一个科室")

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_preparer(self) -> bool:
        return self.role == Role.PREPARER

    @property
    def is_unit_head(self) -> bool:
        return self.role == Role.UNIT_HEAD


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


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "单位审核中"
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


class Heartbeat(models.Model):
    """What every background job carries so that a killed worker is noticed (jixiao/web/jobs/):
    the worker running the job stamps `heartbeat_at` every few seconds; a job still marked running
    whose stamp is older than a short bound is ended by the next worker that looks. `attempts`
    counts the runs begun, so a job is retried at most where retrying is safe."""

    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True


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


# --- the bureau's side (issue 11): review decisions, 抽评, publication ------------------------------


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


class BatchJob(Heartbeat):
    """A background job over every package of a task (the batch audit), with the progress the page
    shows and, when done, one result line per package."""

    class Kind(models.TextChoices):
        AUDIT = "audit", "批量审核"
        PDF = "pdf", "批量生成 PDF"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

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

    @property
    def progress(self) -> int:
        return 100 if self.state == self.State.DONE else (self.done * 100 // self.total if self.total else 0)


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


# --- imports (issue 11): the 一体化 system's budget execution, and packages sent outside the system --


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


class PackageImport(Heartbeat):
    """A background import of packages units sent outside the system (a zip, or a folder on the
    server), with the progress the page shows and one result line per file."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

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

    @property
    def progress(self) -> int:
        return 100 if self.state == self.State.DONE else (self.done * 100 // self.total if self.total else 0)


class ExecutionImportJob(Heartbeat):
    """An 一体化 export imported in the background: the file is checked in the request (its problems
    beside the form), kept where the worker reads it, and written by the worker in one transaction
    (figures, pre-filled drafts, flags), so a killed worker leaves the task as it was."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

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
