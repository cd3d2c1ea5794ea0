"""jixiao render: .docx per GB/T 9704, .xlsx with a cell map, PDF via LibreOffice, round trips."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from jixiao.cli import main
from jixiao.core.view import build_view
from jixiao.io.canonical import PackageError, package_to_dict, read_package
from jixiao.io.readers import read_any
from jixiao.io.xlsx_reader import read_xlsx
from jixiao.render import pdf as pdfmod
from jixiao.render.api import render_package

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"
HAVE_SOFFICE = pdfmod.find_soffice() is not None
HAVE_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    return render_package(read_any(EXAMPLE), out, charts=True)


def docx_text(path: Path) -> str:
    """All text of the document body, paragraph by paragraph (tables included)."""
    doc = Document(str(path))
    paras = []
    for p in doc.element.body.iter(f"{W}p"):
        paras.append("".join(t.text or "" for t in p.iter(f"{W}t")))
    return "\n".join(paras)


def table_cells(path: Path) -> list[str]:
    doc = Document(str(path))
    return ["".join(t.text or "" for t in tc.iter(f"{W}t")) for tc in doc.element.body.iter(f"{W}tc")]


# --- .docx ----------------------------------------------------------------------------------


def test_docx_page_setup_gbt9704(rendered):
    doc = Document(str(rendered.docx))
    s = doc.sections[0]
    got = [round(v.mm, 1) for v in (s.page_width, s.page_height, s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)]
    assert got == [210.0, 297.0, 37.0, 35.0, 28.0, 26.0]
    grid = s._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "linesAndChars" and grid.get(f"{W}linePitch") == "579"
    assert int(grid.get(f"{W}charSpace")) < 0  # 28 characters of 16 pt in 156 mm
    footer_xml = s.footer._element.xml + s.even_page_footer._element.xml
    assert "PAGE" in footer_xml and "— " in footer_xml and "宋体" in footer_xml
    assert doc.settings.odd_and_even_pages_header_footer


def test_docx_east_asian_fonts_explicit(rendered):
    with zipfile.ZipFile(rendered.docx) as z:
        styles = z.read("word/styles.xml").decode()
    for sid, font, half_points in (("JxBody", "仿宋_GB2312", 32), ("JxTitle", "方正小标宋简体", 44), ("JxH1", "黑体", 32),
                                   ("JxH2", "楷体_GB2312", 32), ("JxTable", "仿宋_GB2312", 21)):
        block = styles[styles.index(f'w:styleId="{sid}"'):]
        block = block[:block.index("</w:style>")]
        assert f'w:eastAsia="{font}"' in block, sid
        assert f'<w:sz w:val="{half_points}"/>' in block, sid
    assert 'w:eastAsia="仿宋_GB2312"' in styles[styles.index("docDefaults"):styles.index("</w:docDefaults>")]
    body = 'w:lineRule="exact"' in styles and 'w:line="579"' in styles
    assert body


def test_docx_uses_engine_values_not_stated(rendered):
    view = build_view(read_any(EXAMPLE))
    cells = table_cells(rendered.docx)
    text = docx_text(rendered.docx)
    # 支出合计 is stated 3,312.53 but 基本 + 项目 = 805.66 + 261.09 = 1,066.75.
    assert view.package.expenditure[1].total == Decimal("1066.75")
    assert "1,066.75" in cells
    # 基本支出情况 总支出 is stated 805.66; its top-level rows add up to 363.48 + 416.40 = 779.88.
    assert "779.88" in cells
    # Within rounding (805.66 stated, 363.49 + 442.18 = 805.67): the printed figure stays (DESIGN §3).
    assert view.package.expenditure[1].basic == Decimal("805.66")
    # §七 total: stated 93.22, but the unit's own item scores (judged: they stand) add up to 89.00, 良;
    # the sentence says which scoring system the figure belongs to.
    assert "部门整体支出绩效评价指标体系得分为89.00分，绩效评价等级为“良”" in text
    assert [str(i.stated_score) for i in view.package.narrative.framework] == [
        str(i.stated_score) for i in read_any(EXAMPLE).narrative.framework]  # no judged item rewritten
    # 附件3 total and the cover's 综合得分 agree with the engine, labelled with their system
    assert view.package.stated_score == view.report.tables[0].total.value.quantize(Decimal("0.01")) == Decimal("93.22")
    assert f"评分（自评表总分）：{view.package.stated_score}" in text


def test_docx_without_fund_type_spending_has_statement_not_foreign_table(rendered):
    text = docx_text(rendered.docx)
    assert "本单位2022年无政府性基金预算支出。" in text
    assert "日常行政执法巡逻" not in text  # another unit's leftover goal in the source package


def test_docx_carries_preparer_text_and_merged_headers(rendered):
    pkg = read_any(EXAMPLE)
    text = docx_text(rendered.docx)
    for s in (pkg.narrative.achievements, pkg.narrative.problems, pkg.narrative.suggestions, pkg.narrative.publication):
        assert s in text
    with zipfile.ZipFile(rendered.docx) as z:
        xml = z.read("word/document.xml").decode()
    assert '<w:vMerge w:val="restart"/>' in xml and "<w:gridSpan" in xml
    assert "绩效</w:t><w:br/>" in xml  # the 绩效指标 header over the indicator rows


def _rows(tbl) -> list[tuple[str, bool, bool, bool]]:
    """(row text, repeats as header, kept whole, a cell continues downwards from it) for each row of a table."""
    out = []
    for tr in tbl.iter(f"{W}tr"):
        text = "|".join("".join(t.text or "" for t in tc.iter(f"{W}t")) for tc in tr.iter(f"{W}tc"))
        restart = any(v.get(f"{W}val") == "restart" for v in tr.iter(f"{W}vMerge"))
        out.append((text, tr.find(f"{W}trPr/{W}tblHeader") is not None, tr.find(f"{W}trPr/{W}cantSplit") is not None,
                    restart))
    return out


def test_docx_long_tables_repeat_their_header_rows(rendered):
    body = Document(str(rendered.docx)).element.body
    tables = [_rows(tbl) for tbl in body.iter(f"{W}tbl")]
    for rows in tables:  # header rows lead the table: Word repeats only a table's leading rows
        flags = [h for _, h, _, _ in rows]
        assert flags == sorted(flags, reverse=True), rows[0][0]
    indicator_tables = [rows for rows in tables if "三级指标" in rows[0][0] and "偏差原因" in rows[0][0]]
    assert len(indicator_tables) == 6  # 附件3 and five 附件4
    for rows in indicator_tables:
        text, header, kept, restart = rows[0]
        assert header and kept and not restart, text  # repeats, and no cell of it runs into the indicators
        assert not any(h for _, h, _, _ in rows[1:])
        assert rows[-1][0].startswith("总分")
    cost_tables = [rows for rows in tables if "决算数" in rows[0][0]]
    # 基本支出, 项目支出, 成本控制, 附件2 经费控制
    assert len(cost_tables) == 4 and all(rows[0][1] for rows in cost_tables)
    # Short rows are kept whole; a row of long prose may break across pages rather than leave a page empty.
    assert all(kept for rows in indicator_tables for _, _, kept, _ in rows)
    from jixiao.render.docx_xml import H, L, table, widths

    prose = "围绕招商引资、信访维稳、公务服务开展工作。" * 40  # 800 characters in a 7.5/10 wide cell: ~28 lines
    xml = table([[H("年度主要工作内容"), L(prose)], [H("联系人"), L("黄觅")]], widths([2.5, 7.5]))
    first, second = xml.split("<w:tr>")[1:]
    assert "<w:cantSplit/>" not in first and "<w:cantSplit/>" in second


def test_docx_embeds_charts(rendered):
    assert rendered.charts == 2
    with zipfile.ZipFile(rendered.docx) as z:
        assert sum(1 for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")) == 2


# --- .xlsx ----------------------------------------------------------------------------------


def test_xlsx_sheets_protection_validation(rendered):
    wb = load_workbook(rendered.xlsx)
    names = wb.sheetnames
    assert {"封面", "绩效评价报告", "附件1", "附件2", "附件3", "_jixiao"} <= set(names)
    assert sum(1 for n in names if n.startswith("附件4-")) == 5
    assert wb["_jixiao"].sheet_state == "hidden"
    ws = wb["附件3"]
    assert ws.protection.sheet
    assert ws.print_title_rows and ws.sheet_properties.pageSetUpPr.fitToPage
    # one page wide, as many high: fitToWidth may be omitted, its ECMA-376 default is 1 (XlsxWriter omits it)
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_area
    formulas = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert any("/" in c.value for c in formulas)  # 执行率 = 执行数 / 预算数 stays live
    assert all(c.protection.locked for c in formulas)
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"decimal", "list", "date"} <= kinds
    tier = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and "部分达成" in dv.formula1]
    assert tier
    unlocked = [c for row in ws.iter_rows() for c in row if c.value is not None and not c.protection.locked]
    assert unlocked  # inputs are open


def test_xlsx_round_trip_equals_computed_view(rendered):
    view = build_view(read_any(EXAMPLE))
    back = read_xlsx(rendered.xlsx)
    assert package_to_dict(back) == package_to_dict(view.package)


def test_import_cli_writes_canonical_yaml(rendered, tmp_path):
    out = tmp_path / "back.yaml"
    assert main(["import", str(rendered.xlsx), "-o", str(out)]) == 0
    assert package_to_dict(read_package(out)) == package_to_dict(read_xlsx(rendered.xlsx))


def test_xlsx_to_render_equals_yaml_to_render(rendered, tmp_path):
    again = render_package(read_xlsx(rendered.xlsx), tmp_path, charts=True)
    assert docx_text(again.docx) == docx_text(rendered.docx)


def _cell_of(wb_path: Path, path: str) -> tuple[str, str]:
    from jixiao.io import workbook_layout

    wb = load_workbook(wb_path, read_only=True)
    rows = [r[0] for r in wb[workbook_layout.MAP_SHEET].iter_rows(min_col=1, max_col=1, values_only=True)]
    for entry in workbook_layout.decode_map([r for r in rows[2:] if r]):
        if entry[0] == path:
            return entry[1], entry[2]
    raise KeyError(path)


def test_xlsx_cell_errors_reported_by_address(rendered, tmp_path):
    bad = tmp_path / "bad.xlsx"
    shutil.copyfile(rendered.xlsx, bad)
    targets = {
        "projects[0].funds[1].annual": ("abc", "不是数字 'abc'"),
        "projects[0].indicators[0].tier": ("好", "应为 达成、部分达成、未达成 之一"),
        "basic_data.filing_date": ("明天", "不是有效日期"),
        "staffing.authorized": ("-3", "不能为负数"),
    }
    wb = load_workbook(bad)
    where = {}
    for path, (value, _) in targets.items():
        sheet, cell = _cell_of(rendered.xlsx, path)
        wb[sheet][cell] = value
        where[path] = f"{sheet}!{cell}"
    wb.save(bad)
    with pytest.raises(PackageError) as exc:
        read_xlsx(bad)
    problems = exc.value.problems
    for path, (_, message) in targets.items():
        assert any(p.startswith(where[path] + ": ") and message in p for p in problems), (path, problems)
    assert where["projects[0].funds[1].annual"].startswith("附件4-公务接待拨款!")


def test_xlsx_guards(tmp_path, monkeypatch):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(PackageError, match="不是有效的Excel 工作簿"):
        read_xlsx(fake)
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("hello.txt", "x")
    with pytest.raises(PackageError, match="没有 xl/workbook.xml"):
        read_xlsx(other)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<x/>")
        z.writestr("xl/workbook.xml", "<x/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 1024 * 1024))
    with pytest.raises(PackageError, match="压缩炸弹"):
        read_xlsx(bomb)
    from jixiao.io import guards

    monkeypatch.setitem(guards.MAX_BYTES, ".xlsx", 10)
    with pytest.raises(PackageError, match="文件过大"):
        read_xlsx(bomb)


def test_plain_workbook_is_refused(tmp_path):
    from openpyxl import Workbook

    p = tmp_path / "plain.xlsx"
    Workbook().save(p)
    with pytest.raises(PackageError, match="不是 jixiao 生成的自评表工作簿"):
        read_xlsx(p)


# --- audit of the rendered package read back ----------------------------------------------------


SEEDS = ROOT.parent / "shared" / "seeds"


def _corrected_package(tmp_path: Path):
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from seed_corrections import corrected_seed
    finally:
        sys.path.pop(0)
    seed = next(SEEDS.glob("*.txt"))
    fixed = tmp_path / "corrected.txt"
    fixed.write_text(corrected_seed(seed.read_text(encoding="utf-8")), encoding="utf-8")
    return read_any(fixed)


def _audit_errors(pkg) -> list[str]:
    from jixiao.audit.registry import run_checks

    return [f"{f.rule}: {f.message}" for f in run_checks(pkg) if f.severity == "error"]


@pytest.fixture(scope="module")
def corrected_render(tmp_path_factory):
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds/ is absent: the corrected seed is built from it")
    from jixiao.audit.registry import CHECKS, _load_all

    _load_all()
    if not CHECKS:
        pytest.skip("no audit checks registered yet")
    tmp = tmp_path_factory.mktemp("corrected")
    pkg = _corrected_package(tmp)
    assert not _audit_errors(pkg), "the corrected seed must audit clean first"
    return render_package(pkg, tmp / "out", charts=False)


def test_render_then_audit_xlsx_has_no_error(corrected_render):
    assert not _audit_errors(read_xlsx(corrected_render.xlsx))


def test_render_then_audit_docx_has_no_error(corrected_render):
    if importlib.util.find_spec("jixiao.io.docx_reader") is None:
        pytest.skip("jixiao.io.docx_reader.read_docx does not exist yet")
    errors = _audit_errors(read_any(corrected_render.docx))
    assert not errors, errors


_PROSE_FIELDS = ("achievements", "problems", "suggestions", "publication")


def _as_entered(pkg) -> dict:
    """package_to_dict with figures compared by value ("0" and "0.00", "98%" and "98.00%" are one figure),
    less what the .docx does not carry back as fields:
    - §七 evidence (a quote of a source document's wording; §七 is regenerated from the figures) and the
      headings a reader found (narrative.sections, which the view clears);
    - the cover's indicator weights and scores (the cover form has no such columns);
    - a self-evaluation table's row label (the form prints one: 项目支出名称);
    - the narrative's prose fields (§八–十), which a reader keeps as paragraphs in Package.texts;
    - the grade note's "备注：" and full stop, which the form prints around the bands."""
    d = package_to_dict(pkg)

    def norm(x):
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items() if k not in ("evidence", "sections", "row_label")}
        if isinstance(x, list):
            return [norm(v) for v in x]
        if isinstance(x, str) and re.fullmatch(r"-?\d+(?:\.\d+)?%?", x):
            return (Decimal(x.rstrip("%")).normalize(), x.endswith("%"))
        return x

    for ind in d.get("cover", {}).get("indicators", []):
        ind.pop("weight", None)
        ind.pop("score", None)
    for key in _PROSE_FIELDS:
        d.get("narrative", {}).pop(key, None)
    if "grade_note" in d.get("cover", {}):
        d["cover"]["grade_note"] = d["cover"]["grade_note"].removeprefix("备注：").rstrip("。")
    return norm(d)


