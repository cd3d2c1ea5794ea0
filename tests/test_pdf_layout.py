"""The example's PDF measured as a 公文 (GB/T 9704-2012): the faces embedded, 22 lines of 28.95 pt per
body page on the line grid, no page number on the cover, titles broken between words, and no short
figure or date wrapped inside a table cell."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pytest
from conftest import EXAMPLE, SEED

from jixiao.io.readers import read_any
from jixiao.render import docx_writer, docx_xml, fonts, paging, words
from jixiao.render import pdf as pdfmod
from jixiao.render.api import render_package
from jixiao.render.docx_setup import LINE_PITCH
from jixiao.render.docx_writer import break_title
from jixiao.render.docx_xml import date_break, is_label, is_short_figure

pdfplumber = pytest.importorskip("pdfplumber")

PT_PER_MM = 72 / 25.4
TOP_MM, BOTTOM_MM = 37, 35
PITCH = LINE_PITCH / 20  # 28.95 pt


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    if pdfmod.find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: no PDF")
    out = tmp_path_factory.mktemp("pdf-layout")
    rendered = render_package(read_any(EXAMPLE), out, charts=True)
    path = pdfmod.convert_batch([rendered.docx], out)[0]
    with pdfplumber.open(path) as pdf:
        yield [(page.chars, page) for page in pdf.pages]


def _family(fontname: str) -> str:
    return fontname.split("+", 1)[-1]


def _cjk(ch: dict) -> bool:
    return "\u4e00" <= ch["text"] <= "\u9fff"


def test_no_japanese_face_and_each_style_in_its_substitute(doc):
    used = Counter(_family(ch["fontname"]) for chars, _ in doc for ch in chars)
    assert not [f for f in used if re.search(r"jp|JP|Japan", f)], used
    table = fonts.substitution_table()
    # every CJK character in one of the official faces' stand-ins, none from a fallback face
    wanted = {table[name].family.replace(" ", "") for name in (fonts.BODY, fonts.HEITI, fonts.KAITI, fonts.TITLE)}
    cjk_faces = Counter(_family(ch["fontname"]).split("-")[0] for chars, _ in doc for ch in chars if _cjk(ch))
    assert set(cjk_faces) <= wanted, cjk_faces

    def face_of(text: str) -> str:
        for chars, _ in doc:
            line = "".join(c["text"] for c in chars)
            at = line.find(text)
            if at >= 0:
                return _family(chars[at]["fontname"]).split("-")[0]
        raise AssertionError(f"{text} not in the PDF")

    assert face_of("一、基本情况") == table[fonts.HEITI].family.replace(" ", "")  # 一级标题 黑体
    assert face_of("（一）部门（单位）基本情况") == table[fonts.KAITI].family.replace(" ", "")  # 二级标题 楷体
    assert face_of("州政府派出机构") == table[fonts.BODY].family.replace(" ", "")  # 正文 仿宋
    assert face_of("部门整体支出绩效自评表") == table[fonts.TITLE].family.replace(" ", "")  # 标题 小标宋


def _body_lines(chars: list[dict]) -> list[float]:
    """Tops of the lines set in 16 pt (三号) type — body text and headings — on a page."""
    tops = sorted({round(ch["top"], 1) for ch in chars if abs(ch["size"] - 16) < 0.6 and _cjk(ch)})
    lines: list[float] = []
    for t in tops:
        if not lines or t - lines[-1] > 3:
            lines.append(t)
    return lines


def test_body_pages_have_22_lines_of_28_95_pt_on_the_grid(doc):
    counts, first_slots, prose_pages = [], [], 0
    for number, (chars, page) in enumerate(doc, start=1):
        lines = _body_lines(chars)
        if len(lines) < 2:
            continue
        counts.append(len(lines))
        bottom = page.height - BOTTOM_MM * PT_PER_MM
        assert lines[-1] + 16 <= bottom + 1, (number, lines[-1])
        if page.find_tables() or page.images:
            continue  # text after a table or a figure starts where the table ends
        prose_pages += 1
        # on a page of prose every 16 pt line sits on the grid of the first one, a pitch apart
        base = lines[0]
        off_grid = [t for t in lines if abs((t - base) / PITCH - round((t - base) / PITCH)) * PITCH > 1.2]
        assert not off_grid, (number, off_grid)
        if len(lines) >= 15:  # a page of running prose (not the cover's few fields under its title)
            first_slots.append(base)
    assert prose_pages >= 3 and first_slots
    assert max(counts) == 22, counts  # a full page of prose: 22 lines, no more
    # a prose page's first line is in the type area's first line slot (37 mm from the top)
    top = TOP_MM * PT_PER_MM
    assert all(top <= base < top + PITCH for base in first_slots), first_slots


def test_prose_lines_hold_28_characters(doc):
    """28 characters to the 156 mm line: the advance from one CJK character to the next on a 16 pt
    line is a 28th of the type area's width."""
    advances = Counter()
    for chars, _ in doc:
        for a, b in zip(chars, chars[1:]):
            if _cjk(a) and _cjk(b) and abs(a["size"] - 16) < 0.6 and abs(a["top"] - b["top"]) < 1 and b["x0"] > a["x0"]:
                advances[round(b["x0"] - a["x0"], 1)] += 1
    step = advances.most_common(1)[0][0]
    width = (210 - 28 - 26) * PT_PER_MM
    assert abs(step - width / 28) < 0.15, advances.most_common(5)
    near = sum(n for step, n in advances.items() if abs(step - width / 28) < 0.15)
    assert near > 0.6 * sum(advances.values()) and near > 500  # the rest: justified lines, spread wider


