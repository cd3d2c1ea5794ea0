"""Every refusal of the API reads in Chinese, in its one shape (issue 21): `{"detail", "errors":
[{"field", "message"}]}`, a 4xx, never a 5xx — for what Django, pydantic and ninja would otherwise
answer in English: no token, a bad token, an unknown path, a method not allowed, a missing or
wrongly typed field, a path id that is not a number, a body that is not JSON, a form or plain text
sent to a JSON operation, a JSON list instead of an object, a write by session without the CSRF
token, a read-only token writing, a body over the upload limit, a NUL character, JSON nested too
deep, a page size out of range.

A message may name what the caller sends by its wire name — a field or parameter of the API's own
schema, a header it documents — formats by their names (the crawler's list) and sizes by their unit symbols; any other Latin
word is English, except inside “…” (the caller's own value quoted back). An operation may add its
own keys beside `detail` and `errors` (an edit's `conflict`, an import's `problems`); `english_in` is
shared with the schemathesis probe."""

from __future__ import annotations

import json
import re

from .conftest import api_token
from .test_crawl import problems_in

HEADERS = {"Authorization", "Bearer", "If-Match", "ETag", "X-CSRFToken", "NUL"}
SIZES = {"KB", "MB"}  # unit symbols, as "%" is one: "上限为 10 MB"
CJK = re.compile(r"[\u4e00-\u9fff]")
QUOTED = re.compile(r"“[^”]*”", re.S)


def wire_names() -> set[str]:
    """The names a caller sends or reads: every parameter and field of the API's schema."""
    from jixiao.web.api.endpoints import api

    document = api.get_openapi_schema()
    names = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            names |= {p["name"] for p in operation.get("parameters", [])}
            for content in operation.get("requestBody", {}).get("content", {}).values():
                names |= set(content["schema"].get("properties", {}))
    for schema in document["components"]["schemas"].values():
        names |= set(schema.get("properties", {}))
    return names


def english_in(status: int, content: bytes, names: set[str]) -> list[str]:
    """What is wrong with a 4xx answer: not the one shape, no Chinese sentence, or English words."""
    try:
        body = json.loads(content)
    except ValueError:
        return [f"不是 JSON：{content[:120]!r}"]
    if not isinstance(body, dict) or not isinstance(body.get("detail"), str) or not isinstance(body.get("errors"), list) \
            or not all(isinstance(e, dict) and set(e) == {"field", "message"} for e in body["errors"]):
        return [f"不是统一的错误格式：{content[:200]!r}"]
    texts = [body["detail"]] + [e["message"] for e in body["errors"]]
    wrong = [f"没有中文说明：{t!r}" for t in texts if not CJK.search(t)]
    for text in texts:
        text = QUOTED.sub("“”", text)  # the caller's own value, quoted back to it, is not our English
        wrong += [f"英文 {word!r}：{line}" for word, line in problems_in(text, names | HEADERS | SIZES)]
    return wrong


def input_names() -> set[str]:
    """What a caller sends: every parameter, and every field of every request body."""
    from jixiao.web.api.endpoints import api

    document = api.get_openapi_schema()
    names = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            names |= {p["name"] for p in operation.get("parameters", [])}
            for content in operation.get("requestBody", {}).get("content", {}).values():
                schema = content["schema"]
                if "$ref" in schema:
                    schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
                names |= set(schema.get("properties", {}))
    return names


def test_every_input_has_a_chinese_name_for_its_messages():
    """A validation message names the field by its label ("缺少版本号（version）"), never "参数"."""
    from jixiao.web.api.errors import LABELS

    names = input_names()
    assert {"version", "path", "file", "scores", "deadline"} <= names  # the walk reaches the bodies
    assert not names - set(LABELS), sorted(names - set(LABELS))
    assert all(CJK.search(LABELS[name]) for name in names)


def test_the_check_catches_english_and_other_shapes():
    names = {"version"}
    assert english_in(422, b'{"detail": "Field required", "errors": []}', names)
    assert english_in(404, b'{"detail": "Not Found"}', names)
    assert english_in(422, json.dumps({"detail": "请求参数有误", "errors": [{"field": "x", "message": "Input should be a valid integer"}]}).encode(), names)
    assert english_in(403, b"<h1>Forbidden</h1>", names)
    assert english_in(422, json.dumps({"detail": "请求有误", "errors": [{"loc": ["form", "version"], "msg": "缺少"}]}).encode(), names)
    assert not english_in(400, json.dumps({"detail": "没有评分方案“slug\nx”", "errors": []}).encode(), names)
    assert not english_in(422, json.dumps({"detail": "缺少版本号（version）", "errors": [{"field": "version", "message": "缺少版本号（version）"}]}).encode(), names)


