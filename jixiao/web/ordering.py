"""Orders a person expects in a list: statuses along the workflow, unit names by pinyin.

The database sorts text by code point (湘 before 财 for no reason a reader sees) and a status by its
internal code; these give the order a 绩效评价股 reads the list in.
"""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from pypinyin import Style, lazy_pinyin

from jixiao.web.models import Status

# The workflow: not started → draft → in the unit head's review → (its 主管部门's review) → sent → returned → accepted → published.
WORKFLOW = [Status.NOT_STARTED, Status.DRAFT, Status.IN_REVIEW, Status.DEPT_REVIEW, Status.DEPT_APPROVED, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED,
            Status.PUBLISHED]


def status_rank(field: str = "status") -> Case:
    """An expression: the status's place in the workflow (for order_by)."""
    return Case(*[When(**{field: s}, then=Value(i)) for i, s in enumerate(WORKFLOW)], default=Value(len(WORKFLOW)),
                output_field=IntegerField())


def pinyin_key(name: str) -> tuple[str, str]:
    """The key a Chinese list sorts by: the pinyin with tones as numbers, then the name itself."""
    return " ".join(lazy_pinyin(name or "", style=Style.TONE3)), name or ""


def pinyin_rank(qs: QuerySet, name_field: str) -> Case:
    """An expression: each row's place when the rows of `qs` are sorted by the pinyin of `name_field`."""
    names = sorted(qs.values_list("pk", name_field), key=lambda row: pinyin_key(row[1]))
    if not names:  # nothing to rank; a bare constant would be read by PostgreSQL as "ORDER BY <column number>"
        return F("pk")
    return Case(*[When(pk=pk, then=Value(i)) for i, (pk, _) in enumerate(names)], default=Value(len(names)),
                output_field=IntegerField())
