"""The API token page (/security/tokens/): one's own tokens — list, issue, revoke — and, for the
system administrator, every account's tokens to revoke (no business data: names, dates, scopes)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.web.security import tokens
from jixiao.web.security.models import ApiToken
from jixiao.web.security.roles import SYSTEM_ADMIN, admin_groups_of


def _is_system_admin(user) -> bool:
    return SYSTEM_ADMIN in admin_groups_of(user)


def _listed(user):
    qs = ApiToken.objects.select_related("user", "revoked_by")
    return qs if _is_system_admin(user) else qs.filter(user=user)


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    errors, issued, status = {}, None, 200
    form = {"name": "", "scope": ApiToken.Scope.READ, "days": str(tokens.DEFAULT_DAYS)}
    if request.method == "POST":
        form = {k: request.POST.get(k, form[k]) for k in form}
        try:
            issued = tokens.issue(user=user, name=form["name"], scope=form["scope"], days=form["days"])
        except tokens.TokenError as exc:
            errors, status = {"form": exc.message}, exc.status if exc.status != 404 else 400
        else:
            form = {"name": "", "scope": ApiToken.Scope.READ, "days": str(tokens.DEFAULT_DAYS)}
    return render(request, "security/tokens.html", {
        "tokens": _listed(user)[:500], "issued": issued, "errors": errors, "form": form, "max_days": tokens.MAX_DAYS,
        "can_issue": not admin_groups_of(user), "system_admin": _is_system_admin(user),
        "scopes": ApiToken.Scope.choices}, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    from django.contrib import messages

    try:
        record = tokens.revoke(actor=request.user, token_id=token_id)
    except tokens.TokenError as exc:
        return render(request, "web/message.html", {"text": exc.message}, status=exc.status)
    messages.success(request, f"令牌“{record.name}”已吊销")
    return redirect("security:tokens")
