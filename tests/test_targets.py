"""Approved performance targets (issue 20): the reader of the 一体化 export, the comparison of a
package's indicators with them (audit family `targets`), and `jixiao audit --targets`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from conftest import EXAMPLE
from openpyxl import Workbook

from jixiao import services
from jixiao.core.targets import approved
from jixiao.io.targets import TargetsError, read_targets

UNIT = "106005"
HEAD = ["年度", "预算编码", "单位名称", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]


def _csv(rows, head=HEAD, encoding="utf-8") -> bytes:
    lines = [",".join(head)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


ROWS = [
    [2022, UNIT, "湘西自治州人民政府驻北京联络处", "", "产出指标", "数量指标", "引进投资签约项目数", "≥5个", 8],
    [2022, UNIT, "", "公务接待拨款", "产出指标", "数量指标", "公务接待联络服务次数", "≥300批次", 10],
]


# --- the reader ----------------------------------------------------------------------------


def test_reads_csv_in_any_column_order_and_gb18030():
    head = list(reversed(HEAD))
    data = _csv([list(reversed(r)) for r in ROWS], head, "gb18030")
    read = read_targets("批复目标.csv", data)
    assert read.refused == []
    first = read.targets[0]
    assert (first.budget_code, first.project, first.name, first.value, first.weight, first.year) == (
        UNIT, "", "引进投资签约项目数", "≥5个", Decimal(8), 2022)
    assert first.whole_unit and first.direction == "≥" and first.figure == Decimal(5) and first.target.unit == "个"
    assert read.targets[1].project == "公务接待拨款" and read.targets[1].row == 3


def test_parses_the_value_direction_number_and_unit():
    def one(value):
        return approved(UNIT, "", "产出指标", "质量指标", "x", value)
    assert (one("≤95%").direction, one("≤95%").figure, one("≤95%").target.unit) == ("≤", Decimal("0.95"), "%")
    assert one("＞100条").direction == "≥"
    assert one("=100%").direction == "="
    assert one("不断提升").direction == "定性" and one("不断提升").figure is None


def test_reads_xlsx_with_a_title_row_above_the_header():
    wb = Workbook()
    ws = wb.active
    ws.append(["2022年度批复绩效目标（一体化导出）"])
    ws.append(["三级指标", "指标值", "预算编码", "项目", "一级指标", "二级指标", "分值（分）"])
    ws.append(["接待人次", "≥1400人次", UNIT, "公务接待拨款", "产出指标", "数量指标", 10.0])
    buf = io.BytesIO()
    wb.save(buf)
    read = read_targets("批复目标.xlsx", buf.getvalue())
    assert [(t.name, t.value, t.weight, t.row) for t in read.targets] == [("接待人次", "≥1400人次", Decimal(10), 3)]


def test_bad_rows_are_refused_each_with_its_reason_never_dropped():
    rows = ROWS + [
        [2022, "", "", "", "产出指标", "数量指标", "无编码", "≥1个", 5],
        [2022, UNIT, "", "", "产出指标", "数量指标", "", "≥1个", 5],
        [2022, UNIT, "", "", "产出指标", "数量指标", "坏分值", "≥1个", "十分"],
        ["二〇二二", UNIT, "", "", "产出指标", "数量指标", "坏年度", "≥1个", 5],
        [2022, UNIT, "", "", "产出指标", "数量指标", "坏指标值", "≥若干", 5],
        ROWS[0],
    ]
    read = read_targets("批复目标.csv", _csv(rows))
    assert len(read.targets) == 2 and read.rows == 8
    assert read.refused == [
        "第4行：缺少预算编码", "第5行：缺少三级指标（指标名称）", "第6行：分值“十分”不是非负的数字",
        "第7行：年度“二〇二二”应为四位年份", "第8行：指标值“≥若干”有比较符号却没有可读的数字",
        "第9行：与第2行重复（同一预算编码、项目、年度和指标）"]


@pytest.mark.parametrize("name,data,message", [
    ("批复目标.pdf", b"x", "批复目标请用一体化系统导出的 .csv 或 .xlsx 文件"),
    ("批复目标.csv", b"", "批复目标文件是空的"),
    ("批复目标.csv", "预算编码,项目\n1,2\n".encode(), "批复目标文件缺少列：三级指标、指标值"),
    ("批复目标.csv", "甲,乙\n1,2\n".encode(), "没有找到批复目标的表头：前10行中没有“预算编码”或“三级指标”一列"),
    ("批复目标.csv", _csv([]), "文件中只有表头，没有批复目标"),
    ("批复目标.xlsx", b"PK\x03\x04 broken", None),
])
def test_unreadable_files_raise_with_a_chinese_message(name, data, message):
    with pytest.raises(TargetsError) as exc:
        read_targets(name, data)
    if message:
        assert exc.value.message == message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


# --- the comparison --------------------------------------------------------------------------


def _findings(rows, doc_changes=None):
    pkg = services.read(path=EXAMPLE)
    targets = read_targets("t.csv", _csv(rows)).targets
    return services.compare_targets(package=pkg, targets=targets)


def _by_rule(findings):
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.rule, []).append(f)
    return out


def test_the_example_against_targets_as_approved_finds_nothing_but_the_unapproved():
    # the example's own 附件3 row and a project row, as the package states them
    rows = [[2022, UNIT, "", "部门整体", "产出指标", "数量指标", "引进投资签约项目数", "≥5个", 8],
            [2022, UNIT, "", "公务接待拨款", "满意度指标", "服务对象满意度指标",
             "社会公众或部门的服务对象对项目实施效果的满意程度", "≥95%", 10]]
    rules = _by_rule(_findings(rows))
    assert "targets.direction" not in rules and "targets.value" not in rules and "targets.weight" not in rules
    assert "targets.missing" not in rules
    # every other reported indicator of the two tables is reported as not approved
    added = [f for f in rules["targets.added"] if f.severity == "warning"]
    assert len(added) == 11 + 8
    assert all(f.location.path.endswith(".name") for f in added)


def test_lowered_turned_and_changed_targets_and_weights():
    rows = [
        [2022, UNIT, "", "", "产出指标", "数量指标", "引进投资签约项目数", "≥6个", 8],  # reported ≥5个: lowered
        [2022, UNIT, "", "", "效益指标", "社会效益指标", "公共服务联络情况", "≤95%", 6],  # reported ＞95%: turned
        [2022, UNIT, "", "", "产出指标", "数量指标", "劳务协作", "岗位信息＞80条", 6],  # reported ＞100条: raised
        [2022, UNIT, "", "", "满意度指标", "服务对象满意度指标", "社会公众满意度", "95%", 12],  # 分值 10 reported
        [2022, UNIT, "", "", "产出指标", "数量指标", "批复但未填报的指标", "≥1项", 5],
        [2022, UNIT, "", "未申报的项目", "产出指标", "数量指标", "甲", "≥1个", 10],
    ]
    rules = _by_rule(_findings(rows))
    eased = {f.location.row: f for f in rules["targets.direction"]}
    assert set(eased) == {"引进投资签约项目数", "公共服务联络情况"}
    lowered = eased["引进投资签约项目数"]
    assert lowered.severity == "error" and "目标值调低" in lowered.message
    assert (lowered.stated, lowered.expected) == ("≥5个", "≥6个")
    assert lowered.location.form == "附件3" and lowered.location.path == "overall.indicators[0].target"
    assert "方向由“≤”改为“≥”" in eased["公共服务联络情况"].message
    changed = rules["targets.value"]
    assert [f.location.row for f in changed] == ["劳务协作"] and changed[0].severity == "warning"
    weight = rules["targets.weight"]
    assert [(f.location.row, f.stated, f.expected) for f in weight] == [("社会公众满意度", "10.00", "12.00")]
    assert weight[0].location.path == "overall.indicators[11].weight"
    missing = {f.message for f in rules["targets.missing"]}
    assert any("批复但未填报的指标" in m for m in missing)
    assert any("“未申报的项目”批复了1项绩效目标" in m and "没有它的自评表" in m for m in missing)


def test_targets_of_another_unit_or_year_are_not_compared_and_say_so():
    other = [[2022, "999999", "", "", "产出指标", "数量指标", "引进投资签约项目数", "≥9个", 8],
             [2022, UNIT + "X", "", "", "产出指标", "数量指标", "引进投资签约项目数", "≥9个", 8]]
    pkg = services.read(path=EXAMPLE)
    result = services.audit(package=pkg)
    assert not [f for f in result.findings if f.rule.startswith("targets.")]  # no targets: nothing said
    from jixiao.audit.service import audit_package
    file_targets = read_targets("t.csv", _csv(other)).targets
    found = [f for f in audit_package(pkg, "x", options={"targets": file_targets}).findings if f.rule.startswith("targets.")]
    assert [(f.rule, f.severity) for f in found] == [("targets.missing", "info")]
    assert "预算编码为“106005”的单位" in found[0].message
    older = [[2021, UNIT, "", "", "产出指标", "数量指标", "引进投资签约项目数", "≥9个", 8]]
    assert not [f for f in _findings(older) if f.severity != "info"]


def test_the_web_audit_takes_its_units_targets_whatever_the_code_in_the_draft():
    pkg = services.read(path=EXAMPLE)
    pkg.unit.budget_code = ""
    targets = read_targets("t.csv", _csv([[2022, UNIT, "", "", "产出指标", "数量指标", "引进投资签约项目数", "≥7个", 8]])).targets
    result = services.audit(package=pkg, targets=targets)
    assert [f.rule for f in result.findings if f.rule == "targets.direction"] == ["targets.direction"]


# --- the command line ---------------------------------------------------------------------------


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], capture_output=True, text=True, timeout=300)


def test_cli_audit_with_targets(tmp_path):
    path = tmp_path / "批复目标.csv"
    path.write_bytes(_csv([[2022, UNIT, "", "", "产出指标", "数量指标", "引进投资签约项目数", "≥6个", 8]]))
    done = _cli("audit", str(EXAMPLE), "--targets", str(path), "--format", "json", "-q")
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["documents"][0]["findings"]
    eased = [f for f in findings if f["rule"] == "targets.direction"]
    assert len(eased) == 1 and eased[0]["location"]["row"] == "引进投资签约项目数"


def test_cli_refuses_a_bad_targets_file_with_exit_2(tmp_path):
    bad = tmp_path / "批复目标.csv"
    bad.write_bytes(_csv([[2022, "", "", "", "产出指标", "数量指标", "x", "≥1个", 5]]))
    done = _cli("audit", str(EXAMPLE), "--targets", str(bad), "-q")
    assert done.returncode == 2
    assert "第2行：缺少预算编码" in done.stderr and "Traceback" not in done.stderr
    missing = _cli("audit", str(EXAMPLE), "--targets", str(tmp_path / "无.csv"), "-q")
    assert missing.returncode == 2 and "无法打开批复目标文件" in missing.stderr
