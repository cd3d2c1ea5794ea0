"""Reads of the unit's side beyond its own packages (those are `access.package_for`): its 整改 notices."""

from __future__ import annotations

from jixiao.web import access
from jixiao.web.models import Rectification, User


def rectifications_for_unit(user: User):
    """A unit user's notices (every package of their unit)."""
    if not access.is_unit_user(user):
        return Rectification.objects.none()
    return Rectification.objects.filter(package__unit_id=user.unit_id).select_related("package__task", "created_by")
