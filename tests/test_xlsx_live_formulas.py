"""The workbook computes by its own formulas: inputs are changed, LibreOffice recalculates it, and
every formula cell shows what the engine computes for the same inputs (the example, a table with
不适用 indicators rescaled or at full marks, execution scored by bands with caps, a 附件5 table)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLE, FIXTURES
from openpyxl import load_workbook

from jixiao.core.engine import score_package
from jixiao.io import workbook_layout
from jixiao.io.canonical import read_package
from jixiao.io.readers import read_any
from jixiao.io.xlsx_reader import read_xlsx
from jixiao.render import pdf as pdfmod
from jixiao.render.api import render_package

VERIFIED = FIXTURES / "profiles" / "test-verified-2023.yaml"
CAPS = FIXTURES / "profiles" / "test-caps-2023.yaml"

# LibreOffice recalculates an .xlsx on loading only when told to (its default is "never")
_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.fixture(scope="module")
def soffice():
    found = pdfmod.find_soffice()
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def recalculated(soffice: str, src: Path, outdir: Path) -> Path:
    """`src` opened in LibreOffice headless, every formula recalculated, saved as .xlsx in `outdir`."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-calc-") as tmp:
        profile = Path(tmp) / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(src)],
                       capture_output=True, timeout=300, check=True, env={**os.environ, "HOME": tmp})
    out = outdir / src.name
    assert out.exists()
    return out


def cell_map(path: Path) -> list[tuple[str, str, str, str, str, str]]:
    wb = load_workbook(path, read_only=True)
    rows = [r[0] for r in wb[workbook_layout.MAP_SHEET].iter_rows(min_col=1, max_col=1, values_only=True)]
    wb.close()
    return workbook_layout.decode_map([r for r in rows[2:] if r])


def edited(src: Path, dst: Path, values: dict[str, object]) -> None:
    """A copy of the workbook with the cells of these package paths set (as a preparer types them)."""
    where = {e[0]: (e[1], e[2]) for e in cell_map(src)}
    wb = load_workbook(src)
    for path, value in values.items():
        sheet, cell = where[path]
        wb[sheet][cell] = value
    wb.save(dst)