def test_cover_has_no_page_number(doc):
    def footer(page_chars, page) -> str:
        return "".join(c["text"] for c in page_chars if c["top"] > page.height - BOTTOM_MM * PT_PER_MM).replace(" ", "")

    assert footer(*doc[0]) == ""
    assert footer(*doc[1]) == "—2—"


def test_a_short_figure_wraps_only_between_a_date_and_its_qualifier(doc):
    """A figure, percentage or date never wraps inside itself. The one break a tight form (one that
    would otherwise spill its last rows onto a page of their own) may take is between a date and
    what qualifies it: "2022年12月31日" / "前" — the date whole on the first line, the qualifier alone
    on the second."""
    seen = wrapped_prose = 0
    wrapped, dates = [], []
    for number, (_, page) in enumerate(doc, start=1):
        for table in page.find_tables():
            for row in table.extract():
                for cell in row:
                    if not cell:
                        continue
                    flat = cell.replace("\n", "")
                    if is_short_figure(flat):
                        seen += 1
                        if "\n" in cell:
                            parts = date_break(flat)
                            (dates if parts and cell.split("\n") == list(parts) else wrapped).append((number, cell))
                    elif "\n" in cell:
                        wrapped_prose += 1
    # the check sees the tables: hundreds of figures, and long texts wrapped as they should be
    assert seen > 300 and wrapped_prose > 20, (seen, wrapped_prose)
    assert not wrapped, wrapped
    # the example's forms are not set tight (附件3 would cut its header "偏差原因分析及改进措施" into
    # shards to fit its page: it keeps its 一级 groups together on two pages instead): no date breaks
    assert not dates, dates


@pytest.mark.parametrize("title", [
    "湘西自治州人民政府驻北京联络处2022年度部门整体支出绩效自评报告",
    "2022年湘西自治州人民政府驻北京联络处部门整体支出绩效评价报告",
    "湘西自治州人民政府驻北京联络处关于开展2022年度部门整体支出绩效自评工作的通知",
])
def test_titles_break_between_words_not_inside_the_unit_name(title):
    unit = "湘西自治州人民政府驻北京联络处"
    lines = break_title(title, whole=unit).split("\n")
    assert "".join(lines) == title and len(lines) == 2
    assert any(unit in line for line in lines)  # the unit's name on one line
    assert all(len(re.sub(r"\d", "", ln)) + len(re.findall(r"\d", ln)) / 2 <= 20 for ln in lines)
    assert not lines[0][-1].isdigit() or not lines[1][0].isdigit()


def test_title_lines_in_the_pdf(doc):
    chars, _ = doc[0]
    title = [c for c in chars if c["size"] > 20]
    tops = sorted({round(c["top"]) for c in title})
    text = ["".join(c["text"] for c in title if round(c["top"]) == t) for t in tops]
    assert text == ["湘西自治州人民政府驻北京联络处", "2022年度部门整体支出绩效自评报告"]


