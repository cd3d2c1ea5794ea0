"""The API's 填报数与计算数 (`/reviews/{pk}/stated`) writes its numbers as every figure of the API
does (`common.figure_numbers`: amounts and scores two decimals, a rate in percent with two decimals
and unit "%"), the page's display forms beside them; and an unknown API path says the path does not
exist, where an absent (or someone else's) object says so."""

from __future__ import annotations

import re

from django.test import Client

from jixiao.web import versions
from jixiao.web.drafts import fields

from .conftest import api_token

DECIMAL = re.compile(r"^-?\d+\.\d{2}$")


def _sent_to_bureau(world, **stated: str):
    """The package, with these figures stated as the unit typed them, sent to the bureau."""
    package = world["package"]
    for path, value in stated.items():
        package.draft = fields.put(package.draft, path, value)
    package.save(update_fields=["draft"])
    versions.submit(package_id=package.pk, user=world["preparer"], version=package.version)
    versions.approve(package_id=package.pk, user=world["head"], opinion="情况属实，同意报送。")
    return package


def _bureau(world) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token(world['bureau'], scope='read')}")


def test_stated_figures_are_decimal_strings_with_their_unit(world):
    package = _sent_to_bureau(world, **{"overall.funds[0].rate": "52.94%", "expenditure[0].total": "1550.78"})
    rows = {r["key"]: r for r in _bureau(world).get(f"/api/v1/reviews/{package.pk}/stated").json()}
    rate, total = rows["overall.execution.rate"], rows["expenditure[0].total"]
    assert (rate["stated"], rate["computed"], rate["unit"]) == ("52.94", "90.00", "%")
    assert (rate["stated_display"], rate["computed_display"], rate["agrees"]) == ("52.94%", "90.00%", False)
    assert (total["stated"], total["computed"], total["unit"]) == ("1550.78", "500.00", "万元")
    assert total["stated_display"] == "1,550.78"
    for row in rows.values():  # every number in the API's one way: never a display string
        numbers = [v for v in (row["stated"], row["computed"]) if v is not None]
        assert row["unit"] in ("万元", "分", "%") and all(DECIMAL.match(v) for v in numbers), row


def test_the_stated_schema_documents_the_numbers_in_chinese():
    from jixiao.web.api.endpoints import api

    props = api.get_openapi_schema()["components"]["schemas"]["StatedFigure"]["properties"]
    assert {"key", "stated", "computed", "unit", "stated_display", "computed_display"} <= set(props)
    assert "两位小数" in props["stated"]["description"] and "显示形式" in props["stated_display"]["description"]


def test_an_unknown_path_is_not_an_absent_object(world):
    client = _bureau(world)
    for path in ("/api/v1/no-such-thing", "/api/v1/reviews/1/nothing"):
        r = client.get(path)
        assert (r.status_code, r.json()) == (404, {"detail": "该网址不存在", "errors": []}), path
    preparer = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(world['preparer'], scope='read')}")
    # an object that does not exist, or is not the caller's: the path is fine, the object is not there
    for who, path in ((client, "/api/v1/reviews/999999/stated"), (preparer, f"/api/v1/packages/{world['other_package'].pk}")):
        r = who.get(path)
        assert r.status_code == 404 and r.json()["detail"].startswith("没有找到") and "无权查看" in r.json()["detail"], path
