"""The preparer's import as a merge with a preview, and 采用计算数. Thin: the package through
`access.package_for`, the writes through `versions`."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.web import access, versions
from jixiao.web.drafts import fields
from jixiao.web.models import Role


def _form_context(package, **more) -> dict:
    return {"package": package, "problems": [], "error": "", "preview": None} | more


@login_required
def import_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the upload form. POST with a file: the preview (nothing stored). POST with `apply`: the
    ticked changes of a preview made."""
    package = access.package_for(request.user, pk)
    if request.user.role != Role.PREPARER:  # the head reviews; a page he could not submit is not offered
        return render(request, "web/message.html", {"text": "只有本单位填报人可以导入数据包"}, status=403)
    if request.method != "POST":
        return render(request, "web/import.html", _form_context(package))
    if "token" in request.POST:
        return _apply(request, package)
    return _preview(request, package)


def _preview(request: HttpRequest, package) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return render(request, "web/import.html", _form_context(package, error="请选择要导入的文件"), status=400)
    if upload.size > settings.JIXIAO_MAX_UPLOAD_BYTES:
        limit = settings.JIXIAO_MAX_UPLOAD_BYTES // 1024 // 1024
        return render(request, "web/import.html",
                      _form_context(package, error=f"文件过大（{upload.size // 1024 // 1024} MB），上限 {limit} MB"), status=413)
    try:
        found = versions.preview_import(package_id=package.pk, user=request.user, filename=upload.name or "", data=upload.read())
    except versions.ActionError as exc:
        return render(request, "web/import.html", _form_context(package, error=exc.message), status=exc.status)
    if not found.ok:
        return render(request, "web/import.html", _form_context(package, error=found.message, problems=found.problems),
                      status=422)
    return render(request, "web/import.html", _form_context(package, preview=found))


def _apply(request: HttpRequest, package) -> HttpResponse:
    try:
        chosen = [int(i) for i in request.POST.getlist("apply")]
    except ValueError:
        return render(request, "web/import.html", _form_context(package, error="请求无效"), status=400)
    try:
        result = versions.apply_import(package_id=package.pk, user=request.user, token=request.POST.get("token", ""),
                                chosen=chosen)
    except versions.ActionError as exc:
        return render(request, "web/import.html", _form_context(package, error=exc.message), status=exc.status)
    if not result.ok:
        return render(request, "web/import.html", _form_context(package, error=result.message, problems=result.problems),
                      status=422)
    request.session.pop(f"rejected:{package.pk}", None)
    messages.success(request, result.message)
    return redirect("web:form", pk=package.pk, slug="cover")


@login_required
@require_POST
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """采用计算数: one figure (`path`) or every differing one (no path). Back to the form the
    preparer was on; from htmx, the page reloads (every figure of the form may have moved)."""
    package = access.package_for(request.user, pk)
    path = request.POST.get("path", "")
    slug = request.POST.get("form", "") or "cover"
    if not slug.replace("-", "").replace("_", "").isalnum() or len(slug) > 40:
        slug = "cover"
    try:
        version = int(request.POST.get("version", "-1"))
        count = versions.adopt_computed(package_id=package.pk, user=request.user, paths=[path] if path else None, version=version)
    except (ValueError, fields.PathError):
        return _answer(request, package, slug, "请求无效", 400)
    except versions.ActionError as exc:
        return _answer(request, package, slug, exc.message, exc.status)
    text = f"已采用计算数，改动 {count} 处（第{package.version + 1}版）" if count else "没有需要采用计算数的数字"
    return _answer(request, package, slug, text, 200)


def _answer(request: HttpRequest, package, slug: str, text: str, status: int) -> HttpResponse:
    if status >= 400 and status != 409 and not request.htmx:
        return render(request, "web/message.html", {"text": text}, status=status)
    (messages.success if status < 400 else messages.error)(request, text)
    if request.htmx:  # the message waits on the reloaded page (an htmx error answer would not reload)
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    return redirect("web:form", pk=package.pk, slug=slug)
