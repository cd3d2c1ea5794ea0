"""API tokens: issue, check, revoke (issue 19).

A token belongs to one account and carries a name, an expiry (at most a year), a scope (read only,
or read and write) and a side (unit or bureau, from the account's role). A bureau or administrator
account — one that signs in with a second factor — gets a token only once its TOTP device is set
up, and its tokens stop working if that device is taken away: a token never stands in for the
second factor of an account that has none. Issuing and revoking are recorded in the audit log.
Whoever holds a token may only read with a read-only one; the owner and the system administrator
may revoke it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jixiao.web.security import audit, roles
from jixiao.web.security.models import ApiToken

MAX_DAYS = 365
DEFAULT_DAYS = 90
LAST_USE_PRECISION = timedelta(minutes=1)  # last use written at most once a minute per token
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
NOT_AUTHENTICATED = ("令牌无效", "令牌已被吊销", "令牌已过期", "账号已停用")  # a 401; any other refusal is a 403


class TokenError(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def side_of(user) -> str:
    from jixiao.web.models import BUREAU_ROLES

    return ApiToken.Side.BUREAU if user.role in BUREAU_ROLES else ApiToken.Side.UNIT


def has_second_factor(user) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise TokenError("请为令牌起一个名称（例如“财务系统对接”），以便日后辨认和吊销")
    if len(name) > 100:
        raise TokenError("令牌名称不能超过 100 个字符")
    return name


def check_days(raw) -> int:
    try:
        days = int(str(raw).strip() or DEFAULT_DAYS)
    except ValueError:
        raise TokenError(f"有效期应为 1–{MAX_DAYS} 之间的天数") from None
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"有效期应为 1–{MAX_DAYS} 之间的天数")
    return days


def check_scope(raw: str) -> str:
    if raw not in ApiToken.Scope.values:
        raise TokenError("权限应为“只读”或“读写”")
    return raw


@dataclass(frozen=True)
class Issued:
    token: str  # shown once
    record: ApiToken


def issue(*, user, name: str, scope: str = ApiToken.Scope.READ, days=DEFAULT_DAYS, actor=None) -> Issued:
    """A new token for `user` (its owner, or the command line on the server with `actor=None`)."""
    name, scope, days = check_name(name), check_scope(scope), check_days(days)
    if not user.is_active:
        raise TokenError("账号已停用，不能签发令牌", 403)
    if roles.admin_groups_of(user):
        raise TokenError("管理员账号不能使用 API 令牌", 403)
    if roles.needs_second_factor(user) and not has_second_factor(user):
        raise TokenError("财政局账号须先启用动态口令（双因素认证），才能签发 API 令牌", 403)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        record = ApiToken.objects.create(user=user, name=name, digest=digest_of(token), scope=scope, side=side_of(user),
                                         expires_at=timezone.now() + timedelta(days=days))
        audit.record("token_issue", actor=actor or user, target=f"user:{user.pk}", new={"令牌": name, "权限": record.get_scope_display(),
                                                                                       "有效期至": record.expires_at.date().isoformat()},
                     detail=f"为 {user.get_username()} 签发 API 令牌“{name}”")
    return Issued(token, record)


def can_revoke(actor, record: ApiToken) -> bool:
    return record.user_id == actor.pk or roles.SYSTEM_ADMIN in roles.admin_groups_of(actor)


def revoke(*, actor, token_id: int) -> ApiToken:
    with transaction.atomic():
        record = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
        if record is None or not can_revoke(actor, record):
            raise TokenError("没有这个令牌", 404)
        if record.revoked_at is None:
            record.revoked_at, record.revoked_by = timezone.now(), actor
            record.save(update_fields=["revoked_at", "revoked_by"])
            audit.record("token_revoke", actor=actor, target=f"user:{record.user_id}", old={"令牌": record.name},
                         detail=f"吊销 {record.user.get_username()} 的 API 令牌“{record.name}”")
    return record


def refusal(record: ApiToken | None, method: str) -> str:
    """Why this token may not make this request ('' when it may)."""
    if record is None:
        return "令牌无效"
    if record.revoked_at is not None:
        return "令牌已被吊销"
    if record.expires_at <= timezone.now():
        return "令牌已过期"
    user = record.user
    if not user.is_active:
        return "账号已停用"
    if record.side != side_of(user):  # the account moved between a unit and the bureau since it was issued
        return "令牌的适用范围（单位或财政局）与账号当前的角色不符，请重新签发"
    if roles.needs_second_factor(user) and not has_second_factor(user):
        return "该账号未启用动态口令，API 令牌不能代替双因素认证"
    if record.scope == ApiToken.Scope.READ and method.upper() not in SAFE_METHODS:
        return "只读令牌不能修改数据"
    return ""


def find(token: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(digest=digest_of(token)).first()


def mark_used(record: ApiToken) -> None:
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
