"""The bureau's pages (login, bureau roles). Included from jixiao/web/urls.py."""

from django.urls import path

from jixiao.web.bureau import import_views, job_views, pages, target_views, tier_views, views

urlpatterns = [
    path("b/", views.tasks, name="bureau_tasks"),
    path("b/new", views.new_task, name="bureau_new_task"),
    path("b/t/<int:task>/", views.dashboard, name="bureau_dashboard"),
    path("b/t/<int:task>/dashboard.xlsx", views.dashboard_xlsx, name="bureau_dashboard_xlsx"),
    path("b/t/<int:task>/spot/", views.spot, name="bureau_spot"),
    path("b/t/<int:task>/spot.xlsx", views.spot_xlsx, name="bureau_spot_xlsx"),
    path("b/t/<int:task>/spot/<int:spot_id>/", views.spot_score, name="bureau_spot_score"),
    path("b/t/<int:task>/rollup/", views.rollup, name="bureau_rollup"),
    path("b/t/<int:task>/use/", views.results_use, name="bureau_results_use"),
    path("b/t/<int:task>/batch/", views.batch, name="bureau_batch"),
    path("b/t/<int:task>/batch/<int:job>", job_views.job_status, {"jobs": "batch_jobs"}, name="bureau_batch_status"),
    path("b/t/<int:task>/execution/", import_views.execution, name="bureau_execution"),
    path("b/t/<int:task>/execution/<int:job>", job_views.job_status, {"jobs": "execution_jobs"},
         name="bureau_execution_status"),
    path("b/t/<int:task>/targets/", target_views.targets, name="bureau_targets"),
    path("b/t/<int:task>/targets/apply", target_views.apply, name="bureau_targets_apply"),
    path("b/t/<int:task>/imports/", import_views.packages, name="bureau_package_import"),
    path("b/t/<int:task>/imports/<int:job>", job_views.job_status, {"jobs": "package_imports"},
         name="bureau_package_import_status"),
    path("b/p/<int:pk>/", views.package, name="bureau_package"),
    path("b/p/<int:pk>/decide", views.decide, name="bureau_decide"),
    path("b/t/<int:task>/batch/pdf", pages.batch_pdf, name="bureau_batch_pdf"),
    path("b/t/<int:task>/batch/<int:job>/download", pages.batch_pdf_download, name="bureau_batch_download"),
    path("b/p/<int:pk>/forms/", pages.forms, name="bureau_forms_cover"),
    path("b/p/<int:pk>/forms/<str:slug>/", pages.forms, name="bureau_forms"),
    path("b/p/<int:pk>/trace", pages.trace, name="bureau_trace"),
    path("b/departments/", pages.department_assignment, name="bureau_departments"),
    path("b/t/<int:task>/tiers/", tier_views.tiers, name="bureau_tiers"),
]
