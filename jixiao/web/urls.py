"""The site's URLs: the pages every visitor meets, then each audience's own (unit, bureau, public), all
in the namespace `web`; the JSON API beside them at /api/v1/."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from jixiao.web import entrance
from jixiao.web.bureau import urls as bureau_urls
from jixiao.web.public import urls as public_urls
from jixiao.web.unit import urls as unit_urls

app_name = "web"

urlpatterns = [
    path("", entrance.home, name="home"),
    path("login/", entrance.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health", entrance.health, name="health"),
    *unit_urls.urlpatterns,
    *bureau_urls.urlpatterns,
    *public_urls.urlpatterns,
]

root = [path("api/v1/", include("jixiao.web.api.urls")), path("", include((urlpatterns, "web")))]
