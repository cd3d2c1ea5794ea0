"""The audit log: append-only entries, each sealed with HMAC-SM3 over the previous seal.

Entry n's seal covers its own fields and entry n-1's seal, so changing, removing or inserting an
entry breaks the chain from that point on; `ChainHead` holds the last sequence number and seal,
so removing the newest entries is found too. The seal is keyed (JIXIAO_AUDIT_KEY): someone who
can write to the database but has no key cannot forge a consistent chain.

Values are stored as JSON text, not JSONField: what is sealed is exactly what is stored
(PostgreSQL's jsonb would reorder keys and normalise numbers).
"""

from __future__ import annotations

from django.db import models

# Chinese names of the events, for exports and the audit administrator's page.
ACTIONS = {
    "login": "登录成功",
    "login_failed": "登录失败",
    "lockout": "账号锁定",
    "logout": "退出登录",
    "refused": "越权访问被拒绝",
    "edit": "修改字段",
    "computed": "系统重算字段",
    "structure": "调整表格",
    "import": "导入草稿",
    "adopt": "采用计算数",
    "opinion": "填写单位意见",
    "submission": "形成报送版本",
    "return": "退回",
    "approve": "审核通过",
    "comment": "审核意见",
    "render": "生成文档",
    "admin": "管理操作",
    "otp": "动态口令验证",
    "otp_setup": "启用动态口令",
    "otp_failed": "动态口令错误",
    "export_log": "导出审计日志",
    "password_change": "修改密码",
    # The bureau's decisions and the writes around them (web/versions.py records them).
    "bureau_comment": "财政审核意见",
    "bureau_return": "财政退回",
    "accept": "财政审核通过",
    "publish": "公开自评结果",
    "rectification": "发出整改通知",
    "rectification_answer": "答复整改",
    "rectification_close": "整改销号",
    "spot_draw": "抽取抽评样本",
    "spot_score": "抽评评分",
    "batch_start": "发起批量作业",
    "task_create": "创建自评任务",
    "task_deadline": "修改报送截止日期",
    "api_audit": "通过接口审核文件",
    "department": "设立归口业务科室",
    "department_assign": "分配归口业务科室",
    "execution_import": "导入一体化执行数",
    "package_import": "导入外部数据包",
    "rollup": "汇总下属单位数据",
    "targets_import": "导入批复绩效目标",
    "export": "导出下载",
    "token_issue": "签发接口令牌",
    "token_revoke": "吊销接口令牌",
    # The 主管部门 tier (issue 22).
    "dept_comment": "主管部门审核意见",
    "dept_return": "主管部门退回",
    "dept_approve": "主管部门审核通过",
    "dept_submit": "主管部门随附下属单位报送",
    "dept_tier": "设定主管部门截止日期",
    "dept_units_deadline": "设定下属单位截止日期",
    "dept_rollup": "主管部门重新汇总",
}


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除")


class Result(models.TextChoices):
    OK = "ok", "成功"
    REFUSED = "refused", "拒绝"
    FAILED = "failed", "失败"


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    actor = models.CharField("操作人", max_length=150, blank=True)
    actor_id = models.BigIntegerField("操作人编号", null=True, blank=True)
    role = models.CharField("角色", max_length=32, blank=True)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    action = models.CharField("事件", max_length=40, db_index=True)
    target = models.CharField("对象", max_length=200, blank=True)
    path = models.CharField("字段", max_length=300, blank=True)
    old = models.TextField("原值（JSON）", blank=True)
    new = models.TextField("新值（JSON）", blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.OK)
    detail = models.TextField("说明", blank=True)
    prev = models.CharField("前一条的封印", max_length=64)
    seal = models.CharField("封印（HMAC-SM3）", max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["seq"]
        # The three administrators' permissions (issue 12): reading the log is the audit administrator's.
        default_permissions = ("view",)

    def save(self, *args, **kwargs):
        if self.pk is not None or not kwargs.get("force_insert"):
            raise AppendOnlyError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除")

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)


class ChainHead(models.Model):
    """One row: the newest entry's number and seal (the anchor of the chain)."""

    seq = models.PositiveBigIntegerField(default=0)
    seal = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()


class ApiToken(models.Model):
    """A bearer token for the JSON API (issue 19): named, with an expiry, the last time it was used,
    a scope (read only, or read and write) and a side (a unit's or a bureau's account), revocable by
    its owner and by the system administrator. Only the SHA-256 of the token is stored; the token
    itself is shown once."""

    class Scope(models.TextChoices):
        READ = "read", "只读"
        WRITE = "write", "读写"

    class Side(models.TextChoices):
        UNIT = "unit", "单位"
        BUREAU = "bureau", "财政局"

    user = models.ForeignKey("web.User", on_delete=models.CASCADE, related_name="access_tokens", verbose_name="账号")
    name = models.CharField("名称", max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField("权限", max_length=10, choices=Scope.choices, default=Scope.READ)
    side = models.CharField("用途", max_length=10, choices=Side.choices, default=Side.UNIT)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("有效期至")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey("web.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name="吊销人")

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.name

    @property
    def state(self) -> str:
        from django.utils import timezone

        if self.revoked_at:
            return "已吊销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"