@pytest.mark.parametrize("which", ["example", "corrected seed"])
def test_docx_reads_back_the_data_entered(which, rendered, request):
    if which == "example":
        view, docx_path = build_view(read_any(EXAMPLE)), rendered.docx
    else:
        out = request.getfixturevalue("corrected_render")
        view, docx_path = build_view(_corrected_package(out.docx.parent)), out.docx
    back = read_any(docx_path)
    assert _as_entered(back) == _as_entered(view.package)
    texts = "\n".join(t.text for t in back.texts)
    for key in _PROSE_FIELDS:
        for line in filter(None, (getattr(view.package.narrative, key) or "").splitlines()):
            assert line.strip() in texts, (key, line)


# --- PDF --------------------------------------------------------------------------------------


def _fake_soffice(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "soffice.log"
    script = tmp_path / "soffice"
    script.write_text(f"""#!{sys.executable}
import sys, pathlib
args = sys.argv[1:]
with open({str(log)!r}, "a", encoding="utf-8") as f:
    f.write("\\t".join(args) + "\\n")
out = pathlib.Path(args[args.index("--outdir") + 1])
for a in args:
    if a.endswith(".docx"):
        (out / (pathlib.Path(a).stem + ".pdf")).write_bytes(b"%PDF-1.4 fake")
""", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, log


def test_render_batch_uses_one_soffice_process(tmp_path, monkeypatch):
    script, log = _fake_soffice(tmp_path)
    monkeypatch.setenv("JIXIAO_SOFFICE", str(script))
    text = EXAMPLE.read_text(encoding="utf-8")
    second = tmp_path / "second.yaml"
    second.write_text(text.replace("  name: 湘西自治州人民政府驻北京联络处\n", "  name: 示例第二单位\n", 1), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["render", str(EXAMPLE), str(second), "-o", str(out), "--pdf", "--no-charts"]) == 0
    calls = log.read_text(encoding="utf-8").splitlines()
    assert len(calls) == 1
    args = calls[0].split("\t")
    assert sum(a.endswith(".docx") for a in args) == 2
    assert any(a.startswith("-env:UserInstallation=file://") for a in args) and "--headless" in args
    assert len(list(out.glob("*.pdf"))) == 2 and len(list(out.glob("*.xlsx"))) == 2


def test_missing_libreoffice_has_clear_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JIXIAO_SOFFICE", str(tmp_path / "nowhere" / "soffice"))
    assert main(["render", str(EXAMPLE), "-o", str(tmp_path / "o"), "--pdf", "--no-charts"]) == 1
    assert "未找到 LibreOffice" in capsys.readouterr().err


def test_pdf_copy_substitutes_fonts(rendered, tmp_path):
    copy = pdfmod.font_substituted_copy(rendered.docx, tmp_path / "copy.docx")
    with zipfile.ZipFile(copy) as z:
        styles = z.read("word/styles.xml").decode()
    assert "仿宋_GB2312" not in styles and "方正小标宋简体" not in styles
    table = pdfmod.fonts.substitution_table()
    assert f'w:eastAsia="{table["仿宋_GB2312"].family}"' in styles


@pytest.fixture(scope="module")
def pdf(rendered):
    if not HAVE_SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed: no PDF")
    return pdfmod.convert_batch([rendered.docx], rendered.docx.parent)[0]


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils (pdftotext/pdftoppm) not installed")
def test_pdf_holds_every_table_amount(pdf, rendered):
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    amounts = {c for c in table_cells(rendered.docx) if re.fullmatch(r"-?[\d,]+\.\d{2}%?", c)}
    assert len(amounts) > 50
    missing = sorted(a for a in amounts if a not in flat)
    assert not missing, missing


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils (pdftotext/pdftoppm) not installed")
def test_pdf_pages_not_blank_and_nothing_in_margins(pdf, tmp_path):
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "pg")], check=True)
    pages = sorted(tmp_path.glob("pg-*.png"))
    assert len(pages) > 10
    for page in pages:
        im = Image.open(page).convert("L")
        w, h = im.size
        assert im.getextrema()[0] < 100, f"{page.name} is blank"
        band = int(w * 20 / 210)  # 20 mm: inside the 26 mm right and 28 mm left margins
        for box in ((w - band, 0, w, h), (0, 0, band, h)):
            dark = sum(1 for v in im.crop(box).tobytes() if v < 128)
            assert dark == 0, f"{page.name}: text or lines in the margin band {box}"


@pytest.mark.skipif(os.environ.get("JIXIAO_SKIP_SLOW") == "1", reason="slow tests disabled")
def test_pdf_page_size_is_a4(pdf):
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo not installed")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)


def test_profile_can_switch_charts_off(tmp_path):
    from jixiao.core.profiles import load_profile
    from jixiao.render.api import charts_enabled

    p = tmp_path / "no-charts.yaml"
    p.write_text("id: no-charts\nversion: 1\nextends: xiangxi-2022\nparameters:\n"
                 "  render_charts: {value: false, source: 州财绩〔2022〕9号}\n", encoding="utf-8")
    prof = load_profile(p)
    assert charts_enabled(prof, None) is False
    assert charts_enabled(load_profile("xiangxi-2022"), None) is True  # absent: on
    out = render_package(read_any(EXAMPLE), tmp_path / "out", profile=prof)
    assert out.charts == 0