# --- the forms (附件3/4) on their pages ----------------------------------------------------------------

TOTAL = "总分（自评表总分）"
LONG_NAME = "湘西土家族苗族自治州永顺县人民政府办公室机关事务服务中心"


def _many_indicators(n: int):
    """The example with `n` indicators in each project, each 一级 group's rows together, as a unit fills a long form."""
    pkg = read_any(EXAMPLE)
    for t in pkg.projects:
        base = t.indicators
        inds = [dataclasses.replace(base[k % len(base)], name=f"{base[k % len(base)].name}（第{k + 1}项）") for k in range(n)]
        order = list(dict.fromkeys(i.level1 for i in base))
        t.indicators = sorted(inds, key=lambda i: order.index(i.level1))
    return pkg


def _long_name():
    """The example with a long unit name, which also implements every project (the form's narrow
    实施单位 cell)."""
    pkg = read_any(EXAMPLE)
    pkg.unit = dataclasses.replace(pkg.unit, name=LONG_NAME)
    for t in pkg.projects:
        t.implementer = LONG_NAME
    return pkg


@pytest.fixture(scope="module")
def forms(tmp_path_factory):
    """As PDFs made in one LibreOffice run (name → pages (chars, page)): the example, the seed (where it
    is here), a package with 30 indicators a project, one with a long unit name, one with 11 a project
    ("crowded": most forms overflow their page by a group unless set tight) and the same set without
    the tight setting ("pulled": their tail groups are kept together instead). Each form's estimated
    page fills, in document order, are under "estimate/<name>", the texts of their labels and headers
    under "labels/<name>"."""
    if pdfmod.find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: no PDF")
    out = tmp_path_factory.mktemp("forms")
    packages = {"example": read_any(EXAMPLE), "many": _many_indicators(30), "long": _long_name(),
                "crowded": _many_indicators(11), "pulled": _many_indicators(11)}
    if SEED.exists():
        packages["seed"] = read_any(SEED)
    docx, estimates = [], {}
    plan = docx_writer._plan_form
    with pytest.MonkeyPatch.context() as patch:
        for name, pkg in packages.items():
            planned: list[list[float]] = estimates.setdefault(f"estimate/{name}", [])
            labels: set[str] = estimates.setdefault(f"labels/{name}", set())
            patch.setattr(docx_writer, "_plan_form", lambda *a, planned=planned, labels=labels: _recorded(plan(*a), planned, labels))
            patch.setattr(paging, "fits_with_margin", (lambda fills: False) if name == "pulled" else paging.fits_with_margin)
            rendered = render_package(pkg, out / name, charts=False)
            docx.append(rendered.docx.rename(out / f"{name}.docx"))
    result = dict(estimates)
    for path in pdfmod.convert_batch(docx, out):
        with pdfplumber.open(path) as pdf:
            result[path.stem] = [(page.chars, page) for page in pdf.pages]
    return result


def _recorded(form, planned: list, labels: set):
    planned.append(form.fills)
    labels.update(cell.text for row in form.head + form.rows for cell in row if cell.text and is_label(cell))
    return form


def _text(page) -> str:
    return (page.extract_text() or "").replace(" ", "")


def _forms_of(pages, annex: str) -> list[list]:
    """Each form `annex` (附件4 …) as its pages, from its title page to the page with its 总分."""
    out, current = [], None
    for _, page in pages:
        text = _text(page)
        if text.startswith(annex) and "自评表" in text[:40]:
            current = []
        if current is not None:
            current.append(page)
            if TOTAL in text:
                out.append(current)
                current = None
    return out


def _all_forms(pages) -> list[list]:
    """Every self-evaluation form (附件3–7) as its pages, in document order."""
    out, current = [], None
    for _, page in pages:
        text = _text(page)
        if re.match(r"附件\d", text) and "自评表" in text[:40]:  # (a 附件 with no table has no 总分: dropped)
            current = []
        if current is not None:
            current.append(page)
            if TOTAL in text:
                out.append(current)
                current = None
    return out


