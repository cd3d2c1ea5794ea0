from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import draft_views, views
from .api import api

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health", views.health, name="health"),
    path("p/<int:pk>/", views.package_home, name="package"),
    path("p/<int:pk>/f/<str:slug>/", views.form_page, name="form"),
    path("p/<int:pk>/edit", views.edit, name="edit"),
    path("p/<int:pk>/structure", views.structure, name="structure"),
    path("p/<int:pk>/trace", views.trace, name="trace"),
    path("p/<int:pk>/import", draft_views.import_page, name="import"),
    path("p/<int:pk>/adopt", draft_views.adopt, name="adopt"),
    path("p/<int:pk>/export/<str:fmt>", views.export, name="export"),
    path("p/<int:pk>/pdf", views.pdf_start, name="pdf"),
    path("p/<int:pk>/pdf/<int:job>", views.pdf_status, name="pdf_status"),
    path("p/<int:pk>/pdf/<int:job>/download", views.pdf_download, name="pdf_download"),
    path("p/<int:pk>/submit", views.submit, name="submit"),
    path("p/<int:pk>/review/", views.review, name="review"),
    path("p/<int:pk>/review/<str:slug>/", views.review, name="review_form"),
    path("p/<int:pk>/versions/", views.versions, name="versions"),
    path("p/<int:pk>/compare/", views.compare, name="compare"),
    path("", include("jixiao.web.bureau_urls")),  # issue 11: the bureau's pages and the public ones
]

# The project's root: the app's pages and the JSON API (its OpenAPI schema at /api/v1/openapi.json).
root = [path("api/v1/", api.urls), path("", include((urlpatterns, "web")))]
