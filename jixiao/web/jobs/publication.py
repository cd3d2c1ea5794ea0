"""The publication's documents (django-tasks; `jixiao worker` runs the queue): the masked copy of the
published version as .docx and PDF, rendered once when the bureau publishes it, read by the public page."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django_tasks import task

from jixiao.web.models import Publication
from jixiao.web.publication import publish_files


@task()
def render_publication(publication_id: int) -> str:
    """The published version's masked copy as .docx and PDF (LibreOffice), rendered once when it is
    published, so that an anonymous visitor never sets a renderer running. Written beside, moved
    into place when complete; the PDF's path is recorded last (the page links it only then)."""
    pub = Publication.objects.select_related("package__unit", "submission").get(pk=publication_id)
    _docx, pub.pdf = publish_files(pub, Path(settings.MEDIA_ROOT))
    pub.save(update_fields=["pdf"])
    return pub.pdf