def _used(page) -> float:
    """How much of the type area (37 mm top, 35 mm bottom margin) the page's text and rules fill."""
    top, bottom = TOP_MM * PT_PER_MM, page.height - BOTTOM_MM * PT_PER_MM
    ys = [w["bottom"] for w in page.extract_words() if w["bottom"] < bottom + 1] + \
         [e["bottom"] for e in page.edges if e["orientation"] == "h" and e["bottom"] < bottom + 1]
    return (max(ys) - top) / (bottom - top) if ys else 0.0


@pytest.mark.parametrize("name", ["example", "seed"])
def test_each_project_form_stays_on_its_page_with_its_total(forms, name):
    if name not in forms:
        pytest.skip("the seed document is not here")
    annex4 = _forms_of(forms[name], "附件4")
    assert len(annex4) == 5
    for pages in annex4:
        assert len(pages) == 1, [_used(p) for p in pages]  # no last row and 总分 on a page of their own
        assert "单位负责人签字" in _text(pages[0])  # the signature line under the total, on the same page
        assert _used(pages[0]) < 1.0


@pytest.mark.parametrize("name", ["example", "seed", "many", "long", "crowded", "pulled"])
def test_no_form_ends_on_a_near_empty_page(forms, name):
    """A form over more than one page carries a fair share onto its last page (SPILL_SHARE of the
    type area): its last rows, 总分 and signature are never left alone at the top of an empty page."""
    if name not in forms:
        pytest.skip("the seed document is not here")
    found = _all_forms(forms[name])
    assert len(found) >= 6, len(found)  # 附件3 and the five 附件4 at least
    shares = [round(_used(pages[-1]), 2) for pages in found if len(pages) > 1]
    assert all(share >= paging.SPILL_SHARE for share in shares), shares


def test_a_form_that_overflows_by_a_group_is_set_tight_onto_its_page(forms):
    """Most of the crowded package's forms fit one page once set tight, where the widths that wrap no
    date would put their last group and 总分 on a page of their own; without the tight setting
    ("pulled") the same forms break between 一级 groups, the last page holding its share."""
    crowded, pulled = _forms_of(forms["crowded"], "附件4"), _forms_of(forms["pulled"], "附件4")
    assert len(crowded) == len(pulled) == 5
    fitted = [k for k in range(5) if len(crowded[k]) == 1 and len(pulled[k]) == 2]
    assert len(fitted) >= 3, ([len(p) for p in crowded], [len(p) for p in pulled])
    for pages in (pulled[k] for k in fitted):
        assert _used(pages[-1]) >= paging.SPILL_SHARE
        last = pages[-1].find_tables()[0].extract()
        assert len(last) >= 4, last  # the header, a whole 一级 group of two rows or more, the total


def _broken_dates(pages) -> list[str]:
    """The cells of these pages that hold a date broken before its qualifier ("2022年12月31日" / "前")."""
    out = []
    for page in pages:
        for table in page.find_tables():
            for cell in (c for row in table.extract() for c in row if c and "\n" in c):
                parts = date_break(cell.replace("\n", ""))
                if parts and cell.split("\n") == list(parts):
                    out.append(cell)
    return out


def test_only_a_tight_form_breaks_a_date_before_its_qualifier(forms):
    """The crowded package's forms set tight break their dates before the qualifier; the same forms
    never set tight ("pulled") keep every date whole."""
    crowded, pulled = _forms_of(forms["crowded"], "附件4"), _forms_of(forms["pulled"], "附件4")
    tight = [pages for pages, plain in zip(crowded, pulled) if len(pages) < len(plain)]
    assert tight and all(_broken_dates(pages) for pages in tight), [len(p) for p in crowded]
    assert not [cell for pages in pulled for cell in _broken_dates(pages)]


@pytest.mark.parametrize("name", ["example", "seed", "many", "crowded", "pulled"])
def test_the_paging_estimate_agrees_with_the_pdf(forms, name):
    """The writer decides on its estimate of where a form's rows fall (paging): each form takes as many
    pages in the PDF as estimated, and its last page is filled within a few points of the estimate."""
    if name not in forms:
        pytest.skip("the seed document is not here")
    found, estimated = _all_forms(forms[name]), forms[f"estimate/{name}"]
    assert len(found) == len(estimated)
    assert [len(pages) for pages in found] == [len(fills) for fills in estimated]
    # the estimate runs to the signature line's box, the PDF to its characters: a few points high, never low
    gaps = [fills[-1] - _used(pages[-1]) for pages, fills in zip(found, estimated)]
    assert all(-0.01 <= gap <= 0.06 for gap in gaps), [round(g, 3) for g in gaps]


