"""Multi-field forms keep what was typed: after one wrong entry every box comes back with its entry
(the valid ones included) and the message beside the wrong one; nothing is stored."""

from __future__ import annotations

import re

from jixiao.web.models import SpotScore

from .conftest import client_for
from .test_bureau import accept, sent  # noqa: F401 - the fixture


def test_the_spot_check_form_keeps_every_entry_after_one_typo(sent):  # noqa: F811
    from jixiao.web.review.selectors import score_lines

    task, c = sent["task"], client_for(sent["bureau"])
    accept(sent, sent["package"])
    c.post(f"/b/t/{task.pk}/spot/")
    spot = task.spot_checks.get()
    lines = [ln for ln in score_lines(spot) if ln.allowed]
    assert len(lines) >= 3
    data = {"key": [ln.key for ln in lines]}
    for i, ln in enumerate(lines):
        data[f"score:{ln.key}"] = str(ln.allowed[0])
        data[f"note:{ln.key}"] = f"说明{i}"
    data[f"score:{lines[1].key}"] = "很好"  # the one typo
    r = c.post(f"/b/t/{task.pk}/spot/{spot.pk}/", data)
    assert r.status_code == 422
    html = r.content.decode()
    boxes = dict(re.findall(r'name="score:([^"]+)" inputmode="decimal" value="([^"]*)"', html))
    assert boxes == {ln.key: data[f"score:{ln.key}"] for ln in lines}
    notes = dict(re.findall(r'name="note:([^"]+)" value="([^"]*)"', html))
    assert all(notes[ln.key] == data[f"note:{ln.key}"] for ln in lines)
    wrong = re.findall(r'aria-invalid="true" aria-describedby="(e-\d+)"><span class="field-error" id="\1">([^<]+)</span>', html)
    assert [m for _, m in wrong] == ["“很好”不是数字"]
    assert "有 1 项抽评得分填写有误" in html
    assert not SpotScore.objects.exists()


def test_task_creation_keeps_every_entry_with_the_message_beside_the_wrong_one(world):
    c = client_for(world["bureau"])
    units = [str(u.pk) for u in world["task"].units.order_by("pk")]
    r = c.post("/b/new", {"title": "2024年度自评", "year": "2024", "profile": "national-2020", "deadline": "",
                          "units": units[:1]})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'value="2024年度自评"' in html and 'name="year" inputmode="numeric" value="2024"' in html
    assert '<option value="national-2020" selected>' in html
    assert re.search(rf'name="units" value="{units[0]}" checked', html)
    assert not re.search(rf'name="units" value="{units[1]}" checked', html)
    assert re.findall(r'<span class="field-error" id="e-(\w+)">([^<]+)</span>', html) == [("deadline", "请填写报送截止日期")]
    assert re.search(r'<input type="text" inputmode="numeric"[^>]* id="t-deadline" name="deadline" value=""[^>]* aria-invalid="true"', html)
    # a date the reader cannot read is refused beside the field and comes back as typed
    r = c.post("/b/new", {"title": "2024年度自评", "year": "2024", "profile": "national-2020", "deadline": "6月底",
                          "units": units[:1]})
    assert r.status_code == 400
    html = r.content.decode()
    assert re.findall(r'<span class="field-error" id="e-(\w+)">([^<]+)</span>', html) == [
        ("deadline", "读不出日期：请写成 2026-06-30、2026/6/30 或 2026年6月30日")]
    assert 'id="t-deadline" name="deadline" value="6月底"' in html
