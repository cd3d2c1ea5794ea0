"""Every format a bureau receives reads as the same package: the example rendered to .docx,
its PDF (LibreOffice), its HTML export and its .doc (LibreOffice) give the same block
stream and the same findings. The conversions are made once per test session.

Also the refusals of each new reader: a scan, a PDF that is not one, too many pages, a
LibreOffice that hangs or is missing — each a Chinese message, never a traceback.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from conftest import EXAMPLE

from jixiao import services
from jixiao.audit.service import audit_path
from jixiao.io import convert, guards, pdf_reader
from jixiao.io.blocks import Table
from jixiao.io.canonical import PackageError
from jixiao.io.docx_reader import docx_blocks
from jixiao.io.html_reader import html_blocks, read_html
from jixiao.io.readers import read_any

pytestmark = pytest.mark.skipif(convert.find_soffice() is None, reason="LibreOffice is not installed (make setup)")


def _soffice(src: Path, fmt: str, outdir: Path) -> Path:
    profile = outdir / f"profile-{fmt}"
    subprocess.run([convert.find_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)
    return outdir / f"{src.stem}.{fmt}"


@pytest.fixture(scope="session")
def formats(tmp_path_factory) -> dict[str, Path]:
    """The example as .docx and .pdf (jixiao render --pdf), .html and .doc (LibreOffice), .wps (the .doc renamed)."""
    out = tmp_path_factory.mktemp("formats")
    result = services.render(package=services.read(path=EXAMPLE), outdir=out, pdf=True)
    docx = out / "example.docx"
    shutil.copyfile(result.docx, docx)
    pdf = out / "example.pdf"
    shutil.copyfile(result.pdf, pdf)
    doc = _soffice(docx, "doc", out)
    wps = out / "example.wps"
    shutil.copyfile(doc, wps)
    xlsx = out / "example.xlsx"
    shutil.copyfile(result.xlsx, xlsx)
    return {"docx": docx, "pdf": pdf, "html": _soffice(docx, "html", out), "doc": doc, "wps": wps, "xlsx": xlsx}


# The PDF's text layer names some glyphs by their look-alikes (the stand-in font LibreOffice prints
# with maps "−" to "－", "≧" to "≥", "㎡" to "m²"): the same printed text, compared as such.
_GLYPHS = str.maketrans({"−": "-", "≧": "≥", "≦": "≤"})


def _printed(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_GLYPHS)


def _rows(blocks) -> list[str]:
    out = []
    for b in blocks:
        if isinstance(b, Table):
            out += ["|".join(_printed(c.compact) for c in row) for row in b.rows]
        elif b.compact:
            out.append(_printed(b.compact))
    return out


def _findings(path: Path) -> list[tuple]:
    result = audit_path(path)
    assert not result.error, result.error
    # Line numbers are block indices and differ between formats; everything else must not.
    return sorted((f.rule, f.severity, re.sub(r"（第\d+行）", "", f.message), f.location.form, f.location.table,
                   f.location.row, f.location.column) for f in result.findings)


@pytest.fixture(scope="session")
def docx_findings(formats):
    return _findings(formats["docx"])


@pytest.mark.parametrize("kind", ["pdf", "html", "doc", "wps"])
def test_same_findings_as_the_docx(formats, docx_findings, kind):
    assert docx_findings, "the example has findings to compare"
    assert _findings(formats[kind]) == docx_findings


def test_pdf_reads_the_same_blocks_as_the_docx(formats):
    """Paragraphs wrapped over lines and pages are one again; tables cut by a page break are one
    table, without the header rows the printer repeated; merged cells as the .docx reader gives them."""
    assert _rows(pdf_reader.pdf_blocks(formats["pdf"])) == _rows(docx_blocks(formats["docx"]))


def test_html_export_reads_the_same_blocks_as_the_docx(formats):
    assert _rows(html_blocks(formats["html"].read_bytes())) == _rows(docx_blocks(formats["docx"]))


def test_every_format_reads_the_same_forms_and_unit(formats):
    expected = read_any(formats["docx"])
    for kind in ("pdf", "html", "doc"):
        pkg = read_any(formats[kind])
        assert (pkg.forms_found, pkg.unit.name, pkg.year, pkg.title) == \
            (expected.forms_found, expected.unit.name, expected.year, expected.title), kind
        assert [p.name for p in pkg.projects] == [p.name for p in expected.projects]


# --- refusals ---------------------------------------------------------------------------------


def _refused(path: Path, word: str) -> None:
    with pytest.raises(PackageError) as info:
        read_any(path)
    assert any(word in p for p in info.value.problems), info.value.problems


def test_a_scanned_pdf_is_refused_with_a_message_saying_so(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig = plt.figure(figsize=(8.27, 11.69))
    fig.figimage(np.random.default_rng(1).random((400, 300)))  # a picture of a page, no text
    scan = tmp_path / "scan.pdf"
    fig.savefig(scan)
    plt.close(fig)
    _refused(scan, "扫描件")


def test_pdf_refusals(tmp_path, formats, monkeypatch):
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"GIF89a not a pdf at all")
    _refused(fake, "%PDF")
    (tmp_path / "empty.pdf").write_bytes(b"")
    _refused(tmp_path / "empty.pdf", "为空")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"garbage " * 100)
    _refused(broken, "PDF")
    monkeypatch.setattr(pdf_reader, "MAX_PDF_PAGES", 5)
    _refused(formats["pdf"], "超过上限 5 页")
    monkeypatch.setitem(guards.MAX_BYTES, ".pdf", 10)
    _refused(formats["pdf"], "文件过大")


def test_conversion_refusals(tmp_path, monkeypatch):
    not_ole = tmp_path / "new.doc"
    not_ole.write_bytes(b"PK\x03\x04 a docx renamed")
    _refused(not_ole, ".docx")
    fake = tmp_path / "fake.xls"
    fake.write_bytes(b"hello")
    _refused(fake, "格式与扩展名不符")


def test_a_hanging_libreoffice_is_stopped(tmp_path, formats, monkeypatch):
    slow = tmp_path / "soffice"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("JIXIAO_SOFFICE", str(slow))
    monkeypatch.setattr(convert, "TIMEOUT", 1)
    _refused(formats["doc"], "超时")


def test_a_missing_libreoffice_is_said(tmp_path, formats, monkeypatch):
    monkeypatch.setenv("JIXIAO_SOFFICE", str(tmp_path / "nowhere"))
    _refused(formats["doc"], "LibreOffice")


# --- HTML pages as sites publish them ----------------------------------------------------------------


_SITE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>某县财政局</title>
<script>var x = "部门整体支出绩效自评报告";</script></head><body>
<div class="top-nav"><a href="/">首页</a><a href="/zwgk">政务公开</a></div>
<div class="main"><div class="left-menu"><ul>
 <li><a href="/1">2020年度部门整体支出绩效自评报告</a></li><li><a href="/2">项目支出绩效自评表</a></li></ul></div>
<div class="article"><h1>某县民政局2021年度部门整体支出绩效自评报告</h1>
<p>部门（单位）名称：某县民政局</p>
<p>一、部门（单位）基本概况</p>
<table border="1">
<tr><td rowspan="2">联系人</td><td rowspan="2">李四</td><td>联系电话</td><td>1234567</td></tr>
<tr><td colspan="2">（以下空白）</td></tr>
<tr><td>人员编制</td><td>20</td><td>实有人数</td><td>19</td></tr>
</table>
<p>二、部门（单位）收支情况</p>
</div></div>
<div class="footer">版权所有 某县人民政府 <a href="/map">网站地图</a></div>
</body></html>"""


