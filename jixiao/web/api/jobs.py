"""The bureau's background work, started and polled: the batch audit and the batch PDF of a task
(progress, result lines, the .zip), the 一体化 execution import and the import of packages sent
outside the system — each started through the same function as its page (`jobs.batch_audit`,
`jobs.batch_pdf`, `review.imports`), run by the worker, its progress read at its polling URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from jixiao.web.api.common import ERRORS, answers
from jixiao.web.jobs import batch_audit, batch_pdf
from jixiao.web.jobs.status import batch_progress, visible_results
from jixiao.web.models import BatchJob
from jixiao.web.review import imports, performance_work, selectors

router = Router(tags=["财政局：批量作业与导入"])


class BatchOut(Schema):
    id: int
    task: int
    kind: str
    kind_label: str
    state: str
    state_label: str
    done: int
    total: int
    percent: int
    error: str
    results: list[dict]
    status_url: str
    file_url: str | None


class ExecutionJobOut(Schema):
    id: int
    task: int
    filename: str
    state: str
    state_label: str
    percent: int
    step: str
    error: str
    summary: str
    status_url: str


class PackageImportOut(Schema):
    id: int
    task: int
    filename: str
    state: str
    state_label: str
    done: int
    total: int
    percent: int
    error: str
    results: list[dict]
    status_url: str


def batch_out(j: BatchJob, user) -> BatchOut:
    p = batch_progress(j, user)
    done_file = j.kind == BatchJob.Kind.PDF and j.state == BatchJob.State.DONE and j.file
    return BatchOut(id=j.pk, task=j.task_id, kind=j.kind, kind_label=j.get_kind_display(), state=j.state,
                    state_label=j.get_state_display(), done=p.done, total=p.total, percent=p.percent, error=j.error,
                    results=visible_results(j, user), status_url=f"/api/v1/tasks/{j.task_id}/batch-jobs/{j.pk}",
                    file_url=f"/api/v1/tasks/{j.task_id}/batch-jobs/{j.pk}/file" if done_file else None)


def execution_out(j) -> ExecutionJobOut:
    return ExecutionJobOut(id=j.pk, task=j.task_id, filename=j.filename, state=j.state, state_label=j.get_state_display(),
                           percent=j.progress, step=j.step, error=j.error,
                           summary=imports.execution_summary(j.result) if j.result_id else "",
                           status_url=f"/api/v1/tasks/{j.task_id}/execution-imports/{j.pk}")


def package_import_out(j, user) -> PackageImportOut:
    return PackageImportOut(id=j.pk, task=j.task_id, filename=j.filename, state=j.state, state_label=j.get_state_display(),
                            done=j.done, total=j.total, percent=j.progress, error=j.error, results=imports.job_rows(j, user),
                            status_url=f"/api/v1/tasks/{j.task_id}/package-imports/{j.pk}")


def _job(t, model_set, job: int):
    found = model_set.filter(pk=job).first()
    if found is None:
        raise Http404("没有该作业")
    return found


@router.post("/tasks/{task}/batch-audits", response=answers(BatchOut, ok=202), summary="发起批量审核（绩效评价股；后台运行）")
def start_batch_audit(request, task: int):
    t = selectors.task_for(request.auth, task)
    return 202, batch_out(batch_audit.start(task=t, user=request.auth), request.auth)


@router.post("/tasks/{task}/batch-pdfs", response=answers(BatchOut, ok=202), summary="批量生成 PDF（绩效评价股；后台运行）")
def start_batch_pdf(request, task: int):
    t = selectors.task_for(request.auth, task)
    return 202, batch_out(batch_pdf.start(task=t, user=request.auth), request.auth)


@router.get("/tasks/{task}/batch-jobs", response=answers(list[BatchOut]), summary="本任务的批量作业")
def list_batch_jobs(request, task: int):
    t = selectors.task_for(request.auth, task)
    performance_work.require(request.auth, performance_work.BATCH)
    return [batch_out(j, request.auth) for j in t.batch_jobs.all()]


@router.get("/tasks/{task}/batch-jobs/{job}", response=answers(BatchOut), summary="批量作业的进度和结果")
def batch_job(request, task: int, job: int):
    t = selectors.task_for(request.auth, task)
    performance_work.require(request.auth, performance_work.BATCH)
    return batch_out(_job(t, t.batch_jobs, job), request.auth)


@router.get("/tasks/{task}/batch-jobs/{job}/file", response=ERRORS, summary="批量 PDF 的压缩包（绩效评价股）",
            openapi_extra={"responses": {200: {"description": "压缩包", "content": {"application/zip": {}}}}})
def batch_file(request, task: int, job: int):
    t = selectors.task_for(request.auth, task)
    performance_work.require(request.auth, performance_work.BATCH)
    j = t.batch_jobs.filter(pk=job, kind=BatchJob.Kind.PDF, state=BatchJob.State.DONE).exclude(file="").first()
    path = Path(settings.MEDIA_ROOT) / j.file if j is not None else None
    if path is None or not path.is_file():
        raise Http404("压缩包尚未生成")
    resp = FileResponse(open(path, "rb"), content_type="application/zip")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(batch_pdf.zip_name(j))}"
    return resp


@router.post("/tasks/{task}/execution-imports", response=answers(ExecutionJobOut, ok=202),
             summary="导入一体化执行数（.csv/.xlsx；先检查，后台写入）")
def start_execution_import(request, task: int, file: File[UploadedFile]):
    t = selectors.task_for(request.auth, task)
    j = imports.start_execution_import(task_id=t.pk, user=request.auth, filename=file.name or "", data=file.read())
    return 202, execution_out(j)


@router.get("/tasks/{task}/execution-imports/{job}", response=answers(ExecutionJobOut), summary="一体化导入的进度")
def execution_import(request, task: int, job: int):
    t = selectors.task_for(request.auth, task)
    return execution_out(_job(t, t.execution_jobs.select_related("result"), job))


@router.post("/tasks/{task}/package-imports", response=answers(PackageImportOut, ok=202),
             summary="导入系统外报送的数据包（.zip；后台读取、匹配、审核）")
def start_package_import(request, task: int, file: File[UploadedFile]):
    t = selectors.task_for(request.auth, task)
    j = imports.start_zip_import(task_id=t.pk, user=request.auth, filename=file.name or "", data=file.read())
    return 202, package_import_out(j, request.auth)


@router.get("/tasks/{task}/package-imports/{job}", response=answers(PackageImportOut), summary="外部数据包导入的进度和结果")
def package_import(request, task: int, job: int):
    t = selectors.task_for(request.auth, task)
    performance_work.require(request.auth, performance_work.PACKAGES)
    return package_import_out(_job(t, t.package_imports, job), request.auth)
