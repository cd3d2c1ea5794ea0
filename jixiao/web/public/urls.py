"""The public pages (no login)."""

from django.urls import path

from jixiao.web.public import views

urlpatterns = [
    path("public/", views.public_index, name="public_index"),
    path("public/<int:year>/", views.public_index, name="public_year"),
    path("public/<int:year>/opendata.zip", views.public_open_data, name="public_open_data"),
    path("public/<int:year>/<str:code>/", views.public_unit, name="public_unit"),
    path("public/<int:year>/<str:code>/report.pdf", views.public_pdf, name="public_pdf"),
]
