"""One .csv decoder (jixiao.io.csv_text) for the three .csv readers: the 一体化 execution figures, the
approved targets and a task's unit list accept the same encodings and refuse the same bytes in the
same Chinese words, each with its own kind of refusal (a 4xx, never a traceback)."""

from __future__ import annotations

import pytest

from jixiao.io.csv_text import UNKNOWN_ENCODING, CsvEncodingError, decode_csv
from jixiao.io.targets import TargetsError, read_targets
from jixiao.web.review.imports import ImportProblems, read_execution_file
from jixiao.web.review.services import read_unit_list
from jixiao.web.versions import ActionError

TEXT = "预算编码,单位名称,项目,全年预算数,全年执行数\n301001,某县林业局,造林补助,200,180\n"
NEITHER = b"\xff\xfe\xfd\n"  # 0xFF starts no character in UTF-8 nor in GB18030


@pytest.mark.parametrize("data", [TEXT.encode("utf-8"), TEXT.encode("utf-8-sig"), TEXT.encode("gb18030")],
                         ids=["utf-8", "utf-8 with BOM", "gb18030"])
def test_the_decoder_reads_utf8_with_or_without_bom_and_gb18030(data):
    assert decode_csv(data) == TEXT


def test_the_decoder_refuses_other_bytes_in_chinese():
    with pytest.raises(CsvEncodingError) as caught:
        decode_csv(NEITHER)
    assert caught.value.message == UNKNOWN_ENCODING == "无法识别 .csv 文件的编码（请用 UTF-8 或 GB18030）"


def test_every_csv_reader_reads_a_gb18030_file():
    assert [r.project for r in read_execution_file("执行.csv", TEXT.encode("gb18030"))] == ["造林补助"]
    assert read_unit_list("单位.csv", TEXT.encode("gb18030")) == [("301001", "某县林业局", "")]
    targets = "预算编码,单位名称,三级指标,指标值,分值\n301001,某县林业局,造林面积,≥1000亩,50\n"
    assert [t.name for t in read_targets("目标.csv", targets.encode("gb18030")).targets] == ["造林面积"]


@pytest.mark.parametrize(("read", "refusal", "status"), [
    (read_execution_file, ImportProblems, 400),
    (read_unit_list, ActionError, 400),
    (read_targets, TargetsError, None),
], ids=["execution", "unit list", "targets"])
def test_every_csv_reader_refuses_an_unknown_encoding_with_the_same_words(read, refusal, status):
    with pytest.raises(refusal) as caught:
        read("文件.csv", NEITHER)
    assert caught.value.message == UNKNOWN_ENCODING
    assert getattr(caught.value, "status", None) == status
