"""Security events from Django's authentication and django-axes into the audit log."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from jixiao.web.security.audit import record
from jixiao.web.security.models import Result


@receiver(user_logged_in, dispatch_uid="jixiao-audit-login")
def _logged_in(sender, request, user, **kwargs):
    record("login", actor=user, target=f"user:{user.pk}")


@receiver(user_logged_out, dispatch_uid="jixiao-audit-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("logout", actor=user, target=f"user:{user.pk}")


@receiver(user_login_failed, dispatch_uid="jixiao-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # The password is never recorded; the name tried is (an assessor asks for it).
    name = str((credentials or {}).get("username", ""))[:150]
    record("login_failed", actor_name=name, target=f"username:{name}", result=Result.FAILED, detail="用户名或密码不正确")


try:  # django-axes: the account (or address) is locked after repeated failures

    @receiver(user_locked_out, dispatch_uid="jixiao-audit-lockout")
    def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
        record("lockout", actor_name=username or "", target=f"username:{username or ''}", result=Result.REFUSED,
               detail=f"连续登录失败，已锁定（来源 {ip_address or ''}）")
except ImportError:  # pragma: no cover - axes is a dependency; the log works without it
    pass
