"""Writes of the unit's side beyond its drafts and versions (those are `jixiao.web.versions`): the
answer to a 整改 notice."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jixiao.web import access
from jixiao.web.models import Rectification, User
from jixiao.web.versions import ActionError


def answer_rectification(*, notice_id: int, user: User, answer: str):
    """The unit (its preparer or head) states what it corrected."""
    with transaction.atomic():
        n = Rectification.objects.select_for_update().select_related("package").get(pk=notice_id)
        if not access.can_answer_rectification(user, n.package):
            raise ActionError("只有该单位的人员可以答复", 403)
        if n.closed_at:
            raise ActionError("该整改通知已销号", 409)
        if not answer.strip():
            raise ActionError("请填写整改情况")
        n.answer, n.answered_by, n.answered_at = answer.strip(), user, timezone.now()
        n.save(update_fields=["answer", "answered_by", "answered_at"])
        return n