def test_a_site_page_reads_the_report_without_its_navigation(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(_SITE, encoding="utf-8")
    blocks = html_blocks(page.read_bytes())
    texts = [b.compact for b in blocks if not isinstance(b, Table)]
    assert texts[0] == "某县民政局2021年度部门整体支出绩效自评报告"
    assert not any("首页" in t or "2020年度" in t or "版权" in t or "var" in t for t in texts)
    (table,) = [b for b in blocks if isinstance(b, Table)]
    # rowspan repeats the cell in the rows it spans (as .docx merged cells read); colspan gives one cell
    assert [[c.compact for c in row] for row in table.rows] == [
        ["联系人", "李四", "联系电话", "1234567"], ["联系人", "李四", "（以下空白）"], ["人员编制", "20", "实有人数", "19"]]
    pkg = read_html(page)
    assert pkg.forms_found == ["自评报告"] and pkg.year == 2021
    assert (pkg.unit.name, pkg.unit.contact, pkg.unit.phone, pkg.staffing.authorized, pkg.staffing.actual) == \
        ("某县民政局", "李四", "1234567", 20, 19)


def test_html_in_gbk_with_its_charset_declared(tmp_path):
    page = tmp_path / "gbk.htm"
    page.write_bytes(_SITE.replace('charset="utf-8"', 'charset="gbk"').encode("gbk"))
    assert read_any(page).unit.name == "某县民政局"


def test_an_html_page_without_content_is_refused(tmp_path):
    page = tmp_path / "empty.html"
    page.write_text("<html><body><div class='nav'><a href='/'>首页</a></div></body></html>", encoding="utf-8")
    _refused(page, "没有可读取的正文")


def test_an_articles_own_header_is_kept(tmp_path):
    """<div class="article-header"> holds the report's title: not the site's header (few links)."""
    page = tmp_path / "page.html"
    page.write_text(_SITE.replace('<div class="article"><h1>某县民政局2021年度部门整体支出绩效自评报告</h1>',
                                  '<div class="article"><div class="article-header"><h1>某县民政局2021年度部门整体支出绩效自评报告'
                                  '</h1><span>发布时间：2022-06-01</span></div>'), encoding="utf-8")
    pkg = read_html(page)
    assert pkg.forms_found == ["自评报告"] and pkg.unit.name == "某县民政局"


@pytest.mark.parametrize("suffix", [".xls", ".et"])
def test_an_old_or_kingsoft_workbook_reads_like_its_xlsx(tmp_path, suffix):
    """A hand-laid workbook saved as .xls by LibreOffice (and the same file named .et, as WPS 表格
    saves it) is converted back and read by its labels like the .xlsx."""
    from test_structure import assert_same_sichuan_form, sichuan_workbook

    xlsx = sichuan_workbook(tmp_path / "form.xlsx")
    xls = _soffice(xlsx, "xls", tmp_path)
    target = xls.with_suffix(suffix)
    if target != xls:
        shutil.copyfile(xls, target)
    assert_same_sichuan_form(read_any(target))


def test_our_workbook_saved_as_xls_reads_back_by_its_cell_map(formats, tmp_path):
    """The workbook jixiao writes, saved as .xls by LibreOffice (as a unit whose office only saves the
    old format sends it back): read through its cell map, it is the same package as the .xlsx. (The
    .xls format continues a long string in a new record, and LibreOffice reads a line break in at the
    seam — inside the map's JSON.)"""
    from jixiao.io.canonical_write import package_dict

    xls = _soffice(formats["xlsx"], "xls", tmp_path)
    from_xls, from_xlsx = read_any(xls), read_any(formats["xlsx"])
    assert from_xls.source_path == str(xls)
    differ = _leaf_differences(package_dict(from_xls), package_dict(from_xlsx))
    # LibreOffice recalculates the formula cells (our .xlsx caches each rounded as shown): a stated
    # rate comes back as 32.2034819307297% under the format 0.00%. Every other value is the same.
    assert all(_shown(a) == _shown(b) is not None for _, a, b in differ), differ
    assert len(differ) < 20
    assert _findings(xls) == _findings(formats["xlsx"])


def _leaf_differences(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in {*a, *b} for d in _leaf_differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _leaf_differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [(path, a, b)]


def _shown(value) -> str | None:
    """A figure as a 0.00 (or 0.00%) cell shows it."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    text = str(value)
    try:
        number = Decimal(text.removesuffix("%"))
    except InvalidOperation:
        return None
    return f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}{'%' if text.endswith('%') else ''}"


def _form_docx(blocks, path: Path, bordered: bool) -> Path:
    """A text dump's blocks as a landscape .docx: each table one Word table (a short row's last cell
    spans the rest), drawn with ruling lines or without any."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    d = Document()
    section = d.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2)
    d.styles["Normal"].font.size = Pt(9)
    for b in blocks:
        if not isinstance(b, Table):
            d.add_paragraph(b.text)
            continue
        width = max(len(r) for r in b.rows)
        t = d.add_table(rows=len(b.rows), cols=width)
        if bordered:
            t.style = "Table Grid"
        for r, row in enumerate(b.rows):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell.text
            if len(row) < width:
                t.cell(r, len(row) - 1).merge(t.cell(r, width - 1)).text = row[-1].text
        d.add_paragraph("")
    d.save(path)
    return path


