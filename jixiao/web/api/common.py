"""What every topic of the API shares: authentication, the error and page schemas, the number
formats, and the optimistic concurrency of ETag / If-Match."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Schema
from ninja import security as ninja_security
from ninja.errors import HttpError
from ninja.security import HttpBearer

from jixiao.web import access
from jixiao.web.review import selectors
from jixiao.web.security import tokens
from jixiao.web.security.context import note_refusal
from jixiao.web.security.middleware import password_change_required
from jixiao.web.versions import ActionError

MAX_PAGE_SIZE = 500


class TokenAuth(HttpBearer):
    """A bearer token (security/tokens.py): unknown, revoked or expired → 401; a read-only token
    writing, a token of the other side, or a bureau account's token without its second factor →
    403 with the reason."""

    def authenticate(self, request: HttpRequest, token: str):
        record = tokens.find(token)
        why = tokens.refusal(record, request.method)
        if why and (record is None or why in tokens.NOT_AUTHENTICATED):
            return None
        if not why:
            why = password_change_required(record.user)  # an initial or expired password is changed on the web first
        if why:
            note_refusal(why)  # the refused-access entry names the reason
            raise HttpError(403, why)
        tokens.mark_used(record)
        request.user = record.user
        return record.user


CSRF_REFUSED = ("请求缺少防伪令牌：使用登录会话调用接口时，修改类请求须在请求头 X-CSRFToken 中带上页面的防伪令牌；"
                "程序对接请改用 API 令牌（请求头 Authorization: Bearer 令牌）")


class SessionAuth(ninja_security.SessionAuth):
    """The browser session; a write without the CSRF token is refused in Chinese, saying what to send
    (ninja's own refusal is an English sentence). Same class name: the schema's scheme stays "SessionAuth"."""

    def _get_key(self, request: HttpRequest):
        try:
            return super()._get_key(request)
        except HttpError as exc:
            if exc.status_code == 403:
                raise HttpError(403, CSRF_REFUSED) from None
            raise


AUTH = [TokenAuth(), SessionAuth()]


class FieldError(Schema):
    field: str
    message: str


class Error(Schema):
    """Every 4xx answer: a sentence for people, and the wrong fields for programs."""
    detail: str
    errors: list[FieldError] = []


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 412: Error, 413: Error, 422: Error}


def answers(ok_schema, *extra: int, ok: int = 200) -> dict:
    """A response map: the success schema and the one error shape for every refusal."""
    return {ok: ok_schema, **ERRORS} if not extra else {ok: ok_schema, **ERRORS, **{s: Error for s in extra}}


def amount(v) -> str | None:
    """A stored decimal as a string with two decimals, half-up: "85.50" (never a float)."""
    return None if v is None else format(Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")


def percent(ratio) -> str | None:
    """A ratio in percent with two decimals, half-up: 0.48 → "48.00"."""
    return None if ratio is None else amount(Decimal(ratio) * 100)


# The engine's units as the API names them, and how each is written (common.amount / percent): money
# and scores with two decimals, a ratio as a percentage with two decimals ("0.4799…" → "47.99", unit "%").
FIGURE_UNITS = {"ratio": "%"}
FIGURE_FORMATS = {"万元": amount, "元": amount, "亿元": amount, "分": amount, "ratio": percent}


def figure_numbers(d: dict) -> dict:
    """An engine figure's dict (Computed.as_dict) with `value`, `stated` and `unit` as the API writes
    them; a stated text that is not a number (a grade, "优秀") stays as the unit wrote it."""
    fmt = FIGURE_FORMATS.get(d["unit"])
    return {**d, "unit": FIGURE_UNITS.get(d["unit"], d["unit"]),
            "value": _written(d["value"], fmt), "stated": _written(d.get("stated"), fmt)}


def _written(text: str | None, fmt) -> str | None:
    if text is None or fmt is None:
        return text
    try:
        return fmt(Decimal(text))
    except (ArithmeticError, ValueError):  # decimal.InvalidOperation is an ArithmeticError
        return text


def plain(v) -> str | None:
    return None if v is None else format(v, "f")


def moment(v: datetime | None) -> str | None:
    """A time in Beijing time with its offset ("2024-06-30T09:15:00+08:00"): the pages' and exports'
    one time zone (settings.TIME_ZONE), whatever the database hands back (UTC on PostgreSQL)."""
    return None if v is None else timezone.localtime(v).isoformat()


def day(v: date | None) -> str | None:
    return None if v is None else v.isoformat()


def bureau_only(user) -> None:
    if not selectors.is_bureau(user):
        note_refusal("财政局接口")
        raise Http404(access.NOT_FOUND)


def page_bounds(page: int, page_size: int) -> tuple[int, int]:
    if page < 1:
        raise ActionError("页码应从 1 开始", 422, {"page": "页码应从 1 开始"})
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ActionError(f"每页条数应在 1–{MAX_PAGE_SIZE} 之间", 422, {"page_size": f"每页条数应在 1–{MAX_PAGE_SIZE} 之间"})
    return page, page_size


# --- optimistic concurrency ---------------------------------------------------------------------------


def etag(value: int) -> str:
    return f'"{value}"'


def if_match(request: HttpRequest) -> int | None:
    """The version named by If-Match ('"7"', 'W/"7"' or 7), or None when the header is absent."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw or raw == "*":
        return None
    raw = raw.removeprefix("W/").strip('"')
    if not raw.isdigit() or len(raw) > 9:
        raise ActionError("If-Match 应为读取时得到的 ETag（例如 \"3\"）", 412)
    return int(raw)


def claimed_version(request: HttpRequest, body_version: int | None, current: int, refusal) -> int:
    """The version a write is based on: If-Match, else the body's `version`. An If-Match that is not
    the current version is a 412 with both versions (`refusal(claimed)` words it, as the pages do)."""
    header = if_match(request)
    if header is not None and header != current:
        raise ActionError(refusal(header), 412)
    if body_version is None:
        if header is None:
            raise ActionError("请提供版本号：请求体的 version，或请求头 If-Match", 428, {"version": "缺少版本号（version）"})
        return header
    return body_version


class Paged(Schema):
    page: int
    page_size: int
    total: int
    pages: int