def test_a_long_form_breaks_between_groups_with_its_header_and_never_leaves_the_total_alone(forms):
    annex4 = _forms_of(forms["many"], "附件4")
    assert len(annex4) == 5
    for pages in annex4:
        assert len(pages) >= 2
        for page in pages[1:]:  # every page it runs on to starts with the indicator header
            rows = page.find_tables()[0].extract()
            assert "三级指标" in "".join(c or "" for c in rows[0]), rows[0]
        last = pages[-1].find_tables()[0].extract()
        assert TOTAL in "".join(c or "" for c in last[-1])
        assert len(last) >= 3, last  # the header, at least one indicator row, the total
        assert _used(pages[-1]) >= paging.SPILL_SHARE


def test_level1_labels_are_merged_over_their_group(forms):
    """As the official forms print it: each 一级 label once per form page (merged down over its
    rows), not once per 二级 group."""
    for pages in _forms_of(forms["example"], "附件4"):
        text = _text(pages[0])
        for label in ("产出指标", "效益指标", "满意度指标"):
            assert text.count(label) == 1, (label, text.count(label))


def test_the_cover_breaks_a_long_unit_name_between_its_words(forms):
    chars, page = forms["long"][0]
    lines = [ln.replace(" ", "") for ln in (page.extract_text() or "").splitlines()]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("部门（单位）名称（盖章）："))
    parts = [lines[at].removeprefix("部门（单位）名称（盖章）：")] + lines[at + 1:at + 3]
    assert "".join(parts) == LONG_NAME
    assert parts == ["湘西土家族苗族自治州", "永顺县人民政府办公室", "机关事务服务中心"]
    example = [ln.replace(" ", "") for ln in (forms["example"][0][1].extract_text() or "").splitlines()]
    assert "部门（单位）名称（盖章）：湘西自治州人民政府驻北京联络处" in example  # one line, not "…联 / 络处"


@pytest.mark.parametrize("name", ["example", "seed", "long", "crowded"])
def test_names_in_a_form_head_break_only_between_their_words(forms, name):
    """The unit's, the department's and the project's names in a form's head table, wrapped in their
    cells, break where the cover breaks a name (after 自治州, 人民政府, 办公室 …), never inside a word."""
    if name not in forms:
        pytest.skip("the seed document is not here")
    pkg = {"example": read_any(EXAMPLE), "long": _long_name(), "crowded": _many_indicators(11)}.get(name) or read_any(SEED)
    names = {pkg.unit.name} | {n for t in pkg.projects for n in (t.name, t.supervisor, t.implementer) if n}
    wrapped = []
    for pages in _all_forms(forms[name]):
        for row in pages[0].find_tables()[0].extract():
            for cell in row:
                if cell and "\n" in cell and cell.replace("\n", "") in names:
                    lines = cell.split("\n")
                    breaks = [sum(map(len, lines[:k])) for k in range(1, len(lines))]
                    wrapped.append((cell, breaks, words.cuts(cell.replace("\n", ""))))
    bad = [(cell, breaks) for cell, breaks, cuts in wrapped if not set(breaks) <= set(cuts)]
    assert not bad, bad
    if name in ("example", "long", "crowded"):  # their 主管部门 and 实施单位 take two lines or more
        assert len(wrapped) >= 5, wrapped


def _shards(cell: str) -> list[str]:
    """Where a label's or header's lines, as printed, cut one of its words although the cell holds a
    line as wide as that word: each such line, ending inside a word (words.label_units of the whole
    text: "服务对象满意度指" / "标" cuts 指标; "年度预算申请" / "（万元）" cuts none)."""
    lines = [line.strip() for line in cell.replace(" ", "").split("\n") if line.strip()]
    widest = max(words.width(line) for line in lines)
    inside, at = set(), 0
    for unit in words.label_units("".join(lines)):
        if words.width(unit) <= widest:
            inside.update(range(at + 1, at + len(unit)))
        at += len(unit)
    ends = [sum(map(len, lines[:k])) for k in range(1, len(lines))]
    return [lines[k] for k, end in enumerate(ends) if end in inside]


