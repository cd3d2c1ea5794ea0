"""No server path in any message about an uploaded file (issue 19, finding 10): the readers name the
private temporary copy they read; the person who uploaded it reads the file's own name."""

from __future__ import annotations

import tempfile

import pytest

from jixiao import services as S

CASES = [
    (b"PK\x03\x04 not really a zip", "我的自评表.xlsx"),
    (b"\xff\xfe\x00", "自评报告.yaml"),
    (b"jixiao: 1\nyear: [", "数据包.yaml"),
    (b"{\"jixiao\": 1, \"year\": ", "数据包.json"),
    (b"", "空文件.docx"),
]


@pytest.mark.parametrize("data, filename", CASES, ids=[c[1] for c in CASES])
def test_an_unreadable_upload_is_named_by_its_own_name(data, filename):
    with pytest.raises(S.ServiceError) as caught:
        S.read_upload(data=data, filename=filename)
    exc = caught.value
    everything = " ".join([str(exc), exc.message, *exc.problems])
    assert filename in everything
    assert tempfile.gettempdir() not in everything and "upload." not in everything and "/tmp" not in everything
