"""Typed entries read by the core's number parser, and field paths into the canonical dict."""

import pytest

from jixiao.web.drafts import fields


@pytest.mark.parametrize("kind,typed,stored", [
    (fields.AMOUNT, "1,066.75", "1066.75"),
    (fields.AMOUNT, "１２３．４", "123.4"),  # full-width digits
    (fields.AMOUNT, "1.2亿元", "12000.0"),  # converted to 万元
    (fields.AMOUNT, "-31.75", "-31.75"),
    (fields.PERCENT, "32.2%", "32.2%"),
    (fields.PERCENT, "32.2", "32.2%"),
    (fields.COUNT, "17", 17),
    (fields.DATE, "2023年6月6日", "2023-06-06"),
    (fields.TARGET, "≥300批次", "≥300批次"),
    (fields.SCORE, "9.5分", "9.5"),
    (fields.AMOUNT, "", None),
])
def test_entries_that_read(kind, typed, stored):
    entry = fields.read_entry(kind, typed)
    assert entry.ok and entry.value == stored


@pytest.mark.parametrize("kind,typed,word", [
    (fields.AMOUNT, "约三百", "不是数字"),
    (fields.AMOUNT, "12和13", "不是数字"),
    (fields.AMOUNT, "300人", "单位应为万元"),
    (fields.COUNT, "1.5", "整数"),
    (fields.PERCENT, "≥30%", "不是数字"),
    (fields.DATE, "明年", "日期"),
    (fields.TARGET, "≥三百批次", "读不出指标值"),
    (fields.SCORE, "-1", "不能为负"),
])
def test_entries_refused_with_a_chinese_message(kind, typed, word):
    entry = fields.read_entry(kind, typed)
    assert not entry.ok and word in entry.error


def test_paths_address_the_canonical_dict():
    doc = {"projects": [{"name": "甲", "indicators": [{"name": "乙", "actual": "1次"}]}]}
    changed = fields.put(doc, "projects[0].indicators[0].actual", "2次")
    assert fields.get(changed, "projects[0].indicators[0].actual") == "2次"
    assert fields.get(doc, "projects[0].indicators[0].actual") == "1次"  # the original is untouched
    assert fields.get(fields.put(doc, "projects[0].name", None), "projects[0].name") is None
    with pytest.raises(fields.PathError):
        fields.put(doc, "projects[3].name", "丙")  # rows are added by the structure operations only


def test_field_kinds_follow_the_form():
    assert fields.field_kind("projects[0].funds[1].executed") == fields.AMOUNT
    assert fields.field_kind("projects[0].indicators[2].target") == fields.TARGET
    assert fields.field_kind("projects[0].indicators[2].actual") == fields.TEXT
    assert fields.field_kind("projects[0].goal.actual") == fields.LONGTEXT
    assert fields.field_kind("staffing.actual") == fields.COUNT
    assert fields.field_kind("basic_data.staffing.control_rate") == fields.PERCENT
    assert fields.field_kind("narrative.tables.cost_control.lines[2].budget") == fields.AMOUNT
