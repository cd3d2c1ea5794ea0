"""The publication's documents (django-tasks; `jixiao worker` runs the queue): the masked copy of the
published version as .docx and PDF, rendered once when the bureau publishes it, read by the public page.
It beats like every job (jobs/heartbeat.py); a run a killed worker left is queued once more by
`jobs.recovery`, then ended with `pdf_error`, so the public page never says "正在生成" for ever."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django_tasks import task

from jixiao import services
from jixiao.web.jobs import heartbeat
from jixiao.web.models import Publication
from jixiao.web.publication import publish_files

FAILED = "PDF 生成失败，请联系财政部门"


@task()
def render_publication(publication_id: int) -> str:
    """The published version's masked copy as .docx and PDF (LibreOffice), rendered once when it is
    published, so that an anonymous visitor never sets a renderer running. Written beside, moved
    into place when complete; the PDF's path is recorded last (the page links it only then)."""
    pub = Publication.objects.select_related("package__unit", "submission").get(pk=publication_id)
    if pub.pdf or pub.pdf_error or pub.heartbeat_at is not None:  # done, ended, or another worker has it
        return pub.pdf
    heartbeat.begin(pub)
    with heartbeat.beating(pub):
        try:
            _docx, pub.pdf = publish_files(pub, Path(settings.MEDIA_ROOT),
                                           folder_prefix=heartbeat.folder_prefix("publication", pub.pk))
        except services.ServiceError as exc:
            pub.pdf_error = f"{FAILED}（{exc.message}）"
        except Exception:
            pub.pdf_error = FAILED
            pub.save(update_fields=["pdf_error"])
            raise
        pub.save(update_fields=["pdf", "pdf_error"])
    return pub.pdf