def formula_cells(path: Path) -> set[tuple[str, str]]:
    wb = load_workbook(path)
    out = {(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row
           if isinstance(c.value, str) and c.value.startswith("=")}
    wb.close()
    return out


def compare(rendered: Path, recalced: Path, profile=None) -> tuple[int, list]:
    """Every mapped formula cell of the recalculated workbook against the engine's figure for the
    package imported from it; returns how many were compared and the differences."""
    pkg = read_xlsx(recalced)
    report = score_package(pkg, profile)
    wb = load_workbook(recalced, data_only=True)
    formulas = formula_cells(rendered)
    seen, bad = 0, []
    for path, sheet, cell, kind, role, extra in cell_map(rendered):
        if role != workbook_layout.DERIVED or not extra or (sheet, cell) not in formulas:
            continue
        key = json.loads(extra)["key"]
        c = report.find(key)
        shown = wb[sheet][cell].value
        seen += 1
        if c is None:
            bad.append((path, key, shown, None))
        elif c.text or kind == workbook_layout.TEXT:
            if str(shown or "") != c.text:
                bad.append((path, key, shown, c.text))
        elif not isinstance(shown, (int, float)) or abs(Decimal(repr(shown)) - c.standing) > Decimal("1e-6"):
            bad.append((path, key, shown, c.standing))
    # the 等次 beside each table's 总分 (a display formula, not a package value)
    for t in report.tables:
        total_cell = next(e for e in cell_map(rendered) if e[0] == f"{t.key}.total")
        sheet, cell = total_cell[1], total_cell[2]
        col, row = cell.rstrip("0123456789"), cell[len(cell.rstrip("0123456789")):]
        grade_cell = f"{chr(ord(col) + 1)}{row}"
        seen += 1
        if wb[sheet][grade_cell].value != f"等次：{t.grade.text}":
            bad.append((f"{t.key}.grade", sheet, wb[sheet][grade_cell].value, t.grade.text))
    wb.close()
    return seen, bad


def _paths(rendered: Path) -> dict[str, tuple[str, str, str, str]]:
    return {e[0]: (e[1], e[2], e[3], e[4]) for e in cell_map(rendered)}


def test_example_inputs_changed_offline_every_formula_follows(soffice, tmp_path):
    """The example (xiangxi-2022: indicator scores are the unit's judgement): one indicator's 实际完成值
    and one judged 得分 changed, one 全年执行数 changed — totals, 执行率, 总分 and 等次 follow."""
    out = render_package(read_any(EXAMPLE), tmp_path / "r", charts=False)
    where = _paths(out.xlsx)
    assert where["overall.indicators[0].score"][3] == workbook_layout.INPUT  # judged: the unit's to enter
    edited(out.xlsx, tmp_path / "e.xlsx", {
        "overall.indicators[1].actual": "上报信息80条",
        "overall.indicators[0].score": 2,  # from 8: 总分 drops by 6
        "overall.funds[3].executed": 800,  # a part of 年度资金总额
    })
    recalced = recalculated(soffice, tmp_path / "e.xlsx", tmp_path / "calc")
    seen, bad = compare(out.xlsx, recalced)
    assert seen > 40 and not bad, bad
    # and `jixiao score` on the same change to the canonical package (the indicator's figures; a part of
    # 年度资金总额 changed there leaves the stated total, which the audit then questions)
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["overall"]["indicators"][1]["actual"] = "上报信息80条"
    doc["overall"]["indicators"][0]["score"] = 2
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    engine = score_package(read_package(changed)).table("overall")
    wb = load_workbook(recalced, data_only=True)
    sheet, cell, _, _ = where["overall.total"]
    assert abs(Decimal(repr(wb[sheet][cell].value)) - engine.total.value) < Decimal("1e-6")
    assert engine.total.value == score_package(read_any(EXAMPLE)).table("overall").total.value - 6
    grade = wb[sheet][f"{chr(ord(cell[0]) + 1)}{cell[1:]}"].value
    assert grade == f"等次：{engine.grade.text}"


def _verified_example(tmp_path: Path) -> Path:
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["profile"] = str(VERIFIED)
    path = tmp_path / "verified.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_ruled_indicator_score_follows_its_actual(soffice, tmp_path):
    """With the rules verified the indicator scores are formulas: 实际完成值 ≥300批次 → 150批次 halves
    the score; 总分 and 等次 follow, equal to the engine on the same change."""
    src = _verified_example(tmp_path)
    out = render_package(read_any(src), tmp_path / "r", charts=False)
    where = _paths(out.xlsx)
    pkg = read_any(src)
    k = next(i for i, ind in enumerate(pkg.projects[0].indicators) if ind.target.raw.startswith("≥300"))
    path = f"projects[0].indicators[{k}]"
    assert where[f"{path}.score"][3] == workbook_layout.DERIVED and where[f"{path}.actual"][2] == workbook_layout.FIGURE
    edited(out.xlsx, tmp_path / "e.xlsx", {f"{path}.actual": 150})
    recalced = recalculated(soffice, tmp_path / "e.xlsx", tmp_path / "calc")
    seen, bad = compare(out.xlsx, recalced)
    assert seen > 40 and not bad, bad
    back = read_xlsx(recalced).projects[0].indicators[k]
    assert back.actual.raw == "150批次"
    wb = load_workbook(recalced, data_only=True)
    sheet, cell, _, _ = where[f"{path}.score"]
    assert wb[sheet][cell].value == pytest.approx(float(pkg.projects[0].indicators[k].weight) / 2)


@pytest.mark.parametrize("fixture", ["项目_不适用指标折算.yaml", "整体_不适用指标按满分.yaml"])
def test_not_applicable_indicators_rescaled_or_full_marks(soffice, tmp_path, fixture):
    src = FIXTURES / "core" / fixture
    doc = yaml.safe_load(src.read_text(encoding="utf-8"))
    doc["profile"] = str(VERIFIED)
    path = tmp_path / fixture
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = render_package(read_any(path), tmp_path / "r", charts=False)
    table = "projects[0]" if "projects" in doc else "overall"
    edited(out.xlsx, tmp_path / "e.xlsx", {f"{table}.indicators[0].actual": 50 if table == "overall" else 60})
    recalced = recalculated(soffice, tmp_path / "e.xlsx", tmp_path / "calc")
    seen, bad = compare(out.xlsx, recalced)
    assert seen >= 6 and not bad, bad


def test_banded_execution_score_and_caps(soffice, tmp_path):
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["profile"] = str(CAPS)
    path = tmp_path / "caps.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = render_package(read_any(path), tmp_path / "r", charts=False)
    where = _paths(out.xlsx)
    # a project's execution: raise 全年执行数 into the 80–95% band
    pkg = read_any(path)
    annual = pkg.projects[1].fund("total").annual
    i = next(j for j, f in enumerate(pkg.projects[1].funds) if f.key == "appropriation")
    edited(out.xlsx, tmp_path / "e.xlsx", {f"projects[1].funds[{i}].executed": float(annual * Decimal("0.9"))})
    recalced = recalculated(soffice, tmp_path / "e.xlsx", tmp_path / "calc")
    seen, bad = compare(out.xlsx, recalced)
    assert seen > 40 and not bad, bad
    assert where["projects[1].funds[0].score"][3] in (workbook_layout.INPUT, workbook_layout.DERIVED)


def test_fund_type_annex_table(soffice, tmp_path):
    doc = yaml.safe_load((FIXTURES / "core" / "项目_不适用指标折算.yaml").read_text(encoding="utf-8"))
    doc["profile"] = str(VERIFIED)
    table = doc.pop("projects")[0]
    table["form_label"] = "政府性基金预算支出绩效自评表"
    doc["fund_types"] = [{"kind": "gov_fund", "has_spending": True, "tables": [table]}]
    path = tmp_path / "fund.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = render_package(read_any(path), tmp_path / "r", charts=False)
    where = _paths(out.xlsx)
    assert where["fund_types[0].tables[0].total"][0].startswith("附件5")
    edited(out.xlsx, tmp_path / "e.xlsx", {"fund_types[0].tables[0].indicators[1].actual": 0.8})
    recalced = recalculated(soffice, tmp_path / "e.xlsx", tmp_path / "calc")
    seen, bad = compare(out.xlsx, recalced)
    assert seen >= 6 and not bad, bad


def test_workbook_is_the_forms_with_no_machine_ids(tmp_path):
    """Each self-evaluation sheet is the form: its title, the indicator header row repeated on every
    printed page, print area over the form's nine columns, rows as tall as their text; no visible
    cell holds a machine id, and the profile is not offered for choosing."""
    out = render_package(read_any(EXAMPLE), tmp_path, charts=False)
    wb = load_workbook(out.xlsx)
    visible = [ws for ws in wb if ws.sheet_state == "visible"]
    assert {"封面", "附件2", "附件3", "七、综合评价"} <= {ws.title for ws in visible}
    ids = {"goal_reasonableness", "staff_control_rate", "general_budget", "appropriation", "total"}
    for ws in visible:
        for row in ws.iter_rows():
            for c in row:
                assert not (isinstance(c.value, str) and c.value in ids), (ws.title, c.coordinate, c.value)
                assert not (isinstance(c.value, str) and c.value == "评分方案"), (ws.title, c.coordinate)
    ws = wb["附件3"]
    assert ws["A1"].value == "州级预算部门整体支出绩效自评表"
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 4).value == "三级指标")
    assert ws.print_title_rows.replace("$", "") == f"{header}:{header}"
    assert ws.print_area.replace("$", "").split("!")[-1].startswith("A1:I")  # the form's nine columns
    where = _paths(out.xlsx)
    long_row = int(where["overall.indicators[2].actual"][1][1:])  # 服务在京领导和人士160余人次；州级以上…
    assert ws.row_dimensions[long_row].height and ws.row_dimensions[long_row].height > 30
    # §七: each input of an item in a labelled cell of its own
    sheet, cell, kind, role = where["narrative.framework[2].inputs.在职人员数"]
    fw = wb[sheet]
    label = fw.cell(fw[cell].row, fw[cell].column - 1).value
    assert label == "在职人员数" and kind == workbook_layout.SIGNED and role == workbook_layout.INPUT and fw[cell].value == 9


