"""The bureau's page of approved performance targets (批复绩效目标) of a task: upload the 一体化
export, see what it holds (read and refused, row by row), then import it. Thin: `review.targets`
does the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.web.review import imports, selectors
from jixiao.web.review import targets as approved_targets
from jixiao.web.versions import ActionError

SHOWN = 300


def _page(request: HttpRequest, t, extra: dict, status: int = 200) -> HttpResponse:
    # a task holds thousands of targets: the reviewer finds a unit's by its name or code (the first SHOWN listed)
    q = request.GET.get("q", "").strip()[:100]
    stored = approved_targets.targets_of(t)
    if q:
        stored = stored.filter(Q(unit__budget_code__startswith=q) | Q(unit__name__contains=q))
    ctx = {"task": t, "may_import": imports.may_import(request.user, t), "latest": approved_targets.latest(t), "q": q,
           "stored": stored[:SHOWN], "stored_count": stored.count(), "shown": SHOWN,
           "flagged": approved_targets.flagged_count(t), "error": "", "problems": [], "preview": None} | extra
    if ctx["preview"] is not None:
        ctx["preview_rows"] = approved_targets.as_rows(ctx["preview"].shown)
    return render(request, "web/bureau/imports_targets.html", ctx, status=status)


@login_required
def targets(request: HttpRequest, task: int) -> HttpResponse:
    """GET: the task's approved targets. POST a file: its preview (nothing is stored yet)."""
    t = selectors.task_for(request.user, task)
    if request.method != "POST":
        approved_targets.refresh_checks(t)
        return _page(request, t, {})
    if not imports.may_import(request.user, t):
        return render(request, "web/message.html", {"text": approved_targets.REFUSED}, status=403)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise imports.ImportProblems("请选择要导入的批复目标文件", status=400)
        found = approved_targets.preview(task_id=t.pk, user=request.user, filename=upload.name, data=upload.read())
    except ActionError as exc:
        if exc.status == 403:
            return render(request, "web/message.html", {"text": exc.message}, status=403)
        return _page(request, t, {"error": exc.message, "problems": getattr(exc, "problems", [])}, exc.status)
    return _page(request, t, {"preview": found})


@login_required
@require_POST
def apply(request: HttpRequest, task: int) -> HttpResponse:
    """Import the previewed file."""
    t = selectors.task_for(request.user, task)
    try:
        imp = approved_targets.apply(task_id=t.pk, user=request.user, token=request.POST.get("token", ""))
    except ActionError as exc:
        if exc.status == 403:
            return render(request, "web/message.html", {"text": exc.message}, status=403)
        return _page(request, t, {"error": exc.message, "problems": getattr(exc, "problems", [])}, exc.status)
    refused = f"，{len(imp.refused)}行未导入" if imp.refused else ""
    messages.success(request, f"已导入“{imp.filename}”中的 {imp.rows} 项批复目标{refused}")
    return redirect("web:bureau_targets", task=t.pk)
