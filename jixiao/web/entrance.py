"""The pages every visitor meets before any audience's own: the sign-in, the home page that sends each
user to their side, the health check and the CSRF failure page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from jixiao.web import access
from jixiao.web.bureau import views as bureau_views
from jixiao.web.models.tier import deadline_for
from jixiao.web.review import tier
from jixiao.web.security.roles import home_of

# --- login ---------------------------------------------------------------------------------------


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。请注意区分大小写。",
        "inactive": "此账号已停用。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.bureau_id is not None:  # a bureau user's home is the bureau's tasks (issue 11)
        return bureau_views.tasks(request)
    admin_home = home_of(request.user)
    if admin_home:  # an administrator's home is their own page (they see no business data)
        return redirect(admin_home)
    packages = list(access.packages_for(request.user).order_by("-task__year", "unit__budget_code"))
    for p in packages:  # the date each is held to: its 主管部门's for a unit under one (a unit has a few packages)
        p.due = deadline_for(p)
    led = tier.led_package_ids(packages)
    return render(request, "web/home.html", {"packages": packages, "led": led,
                                             "waiting": tier.waiting_for_department(packages, led)})


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "web/message.html", {"text": "页面已过期或请求来源无效，请刷新页面后重试。"}, status=403)