def test_framework_points_by_verified_rules(soffice, tmp_path):
    """§七 with its point rules taken as verified (a copy of xiangxi-2022 saying so): the rate and the
    points are formulas; more staff than posts (在职人员数 9 → 20 of 17) costs points by the rule, and
    the table's 合计 and 评价等级 follow, as the engine computes them."""
    from jixiao.core.profiles import PROFILE_DIR as PROFILES_DIR

    doc = yaml.safe_load((PROFILES_DIR / "xiangxi-2022.yaml").read_text(encoding="utf-8"))
    doc["id"] = "test-xiangxi-framework-verified"
    doc["extends"] = str(PROFILES_DIR / "national-2020.yaml")
    doc["parameters"]["framework"]["verified"] = True
    prof = tmp_path / "test-xiangxi-framework-verified.yaml"
    prof.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    pkg_doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    pkg_doc["profile"] = str(prof)
    src = tmp_path / "framework.yaml"
    src.write_text(yaml.safe_dump(pkg_doc, allow_unicode=True), encoding="utf-8")
    out = render_package(read_any(src), tmp_path / "r", charts=False)
    where = _paths(out.xlsx)
    pkg = read_any(src)
    i = next(k for k, item in enumerate(pkg.narrative.framework) if item.id == "staff_control_rate")
    assert where[f"narrative.framework[{i}].score"][3] == workbook_layout.DERIVED
    edited(out.xlsx, tmp_path / "e.xlsx", {f"narrative.framework[{i}].inputs.在职人员数": 20})
    recalced = recalculated(soffice, tmp_path / "e.xlsx", tmp_path / "calc")
    seen, bad = compare(out.xlsx, recalced)
    assert not bad, bad
    wb = load_workbook(recalced, data_only=True)
    sheet, cell, _, _ = where[f"narrative.framework[{i}].score"]
    assert wb[sheet][cell].value < float(pkg.narrative.framework[i].weight)  # 117.6% > 100%: points off


