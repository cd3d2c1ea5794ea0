"""One status for every background job a page polls: the unit's PDF, the batch audit, the batch
PDF, the outside-package import and the 一体化 import.

`status_of(job, user)` reads any of them into a `JobStatus` (state, progress done/total, the
sentence the page prints, the files to download, the reason of a failure, the result lines the
user may see); one template, web/_job_status.html, shows it and polls while the job is queued or
running; `respond` is the whole of every audience's polling view. What differs between the kinds
is data in `KINDS`, not code in the views.

It sits above the jobs and their domain (it reads the models, `access` for the 归口 scope and
`review.imports` for the import's lines): nothing below the views imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from jixiao.web import access
from jixiao.web.models import BatchJob, ExecutionImportJob, PackageImport, RenderJob
from jixiao.web.review import imports

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
TEMPLATE = "web/_job_status.html"


@dataclass(frozen=True)
class JobFile:
    """A file a finished job hands out: the link's words, where it is, its element id (for tests and
    the browser stories), and whether it is shown as a button."""

    label: str
    url: str
    element_id: str = ""
    button: bool = False


@dataclass(frozen=True)
class Progress:
    """How far a job is, as the user may see it (a 归口 user counts their department's packages)."""

    done: int | None  # None: a job that knows only its percentage (the PDF, the 一体化 import)
    total: int | None
    percent: int


@dataclass(frozen=True)
class JobStatus:
    """What a page shows of one job, whatever its kind."""

    kind: str
    job: Model
    title: str  # 批量审核, PDF, 导入“x.zip”
    state: str  # queued | running | done | failed
    state_label: str
    progress: Progress
    step: str = ""  # what a running job does now, where its kind says
    failure: str = ""  # why it failed (or why a finished job produced nothing)
    outcome: str = ""  # a finished job's result in one sentence, shown in place of the progress
    files: tuple[JobFile, ...] = ()
    lines: list[dict] = field(default_factory=list)  # the result lines the user may see
    poll_url: str = ""
    page_url: str = ""  # the page with the details (an outcome's link when the status was polled)
    element_id: str = ""
    progress_id: str = ""
    lines_template: str = ""
    queued_hint: str = "排队等待后台处理"
    css_class: str = ""

    @property
    def active(self) -> bool:
        return self.state in (QUEUED, RUNNING)

    @property
    def sentence(self) -> str:
        """批量审核：进行中（3/8）; PDF：生成中（转换为 PDF（LibreOffice））; PDF：已完成 — the state once,
        the step only while it says more than the state."""
        counted = f"（{self.progress.done}/{self.progress.total}）" if self.progress.done is not None else ""
        doing = f"（{self.step}）" if self.state == RUNNING and self.step and self.step != self.state_label else ""
        return f"{self.title}：{self.state_label}{counted}{doing}"


@dataclass(frozen=True)
class Kind:
    """One kind of job as its page shows it: how it is named, counted and linked."""

    name: str
    title: Callable[[Model], str]
    element_id: Callable[[Model], str]
    progress_id: Callable[[Model], str]
    poll_url: Callable[[Model], str]
    page_url: Callable[[Model], str] = lambda job: ""
    progress: Callable[[Model, object], Progress] = lambda job, user: Progress(None, None, job.progress)
    lines: Callable[[Model, object], list[dict]] = lambda job, user: []
    files: Callable[[Model, object], tuple[JobFile, ...]] = lambda job, user: ()
    outcome: Callable[[Model, object], str] = lambda job, user: ""
    failure: Callable[[Model], str] = lambda job: job.error if job.state == FAILED else ""
    lines_template: str = ""
    shows_step: bool = False
    queued_hint: str = "排队等待后台处理"
    css_class: str = ""


def visible_results(job: BatchJob, user) -> list[dict]:
    """A batch job's result lines, limited to the units the user may see."""
    return access.only_visible(job.results, user, job.task_id)


def batch_progress(job: BatchJob, user) -> Progress:
    """A batch job's progress as the user may see it: a 归口业务科室 user counts the packages of their
    department among those the job works through (and those it has done), not the task's."""
    allowed = access.visible_package_ids(user, job.task_id)
    if allowed is None:
        return Progress(job.done, job.total, job.progress)
    if job.packages:
        total = sum(1 for pk in job.packages if pk in allowed)
        done = sum(1 for pk in job.packages[:job.done] if pk in allowed)
    else:  # a job from before the list was kept: the lines written so far
        done = total = len(visible_results(job, user))
    percent = 100 if job.state == DONE else (done * 100 // total if total else 0)
    return Progress(done, total, percent)


def _render_files(job: RenderJob, user) -> tuple[JobFile, ...]:
    if job.state != DONE:
        return ()
    return (JobFile("下载 PDF", reverse("web:pdf_download", args=[job.package_id, job.pk])),)


def _batch_pdf_files(job: BatchJob, user) -> tuple[JobFile, ...]:
    # The whole task's zip is the performance section's; a 归口 user opens their units one by one.
    if job.state != DONE or not job.file or not access.is_performance(user):
        return ()
    return (JobFile("下载 PDF 压缩包（.zip）", reverse("web:bureau_batch_download", args=[job.task_id, job.pk]),
                    "batch-pdf-download", button=True),)


def _batch_pdf_failure(job: BatchJob) -> str:
    if job.state == FAILED:
        return job.error
    return "没有生成任何 PDF" if job.state == DONE and not job.file else ""  # every package failed


def _execution_outcome(job: ExecutionImportJob, user) -> str:
    return imports.execution_summary(job.result) if job.state == DONE and job.result else ""


def _counted(job, user) -> Progress:
    return Progress(job.done, job.total, job.progress)


def _task_url(name: str) -> Callable[[Model], str]:
    return lambda job: reverse(f"web:{name}", args=[job.task_id, job.pk])


_BATCH = {"poll_url": _task_url("bureau_batch_status"), "progress": batch_progress, "lines": visible_results}

KINDS = {
    "render": Kind(
        "render", title=lambda job: "PDF", element_id=lambda job: "", progress_id=lambda job: f"pdf-progress-{job.pk}",
        poll_url=lambda job: reverse("web:pdf_status", args=[job.package_id, job.pk]), files=_render_files,
        shows_step=True, css_class="pdf-job"),
    "batch_audit": Kind(
        "batch_audit", title=lambda job: "批量审核", element_id=lambda job: "batch-job",
        progress_id=lambda job: "batch-progress", lines_template="web/jobs/_batch_audit_lines.html", **_BATCH),
    "batch_pdf": Kind(
        "batch_pdf", title=lambda job: "批量生成 PDF", element_id=lambda job: "batch-pdf-job",
        progress_id=lambda job: "batch-pdf-progress", files=_batch_pdf_files, failure=_batch_pdf_failure,
        lines_template="web/jobs/_batch_pdf_lines.html", **_BATCH),
    "package_import": Kind(
        "package_import", title=lambda job: f"导入“{job.filename}”", element_id=lambda job: "import-job",
        progress_id=lambda job: "import-progress", poll_url=_task_url("bureau_package_import_status"),
        progress=_counted, lines=imports.job_rows, lines_template="web/jobs/_package_import_lines.html"),
    "execution_import": Kind(
        "execution_import", title=lambda job: f"导入“{job.filename}”", element_id=lambda job: "execution-job",
        progress_id=lambda job: "execution-progress", poll_url=_task_url("bureau_execution_status"),
        page_url=lambda job: reverse("web:bureau_execution", args=[job.task_id]), outcome=_execution_outcome,
        shows_step=True, queued_hint="等待后台任务（jixiao worker）处理"),
}


def kind_of(job: Model) -> Kind:
    if isinstance(job, BatchJob):
        return KINDS["batch_pdf" if job.kind == BatchJob.Kind.PDF else "batch_audit"]
    by_model = {RenderJob: "render", PackageImport: "package_import", ExecutionImportJob: "execution_import"}
    return KINDS[by_model[type(job)]]


def status_of(job: Model | None, user) -> JobStatus | None:
    """The job as `user` may see it (a 归口 user: the lines and the count of their department's
    units); None for no job (a page before its first run)."""
    if job is None:
        return None
    kind = kind_of(job)
    return JobStatus(
        kind=kind.name, job=job, title=kind.title(job), state=job.state, state_label=job.get_state_display(),
        progress=kind.progress(job, user), step=job.step if kind.shows_step else "", failure=kind.failure(job),
        outcome=kind.outcome(job, user), files=kind.files(job, user), lines=kind.lines(job, user),
        poll_url=kind.poll_url(job) if job.state in (QUEUED, RUNNING) else "", page_url=kind.page_url(job),
        element_id=kind.element_id(job), progress_id=kind.progress_id(job), lines_template=kind.lines_template,
        queued_hint=kind.queued_hint, css_class=kind.css_class)


def find(jobs, pk: int) -> Model:
    """The job `pk` among `jobs` (a queryset already limited to what the user may open), or a 404."""
    try:
        return jobs.get(pk=pk)
    except jobs.model.DoesNotExist:
        raise Http404(access.NOT_FOUND) from None


def respond(request: HttpRequest, job: Model, *, polled: bool = True) -> HttpResponse:
    """The job's status as the polling partial: the whole of every audience's status view."""
    return render(request, TEMPLATE, {"status": status_of(job, request.user), "polled": polled})
