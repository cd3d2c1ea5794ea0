"""One trace for the versions reviewers read (review/trace.py): the 主管部门 reading a subordinate
unit's version and the bureau reading a version sent to it get the same trace of the same figure,
each input linked to its field on the audience's own read-only form page."""

from __future__ import annotations

import re

import pytest

from . import dept_world
from .conftest import client_for, text_of
from .dept_world import send_to_department

LINK = re.compile(r'href="([^"]*)"')


@pytest.fixture
def sent(db):
    world = dept_world.build()
    send_to_department(world["units"][0])  # to its department
    send_to_department(world["outsider"])  # no department: to the bureau
    return world


def _trace(client, url: str, path: str):
    r = client.get(url, {"path": path}, HTTP_HX_REQUEST="true")
    return r.status_code, r.content.decode()


def test_the_department_and_the_bureau_trace_a_figure_alike_each_linking_to_its_own_form(sent):
    unit, outsider, department = sent["units"][0], sent["outsider"], sent["dept"]["package"]
    mine = f"/p/{department.pk}/units/{unit['package'].pk}/"
    theirs = f"/b/p/{outsider['package'].pk}/"
    status, dept_html = _trace(client_for(sent["dept"]["head"]), mine + "trace", "overall.funds[0].rate")
    assert status == 200
    status, bureau_html = _trace(client_for(sent["performance"]), theirs + "trace", "overall.funds[0].rate")
    assert status == 200
    dept_links, bureau_links = LINK.findall(dept_html), LINK.findall(bureau_html)
    assert dept_links and all(h.startswith(mine + "f/") and "#f-" in h for h in dept_links)
    assert bureau_links and all(h.startswith(theirs + "forms/") and "#f-" in h for h in bureau_links)
    # the same inputs at the same fields: only the audience's page differs
    assert [h.removeprefix(mine + "f/") for h in dept_links] == [h.removeprefix(theirs + "forms/") for h in bureau_links]
    # each link lands on a page that has the field
    page, anchor = dept_links[0].split("#")
    assert f'id="{anchor}"' in client_for(sent["dept"]["head"]).get(page).content.decode()
    page, anchor = bureau_links[0].split("#")
    assert f'id="{anchor}"' in client_for(sent["performance"]).get(page).content.decode()


@pytest.mark.parametrize("path", ["overall.unit_name", "no.such[path", ""])
def test_a_path_without_a_computed_figure_is_a_404_in_words_for_both(sent, path):
    unit, department = sent["units"][0], sent["dept"]["package"]
    for client, url in ((client_for(sent["dept"]["head"]), f"/p/{department.pk}/units/{unit['package'].pk}/trace"),
                        (client_for(sent["performance"]), f"/b/p/{sent['outsider']['package'].pk}/trace")):
        r = client.get(url, {"path": path})
        assert r.status_code == 404 and "这里没有计算出的数字" in text_of(r.content.decode(), "main")
