"""Input no request may carry, refused in one place before any view (issue 19).

- NUL characters (U+0000) in the address, the query, a form field or a JSON body: PostgreSQL cannot
  store them in text and answered every such request with a 500 (search, comments, bureau fields,
  anonymous `/public/?q=%00`). No real text contains one.
- JSON nested deeper than a package ever is: Python's parser recurses and failed with
  RecursionError on a body nested 200,000 deep.

The answer is a 400 with a Chinese message (JSON for the API, the message page otherwise); nothing
is read further and nothing is stored.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.template.loader import render_to_string

from jixiao import services

NUL = "\x00"
JSON_DEPTH = 64


def _has_nul(items) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in items)


def problem(request) -> str:
    """The Chinese reason this request cannot be read, or ''."""
    if NUL in request.path:
        return "网址中含有不可见的空字符（NUL），无法处理。"
    if _has_nul(request.GET.lists()):
        return "查询条件中含有不可见的空字符（NUL），请删去后重试。"
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type.startswith("application/json"):
            return _json_problem(request.body)
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                fields = request.POST.lists()
            except Exception:  # noqa: BLE001 - malformed body: Django's own handling answers it later
                return ""
            if _has_nul(fields):
                return "填写的内容中含有不可见的空字符（NUL），请删去后重试。"
    return ""


def _json_problem(body: bytes) -> str:
    if b"\x00" in body or b"\\u0000" in body:
        return "提交的数据中含有不可见的空字符（NUL），请删去后重试。"
    try:
        services.check_json_nesting(text=body.decode("utf-8", "replace"), limit=JSON_DEPTH)
    except services.ServiceError:
        return f"提交的数据嵌套超过 {JSON_DEPTH} 层，无法处理。"
    return ""


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = problem(request)
        if not reason:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return HttpResponse(json.dumps({"detail": reason}, ensure_ascii=False), status=400,
                                content_type="application/json; charset=utf-8")
        if request.headers.get("HX-Request"):
            return HttpResponse(render_to_string("web/message_oob.html", {"text": reason}), status=400)
        return HttpResponse(render_to_string("web/message.html", {"text": reason}), status=400)
