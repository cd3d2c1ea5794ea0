"""Pages of the security app: the TOTP second factor, the lockout page, the audit administrator's
read-only view and export of the log."""

from __future__ import annotations

import io
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from . import audit
from .models import AuditEntry, Result
from .roles import SECURITY_ADMIN, admin_groups_of, is_audit_admin


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes' answer to a locked account (HTTP 429), in Chinese."""
    return render(request, "security/locked.html", {"minutes": 15}, status=429)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()) else "/"


def _qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode("utf-8")
    return svg[svg.index("<svg"):]  # without the XML declaration, inside an HTML page


@login_required
def otp(request: HttpRequest) -> HttpResponse:
    """Set up (first time: secret and QR code) or confirm the TOTP code of this session."""
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setup = device is None
    if setup:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or \
            TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)
    error = ""
    if request.method == "POST":
        code = "".join(ch for ch in request.POST.get("code", "") if ch.isdigit())
        if code and device.verify_token(code):
            if setup:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record("otp_setup" if setup else "otp", actor=user, target=f"user:{user.pk}")
            return redirect(_next(request))
        audit.record("otp_failed", actor=user, target=f"user:{user.pk}", result=Result.FAILED, detail="动态口令不正确")
        error = "动态口令不正确或已过期，请输入验证器上当前显示的 6 位数字。"
    ctx = {"setup": setup, "error": error, "next": _next(request)}
    if setup:
        import base64

        secret = base64.b32encode(device.bin_key).decode("ascii")
        ctx |= {"secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), "qr": _qr_svg(device.config_url)}
    return render(request, "security/otp.html", ctx, status=200 if not error else 400)


def _audit_admin_only(request: HttpRequest) -> None:
    if not is_audit_admin(request.user):
        from .context import note_refusal

        note_refusal("审计日志")
        raise Http404("没有找到该页面，或您无权查看")


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    """The audit administrator's view: newest first, filtered by event, person or date; read only."""
    _audit_admin_only(request)
    qs = AuditEntry.objects.order_by("-seq")
    action, actor, day = request.GET.get("action", ""), request.GET.get("actor", "").strip(), request.GET.get("day", "")
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor=actor)
    if day:
        try:
            d = datetime.fromisoformat(day).date()
            qs = qs.filter(at__date=d)
        except ValueError:
            day = ""
    check = audit.verify()
    return render(request, "security/log.html", {
        "entries": qs[:200], "actions": audit.ACTIONS, "action": action, "actor": actor, "day": day, "check": check,
        "now": timezone.now()})


@login_required
@require_GET
def log_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _audit_admin_only(request)
    if fmt not in ("csv", "json"):
        raise Http404("不支持的格式")
    buf = io.StringIO()
    audit.export(fmt, buf)
    audit.record("export_log", target="audit-log", detail=f"导出审计日志（{fmt}）")
    data = ("\ufeff" if fmt == "csv" else "") + buf.getvalue()
    resp = HttpResponse(data.encode("utf-8"), content_type="text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson")
    resp["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate().isoformat()}.{"csv" if fmt == "csv" else "jsonl"}"'
    return resp


# --- the security administrator: lockouts and second factors -------------------------------------------


def _security_admin_only(request: HttpRequest) -> None:
    if SECURITY_ADMIN not in admin_groups_of(request.user):
        from .context import note_refusal

        note_refusal("账号安全管理")
        raise Http404("没有找到该页面，或您无权查看")


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    """Locked accounts (lift the lock) and second factors (reset a lost one). Every action is logged."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.contrib import messages
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _security_admin_only(request)
    if request.method == "POST":
        op, username = request.POST.get("op", ""), request.POST.get("username", "").strip()
        if op == "unlock":
            n, _ = AccessAttempt.objects.filter(username=username).delete()
            audit.record("admin", target=f"username:{username}", path="lockout", old="locked", new="unlocked",
                         detail="安全管理员解除锁定", result=Result.OK if n else Result.FAILED)
            messages.success(request, f"已解除 {username} 的锁定" if n else f"{username} 没有被锁定")
        elif op == "reset_otp":
            n, _ = TOTPDevice.objects.filter(user__username=username).delete()
            audit.record("admin", target=f"username:{username}", path="otp", old="enrolled", new="reset",
                         detail="安全管理员重置动态口令（下次登录重新设置）", result=Result.OK if n else Result.FAILED)
            messages.success(request, f"已重置 {username} 的动态口令" if n else f"{username} 尚未设置动态口令")
        else:
            return render(request, "web/message.html", {"text": "未知的操作"}, status=400)
        return redirect("security:accounts")
    locked = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by("-attempt_time")
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user").order_by("user__username")
    return render(request, "security/accounts.html", {"locked": locked, "devices": devices})
