from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "jixiao.web.security"
    label = "security"
    verbose_name = "安全审计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - login, logout and failed logins go into the audit log