def _probes(pkg, task) -> list[tuple[str, str, str, dict]]:
    """(who, method, path, request keywords): each a request the API must refuse in Chinese."""
    edits, submit = f"/api/v1/packages/{pkg.pk}/edits", f"/api/v1/packages/{pkg.pk}/submit"
    as_json = {"content_type": "application/json"}
    return [
        ("anonymous", "get", "/api/v1/packages", {}),
        ("bad token", "get", "/api/v1/packages", {}),
        ("preparer", "get", "/api/v1/no-such-thing", {}),
        ("preparer", "get", "/api/no-such-thing", {}),
        ("preparer", "delete", "/api/v1/packages", {}),
        ("preparer", "put", f"/api/v1/packages/{pkg.pk}/figures", {}),
        ("preparer", "get", "/api/v1/packages/abc", {}),
        ("preparer", "get", "/api/v1/packages/99999999999999999999", {}),
        ("preparer", "get", "/api/v1/packages/999999", {}),
        ("preparer", "post", edits, {"data": "{}", **as_json}),
        ("preparer", "post", edits, {"data": "{bad json", **as_json}),
        ("preparer", "post", edits, {"data": "[1, 2]", **as_json}),
        ("preparer", "post", edits, {"data": json.dumps({"path": 1, "value": [1], "version": "三"}), **as_json}),
        ("preparer", "post", edits, {"data": "path=a&value=b", "content_type": "text/plain"}),
        ("preparer", "post", edits, {"data": {"path": "a", "value": "b", "version": "1"}}),  # multipart form
        ("preparer", "post", edits, {"data": "path=a&value=b&version=1", "content_type": "application/x-www-form-urlencoded"}),
        ("preparer", "post", edits, {"data": json.dumps({"path": "a", "value": "\x00", "version": 1}), **as_json}),
        ("preparer", "post", edits, {"data": "[" * 100 + "]" * 100, **as_json}),
        ("preparer", "post", edits, {"data": json.dumps({"path": "a", "value": "b", "version": 1}), **as_json,
                                     "CONTENT_LENGTH": str(1024 ** 3)}),
        ("preparer", "post", f"/api/v1/packages/{pkg.pk}/import", {}),
        ("read-only", "post", submit, {"data": json.dumps({"version": 1}), **as_json}),
        ("session", "post", submit, {"data": json.dumps({"version": 1}), **as_json}),
        ("bureau", "get", f"/api/v1/tasks/{task.pk}/dashboard?page=abc", {}),
        ("bureau", "get", f"/api/v1/tasks/{task.pk}/dashboard?page_size=100000", {}),
        ("bureau", "post", "/api/v1/tasks", {"data": json.dumps({"title": "", "year": "二〇二三", "deadline": "明天"}), **as_json}),
        ("anonymous", "get", "/api/v1/open/publications?year=abc", {}),
        ("anonymous", "get", "/api/v1/open/data/1999", {}),
    ]


def _clients(world) -> dict:
    from django.test import Client

    session = Client(enforce_csrf_checks=True)
    session.force_login(world["preparer"])
    return {
        "anonymous": Client(), "bad token": Client(HTTP_AUTHORIZATION="Bearer 不是令牌"), "session": session,
        "preparer": Client(HTTP_AUTHORIZATION=f"Bearer {api_token(world['preparer'])}"),
        "read-only": Client(HTTP_AUTHORIZATION=f"Bearer {api_token(world['preparer'], scope='read')}"),
        "bureau": Client(HTTP_AUTHORIZATION=f"Bearer {api_token(world['bureau'])}"),
    }


def test_every_refusal_answers_in_chinese_in_the_one_shape(world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    clients, names, wrong, statuses = _clients(world), wire_names(), [], []
    for who, method, path, keywords in _probes(world["package"], world["task"]):
        response = getattr(clients[who], method)(path, **keywords)
        statuses.append(response.status_code)
        where = f"{who} {method.upper()} {path} {str(keywords.get('data', ''))[:40]!r} → {response.status_code}"
        if not 400 <= response.status_code < 500:
            wrong.append(f"{where}: 不是 4xx")
            continue
        if not response.get("Content-Type", "").startswith("application/json"):
            wrong.append(f"{where}: {response.get('Content-Type')}")
        wrong += [f"{where}: {problem}" for problem in english_in(response.status_code, response.content, names)]
    assert not wrong, "\n".join(wrong)
    # the probes reach the refusals they are meant to, not one catch-all answer
    assert {400, 401, 403, 404, 405, 413, 415, 422} <= set(statuses), statuses


def test_a_session_write_without_the_csrf_token_says_what_to_send(world):
    from django.test import Client

    session = Client(enforce_csrf_checks=True)
    session.force_login(world["preparer"])
    r = session.post(f"/api/v1/packages/{world['package'].pk}/submit", json.dumps({"version": 1}), content_type="application/json")
    assert r.status_code == 403
    assert "X-CSRFToken" in r.json()["detail"] and "防伪令牌" in r.json()["detail"]
