"""Pages of the security app: the TOTP second factor, the lockout page, the audit administrator's
read-only view and export of the log."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.web.dates import DateUnreadable, read_date
from jixiao.web.models import BUREAU_ROLES, UNIT_ROLES, Bureau, Role, Unit, User
from jixiao.web.security import accounts as accounts_mod
from jixiao.web.security import audit
from jixiao.web.security.context import note_refusal
from jixiao.web.security.middleware import password_expired_days, password_expired_message
from jixiao.web.security.models import AuditEntry, Result
from jixiao.web.security.roles import SECURITY_ADMIN, SYSTEM_ADMIN, admin_groups_of, is_audit_admin


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes' answer to a locked account (HTTP 429), in Chinese."""
    return render(request, "security/locked.html", {"minutes": 15}, status=429)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()) else "/"


def _qr_svg(uri: str) -> str:
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode("utf-8")
    return svg[svg.index("<svg"):]  # without the XML declaration, inside an HTML page


@login_required
def otp(request: HttpRequest) -> HttpResponse:
    """Set up (first time: secret and QR code) or confirm the TOTP code of this session."""

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

        secret = base64.b32encode(device.bin_key).decode("ascii")
        ctx |= {"secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), "qr": _qr_svg(device.config_url)}
    return render(request, "security/otp.html", ctx, status=200 if not error else 400)


def _audit_admin_only(request: HttpRequest) -> None:
    if not is_audit_admin(request.user):

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
    day_error = ""
    try:
        d = read_date(day)
        if d is not None:
            qs = qs.filter(at__date=d)
    except DateUnreadable as exc:  # said beside the field; the log unfiltered by day
        day_error = exc.message
    check = audit.verify()
    return render(request, "security/log.html", {
        "entries": qs[:200], "actions": audit.ACTIONS, "action": action, "actor": actor, "day": day, "day_error": day_error, "check": check,
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


# --- the security administrator: the security policy and second factors -----------------------------


def _security_admin_only(request: HttpRequest) -> None:
    if SECURITY_ADMIN not in admin_groups_of(request.user):

        note_refusal("账号安全管理")
        raise Http404("没有找到该页面，或您无权查看")


def _policy() -> list[tuple[str, str, str]]:
    """The security parameters in force (read from the settings, which the deployment owns)."""

    length = next((v.get("OPTIONS", {}).get("min_length") for v in settings.AUTH_PASSWORD_VALIDATORS
                   if v["NAME"].endswith("MinimumLengthValidator")), None)
    return [
        ("口令长度", f"至少 {length} 个字符", "8.1.4.1 a)"),
        ("口令复杂度", "小写、大写、数字、其他字符中至少 3 类；不得为常见口令、纯数字或与用户信息相近", "8.1.4.1 a)"),
        ("管理员设置的口令", "首次登录须由本人修改", "8.1.4.1 a)"),
        ("口令定期更换", f"超过 {settings.JIXIAO_PASSWORD_MAX_AGE_DAYS} 天未更换须修改后才能继续使用"
         if settings.JIXIAO_PASSWORD_MAX_AGE_DAYS else "本环境未要求（生产环境默认 90 天）", "8.1.4.1 a)"),
        ("登录失败处理", f"连续 {settings.AXES_FAILURE_LIMIT} 次失败锁定 {int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)} 分钟（按账号）",
         "8.1.4.1 b)"),
        ("会话超时", f"{settings.SESSION_COOKIE_AGE // 60} 分钟无操作即退出；关闭浏览器即失效", "8.1.4.1 b)"),
        ("双因素鉴别", "财政局与管理员账号须输入动态口令" + ("（已启用）" if settings.JIXIAO_OTP_REQUIRED else "（本环境未启用；生产环境始终启用）"),
         "8.1.4.1 d)"),
        ("口令存储", "Argon2 散列", "8.1.4.8 b)"),
        ("审计记录", "只能追加，HMAC-SM3 哈希链", "8.1.4.3 c)"),
    ]


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    """The security administrator's page: the security policy in force (read only: it is the
    deployment's configuration) and the second factors (reset a lost one). Every action is logged."""

    _security_admin_only(request)
    if request.method == "POST":
        op, username = request.POST.get("op", ""), request.POST.get("username", "").strip()
        if op != "reset_otp":
            return render(request, "web/message.html", {"text": "未知的操作"}, status=400)
        n, _ = TOTPDevice.objects.filter(user__username=username).delete()
        audit.record("admin", target=f"username:{username}", path="otp", old="enrolled", new="reset",
                     detail="安全管理员重置动态口令（下次登录重新设置）", result=Result.OK if n else Result.FAILED)
        messages.success(request, f"已重置 {username} 的动态口令" if n else f"{username} 尚未设置动态口令")
        return redirect("security:accounts")
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user").order_by("user__username")
    return render(request, "security/accounts.html", {"devices": devices, "policy": _policy()})


# --- the system administrator: accounts ---------------------------------------------------------------


def _system_admin_only(request: HttpRequest) -> None:
    if SYSTEM_ADMIN not in admin_groups_of(request.user):

        note_refusal("账号管理")
        raise Http404("没有找到该页面，或您无权查看")


def _locked_names() -> set[str]:
    return set(AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
               .values_list("username", flat=True))


@login_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    """Every account: business accounts with their unit or bureau, and whether locked, inactive or
    holding an initial password; administrators listed apart (managed on the command line)."""
    _system_admin_only(request)
    q = request.GET.get("q", "").strip()[:50]
    qs = User.objects.select_related("unit", "bureau").prefetch_related("groups").order_by("username")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(unit__name__icontains=q)
                       | Q(bureau__name__icontains=q))
    locked = _locked_names()
    rows = [(u, u.username in locked, accounts_mod.is_business_account(u), admin_groups_of(u)) for u in qs[:500]]
    return render(request, "security/users.html", {"rows": rows, "q": q, "locked": locked})


def _user_form_context(data, errors: dict, message: str = "") -> dict:
    return {"data": data, "errors": errors, "message": message,
            "roles": [(r.value, r.label) for r in Role if r in UNIT_ROLES + BUREAU_ROLES],
            "units": Unit.objects.select_related("bureau").order_by("bureau__name", "budget_code"),
            "bureaus": Bureau.objects.order_by("name"),
            "labels": {"username": "用户名", "display_name": "姓名", "role": "角色", "unit": "所在单位", "bureau": "所在财政局"}}


def _int(raw: str) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    _system_admin_only(request)
    if request.method == "POST":
        p = request.POST
        try:
            user, password = accounts_mod.create_user(
                actor=request.user, username=p.get("username", ""), display_name=p.get("display_name", ""),
                role=p.get("role", ""), unit_id=_int(p.get("unit", "")), bureau_id=_int(p.get("bureau", "")))
        except accounts_mod.AccountError as exc:
            return render(request, "security/user_new.html", _user_form_context(p, exc.fields, exc.message), status=exc.status)
        return render(request, "security/user_password.html", {"target": user, "password": password, "created": True})
    return render(request, "security/user_new.html", _user_form_context({}, {}))


@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One account and the system administrator's actions on it: reset the password, lift a lockout,
    deactivate or reactivate. An administrator's account is shown but not managed here."""
    _system_admin_only(request)
    target = User.objects.select_related("unit", "bureau").filter(pk=user_id).first()
    if target is None:
        raise Http404("没有该账号")
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "reset_password":
                password = accounts_mod.reset_password(actor=request.user, user=target)
                return render(request, "security/user_password.html", {"target": target, "password": password})
            if op == "unlock":
                done = accounts_mod.unlock(actor=request.user, username=target.username)
                messages.success(request, f"已解除 {target.username} 的锁定" if done else f"{target.username} 没有被锁定")
            elif op in ("deactivate", "activate"):
                accounts_mod.set_active(actor=request.user, user=target, active=op == "activate")
                messages.success(request, f"已{'启用' if op == 'activate' else '停用'} {target.username}")
            else:
                return render(request, "web/message.html", {"text": "未知的操作"}, status=400)
        except accounts_mod.AccountError as exc:
            return render(request, "web/message.html", {"text": exc.message}, status=exc.status)
        return redirect("security:user", user_id=target.pk)
    return render(request, "security/user.html", {
        "target": target, "locked": target.username in _locked_names(), "managed": accounts_mod.is_business_account(target),
        "groups": admin_groups_of(target)})


# --- everyone: one's own password --------------------------------------------------------------------


@login_required
def password(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the only page open to a user who holds an initial password."""

    user = request.user
    errors, message = {}, ""
    if request.method == "POST":
        p = request.POST
        try:
            accounts_mod.change_own_password(user=user, current=p.get("current", ""), new=p.get("new", ""),
                                             again=p.get("again", ""))
        except accounts_mod.AccountError as exc:
            errors, message = exc.fields, exc.message
        else:
            update_session_auth_hash(request, user)  # this session stays signed in
            messages.success(request, "密码已修改")
            return redirect(_next(request))

    return render(request, "security/password.html", {
        "errors": errors, "message": message, "forced": user.must_change_password, "next": _next(request),
        "expired": password_expired_message(days) if (days := password_expired_days(user)) else "",
        "rules": password_validators_help_texts(),
        "labels": {"current": "当前密码", "new": "新密码", "again": "再次输入新密码"}}, status=400 if errors else 200)
