"""Request-level controls: the audit context (who, from where), refused accesses into the log."""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode

from jixiao.web.security import context
from jixiao.web.security.audit import record
from jixiao.web.security.models import Result
from jixiao.web.security.roles import needs_second_factor


def client_ip(request) -> str:
    """The client's address. Behind N trusted reverse proxies (JIXIAO_PROXY_COUNT), the N-th address
    from the right of X-Forwarded-For; otherwise the socket's peer (a forged header is ignored)."""
    hops = getattr(settings, "JIXIAO_PROXY_COUNT", 0)
    if hops:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "")


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = context.RequestContext(ip=client_ip(request), method=request.method, path=request.path)
        token = context.begin(ctx)
        try:
            ctx.user = getattr(request, "user", None)
            response = self.get_response(request)
            # request.user may have been set by the API's token auth meanwhile
            ctx.user = getattr(request, "user", None)
            if response.status_code == 403 or ctx.refusals:
                what = "；".join(ctx.refusals) or "无权进行此操作"
                record("refused", target=f"{request.method} {request.path}"[:200], result=Result.REFUSED,
                       detail=f"{what}（HTTP {response.status_code}）")
            return response
        finally:
            context.end(token)


class SecondFactorMiddleware:
    """Bureau and administrator accounts must confirm a TOTP code after the password (when
    JIXIAO_OTP_REQUIRED; always in production). Until then every page leads to /security/otp/."""

    OPEN = ("/security/otp/", "/logout/", "/static/", "/health", "/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.JIXIAO_OTP_REQUIRED and not request.path.startswith(self.OPEN):

            user = getattr(request, "user", None)
            if user is not None and needs_second_factor(user) and not user.is_verified():
                if request.path.startswith("/api/"):

                    return HttpResponse(json.dumps({"detail": "此账号须先在网页上完成动态口令验证"}, ensure_ascii=False),
                                        status=403, content_type="application/json; charset=utf-8")

                return redirect("/security/otp/?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)


PASSWORD_CHANGE_MESSAGE = "此账号的密码是管理员设置的初始密码：须先在网页上修改密码"


def password_expired_days(user) -> int:
    """JIXIAO_PASSWORD_MAX_AGE_DAYS when the user's password is older than that (it must be changed
    before anything else, 等保 8.1.4.1 a) 定期更换); 0 when it is not, or expiry is off. A null
    `password_changed_at` is not expired (migration 0008 set it for the accounts that existed)."""
    days = getattr(settings, "JIXIAO_PASSWORD_MAX_AGE_DAYS", 0)
    changed = getattr(user, "password_changed_at", None)
    if not days or changed is None:
        return 0

    return days if timezone.now() - changed > timedelta(days=days) else 0


def password_expired_message(days: int) -> str:
    return f"口令已超过{days}天未更换，请修改后继续"


def password_change_required(user) -> str:
    """Why the user must change the password before anything else (a Chinese message), or ''."""
    if getattr(user, "must_change_password", False):
        return PASSWORD_CHANGE_MESSAGE
    days = password_expired_days(user)
    return password_expired_message(days) if days else ""


class PasswordChangeMiddleware:
    """A user whose password an administrator set (an initial password, a reset), or whose password
    is older than JIXIAO_PASSWORD_MAX_AGE_DAYS, changes it before anything else: every page leads to
    /security/password/, the API answers 403 (等保 8.1.4.1 a))."""

    OPEN = ("/security/password/", "/security/otp/", "/logout/", "/static/", "/health", "/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        why = ""
        if (user is not None and getattr(user, "is_authenticated", False) and not request.path.startswith(self.OPEN)):
            why = password_change_required(user)
        if why:
            if request.path.startswith("/api/"):

                context.note_refusal(why)  # the refused-access entry names the reason
                return HttpResponse(json.dumps({"detail": why}, ensure_ascii=False), status=403,
                                    content_type="application/json; charset=utf-8")

            return redirect("/security/password/?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
