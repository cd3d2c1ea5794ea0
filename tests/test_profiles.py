"""Profiles: both shipped ones load; bad ones are rejected naming the file, the key and the reason."""

from decimal import Decimal as D

import pytest

from jixiao.core.profiles import ProfileError, available_profiles, load_profile


def test_shipped_profiles_load_with_sources():
    assert {"national-2020", "xiangxi-2022"} <= set(available_profiles())
    nat = load_profile("national-2020")
    assert nat["execution_weight"] == D(10)
    assert nat["level1_weights"] == {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}
    assert [g["name"] for g in nat["grades"]] == ["优", "良", "中", "差"]
    for p in nat.parameters.values():
        assert p.source, p.name


def test_xiangxi_inherits_and_overrides():
    xx = load_profile("xiangxi-2022")
    assert xx.chain == ["national-2020@v1", "xiangxi-2022@v1"]
    assert [g["name"] for g in xx["grades"]][2] == "较差"  # the seed's notice names the third band so
    assert xx.parameters["grades"].defined_in == "xiangxi-2022"
    assert xx.parameters["execution_score"].defined_in == "national-2020"
    assert xx["deviation_threshold"] == D("0.30")
    assert sum(i["weight"] for i in xx["framework"]) == 100
    assert "未核实" in xx.ref("framework")


def _write(tmp_path, name, text):
    p = tmp_path / f"{name}.yaml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD_HEAD = """id: {id}
version: 1
extends: national-2020
sources: {{某文件: {{title: 某地评分办法}}}}
parameters:
"""


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("  grades: {value: [{min: 80, name: 良}, {min: 90, name: 优}], source: 某文件}", "从高到低"),
        ("  deviation_threshold: {value: 三成, source: 某文件}", "deviation_threshold.value: 应为百分数"),
        ("  execution_weight: {value: 20, source: 某文件}", "之和应为100"),
        ("  execution_weight: {value: 10}", "execution_weight.source: 每个参数都须注明来源"),
        ("  execution_weight: {value: 10, source: 无此文件}", "未在 sources 中列出"),
        ("  bonus_points: {value: 5, source: 某文件}", "bonus_points: 未知的参数"),
        ("  qualitative_tiers: {value: [{name: 达成, min: 80%, max: 100%}, {name: 未达成, min: 0%, max: 60%}], source: 某文件}", "不连续"),
        ("  execution_score: {value: {method: bands}, source: 某文件}", "须给出 bands"),
        ("  execution_score: {value: {method: 拍脑袋}, source: 某文件}", "应为 proportional_capped / bands"),
    ],
)
def test_bad_profiles_name_file_key_and_reason(tmp_path, body, fragment):
    path = _write(tmp_path, "bad-profile", GOOD_HEAD.format(id="bad-profile") + body + "\n")
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    text = str(err.value)
    assert "bad-profile.yaml" in text
    assert fragment in text


def test_profile_id_must_match_file_name(tmp_path):
    path = _write(tmp_path, "wrong-name", GOOD_HEAD.format(id="other") + "  execution_weight: {value: 10, source: 某文件}\n")
    with pytest.raises(ProfileError, match="应与文件名一致"):
        load_profile(path)


def test_all_problems_reported_at_once(tmp_path):
    body = "  deviation_threshold: {value: 三成, source: 某文件}\n  bonus_points: {value: 5, source: 某文件}\n"
    path = _write(tmp_path, "two-bad", GOOD_HEAD.format(id="two-bad") + body)
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert len(err.value.problems) == 2


def test_unknown_profile_lists_available():
    with pytest.raises(ProfileError, match="national-2020"):
        load_profile("mars-2099")
