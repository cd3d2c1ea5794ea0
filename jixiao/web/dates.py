"""One reader of the dates people type into the pages' forms (task deadlines, tier deadlines, 整改期限,
签署日期, the audit log's day). The inputs are text fields, not the browser's date picker, whose
placeholder and calendar speak the browser's language ("mm/dd/yyyy" in an English one)."""

from __future__ import annotations

from datetime import date

from jixiao.core.numbers import DATE_PATTERN, normalize

HINT = "格式：2026-06-30"
UNREADABLE = "读不出日期：请写成 2026-06-30、2026/6/30 或 2026年6月30日"
MISSING = "请填写日期（格式：2026-06-30）"



class DateUnreadable(ValueError):
    """What was typed is not a date; `message` says so in Chinese, for beside the field."""

    field = ""  # the form field it was typed in, where a view needs to say so

    def __init__(self, message: str = UNREADABLE):
        super().__init__(message)
        self.message = message


def read_date(raw: str | None, *, required: bool = False) -> date | None:
    """The date typed, or None for an empty entry (DateUnreadable when `required`); anything else
    that is not a calendar date raises DateUnreadable."""
    text = normalize(raw or "").strip()
    if not text:
        if required:
            raise DateUnreadable(MISSING)
        return None
    m = DATE_PATTERN.fullmatch(text)  # the whole entry a date, as the documents write one
    if m is None:
        raise DateUnreadable()
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise DateUnreadable(f"没有这一天：{raw.strip()}") from None
