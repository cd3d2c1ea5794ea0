"""Who works where: bureaus, their 归口业务科室, the budget units (a tree), the roles and the users."""

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
