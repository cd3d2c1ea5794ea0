"""The bureau's import pages: the 一体化 budget execution of a task, and the zip of packages sent
outside the system (run by the worker, its progress polled). Thin: `review.imports` does the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jixiao.web.jobs.status import status_of
from jixiao.web.review import imports, selectors
from jixiao.web.versions import ActionError

FIGURES_SHOWN = 300


def _refused(request: HttpRequest, exc: ActionError) -> HttpResponse | None:
    if exc.status == 403:
        return render(request, "web/message.html", {"text": exc.message}, status=403)
    return None


def _upload(request: HttpRequest, t, refused: str, missing: str, act) -> tuple[dict, HttpResponse | None]:
    """The page's context and, for a POST, the answer: 403 for a role that may not import, the
    page again with the problems beside the form for a bad file, else what `act(upload)` returns."""
    ctx = {"task": t, "error": "", "problems": [], "may_import": imports.may_import(request.user, t), "status": 200}
    if request.method != "POST":
        return ctx, None
    if not ctx["may_import"]:
        return ctx, render(request, "web/message.html", {"text": refused}, status=403)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise imports.ImportProblems(missing, status=400)
        return ctx, act(upload)
    except ActionError as exc:
        if (r := _refused(request, exc)) is not None:
            return ctx, r
        ctx["error"], ctx["problems"], ctx["status"] = exc.message, getattr(exc, "problems", []), exc.status
        return ctx, None


@login_required
def execution(request: HttpRequest, task: int) -> HttpResponse:
    """The task's 一体化 figures: upload an export, see what it pre-filled, flagged and warned of."""
    t = selectors.task_for(request.user, task)

    def started(upload) -> HttpResponse:
        imports.start_execution_import(task_id=t.pk, user=request.user, filename=upload.name, data=upload.read())
        messages.success(request, "文件已通过检查，已提交导入，后台处理中")
        return redirect("web:bureau_execution", task=t.pk)

    ctx, done = _upload(request, t, "只有绩效评价股可以导入一体化执行数", "请选择要导入的文件", started)
    if done is not None:
        return done
    status = ctx.pop("status")
    figures = imports.figures_of(t)
    panel = imports.panel(t)
    ctx |= {"panel": panel, "summary": imports.summary_for(panel.latest, request.user), "figures": figures[:FIGURES_SHOWN],
            "figure_count": figures.count(), "shown": FIGURES_SHOWN, "job_status": status_of(t.execution_jobs.first(), request.user)}
    return render(request, "web/bureau/imports_execution.html", ctx, status=status)


@login_required
def packages(request: HttpRequest, task: int) -> HttpResponse:
    """Upload a zip of packages sent outside the system; the worker reads, matches, audits and stores them."""
    t = selectors.task_for(request.user, task)

    def started(upload) -> HttpResponse:
        imports.start_zip_import(task_id=t.pk, user=request.user, filename=upload.name, data=upload.read())
        messages.success(request, "已提交导入，后台处理中")
        return redirect("web:bureau_package_import", task=t.pk)

    ctx, done = _upload(request, t, "只有绩效评价股可以导入外部数据包", "请选择要导入的 .zip 文件", started)
    if done is not None:
        return done
    status = ctx.pop("status")
    ctx["job_status"] = status_of(t.package_imports.first(), request.user)
    return render(request, "web/bureau/imports_packages.html", ctx, status=status)
