"""The bureau's pages (login, bureau roles) and the public pages (no login). Included from urls.py."""

from django.urls import path

from . import bureau_imports_views as iv
from . import bureau_pages as bp
from . import bureau_views as v

urlpatterns = [
    path("b/", v.tasks, name="bureau_tasks"),
    path("b/new", v.new_task, name="bureau_new_task"),
    path("b/t/<int:task>/", v.dashboard, name="bureau_dashboard"),
    path("b/t/<int:task>/dashboard.xlsx", v.dashboard_xlsx, name="bureau_dashboard_xlsx"),
    path("b/t/<int:task>/spot/", v.spot, name="bureau_spot"),
    path("b/t/<int:task>/spot.xlsx", v.spot_xlsx, name="bureau_spot_xlsx"),
    path("b/t/<int:task>/spot/<int:spot_id>/", v.spot_score, name="bureau_spot_score"),
    path("b/t/<int:task>/rollup/", v.rollup, name="bureau_rollup"),
    path("b/t/<int:task>/use/", v.results_use, name="bureau_results_use"),
    path("b/t/<int:task>/batch/", v.batch, name="bureau_batch"),
    path("b/t/<int:task>/batch/<int:job>", v.batch_status, name="bureau_batch_status"),
    path("b/t/<int:task>/execution/", iv.execution, name="bureau_execution"),
    path("b/t/<int:task>/imports/", iv.packages, name="bureau_package_import"),
    path("b/t/<int:task>/imports/<int:job>", iv.package_status, name="bureau_package_import_status"),
    path("b/p/<int:pk>/", v.package, name="bureau_package"),
    path("b/p/<int:pk>/decide", v.decide, name="bureau_decide"),
    path("b/t/<int:task>/batch/pdf", bp.batch_pdf, name="bureau_batch_pdf"),
    path("b/t/<int:task>/batch/<int:job>/download", bp.batch_pdf_download, name="bureau_batch_download"),
    path("b/p/<int:pk>/forms/", bp.forms, name="bureau_forms_cover"),
    path("b/p/<int:pk>/forms/<str:slug>/", bp.forms, name="bureau_forms"),
    path("b/p/<int:pk>/trace", bp.trace, name="bureau_trace"),
    path("b/departments/", bp.departments, name="bureau_departments"),
    path("r/", v.rectifications, name="rectifications"),
    path("public/", v.public_index, name="public_index"),
    path("public/<int:year>/", v.public_index, name="public_year"),
    path("public/<int:year>/opendata.zip", v.public_open_data, name="public_open_data"),
    path("public/<int:year>/<str:code>/", v.public_unit, name="public_unit"),
    path("public/<int:year>/<str:code>/report.pdf", v.public_pdf, name="public_pdf"),
    path("public/<int:year>/<str:code>/report.docx", v.public_docx, name="public_docx"),
]
