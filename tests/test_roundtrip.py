"""Round trips of our own formats on the example: package → .xlsx → package gives the same canonical
package, every field; a workbook edit changes only what was edited; .json and YAML exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from jixiao.cli import main
from jixiao.io import workbook_layout as K
from jixiao.io.canonical import PackageError, package_to_dict, read_package
from jixiao.io.readers import read_any
from jixiao.io.xlsx_reader import read_xlsx
from jixiao.render.api import render_package

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    return render_package(read_any(EXAMPLE), tmp_path_factory.mktemp("rt"), charts=False).xlsx


def cell_of(book: Path, path: str) -> tuple[str, str]:
    wb = load_workbook(book, read_only=True)
    rows = [r[0] for r in wb[K.MAP_SHEET].iter_rows(min_col=1, max_col=1, values_only=True)]
    wb.close()
    for entry in K.decode_map([r for r in rows[2:] if r]):
        if entry[0] == path and entry[4] == K.INPUT:
            return entry[1], entry[2]
    raise KeyError(path)


def edited(book: Path, out: Path, values: dict[str, object]) -> Path:
    """A copy of the workbook with the input cells of these paths set as a preparer would type them."""
    where = {p: cell_of(book, p) for p in values}
    wb = load_workbook(book)
    for path, value in values.items():
        sheet, cell = where[path]
        wb[sheet][cell] = value
    wb.save(out)
    return out


def flat(node, prefix: str = "") -> dict[str, object]:
    """The canonical dict as path → leaf, for a field-by-field comparison."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            out.update(flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(node, list):
        out = {}
        for i, v in enumerate(node):
            out.update(flat(v, f"{prefix}[{i}]"))
        return out
    return {prefix: node}


def changed(a: dict, b: dict) -> dict[str, tuple]:
    fa, fb = flat(a), flat(b)
    return {p: (fa.get(p), fb.get(p)) for p in sorted(fa.keys() | fb.keys()) if fa.get(p) != fb.get(p)}


