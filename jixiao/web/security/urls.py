from django.urls import path

from jixiao.web.security import views

app_name = "security"

urlpatterns = [
    path("otp/", views.otp, name="otp"),
    path("log/", views.log, name="log"),
    path("log/export/<str:fmt>", views.log_export, name="log_export"),
    path("accounts/", views.accounts, name="accounts"),
    path("users/", views.users, name="users"),
    path("users/new", views.user_new, name="user_new"),
    path("users/<int:user_id>/", views.user_detail, name="user"),
    path("password/", views.password, name="password"),
]
