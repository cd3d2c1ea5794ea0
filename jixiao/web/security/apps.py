from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "jixiao.web.security"
    label = "security"
    verbose_name = "安全审计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401 - login, logout and failed logins go into the audit log
        from .roles import ensure_admin_groups

        post_migrate.connect(ensure_admin_groups, sender=self, dispatch_uid="jixiao-admin-groups")