@pytest.mark.parametrize("name", ["example", "seed", "long", "crowded", "many", "pulled"])
def test_labels_and_headers_break_only_between_their_words(forms, name):
    """A form's labels (一级, 二级) and headers, as printed, are never cut into one- or two-character
    shards of a word: each line of a wrapped label ends between two of its words (words.label_units),
    where the cell is as wide as the word — a tight form included, which is set only where its
    columns keep the least widths that allow it (docx_xml: a label 4 characters, a header its longest word)."""
    if name not in forms:
        pytest.skip("the seed document is not here")
    labels = {text.replace("\n", "") for text in forms[f"labels/{name}"]}
    checked, bad = 0, []
    for _, page in forms[name]:  # the forms, and any other table with the same labels (the cover's indicators)
        for table in page.find_tables():
            for row in table.extract():
                for cell in row:
                    if cell and "\n" in cell and cell.replace("\n", "").replace(" ", "") in labels:
                        checked += 1
                        if _shards(cell):
                            bad.append((cell, _shards(cell)))
    assert checked >= 30, checked  # the check sees the wrapped labels and headers of every form
    assert not bad, bad


def test_a_shard_is_a_line_ending_inside_a_word():
    assert _shards("服务对象满意度指\n标") == ["服务对象满意度指"]
    # three characters a line cannot hold 服务对象: only the cut 满意度 counts
    assert _shards("服务对\n象满意\n度指标") == ["象满意"]
    assert _shards("服务对象\n满意度\n指标") == []
    assert _shards("年度预算申请\n（万元）") == []
    assert _shards("项目资金（万\n元）") == ["项目资金（万"]
    assert _shards("全年预\n算数") == ["全年预"]
    assert _shards("偏差原因\n分析及\n改进措施") == []


def _room(chars: int) -> int:
    """A cell width (twips) that holds `chars` 小五 characters a line."""
    return chars * docx_xml.SMALL.char + docx_xml.CELL_MARGINS + docx_xml.SLACK


def test_labels_and_headers_are_set_in_lines_of_whole_words():
    small = docx_xml.SMALL
    assert docx_xml.set_text(docx_xml.Label("服务对象满意度指标"), _room(4), small) == "服务对象\n满意度\n指标"
    assert docx_xml.set_text(docx_xml.Label("服务对象满意度指标"), _room(5), small) == "服务对象\n满意度指标"
    assert docx_xml.set_text(docx_xml.H("年度预算申请（万元）"), _room(6), small) == "年度预算申请\n（万元）"
    assert docx_xml.set_text(docx_xml.H("年度预算申请（万元）"), _room(5), small) == "年度预算\n申请\n（万元）"
    assert docx_xml.set_text(docx_xml.H("全年预算数"), _room(3), small) == "全年\n预算数"
    # prose is left to the renderer; a label that fits stays one line
    assert docx_xml.set_text(docx_xml.L("服务对象满意度指标"), _room(4), small) == "服务对象满意度指标"
    assert docx_xml.set_text(docx_xml.Label("数量指标"), _room(4), small) == "数量指标"


def test_a_tight_table_is_not_set_below_its_least_widths():
    """A label column holds four characters and a header its longest word, tight or not; a tight
    table whose columns cannot all have that is not set (None): the writer keeps 一级 groups together
    instead."""
    small = docx_xml.SMALL

    def table(columns: int) -> list:
        return [[docx_xml.H("年度预算申请（万元）")] * columns,
                [docx_xml.Label("服务对象满意度指标")] * columns,
                [docx_xml.L("完成年度工作任务，服务对象满意度达到预期目标" * 2)] * columns]

    grid = docx_xml.fit_grid(table(9), face=small, compact=True, tight=True)
    assert grid is not None and min(grid) >= _room(4)
    assert docx_xml.fit_grid(table(11), face=small, compact=True, tight=True) is None
    assert sum(docx_xml.fit_grid(table(11), face=small, compact=True)) == docx_xml.TEXT_WIDTH  # (squeezed, as it must)
