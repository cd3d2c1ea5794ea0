"""The project's root URLconf: the site (jixiao/web/urls.py) and the security pages (issue 12: the
second factor, the audit administrator's log)."""

from django.urls import include, path

from jixiao.web.urls import root

urlpatterns = [*root, path("security/", include("jixiao.web.security.urls"))]
