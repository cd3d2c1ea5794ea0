"""Spare indicator rows in the rendered workbook: a preparer adds indicators offline, import reads them."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jixiao.core.engine import score_package
from jixiao.io import workbook_layout
from jixiao.io.canonical import PackageError, package_to_dict
from jixiao.io.readers import read_any
from jixiao.io.xlsx_reader import read_xlsx
from jixiao.render.api import render_package

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return render_package(read_any(EXAMPLE), tmp_path_factory.mktemp("spare"), charts=False)


def _map(path: Path) -> dict[str, tuple[str, str]]:
    wb = load_workbook(path, read_only=True)
    rows = [r[0] for r in wb[workbook_layout.MAP_SHEET].iter_rows(min_col=1, max_col=1, values_only=True)]
    wb.close()
    return {e[0]: (e[1], e[2]) for e in workbook_layout.decode_map([r for r in rows[2:] if r])}


def _fill(src: Path, dst: Path, values: dict[str, object]) -> dict[str, str]:
    """Copy the workbook, set each mapped path's cell with openpyxl (the map sheet is kept); → path: address."""
    shutil.copyfile(src, dst)
    where = _map(src)
    wb = load_workbook(dst)
    out = {}
    for path, value in values.items():
        sheet, cell = where[path]
        wb[sheet][cell] = value
        out[path] = f"{sheet}!{cell}"
    wb.save(dst)
    return out


SPARE = "projects[0].spare_indicators"


def test_spare_rows_are_unlocked_validated_and_in_the_total_formula(rendered):
    where = _map(rendered.xlsx)
    sheet, name_cell = where[f"{SPARE}[0].name"]
    assert sheet.startswith("附件4-")
    assert all(f"{SPARE}[{j}].weight" in where for j in range(workbook_layout.SPARE_ROWS))
    assert "overall.spare_indicators[0].name" in where
    assert not any(p.startswith("cover.spare") for p in where)  # the cover restates 附件3; no spare rows there
    wb = load_workbook(rendered.xlsx)
    ws = wb[sheet]
    for f in ("level1", "level2", "name", "target", "actual", "weight", "score", "reason", "tier"):
        cell = ws[where[f"{SPARE}[{workbook_layout.SPARE_ROWS - 1}].{f}"][1]]
        assert cell.value is None and not cell.protection.locked, f
    dv_of = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                for c in row:
                    dv_of[c.coordinate] = dv
    level1 = dv_of[where[f"{SPARE}[0].level1"][1]]
    assert level1.type == "list" and "产出指标" in level1.formula1 and "满意度指标" in level1.formula1
    assert "社会效益指标" in dv_of[where[f"{SPARE}[0].level2"][1]].formula1
    assert dv_of[where[f"{SPARE}[0].weight"][1]].type == "decimal"
    assert dv_of[where[f"{SPARE}[0].score"][1]].type == "decimal"
    assert "部分达成" in dv_of[where[f"{SPARE}[0].tier"][1]].formula1
    last_score = where[f"{SPARE}[{workbook_layout.SPARE_ROWS - 1}].score"][1]
    total = ws[where["projects[0].total"][1]].value
    # the 总分 formula adds the score column down to the last spare row (SUMIF over 是否适用, as the
    # engine adds the applicable indicators)
    assert isinstance(total, str) and total.startswith("=") and f":{last_score})" in total
    weight_total = ws[where["projects[0].total_weight"][1]].value
    assert f":{where[f'{SPARE}[{workbook_layout.SPARE_ROWS - 1}].weight'][1]})" in weight_total


