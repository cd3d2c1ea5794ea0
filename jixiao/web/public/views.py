"""The public pages (no login): the published self-evaluations by year, one unit's, its PDF, and the
year's open data."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from jixiao import services
from jixiao.web import publication


@require_GET
def public_index(request: HttpRequest, year: int | None = None) -> HttpResponse:
    years = publication.published_years()
    if year is None and years:
        year = years[0][0]
    elif year is not None and year not in {y for y, *_ in years}:
        # a 404 that says so, with the years that have results to go to (not the site's generic "not found")
        return render(request, "web/public/index.html", {"years": years, "year": None, "missing": year, "q": "",
                                                         "items": []}, status=404)
    q = request.GET.get("q", "").strip()[:100]
    items = list(publication.published(year, q)) if year is not None else []
    return render(request, "web/public/index.html", {"years": years, "year": year, "q": q, "items": items})


@require_GET
def public_unit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    pub = publication.publication_of(year, code)
    page = publication.public_page(pub)
    return render(request, "web/public/unit.html", {
        "pub": pub, "title": page.title, "unit_name": page.unit_name, "contact": page.contact, "phone": page.phone,
        "tables": page.tables, "opinions": page.opinions, "pdf_digest": publication.file_digest(pub)})


def _published_file(year: int, code: str, suffix: str, content_type: str) -> HttpResponse:
    """A document of the masked copy, rendered by the worker when it was published."""
    pub = publication.publication_of(year, code)
    path = (Path(settings.MEDIA_ROOT) / pub.pdf).with_suffix(suffix) if pub.pdf else None
    if path is None or not path.is_file():
        raise Http404(pub.pdf_error or "自评报告正在生成，请稍后再试")
    return FileResponse(open(path, "rb"), content_type=content_type, filename=f"{code}-{year}{suffix}")


@require_GET
def public_pdf(request: HttpRequest, year: int, code: str) -> HttpResponse:
    return _published_file(year, code, ".pdf", "application/pdf")


@require_GET
def public_docx(request: HttpRequest, year: int, code: str) -> HttpResponse:
    return _published_file(year, code, ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@require_GET
def public_open_data(request: HttpRequest, year: int) -> HttpResponse:
    """The year's open data: a Fiscal Data Package (datapackage.json + CSVs) with the performance
    fields, zipped — of the masked copies, like every public document."""
    try:
        with publication.year_open_data(year) as out:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for f in sorted(Path(out).rglob("*")):
                    if f.is_file():
                        z.write(f, f.relative_to(out))
    except services.ServiceError as exc:
        return render(request, "web/message.html", {"text": exc.message}, status=422)
    resp = HttpResponse(buf.getvalue(), content_type="application/zip")
    resp["Content-Disposition"] = f'attachment; filename="opendata-{year}.zip"'
    return resp


def public_url(pub) -> str:
    return reverse("web:public_unit", kwargs={"year": pub.package.task.year, "code": pub.package.unit.budget_code})
