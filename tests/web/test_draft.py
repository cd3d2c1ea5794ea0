"""Typed entries read by the core's number parser, and field paths into the canonical dict."""

import pytest

from jixiao.web import draft as D


@pytest.mark.parametrize("kind,typed,stored", [
    (D.AMOUNT, "1,066.75", "1066.75"),
    (D.AMOUNT, "１２３．４", "123.4"),  # full-width digits
    (D.AMOUNT, "1.2亿元", "12000.0"),  # converted to 万元
    (D.AMOUNT, "-31.75", "-31.75"),
    (D.PERCENT, "32.2%", "32.2%"),
    (D.PERCENT, "32.2", "32.2%"),
    (D.COUNT, "17", 17),
    (D.DATE, "2023年6月6日", "2023-06-06"),
    (D.TARGET, "≥300批次", "≥300批次"),
    (D.SCORE, "9.5分", "9.5"),
    (D.AMOUNT, "", None),
])
def test_entries_that_read(kind, typed, stored):
    entry = D.read_entry(kind, typed)
    assert entry.ok and entry.value == stored


@pytest.mark.parametrize("kind,typed,word", [
    (D.AMOUNT, "约三百", "不是数字"),
    (D.AMOUNT, "12和13", "不是数字"),
    (D.AMOUNT, "300人", "单位应为万元"),
    (D.COUNT, "1.5", "整数"),
    (D.PERCENT, "≥30%", "不是数字"),
    (D.DATE, "明年", "日期"),
    (D.TARGET, "≥三百批次", "读不出指标值"),
    (D.SCORE, "-1", "不能为负"),
])
def test_entries_refused_with_a_chinese_message(kind, typed, word):
    entry = D.read_entry(kind, typed)
    assert not entry.ok and word in entry.error


def test_paths_address_the_canonical_dict():
    doc = {"projects": [{"name": "甲", "indicators": [{"name": "乙", "actual": "1次"}]}]}
    changed = D.put(doc, "projects[0].indicators[0].actual", "2次")
    assert D.get(changed, "projects[0].indicators[0].actual") == "2次"
    assert D.get(doc, "projects[0].indicators[0].actual") == "1次"  # the original is untouched
    assert D.get(D.put(doc, "projects[0].name", None), "projects[0].name") is None
    with pytest.raises(D.PathError):
        D.put(doc, "projects[3].name", "丙")  # rows are added by the structure operations only


def test_field_kinds_follow_the_form():
    assert D.field_kind("projects[0].funds[1].executed") == D.AMOUNT
    assert D.field_kind("projects[0].indicators[2].target") == D.TARGET
    assert D.field_kind("projects[0].indicators[2].actual") == D.TEXT
    assert D.field_kind("projects[0].goal.actual") == D.LONGTEXT
    assert D.field_kind("staffing.actual") == D.COUNT
    assert D.field_kind("basic_data.staffing.control_rate") == D.PERCENT
    assert D.field_kind("narrative.tables.cost_control.lines[2].budget") == D.AMOUNT
