"""The publication's PDF (django-tasks; `jixiao worker` runs the queue): rendered once when the bureau
publishes a version, read by the public page."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django_tasks import task

from jixiao import services
from jixiao.web.models import Publication


@task()
def render_publication(publication_id: int) -> str:
    """The published version as PDF (LibreOffice), rendered once when it is published, so that an
    anonymous visitor never sets a renderer running. Written beside, moved into place when complete."""
    pub = Publication.objects.select_related("package__unit", "submission").get(pk=publication_id)
    out_dir = Path(settings.MEDIA_ROOT) / "public"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{pub.pk}-{pub.submission.content_hash[:16]}.pdf"
    pkg = services.from_canonical(data=pub.submission.content, name=pub.package.unit.name)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        result = services.render(package=pkg, outdir=tmp, charts=False)
        pdf = services.render_pdfs(docx_paths=[result.docx], outdir=tmp)[0]
        Path(pdf).replace(target)
    pub.pdf = str(target.relative_to(settings.MEDIA_ROOT))
    pub.save(update_fields=["pdf"])
    return pub.pdf
