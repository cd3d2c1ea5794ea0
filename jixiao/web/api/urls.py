"""The JSON API, mounted at /api/v1/ (its OpenAPI schema at /api/v1/openapi.json, its documentation
page at /api/v1/docs)."""

from django.urls import path

from jixiao.web.api.docs import docs
from jixiao.web.api.endpoints import api

urlpatterns = [path("docs", docs, name="api_docs"), path("", api.urls)]
