"""The batch PDF of a task: every accepted (财政审核通过 / 已公开) package rendered to PDF by the
worker and handed out as one .zip, its files named 预算编码_单位名称.pdf.

One package that cannot be rendered is listed with its reason; the others still go into the zip.
Everything is written into a temporary folder (under MEDIA_ROOT/pdf, where `jixiao worker`'s
recovery removes what a killed worker left) and the finished .zip is moved into place by one
rename: a page never links to half a zip.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django_tasks import task

from jixiao import services
from jixiao.web.jobs import batches, heartbeat
from jixiao.web.models import BatchJob, EvaluationTask, Package, Status, User
from jixiao.web.versions import ActionError, latest_sent

ACCEPTED = (Status.ACCEPTED, Status.PUBLISHED)
CHUNK = 5  # .docx converted per LibreOffice run: far faster than one by one, and progress still moves
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
FAILURES = "未生成清单.txt"


def pdf_name(code: str, name: str) -> str:
    """预算编码_单位名称.pdf, with the characters no file system takes replaced."""
    stem = _UNSAFE.sub("_", f"{code}_{name}").strip(" .") or "数据包"
    return f"{stem[:120]}.pdf"


def start(*, task: EvaluationTask, user: User) -> BatchJob:
    """Queue the batch PDF of the task (the 绩效评价股 only; a task without an accepted package is refused)."""
    def ready() -> None:
        if not Package.objects.filter(task=task, status__in=ACCEPTED).exists():
            raise ActionError("本任务还没有财政审核通过的数据包，无法生成 PDF", 409)
    return batches.start(task=task, user=user, kind=BatchJob.Kind.PDF, run=batch_pdf, ready=ready)


def _render_docx(pkg: Package, sub, folder: Path) -> Path:
    data = services.from_canonical(data=sub.content, name=pkg.unit.name)
    return services.render(package=data, outdir=folder, charts=False).docx


def _convert(items: list[tuple[dict, Path]], folder: Path) -> None:
    """PDF for each (result, docx): one LibreOffice run for the chunk; if it fails, one run per
    file, so that the file at fault is the only one listed."""
    if not items:
        return
    try:
        pdfs = services.render_pdfs(docx_paths=[d for _, d in items], outdir=folder)
        for (r, _), pdf in zip(items, pdfs):
            r["_pdf"] = str(pdf)
        return
    except services.ServiceError:
        if len(items) == 1:
            raise
    for r, d in items:
        try:
            r["_pdf"] = str(services.render_pdfs(docx_paths=[d], outdir=folder)[0])
        except services.ServiceError as exc:
            r["error"] = exc.message


@task()
def batch_pdf(job_id: int) -> str:
    """Render every accepted package of the job's task (its latest version sent, the one with the
    财政部门意见) and zip the PDFs. Returns the zip's path relative to MEDIA_ROOT ('' if none)."""
    job = BatchJob.objects.select_related("task").get(pk=job_id)
    if job.state != BatchJob.State.QUEUED:  # a job runs once (one ended as interrupted stays ended)
        return ""
    with heartbeat.beating(job):
        return _render_all(job)


def _render_all(job: BatchJob) -> str:
    packages = list(Package.objects.filter(task=job.task, status__in=ACCEPTED).select_related("unit").defer("draft")
                    .order_by("unit__budget_code"))
    heartbeat.begin(job, total=len(packages), done=0, results=[], file="", error="", packages=[p.pk for p in packages])
    tmp_root = Path(settings.MEDIA_ROOT) / "pdf"
    out_dir = Path(settings.MEDIA_ROOT) / "batch"
    tmp_root.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    try:
        with tempfile.TemporaryDirectory(dir=tmp_root, prefix=heartbeat.folder_prefix("batch", job.pk)) as tmp:
            folder = Path(tmp)
            for start_at in range(0, len(packages), CHUNK):
                ready = []
                for p in packages[start_at:start_at + CHUNK]:
                    sub = latest_sent(p)
                    r = {"unit": p.unit.name, "code": p.unit.budget_code, "package": p.pk,
                         "version": sub.number if sub else None, "file": "", "error": ""}
                    results.append(r)
                    if sub is None:
                        r["error"] = "没有报送财政的版本"
                        continue
                    sub_dir = folder / str(p.pk)  # each its own folder: two units' documents never clash
                    try:
                        ready.append((r, _render_docx(p, sub, sub_dir)))
                    except services.ServiceError as exc:
                        r["error"] = exc.message
                    except Exception as exc:  # noqa: BLE001 - one package's fault is listed; the rest go on
                        r["error"] = f"生成失败：{type(exc).__name__}"
                _convert(ready, folder / f"pdf-{start_at}")
                heartbeat.save(job, done=len(results), results=[{k: v for k, v in r.items() if k != "_pdf"} for r in results])
            rel = _zip(job, results, folder, out_dir)
    except Exception as exc:  # noqa: BLE001 - the job is marked failed with a message, never left running
        heartbeat.save(job, state=BatchJob.State.FAILED, error=f"生成中断：{type(exc).__name__}")
        raise
    heartbeat.save(job, state=BatchJob.State.DONE, file=rel, results=[{k: v for k, v in r.items() if k != "_pdf"} for r in results])
    return rel


def _zip(job: BatchJob, results: list[dict], folder: Path, out_dir: Path) -> str:
    """The PDFs made, zipped inside the temporary folder, then renamed into place in one step."""
    made = [r for r in results if r.get("_pdf")]
    if not made:
        return ""
    part = folder / "batch.zip.part"
    used: set[str] = set()
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as z:
        for r in made:
            name = pdf_name(r["code"], r["unit"])
            n = 2
            while name in used:  # the same code and name twice: numbered, never overwritten
                name = pdf_name(r["code"], f"{r['unit']}（{n}）")
                n += 1
            used.add(name)
            z.write(r["_pdf"], name)
            r["file"] = name
        failed = [r for r in results if not r.get("_pdf")]
        if failed:
            z.writestr(FAILURES, "\n".join(f"{r['code']}\t{r['unit']}\t{r['error']}" for r in failed) + "\n")
    final = out_dir / f"task-{job.task_id}-job-{job.pk}.zip"
    os.replace(part, final)  # same file system (both under MEDIA_ROOT): atomic
    return str(final.relative_to(settings.MEDIA_ROOT))


def zip_name(job: BatchJob) -> str:
    return f"{job.task.year}年{job.task.title}_PDF.zip"

