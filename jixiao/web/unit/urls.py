"""The unit's pages (login, unit roles): its packages' workspace, review, versions and 整改 notices."""

from django.urls import path

from jixiao.web.unit import dept_views, draft_views, views

urlpatterns = [
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
    path("p/<int:pk>/versions/", views.version_list, name="versions"),
    path("p/<int:pk>/compare/", views.compare, name="compare"),
    path("r/", views.rectifications, name="rectifications"),
    # The 主管部门's pages (issue 22): its units, the review of one unit's version, its roll-up.
    path("p/<int:pk>/units/", dept_views.units, name="dept_units"),
    path("p/<int:pk>/units/<int:sub>/", dept_views.unit_review, name="dept_unit"),
    path("p/<int:pk>/units/<int:sub>/f/<str:slug>/", dept_views.unit_review, name="dept_unit_form"),
    path("p/<int:pk>/units/<int:sub>/trace", dept_views.unit_trace, name="dept_unit_trace"),
    path("p/<int:pk>/rollup/", dept_views.rollup, name="dept_rollup"),
]
