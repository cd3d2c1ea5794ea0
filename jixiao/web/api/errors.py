"""One shape for every refusal of the API (4xx): {"detail": "中文句子", "errors": [{"field", "message"}]}.

`detail` is the sentence a person reads; `errors` names each wrong field by its parameter name (what
a program matches on) with a Chinese message that names the field by its label. Every route to a
4xx ends here: ninja's validation and authentication errors, a 404, the services' ActionError
(with its per-field messages), a token's refusal, and — through `ErrorShapeMiddleware` — the
answers Django gives before the API's code runs (an unknown path, a method not allowed, 413).
"""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.http.request import RawPostDataException
from django.urls import Resolver404, resolve
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jixiao.web import versions
from jixiao.web.security.tokens import TokenError

# The parameters by the names a person reads (the messages); the version keeps its wire name beside
# its label, since a caller must know which field of the request to send again.
LABELS = {
    "version": "版本号（version）", "path": "字段（path）", "value": "值（value）", "file": "文件（file）", "pk": "数据包编号",
    "number": "版本序号", "body": "请求体", "title": "任务名称", "year": "评价年度", "profile": "评分方案",
    "deadline": "报送截止日期", "unit_ids": "参评单位", "units": "参评单位", "opinion": "财政部门意见", "reason": "退回原因",
    "text": "内容", "signer": "签署人", "signed_on": "签署日期", "due": "整改期限", "scores": "抽评得分", "key": "指标",
    "score": "抽评得分", "note": "说明", "page": "页码", "page_size": "每页条数", "sort": "排序", "status": "状态",
    "grade": "等次", "q": "搜索词", "flag": "筛选条件", "task": "自评任务编号", "spot": "抽评样本编号", "job": "任务编号",
    "notice": "整改通知编号", "unit": "单位编号", "code": "预算编码", "comments": "字段意见",
}
PROBLEMS = {
    "missing": "缺少{name}", "int_parsing": "{name}应为整数", "int_type": "{name}应为整数", "int_from_float": "{name}应为整数",
    "string_type": "{name}应为文本", "json_invalid": "请求体不是有效的 JSON", "date_from_datetime_parsing": "{name}应写成 2024-06-30 的形式",
    "date_parsing": "{name}应写成 2024-06-30 的形式", "date_type": "{name}应写成 2024-06-30 的形式",
    "greater_than_equal": "{name}太小", "less_than_equal": "{name}太大", "list_type": "{name}应为列表",
    "dict_type": "{name}应为对象", "model_attributes_type": "请求体应为 JSON 对象", "bool_parsing": "{name}应为 true 或 false",
    "string_too_long": "{name}过长", "literal_error": "{name}不是可选的值之一", "enum": "{name}不是可选的值之一",
    "int_parsing_size": "{name}超出范围", "bool_type": "{name}应为 true 或 false", "too_long": "{name}的项目过多",
}
BY_STATUS = {
    400: "请求无法解析：请求体应为有效的 JSON（上传文件时为表单）", 401: "未登录或令牌无效：请先登录，或在请求头 Authorization 中提供有效的 API 令牌",
    403: "您无权进行此操作", 404: "没有找到该对象，或您无权查看", 405: "该网址不支持此请求方法", 409: "数据已被他人改变，请刷新后重试",
    412: "数据已被他人改变（If-Match 与当前版本不符），请重新读取后再提交", 413: "上传的内容过大", 415: "不支持的内容类型",
    422: "请求参数有误", 428: "请提供版本号",
}
NO_SUCH_PATH = "该网址不存在"  # a path the API does not have (404 above: an object absent or not the caller's)
WIRE_PARTS = ("body", "form", "query", "path", "file", "header", "cookie")


def label_of(field: str) -> str:
    return LABELS.get(field, "参数")


def shape(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "errors": errors or []}


def field_errors(fields: dict[str, str] | None) -> list[dict]:
    return [{"field": k, "message": v} for k, v in (fields or {}).items()]


def validation_error(error: dict) -> dict:
    """One pydantic error as {"field": "version", "message": "版本号（version）应为整数"}."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in WIRE_PARTS:  # where it came from (body, query …), not a field
        loc = loc[1:]
    names = [part for part in loc if not part.isdigit() and part != "body"]
    field = names[-1] if names else ""
    name = label_of(field) if field else "请求"
    return {"field": field, "message": PROBLEMS.get(error.get("type", ""), "{name}的值不合要求").format(name=name)}


def install(api) -> None:
    """Register the handlers on the NinjaAPI instance."""

    def answer(request, status: int, detail: str, errors: list[dict] | None = None):
        return api.create_response(request, shape(detail, errors), status=status)

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        text = str(exc) if str(exc) and not str(exc).isascii() else BY_STATUS[404]
        return answer(request, 404, text)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return answer(request, 401, BY_STATUS[401])

    @api.exception_handler(ValidationError)
    def _invalid(request, exc: ValidationError):
        errors = [validation_error(e) for e in exc.errors]
        return answer(request, 422, "请求参数有误：" + "；".join(e["message"] for e in errors), errors)

    @api.exception_handler(versions.ActionError)
    def _refused(request, exc: versions.ActionError):
        return answer(request, exc.status, exc.message, field_errors(exc.fields))

    @api.exception_handler(TokenError)
    def _token_refused(request, exc: TokenError):
        return answer(request, exc.status, exc.message)

    @api.exception_handler(RawPostDataException)
    def _form_for_json(request, exc):
        # A form or multipart body sent to an operation that reads JSON: the input guard has parsed
        # the form already, so the raw body is gone; the caller sent the wrong content type.
        return answer(request, 415, BY_STATUS[415] + "：此操作的请求体应为 JSON")

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        text = str(exc.message) if str(exc.message) and not str(exc.message).isascii() else BY_STATUS.get(exc.status_code, "请求有误")
        return answer(request, exc.status_code, text)


class ErrorShapeMiddleware:
    """The API's answers made before its code runs (a path it does not have, a method an operation
    does not take, a body over the upload limit) in the one shape, in Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or not 400 <= response.status_code < 500:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            try:
                body = json.loads(response.content or b"{}")
            except ValueError:
                body = None
            if isinstance(body, dict) and isinstance(body.get("detail"), str) and "errors" in body:
                return response
            detail = body.get("detail") if isinstance(body, dict) and isinstance(body.get("detail"), str) else ""
        else:
            detail = ""
        text = detail if detail and not detail.isascii() else _plain_text(request, response.status_code)
        shaped = HttpResponse(json.dumps(shape(text), ensure_ascii=False), status=response.status_code,
                              content_type="application/json; charset=utf-8")
        for header in ("Allow", "WWW-Authenticate", "ETag"):
            if response.has_header(header):
                shaped[header] = response[header]
        return shaped


def _plain_text(request, status: int) -> str:
    """The sentence of an answer Django made without one: a 404 for a path no operation has says so,
    rather than blaming an object."""
    if status == 404 and not _routed(request.path_info):
        return NO_SUCH_PATH
    return BY_STATUS.get(status, "请求有误")


def _routed(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True