def test_a_table_without_ruling_lines_reads_from_its_columns(tmp_path):
    """The same project form printed with borders and without: without ruling lines the table is
    recovered from the columns its words line up in, and the audit finds the same (the corpus
    document's three wrong 年度资金总额 cells, its goal text's sum), as from the bordered PDF and the
    text dump the form came from."""
    import pdfplumber

    from jixiao.io.textdump import parse_blocks

    source = Path(__file__).parent / "corpus" / "anhui-chizhou-tangxi-2022.txt"
    blocks = parse_blocks(source.read_text(encoding="utf-8"))
    docs = [_form_docx(blocks, tmp_path / f"{name}.docx", name == "bordered") for name in ("bordered", "borderless")]
    subprocess.run([convert.find_soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, docs)],
                   check=True, capture_output=True, timeout=180)
    bordered, borderless = tmp_path / "bordered.pdf", tmp_path / "borderless.pdf"
    with pdfplumber.open(str(borderless)) as pdf:
        assert not any(p.lines or p.rects or p.find_tables() for p in pdf.pages)  # nothing drawn to find
    tables = [b for b in pdf_reader.pdf_blocks(borderless) if isinstance(b, Table)]
    assert tables and any(len(row) >= 8 for t in tables for row in t.rows)
    fund = next(row for t in tables for row in t.rows if any(c.compact == "其中:本年财政拨款" for c in row))
    assert [c.compact for c in fund if c.compact][-5:] == ["90", "89.974", "89.974", "—", "—"]
    found = _findings(borderless)
    assert found == _findings(bordered) == _findings(source)
    assert sum(f[0] == "funds.identity" and f[1] == "error" for f in found) == 3


def test_a_form_of_merged_cells_without_borders_gives_no_false_error(formats, docx_findings, tmp_path):
    """The example package with every border and shading taken out: its merged, vertically centred
    cells cannot be put back from positions alone, and the reader must not piece tables together
    from fragments — each page whose lines do not form a clean grid reads as text. No error-level
    finding may come out that the .docx itself does not give."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(formats["docx"]))
    drawn = (qn("w:tblBorders"), qn("w:tcBorders"), qn("w:pBdr"), qn("w:shd"))
    for root in (doc.element.body, doc.styles.element):
        for el in [e for e in root.iter() if e.tag in drawn]:
            el.getparent().remove(el)
    plain = tmp_path / "plain.docx"
    doc.save(str(plain))
    pdf = _soffice(plain, "pdf", tmp_path)
    found = _findings(pdf)
    assert found, "the text of the package is still read"
    errors = {(f[0], f[2]) for f in found if f[1] == "error"}
    assert errors <= {(f[0], f[2]) for f in docx_findings if f[1] == "error"}
