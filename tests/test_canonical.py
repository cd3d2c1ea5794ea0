"""The canonical package file: the seed example loads, round-trips exactly, and every bad
input gets a message naming the path of the bad field."""

from decimal import Decimal as D

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


def _finding_keys(findings):
    """What a finding says and where, without the reader's line and printed text (the canonical
    format carries no sources; the evidence quotes the printed text)."""
    return sorted((f.rule, f.severity, f.message, f.stated, f.expected, f.location.form, f.location.row,
                   f.location.column, f.location.path) for f in findings)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_figures_in_label_cells_survive_the_canonical_file(tmp_path, suffix):
    """A group's sum in its sub-heading ("按收入性质分:120.5") and a total written in its label cell
    ("合计：110万元"), their column unknown: written to the canonical file and read back, the package
    is the same and so are the findings — the wrong group sum's and the wrong total's funds.identity
    errors included."""
    from test_families import _DASH, _overall_form

    from jixiao.audit.service import audit_package, audit_path
    from jixiao.io.readers import read_any

    path = _overall_form(tmp_path, [
        ["", "合计：110万元", "", "", "", "10", "74.69%", "7.47"],
        ["", "按收入性质分:120.5", "", "", "", *_DASH],
        ["", "一般公共预算", "80", "100.5", "80", *_DASH],
        ["", "其他资金", "20", "20", "10", *_DASH],
        ["", "按支出性质分：95", "", "", "", *_DASH],
        ["", "基本支出", "70", "80", "70", *_DASH],
        ["", "项目支出", "30", "40.5", "20", *_DASH],
    ])
    pkg = read_any(path)
    pkg.unit.name = "某县某局"  # the form's 部门名称 is not read into the unit; a package file requires it
    total, (by_income, by_expense) = pkg.overall.fund("total"), pkg.overall.group_sums
    assert (total.inline, by_income.inline, by_expense.inline) == (D("110"), D("120.5"), D("95"))
    out = tmp_path / f"x{suffix}"
    write_package(pkg, out)
    if suffix == ".json":
        assert '"inline": "120.5"' in out.read_text(encoding="utf-8")  # amounts as exact strings
    back = read_package(out)
    assert package_to_dict(back) == package_to_dict(pkg)
    for a, b in zip([pkg.overall.fund("total"), *pkg.overall.group_sums],
                    [back.overall.fund("total"), *back.overall.group_sums], strict=True):
        assert (a.key, a.label, a.initial, a.annual, a.executed, a.inline) == (
            b.key, b.label, b.initial, b.annual, b.executed, b.inline)

    before, after = audit_package(pkg, str(path)).findings, audit_path(out).findings
    identity = [f for f in after if f.rule == "funds.identity"]
    assert sorted((f.location.row, f.location.column, f.location.path) for f in identity) == [
        ("合计", "年初预算数", "overall.funds[0].initial"), ("合计", "年初预算数", "overall.funds[0].initial"),
        ("按支出性质分", "年初预算数", "overall.group_sums[1].initial")]  # 110 and 95 ≠ 100; 120.5 agrees with 全年预算数
    assert all(f.severity == "error" and "均不符" in f.evidence for f in identity)
    # forms.missing and the cover's required fields come from what a document reader recognised
    # (Package.forms_found, families), which a package file does not carry.
    by_reader = {"forms.missing", "text.required_empty"}
    assert _finding_keys(f for f in after if f.rule not in by_reader) == _finding_keys(
        f for f in before if f.rule not in by_reader)


@pytest.mark.parametrize("funds, group_sums, problem", [
    ("[{key: total, initial: 1, inline: 2}]", "[]",
     "overall.funds[0].inline: 未注明列的数额只在 initial、annual、executed 均未填写时使用"),
    ("[]", "[{key: basic, label: 按支出性质分, inline: 二十}]", "overall.group_sums[0].inline: 不是数字：'二十'"),
    ("[]", "[{key: income, label: 按收入性质分, inline: 2}]", "overall.group_sums[0].key: 未知的资金行"),
    ("[]", "[{key: basic, inline: 2}]", "overall.group_sums[0].label: 必填"),
    ("[]", "[{key: basic, label: 按支出性质分}]", "overall.group_sums[0]: 分组合计须至少写一个数额"),
    ("[]", "[{key: basic, label: 按支出性质分, inline: 2}, {key: basic, label: 按支出性质分, annual: 3}]",
     "overall.group_sums[1].key: 分组 basic 的合计已在前面写过"),
    ("[]", "[{key: basic, label: 按支出性质分, inline: 2, weight: 1}]", "overall.group_sums[0].weight: 未知的字段"),
    ("[]", "{key: basic}", "overall.group_sums: 应为列表"),
])
def test_bad_figures_in_label_cells_name_the_field(funds, group_sums, problem):
    text = f"jixiao: 1\nyear: 2023\nunit: {{name: 甲}}\noverall:\n  funds: {funds}\n  group_sums: {group_sums}\n"
    with pytest.raises(PackageError) as err:
        parse_package(text)
    assert any(p.startswith(problem) for p in err.value.problems), err.value.problems
