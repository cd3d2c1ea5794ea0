from .urls import root

urlpatterns = list(root)

# Issue 12: the second factor, the audit administrator's log.
from django.urls import include, path  # noqa: E402

urlpatterns.append(path("security/", include("jixiao.web.security.urls")))
