"""The services every surface calls: keyword-only, one error type in Chinese, no user data kept."""

from __future__ import annotations

import pytest
from conftest import EXAMPLE

from jixiao import services
from jixiao.core.memo import cached_entries


def test_a_call_keeps_no_document_text_afterwards():
    pkg = services.read(path=EXAMPLE)
    result = services.audit(package=pkg)
    assert result.summary["errors"] > 0
    assert cached_entries() == 0  # the text caches the audit filled were emptied when it returned


def test_canonical_round_trip_through_the_services():
    pkg = services.read(path=EXAMPLE)
    again = services.from_canonical(data=services.to_canonical(package=pkg))
    assert services.to_canonical(package=again) == services.to_canonical(package=pkg)
    report = services.score(package=again)
    assert report.profile.id == "xiangxi-2022"  # resolved from the package's jurisdiction and year


def test_errors_are_one_type_with_a_chinese_message(tmp_path):
    with pytest.raises(services.ServiceError) as exc:
        services.read(path=tmp_path / "无此文件.docx")
    assert "文件不存在" in str(exc.value)
    with pytest.raises(services.ServiceError) as exc:
        services.from_canonical(data={"jixiao": 1, "year": "二〇二二"})
    assert exc.value.problems and all(isinstance(p, str) for p in exc.value.problems)
    with pytest.raises(services.ServiceError):
        services.score(package=services.read(path=EXAMPLE), profile_name="mars-2099")


def test_services_take_keywords_only():
    with pytest.raises(TypeError):
        services.read(EXAMPLE)  # type: ignore[misc]
