"""The API's documentation page, rendered on the server from the API's own OpenAPI document: Chinese
throughout (the descriptions come from `glossary.py`), readable without script, served with the
site's own stylesheet only (nothing from another host: an intranet cannot reach one).

The page walks the document: the topics (tags) in the routers' order, each operation with its
parameters, request body and answers, then every data structure with its fields. Types are named in
Chinese (`type_name`); a structure another one refers to is a link to its own table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from jixiao.web.api import glossary
from jixiao.web.api.common import MAX_PAGE_SIZE
from jixiao.web.api.endpoints import api
from jixiao.web.api.errors import BY_STATUS

SCHEMA_URL = "/api/v1/openapi.json"
METHODS = {"get": "读取", "post": "提交", "put": "修改", "patch": "修改", "delete": "删除"}
PLACES = {"path": "路径", "query": "查询参数", "header": "请求头", "cookie": "会话"}
TYPES = {"integer": "整数", "number": "数", "boolean": "真假值", "string": "文本", "object": "对象"}
FORMATS = {"date": "日期", "date-time": "时间", "binary": "文件"}
BODIES = {"application/json": "JSON", "multipart/form-data": "表单（可含文件）"}
CODE = re.compile(r"`([^`]+)`")


@dataclass
class Field:
    name: str
    type: SafeString
    required: bool
    description: SafeString


@dataclass
class Operation:
    anchor: str
    method: str
    method_label: str
    path: str
    summary: SafeString
    parameters: list[Field]
    body_kind: str
    body: list[Field]
    body_type: SafeString | None
    answers: list[tuple[str, SafeString, SafeString | None]]
    refusals: str


@dataclass
class Topic:
    name: str
    anchor: str
    operations: list[Operation] = field(default_factory=list)


@dataclass
class Structure:
    name: str
    title: str
    description: SafeString
    fields: list[Field]


def prose(text: str) -> SafeString:
    """A description as HTML: escaped, with `backticked` code as <code>."""
    return mark_safe(CODE.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text or ""))))


def short_title(description: str) -> str:
    """The structure's name a person reads: its description up to the first colon or bracket."""
    return re.split(r"[：；（(，]", description or "", maxsplit=1)[0]


def type_name(spec: dict, titles: dict[str, str]) -> SafeString:
    """A JSON schema's type in Chinese; a referenced structure as a link to it."""
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        return mark_safe(f'<a href="#s-{escape(name)}">{escape(titles.get(name, name))}</a>')
    if "anyOf" in spec:
        kinds = [s for s in spec["anyOf"] if s.get("type") != "null"]
        text = "或".join(type_name(s, titles) for s in kinds) or "空"
        return mark_safe(text + ("，可为空" if len(kinds) < len(spec["anyOf"]) else ""))
    if spec.get("type") == "array":
        return mark_safe(f"{type_name(spec.get('items', {}), titles)}的列表")
    if spec.get("format") in FORMATS:
        return mark_safe(FORMATS[spec["format"]])
    if spec.get("type") == "object" and "additionalProperties" in spec:
        return mark_safe("对象（键值对）")
    return mark_safe(TYPES.get(spec.get("type", ""), "任意值"))


def fields_of(schema: dict, titles: dict[str, str]) -> list[Field]:
    required = set(schema.get("required", []))
    return [Field(name, type_name(spec, titles), name in required, prose(spec.get("description", "")))
            for name, spec in schema.get("properties", {}).items()]


def operation_of(path: str, method: str, op: dict, schemas: dict, titles: dict[str, str]) -> Operation:
    parameters = [Field(p["name"], mark_safe(f"{type_name(p['schema'], titles)}（{PLACES.get(p['in'], p['in'])}）"),
                        p.get("required", False), prose(p.get("description", ""))) for p in op.get("parameters", [])]
    body_kind, body, body_type = "", [], None
    for kind, content in op.get("requestBody", {}).get("content", {}).items():
        body_kind = BODIES.get(kind, kind)
        schema = content.get("schema", {})
        if "$ref" in schema:  # a named structure: link it, and list its fields here as well
            body_type = type_name(schema, titles)
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        body = fields_of(schema, titles)
    answers, refusals = [], []
    for status, answer in sorted((str(code), answer) for code, answer in op.get("responses", {}).items()):
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        if status.startswith("4") and schema and schema.get("$ref", "").endswith("/Error"):
            refusals.append(status)
        else:
            answers.append((status, prose(answer.get("description", "")), type_name(schema, titles) if schema else None))
    return Operation(anchor=op["operationId"], method=method.upper(), method_label=METHODS.get(method, ""), path=path,
                     summary=prose(op.get("summary", "")), parameters=parameters, body_kind=body_kind, body=body,
                     body_type=body_type, answers=answers, refusals="、".join(refusals))


def page_of(document: dict) -> dict:
    """What the template shows, from the OpenAPI document."""
    schemas = document.get("components", {}).get("schemas", {})
    titles = {name: short_title(s.get("description", "")) or name for name, s in schemas.items()}
    topics: dict[str, Topic] = {}
    for path, operations in document.get("paths", {}).items():
        for method, op in operations.items():
            tag = (op.get("tags") or ["其他"])[0]
            topic = topics.setdefault(tag, Topic(tag, f"t-{len(topics) + 1}"))
            topic.operations.append(operation_of(path, method, op, schemas, titles))
    structures = [Structure(name, titles[name], prose(s.get("description", "")), fields_of(s, titles))
                  for name, s in schemas.items()]
    return {"info": document.get("info", {}), "description": prose(document.get("info", {}).get("description", "")),
            "topics": list(topics.values()), "structures": structures, "schema_url": SCHEMA_URL,
            "statuses": [(status, prose(glossary.as_code(text))) for status, text in sorted(BY_STATUS.items())], "max_page_size": MAX_PAGE_SIZE,
            "operations": sum(len(t.operations) for t in topics.values())}


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    return render(request, "web/api/docs.html", page_of(api.get_openapi_schema()))
