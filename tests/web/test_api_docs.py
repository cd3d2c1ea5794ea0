"""The API described in Chinese (issue 21): the OpenAPI document gives every operation, parameter,
request field, answer, structure and field a Chinese description with no English word outside
`code`; the numbers name their unit; the documentation page, rendered on the server from that
document, shows every operation and every field, reads as a Chinese page and links the document for
download. The API's numbers follow the contract: two decimals, rates in percent."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import lxml.html

from .conftest import api_token
from .test_crawl import problems_in, visible_text

CODE_SPAN = re.compile(r"`[^`]*`")
CJK = re.compile(r"[\u4e00-\u9fff]")


def descriptions(document: dict):
    """(where, text) for every description a reader meets; text is None where there is none."""
    yield "接口说明", document["info"].get("description")
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            here = f"{method.upper()} {path}"
            yield f"{here} 摘要", op.get("summary")
            for parameter in op.get("parameters", []):
                yield f"{here} 参数 {parameter['name']}", parameter.get("description")
            for content in op.get("requestBody", {}).get("content", {}).values():
                for name, spec in content["schema"].get("properties", {}).items():
                    yield f"{here} 请求体 {name}", spec.get("description")
            for status, answer in op["responses"].items():
                yield f"{here} 答复 {status}", answer.get("description")
    for name, schema in document["components"]["schemas"].items():
        yield f"结构 {name}", schema.get("description")
        for field, spec in schema.get("properties", {}).items():
            yield f"结构 {name}.{field}", spec.get("description")


def undescribed(document: dict) -> list[str]:
    """Where a description is missing, has no Chinese, or has an English word outside `code`."""
    wrong = []
    for where, text in descriptions(document):
        if not text or not CJK.search(text):
            wrong.append(f"{where}: 没有中文说明（{text!r}）")
            continue
        wrong += [f"{where}: 英文 {word!r}（{text}）" for word, _ in problems_in(CODE_SPAN.sub(" ", text), set())]
    return wrong


def _document() -> dict:
    from jixiao.web.api.endpoints import api

    return api.get_openapi_schema()


def test_the_check_finds_a_missing_or_english_description():
    document = {"info": {"description": "接口"}, "paths": {"/x": {"get": {
        "summary": "Get the thing", "parameters": [{"name": "pk", "in": "path"}],
        "responses": {"200": {"description": "OK"}, "404": {"description": "没有找到 `pk`"}}}}},
        "components": {"schemas": {"Thing": {"description": "一个东西", "properties": {"total_score": {"description": "总分"},
                                                                                    "rate": {"title": "Rate"}}}}}}
    found = "\n".join(undescribed(document))
    for where in ("GET /x 摘要", "参数 pk", "答复 200", "结构 Thing.rate"):
        assert where in found
    assert "答复 404" not in found and "Thing.total_score" not in found


def test_every_operation_field_and_answer_is_described_in_chinese():
    document = _document()
    assert len(list(descriptions(document))) > 500  # the walk reaches every part of the document
    wrong = undescribed(document)
    assert not wrong, f"{len(wrong)} 处缺少中文说明：\n" + "\n".join(wrong)


def test_the_numbers_name_their_unit():
    """A rate says it is a percentage, a score or an amount says its unit, as the contract writes them."""
    wrong = []
    for name, schema in _document()["components"]["schemas"].items():
        for field, spec in schema.get("properties", {}).items():
            text = spec.get("description", "")
            if field.endswith("_rate") and not ("百分数" in text and "%" in text):
                wrong.append(f"{name}.{field}: {text}")
            if (field.endswith("score") or field in ("weight", "difference")) and spec.get("type") != "integer" \
                    and "分" not in text.replace("分值", ""):
                wrong.append(f"{name}.{field}: {text}")
    assert not wrong, "\n".join(wrong)


def test_the_docs_page_shows_every_operation_and_field_in_chinese(db):
    from django.test import Client

    document = _document()
    r = Client().get("/api/v1/docs")  # no login: the page has the API's description, no data
    assert r.status_code == 200
    html = r.content.decode()
    root = lxml.html.document_fromstring(html)
    ids = set(root.xpath("//@id"))
    for operations in document["paths"].values():
        for op in operations.values():
            assert op["operationId"] in ids
    for name, schema in document["components"]["schemas"].items():
        article = root.get_element_by_id(f"s-{name}")
        shown = {code.text for code in article.iter("code")}
        assert set(schema.get("properties", {})) <= shown, name
    for href in root.xpath("//a[starts-with(@href, '#')]/@href"):
        assert href[1:] in ids, href  # every link inside the page lands somewhere
    assert not problems_in(visible_text(html), set())
    assert not root.xpath("//script[not(@src)]") and not root.xpath("//*[@style]")  # the policy: no inline script or style
    assert "/api/v1/openapi.json" in root.xpath("//a[@download]/@href")
    assert Client().get("/api/v1/openapi.json").json()["paths"].keys() == document["paths"].keys()


def test_rates_and_amounts_are_written_as_the_contract_says(world, settings):
    """Two decimals, half-up; a rate in percent with its unit "%": never "0.5294117647…" (issue 21)."""
    from django.test import Client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(world['preparer'])}")
    pkg = world["package"]
    figures = client.get(f"/api/v1/packages/{pkg.pk}/figures").json()
    numbers = [f for f in figures if f["unit"] in ("万元", "分", "%") and f["value"] is not None]
    assert {"万元", "分", "%"} <= {f["unit"] for f in numbers}
    assert "ratio" not in {f["unit"] for f in figures}
    for f in numbers:
        assert re.fullmatch(r"-?\d+\.\d\d", f["value"]), f
    rate = next(f for f in numbers if f["unit"] == "%" and f["stated"])
    assert rate["display"].replace(",", "") == rate["value"] + "%"  # the page's figure and the API's agree
    assert re.fullmatch(r"-?\d+\.\d\d", rate["stated"]), rate
    edit = client.post(f"/api/v1/packages/{pkg.pk}/edits", json.dumps({"path": "unit.contact", "value": "王五", "version": pkg.version}),
                       content_type="application/json")
    assert edit.status_code == 200, edit.content  # a save computes the package's total and rate
    [summary] = [p for p in client.get("/api/v1/packages").json() if p["id"] == pkg.pk]
    for key in ("total_score", "execution_rate"):
        assert re.fullmatch(r"\d+\.\d\d", summary[key]), summary
    assert Decimal(summary["execution_rate"]) <= 100


def test_times_are_beijing_time_as_on_the_pages(world, settings):
    """One time zone (Asia/Shanghai) in the API as in pages and exports, whatever the database returns."""
    from django.test import Client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(world['preparer'])}")
    pkg = world["package"]
    r = client.post(f"/api/v1/packages/{pkg.pk}/submit", json.dumps({"version": pkg.version}), content_type="application/json")
    assert r.status_code == 200, r.content
    [version] = client.get(f"/api/v1/packages/{pkg.pk}/versions").json()
    assert version["created_at"].endswith("+08:00"), version
