"""Background work through Django's Tasks API (django-tasks; the database backend by default, so
nothing else has to run; `jixiao worker` executes the queue)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django_tasks import task

from jixiao import services
from jixiao.web.drafts import figures
from jixiao.web.drafts.computation import compute
from jixiao.web.jobs import heartbeat
from jixiao.web.models import RenderJob


def _step(job: RenderJob, progress: int, step: str, **extra) -> None:
    heartbeat.save(job, progress=progress, step=step, **extra)


@task()
def render_pdf(job_id: int) -> str:
    """Render a package's .docx and PDF. The PDF is written to a temporary folder and moved into
    place only when complete, so a killed worker never leaves half a file where the page looks."""

    job = RenderJob.objects.select_related("package", "package__unit", "package__task").get(pk=job_id)
    if job.state != RenderJob.State.QUEUED:  # a job runs once (one ended as interrupted stays ended)
        return ""
    heartbeat.begin(job, progress=5, step="读取数据包")
    with heartbeat.beating(job):
        return _render(job)


def _render(job: RenderJob) -> str:
    package = job.package
    try:
        comp = compute(package.draft)
        doc = figures.resolve_document(package.draft, comp.report)
        pkg = services.from_canonical(data=doc, name=str(package))
        _step(job, 20, "生成 Word 文档")
        out_dir = Path(settings.MEDIA_ROOT) / "pdf"
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=heartbeat.folder_prefix("render", job.pk)) as tmp:
            result = services.render(package=pkg, outdir=tmp, charts=False)
            _step(job, 50, "转换为 PDF（LibreOffice）")
            pdf = services.render_pdfs(docx_paths=[result.docx], outdir=tmp)[0]
            final = out_dir / f"job-{job.pk}.pdf"
            shutil.move(str(pdf), final)
        _step(job, 100, "已完成", state=RenderJob.State.DONE, file=str(final.relative_to(settings.MEDIA_ROOT)))
        return str(final)
    except services.ServiceError as exc:
        _step(job, job.progress, "失败", state=RenderJob.State.FAILED, error=exc.message)
        return ""
    except Exception as exc:  # noqa: BLE001 - the job is marked failed with a message, never left running
        _step(job, job.progress, "失败", state=RenderJob.State.FAILED, error=f"生成失败：{type(exc).__name__}")
        raise