def test_judged_scores_are_inputs_validated_to_the_range_their_rule_allows(tmp_path):
    out = render_package(read_any(EXAMPLE), tmp_path, charts=False)
    where = _paths(out.xlsx)
    report = score_package(read_any(EXAMPLE))
    wb = load_workbook(out.xlsx)
    checked = 0
    for t in report.tables:
        for i, c in enumerate(t.indicator_scores):
            if not c.judged or c.allowed is None:
                continue
            sheet, cell, _, role = where[f"{t.key}.indicators[{i}].score"]
            ws = wb[sheet]
            assert role == workbook_layout.INPUT and not ws[cell].protection.locked
            dv = next(dv for dv in ws.data_validations.dataValidation if cell in dv.sqref)
            assert dv.type == "decimal" and dv.operator in (None, "between")  # "between" is the default
            assert (Decimal(dv.formula1), Decimal(dv.formula2)) == tuple(Decimal(str(float(v))) for v in c.allowed)
            checked += 1
    assert checked > 20


def test_workbook_prints_each_form_one_page_wide_on_a4(soffice, tmp_path):
    """Printed by LibreOffice, every page is A4 and 附件3 prints its nine columns on each page."""
    pdfplumber = pytest.importorskip("pdfplumber")
    out = render_package(read_any(EXAMPLE), tmp_path / "r", charts=False)
    with tempfile.TemporaryDirectory(prefix="jixiao-print-") as tmp:
        profile = Path(tmp) / "profile"
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(out.xlsx)],
                       capture_output=True, timeout=300, check=True, env={**os.environ, "HOME": tmp})
    pdf_path = tmp_path / (out.xlsx.stem + ".pdf")
    with pdfplumber.open(pdf_path) as pdf:
        sizes = {tuple(sorted((round(p.width), round(p.height)))) for p in pdf.pages}
        texts = [(p.extract_text() or "").replace(" ", "").replace("\n", "") for p in pdf.pages]
    assert sizes == {(595, 842)}
    form_pages = [t for t in texts if "三级指标" in t and "年度指标值" in t]
    assert len(form_pages) >= 6
    # the first and the last of the form's columns on every page of it (headers wrap, so their first words)
    assert all("偏差原因" in t and "绩效" in t and "得分" in t for t in form_pages)