def test_done_when_import_render_import_gives_same_data(workbook, tmp_path):
    """`jixiao import example -o a.yaml`; `jixiao render example`; `jixiao import workbook -o b.yaml`:
    a.yaml and b.yaml hold the same data — in fact the same text."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert main(["import", str(EXAMPLE), "-o", str(a)]) == 0
    out = tmp_path / "out"
    assert main(["render", str(EXAMPLE), "-o", str(out)]) in (0, 1)
    (book,) = out.glob("*.xlsx")
    assert main(["import", str(book), "-o", str(b)]) == 0
    da, db = yaml.safe_load(a.read_text(encoding="utf-8")), yaml.safe_load(b.read_text(encoding="utf-8"))
    assert changed(da, db) == {}
    assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")


def test_workbook_keeps_what_the_engine_view_replaces(workbook):
    """The fields an export→import used to lose: 附件5–7 tables, narrative figures and sections, §七
    inputs and formula texts, 附件2 rates, 备注, stated figures that differ from the computed ones."""
    stated, back = read_any(EXAMPLE), read_xlsx(workbook)
    assert package_to_dict(back) == package_to_dict(stated)
    assert [len(d.tables) for d in back.fund_types] == [len(d.tables) for d in stated.fund_types]
    assert back.narrative.figures and back.narrative.sections == stated.narrative.sections
    assert [f.inputs for f in back.narrative.framework] == [f.inputs for f in stated.narrative.framework]
    assert [f.stated_formula for f in back.narrative.framework] == [f.stated_formula for f in stated.narrative.framework]
    assert back.expenditure[1].total == stated.expenditure[1].total  # 3,312.53 stated, 1,066.75 computed
    assert back.grade_note == stated.grade_note


def test_one_cell_edit_changes_only_that_field(workbook, tmp_path):
    """附件4 公务接待拨款 全年执行数 3.16 → 20.5: that field changes, nothing else (no stated figure is
    replaced by a computed one, nothing is dropped)."""
    pkg = read_any(EXAMPLE)
    i = next(k for k, t in enumerate(pkg.projects) if t.name == "公务接待拨款")
    j = next(k for k, f in enumerate(pkg.projects[i].funds) if f.key == "appropriation")
    path = f"projects[{i}].funds[{j}].executed"
    book = edited(workbook, tmp_path / "e.xlsx", {path: 20.5})
    diff = changed(package_to_dict(pkg), package_to_dict(read_xlsx(book)))
    assert set(diff) == {path}, diff
    assert str(diff[path][1]) == "20.5"


def test_text_and_emptied_cells(workbook, tmp_path):
    """A text typed over another replaces it; an emptied cell removes its field; the rest stays."""
    pkg = read_any(EXAMPLE)
    book = edited(workbook, tmp_path / "e.xlsx", {"unit.contact": "张三", "unit.phone": None,
                                                   "projects[0].indicators[0].reason": "新增说明"})
    diff = changed(package_to_dict(pkg), package_to_dict(read_xlsx(book)))
    assert diff == {"unit.contact": (pkg.unit.contact, "张三"), "unit.phone": (pkg.unit.phone, None),
                    "projects[0].indicators[0].reason": (pkg.projects[0].indicators[0].reason or None, "新增说明")}


def test_bad_cell_still_reported_by_address(workbook, tmp_path):
    book = edited(workbook, tmp_path / "e.xlsx", {"projects[0].funds[1].annual": "abc"})
    sheet, cell = cell_of(workbook, "projects[0].funds[1].annual")
    with pytest.raises(PackageError) as exc:
        read_xlsx(book)
    assert any(p.startswith(f"{sheet}!{cell}: 不是数字") for p in exc.value.problems), exc.value.problems


def test_damaged_stated_package_is_a_clear_error(workbook, tmp_path):
    wb = load_workbook(workbook)
    wb[K.MAP_SHEET].cell(row=2, column=K.STATED_COLUMN + 1).value = "{broken"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(PackageError, match="数据包原文已损坏"):
        read_xlsx(bad)


def test_deeply_nested_stated_package_is_refused(workbook, tmp_path):
    """A crafted workbook whose stated package nests beyond any package: a clear error, no traceback."""
    wb = load_workbook(workbook)
    ms = wb[K.MAP_SHEET]
    for row in ms.iter_rows(min_row=2, min_col=K.STATED_COLUMN + 1, max_col=K.STATED_COLUMN + 1):
        row[0].value = None
    ms.cell(row=2, column=K.STATED_COLUMN + 1).value = "[" * 30000
    bad = tmp_path / "nested.xlsx"
    wb.save(bad)
    with pytest.raises(PackageError, match="数据包原文已损坏"):
        read_xlsx(bad)


def test_workbook_without_stated_package_reads_its_cells(workbook, tmp_path):
    """A workbook written before the stated package was carried is still read, from its cells."""
    wb = load_workbook(workbook)
    ms = wb[K.MAP_SHEET]
    for row in ms.iter_rows(min_col=K.STATED_COLUMN + 1, max_col=K.STATED_COLUMN + 1):
        row[0].value = None
    old = tmp_path / "old.xlsx"
    wb.save(old)
    back = read_xlsx(old)
    assert back.unit.name == read_any(EXAMPLE).unit.name
    assert back.projects and back.overall is not None


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_canonical_files_round_trip_exactly(tmp_path, suffix):
    """YAML and JSON: write, read, write again gives the same text; the data equals the example's."""
    pkg = read_any(EXAMPLE)
    first = tmp_path / f"a{suffix}"
    main(["import", str(EXAMPLE), "-o", str(first)])
    again = tmp_path / f"b{suffix}"
    main(["import", str(first), "-o", str(again)])
    assert first.read_text(encoding="utf-8") == again.read_text(encoding="utf-8")
    assert package_to_dict(read_package(first)) == package_to_dict(pkg)
    if suffix == ".json":
        json.loads(first.read_text(encoding="utf-8"))


def test_workbook_saved_by_a_spreadsheet_application_round_trips(workbook, tmp_path):
    """Opened, recalculated and saved by LibreOffice (numbers, dates and texts rewritten by another
    application), then one cell edited: still only that field differs."""
    from jixiao.render import pdf as pdfmod

    soffice = pdfmod.find_soffice()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from test_xlsx_live_formulas import recalculated

    pkg = read_any(EXAMPLE)
    resaved = recalculated(soffice, workbook, tmp_path / "calc")
    assert changed(package_to_dict(pkg), package_to_dict(read_xlsx(resaved))) == {}
    book = edited(resaved, tmp_path / "e.xlsx", {"unit.contact": "李四"})
    assert changed(package_to_dict(pkg), package_to_dict(read_xlsx(book))) == {"unit.contact": (pkg.unit.contact, "李四")}
