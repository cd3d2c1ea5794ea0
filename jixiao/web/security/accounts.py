"""Account writes of the administrators and of a user's own password, each in one transaction with
its audit entry (等保 8.1.4.1 身份鉴别, 8.1.4.2 访问控制, 8.1.5.1 系统管理).

系统管理员 creates business accounts (a role in one unit or one bureau), resets their passwords,
lifts lockouts and deactivates or reactivates them. An administrator's own account (any of the
three, or a superuser) is outside the system administrator's reach: otherwise resetting the audit
administrator's password would let the system administrator do the audit administrator's job.
Those accounts are managed from the server's command line by the deployment.

A password an administrator sets is an initial one: its owner must change it at the next login
(`User.must_change_password`, enforced by `middleware.PasswordChangeMiddleware`).
"""

from __future__ import annotations

import secrets
import string

from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jixiao.web.models import BUREAU_ROLES, UNIT_ROLES, Bureau, Role, Unit, User
from jixiao.web.security import audit
from jixiao.web.security.middleware import password_expired_days
from jixiao.web.security.models import Result
from jixiao.web.security.roles import admin_groups_of


class AccountError(Exception):
    """A refused account action: the Chinese message; `fields` names the form field for each."""

    def __init__(self, message: str, fields: dict[str, str] | None = None, status: int = 400):
        super().__init__(message)
        self.message, self.fields, self.status = message, fields or {}, status


def initial_password() -> str:
    """A random initial password that meets the rules (14 characters, four classes)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(12))
        pw = f"{body[:6]}-{body[6:]}{secrets.choice('#%+=')}"
        if any(c.islower() for c in pw) and any(c.isupper() for c in pw) and any(c.isdigit() for c in pw):
            return pw


def is_business_account(user: User) -> bool:
    """An account the system administrator manages: a business role, not an administrator."""
    return bool(user.role) and not user.is_superuser and not user.is_staff and not admin_groups_of(user)


def _managed(user: User) -> None:
    if not is_business_account(user):
        raise AccountError("管理员账号不由系统管理员管理（须在服务器上用命令行维护），以保证三员分立", status=403)


def create_user(*, actor: User, username: str, display_name: str, role: str, unit_id: int | None,
                bureau_id: int | None) -> tuple[User, str]:
    """A business account with a random initial password (returned once, to hand over); its owner
    changes it at the first login."""
    fields: dict[str, str] = {}
    username, display_name = username.strip(), display_name.strip()
    if not username:
        fields["username"] = "请填写用户名"
    elif len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        fields["username"] = "用户名只能由字母、数字和 @ . + - _ 组成，不超过 150 个字符"
    elif User.objects.filter(username=username).exists():
        fields["username"] = f"用户名“{username}”已被使用"
    if len(display_name) > 50:
        fields["display_name"] = "姓名不超过 50 个字符"
    unit = bureau = None
    if role not in UNIT_ROLES + BUREAU_ROLES:
        fields["role"] = "请选择角色"
    elif role in UNIT_ROLES:
        unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
        if unit is None:
            fields["unit"] = f"{Role(role).label}须属于一个预算单位：请选择单位"
    else:
        bureau = Bureau.objects.filter(pk=bureau_id).first() if bureau_id else None
        if bureau is None:
            fields["bureau"] = f"{Role(role).label}须属于一个财政局：请选择财政局"
    if fields:
        raise AccountError("账号未建立：请更正下列问题", fields)
    password = initial_password()
    with transaction.atomic():
        user = User(username=username, display_name=display_name, role=role, unit=unit, bureau=bureau,
                    must_change_password=True)
        user.set_password(password)
        user.save()
        where = unit.name if unit else bureau.name
        audit.record("admin", actor=actor, target=f"user:{user.pk}", path="account", new={"username": username, "role": role,
                     "unit": unit.pk if unit else None, "bureau": bureau.pk if bureau else None},
                     detail=f"系统管理员建立账号（{Role(role).label} · {where}），初始密码须在首次登录时修改")
    return user, password


def reset_password(*, actor: User, user: User) -> str:
    """A new random initial password (returned once); the owner must change it at the next login."""
    _managed(user)
    password = initial_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit.record("admin", actor=actor, target=f"user:{user.pk}", path="password", old="set", new="reset",
                     detail="系统管理员重置密码（下次登录须修改）")
    return password


def unlock(*, actor: User, username: str) -> bool:
    """Lift django-axes' lockout of an account. True when there was one."""

    with transaction.atomic():
        n, _ = AccessAttempt.objects.filter(username=username).delete()
        audit.record("admin", actor=actor, target=f"username:{username}", path="lockout", old="locked", new="unlocked",
                     detail="系统管理员解除锁定", result=Result.OK if n else Result.FAILED)
    return bool(n)


def set_active(*, actor: User, user: User, active: bool) -> None:
    _managed(user)
    if user.is_active == active:
        raise AccountError("该账号已经是" + ("启用" if active else "停用") + "状态", status=409)
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record("admin", actor=actor, target=f"user:{user.pk}", path="is_active", old=not active, new=active,
                     detail="系统管理员" + ("重新启用账号" if active else "停用账号（已登录的会话随即失效）"))


def change_own_password(*, user: User, current: str, new: str, again: str) -> None:
    """The owner's change: the current password, then a new one that meets the rules (twice)."""
    fields: dict[str, str] = {}
    if not user.check_password(current):
        fields["current"] = "当前密码不正确"
    if not new:
        fields["new"] = "请填写新密码"
    elif new != again:
        fields["again"] = "两次输入的新密码不一致"
    elif user.check_password(new):
        fields["new"] = "新密码不能与当前密码相同"
    else:
        try:
            validate_password(new, user=user)
        except ValidationError as exc:
            fields["new"] = " ".join(str(m) for m in exc.messages)
    if fields:
        audit.record("password_change", actor=user, target=f"user:{user.pk}", path="password", result=Result.FAILED,
                     detail="修改密码未成功：" + "；".join(fields.values()))
        raise AccountError("密码未修改：请更正下列问题", fields)

    with transaction.atomic():
        forced, expired = user.must_change_password, password_expired_days(user)
        user.set_password(new)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        detail = ("用户修改了管理员设置的初始密码" if forced else
                  f"用户修改了已过期的密码（超过 {expired} 天未更换）" if expired else "用户修改了自己的密码")
        audit.record("password_change", actor=user, target=f"user:{user.pk}", path="password", old="set", new="changed",
                     detail=detail)