def test_filled_spare_rows_become_indicators_and_are_scored(rendered, tmp_path):
    before = read_xlsx(rendered.xlsx).projects[0]
    n = len(before.indicators)
    filled = tmp_path / "filled.xlsx"
    _fill(rendered.xlsx, filled, {
        # row 0: quantitative, ≥100人次 with 80人次 done, 分值 10 → 80 ÷ 100 × 10 = 8
        f"{SPARE}[0].level1": "产出指标", f"{SPARE}[0].level2": "数量指标", f"{SPARE}[0].name": "培训人次",
        f"{SPARE}[0].target": "≥100人次", f"{SPARE}[0].actual": "80人次", f"{SPARE}[0].weight": 10,
        f"{SPARE}[0].reason": "下半年培训场地未落实",
        # row 1 left empty; row 2: qualitative, 部分达成 with a stated 得分 of 4.5 out of 5 (kept: not recomputable)
        f"{SPARE}[2].level1": "效益指标", f"{SPARE}[2].level2": "社会效益指标", f"{SPARE}[2].name": "群众反映",
        f"{SPARE}[2].target": "持续改善", f"{SPARE}[2].actual": "有所改善", f"{SPARE}[2].weight": "5",
        f"{SPARE}[2].score": 4.5, f"{SPARE}[2].tier": "部分达成",
    })
    t = read_xlsx(filled).projects[0]
    assert len(t.indicators) == n + 2
    assert [package_to_dict_ind(i) for i in t.indicators[:n]] == [package_to_dict_ind(i) for i in before.indicators]
    new = t.indicators[n]
    assert (new.level1, new.level2, new.name) == ("产出指标", "数量指标", "培训人次")
    assert (new.target.raw, new.actual.raw, new.weight) == ("≥100人次", "80人次", Decimal("10"))
    assert new.target.comparator == ">=" and new.target.value == Decimal("100") and new.target.unit == "人次"
    assert new.reason == "下半年培训场地未落实" and new.applicable
    # xiangxi-2022's quantitative rule is not verified: the score is the unit's to enter (judged); the
    # engine offers 8 as its reading and leaves the cell as the unit left it
    assert new.stated_score is None
    reading = score_package(read_xlsx(filled)).tables[1].indicator_scores[n]
    assert reading.value == Decimal("8") and reading.judged and reading.standing is None
    second = t.indicators[n + 1]
    assert (second.name, second.tier, second.weight, second.stated_score) == ("群众反映", "部分达成", Decimal("5"), Decimal("4.5"))
    # the total adds what stands: the example table's total + 4.5 (the unscored row counts nothing), 分值 + 10 + 5
    assert t.stated_total == before.stated_total + Decimal("4.5")
    assert t.stated_total_weight == before.stated_total_weight + Decimal("15")


def package_to_dict_ind(ind) -> tuple:
    return (ind.level1, ind.level2, ind.name, ind.target.raw, ind.actual.raw, ind.weight, ind.stated_score, ind.tier)


def test_bad_spare_rows_are_reported_by_address(rendered, tmp_path):
    bad = tmp_path / "bad.xlsx"
    where = _fill(rendered.xlsx, bad, {
        f"{SPARE}[0].level1": "产出指标", f"{SPARE}[0].name": "培训人次", f"{SPARE}[0].target": "≥100人次",
        f"{SPARE}[0].actual": "80人次", f"{SPARE}[0].weight": "十分",
        f"{SPARE}[1].level1": "产出指标", f"{SPARE}[1].name": "宣传场次", f"{SPARE}[1].target": "≥场次",
        f"{SPARE}[1].actual": "3场次", f"{SPARE}[1].weight": 5,
        f"{SPARE}[3].tier": "很好",
    })
    with pytest.raises(PackageError) as exc:
        read_xlsx(bad)
    problems = exc.value.problems

    def reported(path: str, text: str) -> bool:
        return any(p.startswith(where[path] + ": ") and text in p for p in problems)

    assert reported(f"{SPARE}[0].weight", "不是数字 '十分'"), problems
    assert reported(f"{SPARE}[1].target", "≥场次"), problems
    assert reported(f"{SPARE}[3].tier", "应为 达成、部分达成、未达成 之一"), problems
    assert all("spare_indicators" not in p for p in problems), problems


def test_empty_spare_rows_change_nothing(rendered, tmp_path):
    resaved = tmp_path / "resaved.xlsx"
    _fill(rendered.xlsx, resaved, {f"{SPARE}[1].name": "   ", "overall.spare_indicators[4].reason": ""})
    assert package_to_dict(read_xlsx(resaved)) == package_to_dict(read_xlsx(rendered.xlsx))
