"""The JSON API, mounted at /api/v1/ (its OpenAPI schema at /api/v1/openapi.json)."""

from django.urls import path

from jixiao.web.api.endpoints import api

urlpatterns = [path("", api.urls)]
