"""The publication's PDF (django-tasks; `jixiao worker` runs the queue): rendered once when the bureau
publishes a version, read by the public page. It beats like every job (jobs/heartbeat.py); a run a
killed worker left is queued once more by `jobs.recovery`, then ended with `pdf_error`, so the public
page never says "正在生成" for ever."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django_tasks import task

from jixiao import services
from jixiao.web.jobs import heartbeat
from jixiao.web.models import Publication

FAILED = "PDF 生成失败，请联系财政部门"


@task()
def render_publication(publication_id: int) -> str:
    """The published version as PDF (LibreOffice), rendered once when it is published, so that an
    anonymous visitor never sets a renderer running. Written beside, moved into place when complete."""
    pub = Publication.objects.select_related("package__unit", "submission").get(pk=publication_id)
    if pub.pdf or pub.pdf_error or pub.heartbeat_at is not None:  # done, ended, or another worker has it
        return pub.pdf
    heartbeat.begin(pub)
    with heartbeat.beating(pub):
        try:
            pub.pdf = _render(pub)
        except services.ServiceError as exc:
            pub.pdf_error = f"{FAILED}（{exc.message}）"
        except Exception:
            pub.pdf_error = FAILED
            pub.save(update_fields=["pdf_error"])
            raise
        pub.save(update_fields=["pdf", "pdf_error"])
    return pub.pdf


def _render(pub: Publication) -> str:
    out_dir = Path(settings.MEDIA_ROOT) / "public"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{pub.pk}-{pub.submission.content_hash[:16]}.pdf"
    pkg = services.from_canonical(data=pub.submission.content, name=pub.package.unit.name)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=heartbeat.folder_prefix("publication", pub.pk)) as tmp:
        result = services.render(package=pkg, outdir=tmp, charts=False)
        pdf = services.render_pdfs(docx_paths=[result.docx], outdir=tmp)[0]
        Path(pdf).replace(target)
    return str(target.relative_to(settings.MEDIA_ROOT))
