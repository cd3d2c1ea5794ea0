"""Who needs what: the three administrators (separation of duties, 等保 8.1.4.2 访问控制 / 8.1.4.3
安全审计) and the roles that must use a second factor.

The administrators are Django groups with disjoint permissions, made by this app's migration:
  系统管理员 — business accounts: create (role, unit or bureau), reset a password (its owner must
           change it), lift a lockout, deactivate; never an administrator's account (`accounts.py`);
  安全管理员 — the security policy (read: it is the deployment's configuration) and second factors
           (reset a lost one);
  审计管理员 — reads and exports the audit log, changes nothing.
A user belongs to at most one of them (`check_separation`).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError

from jixiao.web.models import BUREAU_ROLES

SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN = "系统管理员", "安全管理员", "审计管理员"
ADMIN_GROUPS = (SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN)

# app_label.codename per group; disjoint by construction (tested).
PERMISSIONS = {
    SYSTEM_ADMIN: [
        "web.add_bureau", "web.change_bureau", "web.view_bureau",
        "web.add_unit", "web.change_unit", "web.view_unit",
        "web.add_evaluationtask", "web.change_evaluationtask", "web.view_evaluationtask",
        "web.add_user", "web.view_user",
        "web.change_user",  # reset a password (forces a change), deactivate
        "axes.view_accessattempt", "axes.delete_accessattempt",  # see and lift lockouts
    ],
    SECURITY_ADMIN: [
        "otp_totp.view_totpdevice", "otp_totp.delete_totpdevice",  # reset a lost second factor
    ],
    AUDIT_ADMIN: ["security.view_auditentry"],
}


def admin_groups_of(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(user.groups.filter(name__in=ADMIN_GROUPS).values_list("name", flat=True))


def check_separation(user) -> None:
    groups = admin_groups_of(user)
    if len(groups) > 1:
        raise ValidationError(f"同一账号不能同时担任{'、'.join(groups)}：三类管理员须由不同人员担任")
    if groups and getattr(user, "role", ""):
        raise ValidationError("管理员账号不能同时是业务角色（填报人、负责人、财政局人员）")


def home_of(user) -> str:
    """An administrator's own page ('' for everyone else)."""
    groups = admin_groups_of(user)
    pages = {SYSTEM_ADMIN: "/security/users/", SECURITY_ADMIN: "/security/accounts/", AUDIT_ADMIN: "/security/log/"}
    return pages[groups[0]] if len(groups) == 1 else ""


def is_audit_admin(user) -> bool:
    return AUDIT_ADMIN in admin_groups_of(user)


def needs_second_factor(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role in BUREAU_ROLES or user.is_superuser or user.is_staff or bool(admin_groups_of(user))


def ensure_admin_groups(**kwargs) -> None:
    """Create the three groups with exactly their permissions (after every migrate; idempotent)."""

    # The permissions of the apps named here may not exist yet (their post_migrate may run after ours).
    for label in sorted({dotted.split(".")[0] for perms in PERMISSIONS.values() for dotted in perms}):
        try:
            create_permissions(apps.get_app_config(label), verbosity=0, using=kwargs.get("using", "default"))
        except LookupError:  # an app that is not installed
            pass
    for name, perms in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            p = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if p is not None:
                wanted.append(p)
        group.permissions.set(wanted)
