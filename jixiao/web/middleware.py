"""Refuse a request body that is too large before Django reads it, with a Chinese page (413)."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.JIXIAO_MAX_UPLOAD_BYTES + 256 * 1024  # the form's other fields and multipart overhead
        if length > limit:
            text = f"上传的内容过大（{length // 1024 // 1024} MB），上限为 {settings.JIXIAO_MAX_UPLOAD_BYTES // 1024 // 1024} MB。已保存的内容没有改变。"
            if request.path.startswith("/api/"):

                return HttpResponse(json.dumps({"detail": text}, ensure_ascii=False), status=413,
                                    content_type="application/json; charset=utf-8")
            return HttpResponse(render_to_string("web/message.html", {"text": text}), status=413)
        return self.get_response(request)
