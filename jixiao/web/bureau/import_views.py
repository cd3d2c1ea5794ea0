"""The bureau's import pages: the 一体化 budget execution of a task, and the zip of packages sent
outside the system (run by the worker, its progress polled). Thin: `review.imports` does the work;
the two pages differ only in what `ImportPage` says of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jixiao.web.bureau import refusals
from jixiao.web.jobs.status import status_of
from jixiao.web.models import EvaluationTask, User
from jixiao.web.review import imports, selectors
from jixiao.web.versions import ActionError

FIGURES_SHOWN = 300


@dataclass(frozen=True)
class ImportPage:
    """One import page: the service that checks and queues an upload, the words around it, where
    it goes back to, its template and the task's jobs it shows the latest of."""

    start: Callable[..., object]  # (task_id=, user=, filename=, data=) → the queued job, or an ActionError
    started: str  # the flash once queued
    url_name: str
    refused: str  # a role that may not import
    missing: str  # a POST without a file
    template: str
    jobs: str  # the task's related name of its jobs
    extra: Callable[[EvaluationTask, User], dict] = lambda task, user: {}


def _upload(request: HttpRequest, t: EvaluationTask, page: ImportPage) -> tuple[dict, HttpResponse | None]:
    """The page's context and, for a POST, the answer: 403 for a role that may not import, the
    page again with the problems beside the form for a bad file, else back to the page, queued."""
    ctx = {"task": t, "error": "", "problems": [], "may_import": imports.may_import(request.user, t), "status": 200}
    if request.method != "POST":
        return ctx, None
    if not ctx["may_import"]:
        return ctx, render(request, "web/message.html", {"text": page.refused}, status=403)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise imports.ImportProblems(page.missing, status=400)
        page.start(task_id=t.pk, user=request.user, filename=upload.name, data=upload.read())
    except ActionError as exc:
        if exc.status == 403:
            return ctx, render(request, "web/message.html", {"text": exc.message}, status=403)
        ctx["error"], ctx["problems"], ctx["status"] = exc.message, getattr(exc, "problems", []), exc.status
        return ctx, None
    messages.success(request, page.started)
    return ctx, redirect(f"web:{page.url_name}", task=t.pk)


def _import_page(request: HttpRequest, task: int, page: ImportPage) -> HttpResponse:
    t = selectors.task_for(request.user, task)
    ctx, done = _upload(request, t, page)
    if done is not None:
        return done
    status = ctx.pop("status")
    ctx |= page.extra(t, request.user) | {"job_status": status_of(getattr(t, page.jobs).first(), request.user)}
    return render(request, page.template, ctx, status=status)


def _execution_figures(t: EvaluationTask, user: User) -> dict:
    figures = imports.figures_of(t)
    panel = imports.panel(t)
    return {"panel": panel, "summary": imports.summary_for(panel.latest, user), "figures": figures[:FIGURES_SHOWN],
            "figure_count": figures.count(), "shown": FIGURES_SHOWN}


EXECUTION = ImportPage(
    start=imports.start_execution_import, started="文件已通过检查，已提交导入，后台处理中", url_name="bureau_execution",
    refused="只有绩效评价股可以导入一体化执行数", missing="请选择要导入的文件",
    template="web/bureau/imports_execution.html", jobs="execution_jobs", extra=_execution_figures)
PACKAGES = ImportPage(
    start=imports.start_zip_import, started="已提交导入，后台处理中", url_name="bureau_package_import",
    refused="只有绩效评价股可以导入外部数据包", missing="请选择要导入的 .zip 文件",
    template="web/bureau/imports_packages.html", jobs="package_imports")


@login_required
def execution(request: HttpRequest, task: int) -> HttpResponse:
    """The task's 一体化 figures: upload an export, see what it pre-filled, flagged and warned of."""
    return _import_page(request, task, EXECUTION)


@login_required
def packages(request: HttpRequest, task: int) -> HttpResponse:
    """Upload a zip of packages sent outside the system; the worker reads, matches, audits and stores them.
    The 绩效评价股's page: a 归口业务科室 user is refused on opening, not after choosing a file."""
    _t, refused = refusals.performance_task(request, task, refusals.PACKAGES)
    return refused if refused is not None else _import_page(request, task, PACKAGES)
