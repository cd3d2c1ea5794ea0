"""The canonical package file: the seed example loads, round-trips exactly, and every bad
input gets a message naming the path of the bad field."""

import pytest
from conftest import EXAMPLE, FIXTURES

from jixiao.cli import main
from jixiao.io.canonical import PackageError, package_to_dict, parse_package, read_package, write_package

BAD = FIXTURES / "core" / "bad"


def test_seed_example_loads_with_every_form():
    pkg = read_package(EXAMPLE)
    assert pkg.unit.name == "湘西自治州人民政府驻北京联络处"
    assert pkg.year == 2022 and pkg.profile == "xiangxi-2022"
    assert [p.name for p in pkg.projects] == ["公务接待拨款", "房屋购建经费", "运营维护及职能工作经费", "湘西大厦维修改造经费", "驻外招商引资经费"]
    assert len(pkg.overall.indicators) == 12
    assert pkg.overall.indicators[2].target.comparator == ">"
    assert pkg.overall.indicators[2].actual.candidates == 2  # 160余人次 and 486人次: ambiguous
    assert {d.kind for d in pkg.fund_types} == {"gov_fund", "state_capital", "social_insurance"}


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_round_trip_is_exact(tmp_path, suffix):
    pkg = read_package(EXAMPLE)
    out = tmp_path / f"again{suffix}"
    write_package(pkg, out)
    assert package_to_dict(read_package(out)) == package_to_dict(pkg)
    assert "3312.53" in out.read_text(encoding="utf-8")  # figures keep their printed digits


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("指标值不是数字", "projects[0].indicators[0].target: 不是有效的指标值 '≥三百场'"),
        ("金额不是数字", "projects[0].funds[0].annual: 不是数字：'一百万'"),
        ("缺少年度和单位", "year: 必填"),
        ("未知字段", "unit.名称: 未知的字段"),
        ("比率未写百分号", "overall.funds[0].rate: 比率应写成百分数"),
        ("不是映射", "顶层应为映射"),
        ("YAML语法错误", "格式错误"),
        ("评分方案不存在", "profile: mars-2099: 找不到评分方案"),
    ],
)
def test_bad_packages_name_the_field(name, fragment):
    with pytest.raises(PackageError) as err:
        read_package(BAD / f"{name}.yaml")
    assert fragment in str(err.value)


def test_all_problems_at_once():
    with pytest.raises(PackageError) as err:
        read_package(BAD / "缺少年度和单位.yaml")
    assert {"year: 必填：评价年度", "unit.name: 必填：单位名称"} <= set(err.value.problems)


def test_floats_never_enter(tmp_path):
    pkg = parse_package("jixiao: 1\nyear: 2023\nunit: {name: 甲}\nincome:\n  - {institution: 甲, total: 0.1, carryover: 0.1}\n")
    assert str(pkg.income[0].total) == "0.1"


@pytest.mark.parametrize("name", ["指标值不是数字", "YAML语法错误"])
def test_cli_exit_2_without_traceback(capsys, name):
    assert main(["score", str(BAD / f"{name}.yaml")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "无法读取数据包" in err


def test_cli_refuses_missing_and_unknown_files(capsys, tmp_path):
    assert main(["score", str(tmp_path / "nope.yaml")]) == 2
    (tmp_path / "x.key").write_bytes(b"PK")  # Apple Keynote: not a format bureaus receive
    assert main(["score", str(tmp_path / "x.key")]) == 2
    assert "不支持的文件类型" in capsys.readouterr().err
