"""The API's documentation page: a Chinese introduction above Swagger UI, served from the vendored
copy in static/web/vendor/swagger-ui (no CDN: an intranet cannot reach one) under the site's
Content-Security-Policy (no inline script: the page's own script is a static file)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    return render(request, "web/api/docs.html", {"schema_url": "/api/v1/openapi.json"})
