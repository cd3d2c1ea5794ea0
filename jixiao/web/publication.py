"""What anonymous readers get: the published versions, found by year and unit, and the personal data
masked before it is shown."""

from __future__ import annotations

import re

from django.db.models import Count, Q
from django.http import Http404

from jixiao.web.models import Publication

_DIGITS = re.compile(r"(?<![\d.])\d[\d-]{5,}\d(?![\d.])")


def mask_phones(text: str) -> str:
    """Phone numbers (runs of 7 or more digits, a dash allowed) shown as 138****78: only the first
    three and last two characters kept."""
    def mask(m: re.Match) -> str:
        s = m.group(0)
        return s[:3] + "****" + s[-2:] if sum(ch.isdigit() for ch in s) >= 7 else s

    return _DIGITS.sub(mask, text or "")


def published(year: int | None = None, q: str = ""):
    qs = Publication.objects.select_related("package", "package__unit", "package__task", "submission")
    if year is not None:
        qs = qs.filter(package__task__year=year)
    if q:
        qs = qs.filter(Q(package__unit__name__icontains=q) | Q(package__unit__budget_code__startswith=q))
    return qs.order_by("package__unit__budget_code")


def published_years() -> list[tuple[int, int]]:
    return list(Publication.objects.values_list("package__task__year").annotate(n=Count("id")).order_by("-package__task__year"))


def publication_of(year: int, code: str):
    try:
        return Publication.objects.select_related("package", "package__unit", "package__task", "submission").get(
            package__task__year=year, package__unit__budget_code=code)
    except (Publication.DoesNotExist, Publication.MultipleObjectsReturned):
        raise Http404("没有公开该单位该年度的自评结果") from None
