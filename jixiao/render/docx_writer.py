"""The package as one .docx: 自评报告 cover form, 绩效评价报告, 附件1–7.

Every figure comes from the view (jixiao.core.view): inputs as entered, every
derived figure as the engine computed it. The preparer's prose is carried as
written; the connecting sentences are generated from the figures.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from docx.oxml import parse_xml
from lxml import etree

from ..core import catalogue, keys
from ..core.model import LineTable, Package, SelfEvalTable
from ..core.numbers import fmt_amount, fmt_percent, fmt_score
from ..core.view import FUND_TYPE_LABELS, View
from . import docx_xml, paging, words
from .docx_setup import new_document, splice_body, write_frame_package
from .docx_xml import C, H, L, Label, N, Name, V, para, table, widths

A = fmt_amount


def P(ratio: Decimal | None) -> str:
    return fmt_percent(ratio)


def S(v: Decimal | None) -> str:
    return fmt_score(v)


def W(v: Decimal | None) -> str:
    """A weight (分值) as entered: 10, 2.5."""
    if v is None:
        return ""
    return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")


def I(v: int | None) -> str:  # noqa: E743 - short names for the formatters
    return "" if v is None else str(v)


def D(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "    年  月  日"


class Body:
    """Accumulates body XML."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.headings: list[str] = []

    def add(self, xml: str) -> None:
        self.parts.append(xml)

    def p(self, text: str, **kw) -> None:
        if text:
            for chunk in text.split("\n"):
                if chunk.strip():
                    self.parts.append(para(chunk.strip(), **kw))

    def h1(self, text: str, page_break: bool = False) -> None:
        self.headings.append(text)
        self.parts.append(para(text, "JxH1", page_break=page_break))

    def h2(self, text: str) -> None:
        self.parts.append(para(text, "JxH2"))

    def h3(self, text: str) -> None:
        self.parts.append(para(text, "JxH3"))

    def title(self, text: str, page_break: bool = False, whole: str = "", form: bool = False) -> None:
        self.parts.append(para(break_title(text, whole=whole), "JxFormTitle" if form else "JxTitle", page_break=page_break))

    def caption(self, text: str, unit: str = "") -> None:
        self.parts.append(para(text, "JxCaption"))
        if unit:
            self.parts.append(para(f"单位：{unit}", "JxUnit"))

    def table(self, rows, grid=None, header_rows: int = 0, keep=(), total: bool = False, face: docx_xml.Face = docx_xml.NORMAL) -> None:
        """A table (grid None: widths fitted to the content). It starts on the current page only if its
        header and first two rows fit there; with `total` its last row (合计, 总分) keeps the row above with it."""
        self.parts.append(table(rows, grid, header_rows, table_keep(len(rows), header_rows, keep, total), face))

    def xml(self) -> str:
        return "".join(self.parts)


def table_keep(count: int, header_rows: int, keep=(), total: bool = False) -> frozenset[int]:
    """The rows of a table of `count` rows kept with the next (Body.table): `keep`, the first row
    under the header, and with `total` the row above the last."""
    kept = set(keep)
    if count > header_rows + 1:
        kept.add(header_rows)
    if total and count >= header_rows + 2:
        kept.add(count - 2)
    return frozenset(kept)


# A 22 pt title line holds 20 characters of the 156 mm type area.
TITLE_CHARS = 20


def break_title(text: str, per_line: int = TITLE_CHARS, whole: str = "") -> str:
    """A title too long for one line, broken between words into lines of even length ("\n" between),
    if it can be, not inside `whole` (the unit's name)."""
    at = text.find(whole) if whole else -1
    inside = range(at + 1, at + len(whole)) if at >= 0 else range(0)
    if words.width(text) <= per_line:
        return text
    cuts = words.cuts(text)
    best: tuple | None = None
    # at most three lines: choose the cuts whose longest line is shortest
    options = [(c,) for c in cuts] + [(a, b) for a in cuts for b in cuts if a < b]
    for opt in options:
        bounds = (0, *opt, len(text))
        lines = [text[x:y] for x, y in zip(bounds, bounds[1:])]
        longest = max(words.width(ln) for ln in lines)
        if longest > per_line:
            continue
        score = (len(lines), sum(c in inside for c in opt), longest)
        if best is None or score < best[0]:
            best = (score, lines)
    return "\n".join(best[1]) if best else text


def level_prefix(pkg: Package) -> str:
    """Whose forms these are, as the bureau's form titles name them: "州级预算部门" from 附件3's
    "州级预算部门整体支出绩效自评表"; plain "部门" when the package does not say."""
    label = pkg.overall.form_label if pkg.overall is not None else ""
    tail = "整体支出绩效自评表"
    return label.removesuffix(tail) if label and label.endswith("部门" + tail) else "部门"


def report_title(pkg: Package) -> str:
    return f"{pkg.unit.name}{pkg.year}年度部门整体支出绩效自评报告"


def body_xml(view: View, pics: list[tuple[str, str]] | None = None) -> str:
    """The document body's content as XML text: cover form, report, 附件1–7 (pictures: title and inline)."""
    body = Body()
    cover(body, view)
    narrative(body, view, pics or [])
    annex1(body, view)
    annex2(body, view)
    annex_tables(body, view)
    return body.xml()


def build_document(view: View, charts: list[tuple[str, bytes]] | None = None):
    """The package as a python-docx Document with its body parsed into the tree (for callers that
    want to work on the tree; write_docx does not parse the body)."""
    doc = new_document()
    pics = [(title, _picture(doc, png)) for title, png in (charts or [])]
    old = doc.element.body
    sect = etree.tostring(old.find("{*}sectPr"), encoding="unicode")
    new = parse_xml(f"<w:body {docx_xml.NSDECL}>{body_xml(view, pics)}{sect}</w:body>")  # one parse, no per-element moves
    doc.element.replace(old, new)
    return doc


# Characters XML 1.0 does not allow: parsing the body would refuse them, and so would Word. Checked on the
# UTF-8 bytes, which is several times faster than a regular expression over the text (lone surrogates
# cannot be encoded at all, U+FFFE and U+FFFF are found as their byte sequences).
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_bytes(xml: str) -> bytes:
    try:
        data = xml.encode("utf-8")
    except UnicodeEncodeError:
        data = b""
    if not data or len(data.translate(None, _CONTROL_BYTES)) != len(data) \
            or b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data:
        bad = _NOT_XML.search(xml)
        if bad is not None:  # refused as before: the parser names the character and where it is
            parse_xml(f"<w:body {docx_xml.NSDECL}>{xml}</w:body>")
            raise ValueError(f"character not allowed in XML: {bad.group()!r}")
    return data


def write_docx(view: View, path: Path, charts: list[tuple[str, bytes]] | None = None) -> Path:
    """Write the .docx. The body is XML text from docx_xml and goes into word/document.xml as it is:
    parsing it into python-docx's tree and serialising it again was half the time of a render.
    Without pictures the package is the frame's (cached) with the document part appended."""
    doc = None
    pics = []
    if charts:
        doc = new_document()
        pics = [(title, _picture(doc, png)) for title, png in charts]
    data = _xml_bytes(body_xml(view, pics))
    if doc is None:
        write_frame_package(path, data)
    else:
        splice_body(doc, data)
        doc.save(str(path))
    return path


def _picture(doc, png: bytes) -> str:
    from docx.shared import Mm

    inline = doc.part.new_pic_inline(io.BytesIO(png), Mm(150), None)
    return etree.tostring(inline, encoding="unicode")


# --- 自评报告 (cover form) ------------------------------------------------------------------


def cover(b: Body, view: View) -> None:
    pkg = view.package
    u = pkg.unit
    for _ in range(3):
        b.add(para("", "JxBody"))
    b.title(report_title(pkg), whole=pkg.unit.name)
    for _ in range(2):
        b.add(para("", "JxBody"))
    fields = [("部门（单位）名称（盖章）", u.name), ("主管部门", u.supervisor), ("预算编码", u.budget_code),
              ("评价方式", u.evaluation_method), ("评价机构", u.evaluator_org), ("报告时间", u.report_date)]
    for label, value in fields:
        if label != "主管部门" or value:  # the seed's cover has no 主管部门 line; print it only when there is one
            _cover_field(b, label, str(value or ""))
    b.h1("一、部门（单位）基本概况", page_break=True)
    g = widths([2.2, 2.3, 2.2, 2.3])
    st = pkg.staffing
    b.table([
        [H("联系人"), C(u.contact), H("联系电话"), C(u.phone)],
        [H("人员编制"), C(I(st.authorized)), H("实有人数"), C(I(st.actual))],
        [H("职能职责概述"), L(u.functions, 3)],
        [H("年度主要工作内容"), L(u.main_tasks, 3)],
        [H("年度部门（单位）总体运行情况及取得的成绩"), L(u.summary, 3)],
    ], g)
    b.h1("二、部门（单位）收支情况")
    _income(b, pkg)
    _expenditure(b, pkg)
    _sangong(b, pkg)
    _assets(b, pkg)
    b.h1("三、部门（单位）整体支出绩效自评情况")
    _cover_goals(b, pkg, view.profile["cover_score"])
    b.h1("四、评价人员")
    _evaluators(b, pkg)


def _inst(rows) -> list[tuple[str, object]]:
    out, n = [], 0
    for r in rows:
        if r.is_summary:
            out.append((r.institution, r))
        else:
            n += 1
            out.append((f"{n}、{r.institution}", r))
    return out


def _money_rows(rows, fields: list[str]) -> list[list]:
    return [[L(label)] + [N(A(getattr(r, f))) for f in fields] for label, r in _inst(rows)]


def _income(b: Body, pkg: Package) -> None:
    b.caption("年度收入情况", "万元")
    fields = ["total", "carryover", "general_budget", "fund_budget", "special_account", "other"]
    head = [[H("机构名称", merge="restart"), H("收入合计", merge="restart"), H("其中：", 5)],
            [V(), V(), H("上年结转"), H("公共财政拨款"), H("政府基金拨款"), H("纳入专户管理的非税收入拨款"), H("其他收入")]]
    b.table(head + _money_rows(pkg.income, fields), None, 2)


def _expenditure(b: Body, pkg: Package) -> None:
    b.caption("部门（单位）年度支出和结余情况", "万元")
    fields = ["total", "basic", "personnel", "public", "project", "balance_current", "balance_cumulative"]
    head = [[H("机构名称", merge="restart"), H("支出合计", merge="restart"), H("其中：", 4), H("结余", 2)],
            [V(), V(), H("基本支出", merge="restart"), H("其中：", 2), H("项目支出", merge="restart"),
             H("当年结余", merge="restart"), H("累计结余", merge="restart")],
            [V(), V(), V(), H("人员支出"), H("公用支出"), V(), V(), V()]]
    b.table(head + _money_rows(pkg.expenditure, fields), None, 3)


def _sangong(b: Body, pkg: Package) -> None:
    b.caption("“三公”经费情况", "万元")
    fields = ["total", "reception", "vehicle_operation", "vehicle_purchase", "overseas"]
    head = [[H("机构名称", merge="restart"), H("三公经费合计", merge="restart"), H("其中：", 4)],
            [V(), V(), H("公务接待费"), H("公务用车运行维护费"), H("公务用车购置费"), H("因公出国（境）费用")]]
    b.table(head + _money_rows(pkg.sangong, fields), None, 2)


def _assets(b: Body, pkg: Package) -> None:
    b.caption("固定资产情况", "万元")
    fields = ["total", "in_use", "rented", "other"]
    head = [[H("机构名称", merge="restart"), H("固定资产合计", merge="restart"), H("其中：", 3)],
            [V(), V(), H("在用固定资产"), H("出租固定资产"), H("其他")]]
    b.table(head + _money_rows(pkg.fixed_assets, fields), None, 2)


KEEP_PT = 120  # a group of rows up to this tall (a fifth of the type area) is kept on one page
# A 一级 group up to this tall (half the type area) is kept on one page and its label merged over it
# whole, as the official forms print it; the page then breaks between 一级 groups, where the repeated
# header row starts the next group cleanly. A taller group is merged per 二级 group instead.
GROUP_KEEP_PT = 320


BODY_CHARS = 28  # characters a body line holds (GB/T 9704: 28 a line, 22 lines a page)


def _cover_field(b: Body, label: str, value: str) -> None:
    """A cover line "部门（单位）名称（盖章）：…", indented as body text where it fits on one line; else
    from the margin; else broken between the words of the name (after 人民政府, 联络处 …), never
    inside one, its next lines set under the name's start (full-width spaces on the character grid)."""
    head = f"{label}："
    text = head + value
    if words.width(text) <= BODY_CHARS - 2:
        b.p(text, indent=True)
        return
    if words.width(text) <= BODY_CHARS:
        b.add(para(text, "JxBody", indent=False))
        return
    room = BODY_CHARS - words.width(head)
    lines = words.name_lines(value, room) if room >= 6 else [value]
    pad = "\u3000" * len(head) if room >= 6 else ""
    # left-aligned: justified, a line ended by a break would be spread over the width
    b.add(para("\n".join([head + lines[0]] + [pad + ln for ln in lines[1:]]), "JxBody", indent=False, align="left"))


def _runs(keys: list[str], lo: int = 0, hi: int | None = None):
    """(start, end) of each run of equal keys in keys[lo:hi]."""
    hi = len(keys) if hi is None else hi
    start = lo
    for i in range(lo + 1, hi + 1):
        if i == hi or keys[i] != keys[start]:
            yield start, i
            start = i


def hierarchy(level1: list[str], level2: list[str], heights: list[int]) -> tuple[list[str], list[str], set[int]]:
    """Vertical merges for a form's 一级 and 二级 label columns, and the rows to keep with the next.
    A merged label prints once, in the part of its cell on the first page, so a group that could
    run over a page break must carry its label on both sides of it: a 一级 group short enough is
    merged whole and kept on one page; a longer one is merged per 二级 group (its label printed
    once per group), and each 二级 group short enough is kept on one page, a longer one labelled on
    every row. A 一级 group counts as short enough up to GROUP_KEEP_PT, a 二级 group up to KEEP_PT."""
    n = len(level1)
    m1, m2 = ["restart"] * n, ["restart"] * n
    keep: set[int] = set()
    key2 = [f"{a}/{b}" for a, b in zip(level1, level2)]
    for a, b in _runs(level1):
        whole = sum(heights[a:b]) <= GROUP_KEEP_PT
        if whole:
            keep.update(range(a, b - 1))
            m1[a + 1:b] = ["continue"] * (b - a - 1)
        for c, d in _runs(key2, a, b):
            if whole or sum(heights[c:d]) <= KEEP_PT:  # inside a 一级 group kept whole, every 二级 run merges
                keep.update(range(c, d - 1))
                m2[c + 1:d] = ["continue"] * (d - c - 1)
                if not whole:
                    m1[c + 1:d] = ["continue"] * (d - c - 1)
    return m1, m2, keep


def _hier_rows(rows: list[list], label_cols: tuple[int, int], grid: list[int], level1: list[str], level2: list[str],
               first: int, face: docx_xml.Face = docx_xml.NORMAL) -> set[int]:
    """Apply hierarchy() to rows[first:], whose cells at label_cols hold the 一级 and 二级 labels (as
    written, every row labelled); returns the rows to keep with the next, as table row indices."""
    body = rows[first:]
    # a row's height without its labels: a merged label's lines are spread over the group's rows
    heights = [docx_xml.row_height_pt([docx_xml.Cell("", c.span) if k in label_cols else c for k, c in enumerate(r)], grid, face) + 6
               for r in body]
    m1, m2, keep = hierarchy(level1, level2, heights)
    for r, a, c in zip(body, m1, m2):
        for col, merge in ((label_cols[0], a), (label_cols[1], c)):
            cell = r[col]
            cell.merge = merge
            if merge == "continue":
                cell.text = ""
    return {first + k for k in keep}


def _cover_goals(b: Body, pkg: Package, cover_system: str) -> None:
    g = pkg.cover_goal
    b.table([
        [H("整体支出绩效定性目标及实施计划完成情况", merge="restart"), H("预期目标"), H("实际完成")],
        [V(), L(g.expected), L(g.actual)],
    ], widths([2, 4, 4]), 1)
    inds = pkg.cover_indicators
    if inds:
        rows = [[H("评价内容", 2), H("绩效指标"), H("绩效目标"), H("完成情况")],
                [H("一级指标"), H("二级指标"), H("三级指标"), H("年度指标值"), H("实际完成值")]]
        for ind in inds:
            rows.append([Label(ind.level1), Label(ind.level2), L(ind.name), C(ind.target.raw), L(ind.actual.raw)])
        grid = docx_xml.fit_grid(rows)
        keep = _hier_rows(rows, (0, 1), grid, [i.level1 for i in inds], [i.level2 for i in inds], 2)
        b.caption("整体支出绩效定量目标及实施计划完成情况")
        b.table(rows, grid, 2, keep)
    system = catalogue.SYSTEM_LABELS[cover_system]
    b.table([[H("绩效自评综合得分及评价等次"),
              C(f"评分（{system}）：{S(pkg.stated_score)}        等级：{pkg.stated_grade or '—'}", align="left")]],
            widths([3, 7]))
    b.add(para(pkg.grade_note, "JxNote"))


def _evaluators(b: Body, pkg: Package) -> None:
    rows = [[H("姓  名"), H("职务/职称"), H("单  位"), H("签  字")]]
    for e in pkg.evaluators:
        rows.append([C(e.name), C(e.title), C(e.org), C("已签字" if e.signed else "")])
    b.table(rows, None, 1)
    signer_lines = {
        "评价组组长": ("评价组组长签署意见：", "评价组组长（签字）：{s}"),
        "部门（单位）": ("部门（单位）意见：", "部门（单位）负责人（签字）：{s}        部门（单位）（盖章）："),
        "财政部门归口业务科室": ("财政部门归口业务科室意见：", "财政部门归口业务科室负责人（签字）：{s}    （盖章）："),
    }
    opinions = {o.role: o for o in pkg.opinions}
    grid = widths([1])
    for role, (head, sign) in signer_lines.items():
        o = opinions.get(role)
        text = o.text if o else ""
        signer = o.signer if o else ""
        date = D(o.signed_on) if o else D(None)
        cell = f"{head}\n\n{text}\n\n{sign.format(s=signer)}\n\n{date}" if text else f"{head}\n\n\n\n{sign.format(s=signer)}\n\n{date}"
        b.table([[L(cell)]], grid)


# --- 绩效评价报告 (narrative) ---------------------------------------------------------------


def narrative(b: Body, view: View, pics: list[tuple[str, str]]) -> None:
    pkg = view.package
    n = pkg.narrative
    b.title(n.title or f"{pkg.year}年{pkg.unit.name}部门整体支出绩效评价报告", page_break=True, whole=pkg.unit.name)
    b.h1("一、基本情况")
    b.h2("（一）部门（单位）基本情况")
    b.p(pkg.unit.functions)
    st = pkg.staffing
    bst = pkg.basic_data.staffing
    facts = []
    if st.authorized is not None:
        facts.append(f"单位编制{st.authorized}人")
    if st.actual is not None:
        facts.append(f"实有人数{st.actual}人")
    if bst.in_post is not None:
        facts.append(f"年末实际在职人数{bst.in_post}人")
    if facts:
        b.p("截至" + f"{pkg.year}年12月31日，" + "，".join(facts) + "。")
    b.h2("（二）年度主要工作及成绩")
    b.p(pkg.unit.main_tasks)
    b.p(pkg.unit.summary)
    b.h1("二、一般公共预算支出情况")
    b.h2("（一）基本支出情况")
    _basic_expenditure(b, n.tables.get("basic_expenditure"))
    b.h2("（二）项目支出情况")
    _project_expenditure(b, n.tables.get("project_expenditure"))
    for number, kind in (("三", "gov_fund"), ("四", "state_capital"), ("五", "social_insurance")):
        b.h1(f"{number}、{FUND_TYPE_LABELS[kind][1]}情况")
        b.p(_fund_type_sentence(pkg, kind))
    b.h1("六、部门整体支出绩效情况")
    _overall_performance(b, view, pics)
    b.h1("七、综合评价情况及评价结论")
    _framework(b, view)
    b.h1("八、主要经验做法、存在的问题及原因分析")
    b.h2("（一）主要经验做法")
    b.p(after_heading(n.achievements, "主要经验做法") or "无。")
    b.h2("（二）存在的问题及原因分析")
    b.p(after_heading(n.problems, "存在的问题及原因分析") or "无。")
    b.h1("九、有关建议")
    b.p(after_heading(n.suggestions, "有关建议") or "无。")
    b.h1("十、绩效自评结果拟应用和公开情况")
    b.p(after_heading(n.publication, "绩效自评结果拟应用和公开情况") or "无。")


# A number the text already carries at its start: "八、", "1、", "1.", "（一）", "(1)", "①".
_NUMBER_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|\d{1,3}\s*[、.．](?!\d)|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]"
                            r"|[\u2460-\u2473\u2776-\u277f])\s*")


def unnumbered(text: str) -> str:
    """`text` without the number it may already carry, for a heading the renderer numbers itself
    (a label read from a document keeps its "1、"; printed after the renderer's own it would read "1、1、投入")."""
    stripped = _NUMBER_PREFIX.sub("", text or "", count=1)
    return stripped or text


def after_heading(text: str, heading: str) -> str:
    """A section's text without a first line that repeats the section's heading (with or without its
    number, "（一）主要经验做法：" as the unit typed it under the heading the renderer prints)."""
    if not text:
        return text
    first, _, rest = text.strip().partition("\n")
    if unnumbered(unnumbered(first)).strip().rstrip("：:。 ") == heading:  # "八、（一）主要经验做法" too
        return rest.strip()
    return text


def _total_line(t: LineTable):
    if t.total_label:
        return t.line(t.total_label)
    return None


def _basic_expenditure(b: Body, t: LineTable | None) -> None:
    if t is None:
        b.p("未填报基本支出分类数据。")
        return
    tot = _total_line(t)
    if tot is not None:
        cols = list(t.columns)
        budget, actual = tot.values.get(cols[0]), tot.values.get(cols[1]) if len(cols) > 1 else None
        diff = actual - budget if actual is not None and budget is not None else None
        sentence = f"本年度基本支出{t.columns[cols[1]]}{A(actual)}万元，{t.columns[cols[0]]}{A(budget)}万元"
        if diff is not None:
            sentence += f"，{'增加' if diff >= 0 else '减少'}{A(abs(diff))}万元"
        b.p(sentence + "。分项情况见下表。")
    line_table(b, t, "项目（按支出性质和经济分类）")


def _project_expenditure(b: Body, t: LineTable | None) -> None:
    if t is None:
        b.p("未填报项目支出数据。")
        return
    tot = _total_line(t)
    if tot is not None:
        # As the seed words it: "项目支出年初预算数为…万元，实际支出数…万元，较年初预算支出数增加…万元".
        # The table's other columns (结转和结余, 收入) are left to the table: in a sentence about
        # 项目支出 a reader takes "收入决算数" for the spending.
        v = tot.values
        spent = next((c for c in t.columns if c in t.derived.get("closing", ())[3:] or c == "spent"), None)
        initial = "initial" if "initial" in t.columns else None
        parts = []
        if initial is not None and v.get(initial) is not None:
            parts.append(f"年初预算数为{A(v.get(initial))}万元")
        if spent is not None and v.get(spent) is not None:
            parts.append(f"实际支出数{A(v.get(spent))}万元")
            if initial is not None and v.get(initial) is not None:
                diff = v.get(spent) - v.get(initial)
                parts.append(f"较年初预算数{'增加' if diff >= 0 else '减少'}{A(abs(diff))}万元")
        if parts:
            b.p("本年度项目支出" + "，".join(parts) + "。各项目情况见下表。")
    line_table(b, t, "项目名称")


def line_table(b: Body, t: LineTable, first: str, number_tops: bool = False) -> None:
    """A table of amounts with parent/child lines, labelled as the forms print them (the seed's layout):
    each level indented one full-width space deeper; the first part of a partial line opens with "其中：";
    lines whose siblings have parts of their own are numbered "1、2、…" (附件2's 三公经费); with
    `number_tops` the top-level lines other than the total are numbered too (the cost-control table)."""
    b.caption(t.title, t.unit)
    cols = list(t.columns)
    rows = [[H(first)] + [H(t.columns[c]) for c in cols]]
    depth: dict[str, int] = {}
    parents = {ln.parent for ln in t.lines if ln.parent}
    siblings: dict[str | None, list] = {}
    for ln in t.lines:
        siblings.setdefault(ln.parent, []).append(ln)
    for ln in t.lines:
        depth[ln.label] = depth.get(ln.parent, -1) + 1 if ln.parent else 0
        group = siblings[ln.parent]
        if ln.parent:
            numbered = any(x.label in parents for x in group)
        else:
            numbered = number_tops and ln.label != t.total_label
            group = [x for x in group if x.label != t.total_label]
        number = f"{group.index(ln) + 1}、" if numbered else ""
        qizhong = "其中：" if ln.parent and group[0] is ln and t.line(ln.parent).partial else ""
        label = "\u3000" * depth[ln.label] + qizhong + number + ln.label
        rows.append([L(label)] + [N(A(ln.values.get(c)) if ln.values.get(c) is not None else "") for c in cols])
    b.table(rows, None, 1, total=bool(t.lines) and t.lines[-1].label == t.total_label)


def _fund_type_sentence(pkg: Package, kind: str) -> str:
    decl = next((d for d in pkg.fund_types if d.kind == kind), None)
    annex, label = FUND_TYPE_LABELS[kind]
    if decl is None or not decl.has_spending or not decl.tables:
        return decl.statement if decl and decl.statement else f"本单位{pkg.year}年无{label}。"
    names = "、".join(t.name or label for t in decl.tables)
    return f"本单位{pkg.year}年{label}涉及{names}，自评情况见{annex}。"


def _overall_performance(b: Body, view: View, pics) -> None:
    pkg = view.package
    ov = pkg.overall
    res = view.report.table(keys.OVERALL)
    if ov is not None and ov.fund("total") is not None and res is not None:
        tot, basic, project = ov.fund("total"), ov.fund("basic"), ov.fund("project")
        text = f"{pkg.year}年本单位全年预算数{A(tot.annual)}万元，全年执行数{A(tot.executed)}万元"
        if basic is not None and project is not None:
            text += f"（其中基本支出{A(basic.executed)}万元，项目支出{A(project.executed)}万元）"
        rate = res.execution_rate.value if res.execution_rate else None
        text += f"，预算执行率{P(rate)}，执行率得分{S(res.execution_score.standing if res.execution_score else None)}分。"
        b.p(text)
        threshold = view.profile["execution_reason_threshold"]
        if rate is not None and rate < threshold:
            b.p(f"预算执行率低于{P(threshold)}，原因及改进措施见问题分析部分。")
    _project_summary(b, view)
    for title, inline in pics:
        b.add(para(title, "JxCaption"))  # before the picture: the caption style keeps with the next paragraph
        b.add(f'<w:p><w:pPr><w:pStyle w:val="JxFigure"/></w:pPr><w:r><w:drawing>{inline}</w:drawing></w:r></w:p>')
    b.h2("（一）预算支出成本控制情况")
    cc = pkg.narrative.tables.get("cost_control")
    if cc is not None:
        line_table(b, cc, "项目", number_tops=True)
    else:
        b.p("未填报成本控制数据。")
    b.h2("（二）“三公”经费管理情况")
    b.p(_sangong_sentence(pkg))
    b.h2("（三）其他支出管理情况")
    for sentence in _other_sentences(pkg):
        b.p(sentence)


def _project_summary(b: Body, view: View) -> None:
    results = [t for t in view.report.tables if t.table.kind == "project"]
    if not results:
        return
    b.caption("项目支出绩效自评结果", "万元")
    rows = [[H("项目名称"), H("全年预算数"), H("全年执行数"), H("执行率"), H("执行率得分"), H("自评得分"), H("等次")]]
    for r in results:
        tot = r.table.fund("total")
        rows.append([L(r.table.name), N(A(tot.annual if tot else None)), N(A(tot.executed if tot else None)),
                     N(P(r.execution_rate.value if r.execution_rate else None)),
                     N(S(r.execution_score.standing if r.execution_score else None)),
                     N(S(r.total.value if r.total else None)), C(r.grade.text if r.grade else "")])
    b.table(rows, None, 1)


def _sangong_sentence(pkg: Package) -> str:
    costs = pkg.basic_data.costs
    ln = costs.line("三公经费") if costs is not None else None
    if ln is None:
        rows = pkg.institution_rows(pkg.sangong)
        if not rows:
            return "未填报“三公”经费数据。"
        return f"本年度“三公”经费支出{A(rows[0].total)}万元。"
    cols = costs.columns
    v = ln.values
    figures = [f"{cols.get(k, k)}{A(v.get(k))}万元" for k in ("prior_actual", "budget", "actual") if v.get(k) is not None]
    text = f"本单位“三公”经费{'，'.join(figures)}"
    parts = [c for c in costs.lines if c.parent == ln.label]
    if parts:
        text += "；其中" + "，".join(f"{c.label}{A(c.values.get('actual'))}万元" for c in parts if c.values.get("actual") is not None)
    return text + "。"


def _other_sentences(pkg: Package) -> list[str]:
    out = []
    costs = pkg.basic_data.costs
    meeting = costs.line("会议费") if costs is not None else None
    if meeting is not None:
        out.append(f"会议费：预算{A(meeting.values.get('budget'))}万元，实际支出{A(meeting.values.get('actual'))}万元。")
    b = pkg.basic_data.buildings
    if b.has_project:
        out.append(f"楼堂馆所：批复规模{W(b.approved_area)}㎡，实际规模{W(b.actual_area)}㎡，规模控制率{P(b.stated_area_rate)}；"
                   f"预算投资{A(b.budget_investment)}万元，实际投资{A(b.actual_investment)}万元，投资概算控制率{P(b.stated_investment_rate)}。")
    else:
        out.append(f"楼堂馆所：本单位{pkg.year}年无楼堂馆所项目支出。")
    st = pkg.basic_data.staffing
    if st.authorized is not None:
        out.append(f"机构编制：年末编制数{st.authorized}人，年末实际在职人数{I(st.in_post)}人，控制率{P(st.stated_control_rate)}。")
    return out


def _framework(b: Body, view: View) -> None:
    """§七 as the seed lays it out: "1、投入" / "（1）目标设定" / "①绩效目标合理性（3分）：…该项指标得3.00分。",
    then "N、绩效评价得分情况" with the table and the total sentence ("…评价得分为89分，绩效评价等级为“良”")."""
    pkg = view.package
    n = pkg.narrative
    if not n.framework:
        b.p("未填报部门整体支出绩效评价指标。")
        return
    numbers = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
    level1_seen: list[str] = []
    level2_seen: list[tuple[str, str]] = []
    counter = 0
    for i, item in enumerate(n.framework):
        if item.level1 not in level1_seen:
            level1_seen.append(item.level1)
            b.h2(f"{len(level1_seen)}、{unnumbered(item.level1)}")
            counter = 0
        if item.level2 and (item.level1, item.level2) not in level2_seen:
            level2_seen.append((item.level1, item.level2))
            b.h3(f"（{sum(1 for l1, _ in level2_seen if l1 == item.level1)}）{unnumbered(item.level2)}")
            counter = 0
        mark = numbers[counter] if counter < len(numbers) else f"({counter + 1})"
        counter += 1
        b.p(f"{mark}{unnumbered(item.name)}（{W(item.weight)}分）：" + _framework_sentence(item, view, i))
    b.h2(f"{len(level1_seen) + 1}、绩效评价得分情况")
    b.caption("部门整体支出绩效评价得分情况")
    rows = [[H("一级指标"), H("二级指标"), H("三级指标"), H("分值"), H("比率"), H("得分")]]
    for f in n.framework:
        rows.append([C(f.level1), C(f.level2), L(f.name), N(W(f.weight)),
                     N(P(f.stated_rate) if f.stated_rate is not None else "—"), N(S(f.stated_score))])
    weight_total = view.find(keys.FRAMEWORK_WEIGHT_TOTAL)
    rows.append([H("合计", 3), N(W(weight_total.value if weight_total else None)), N(""), N(S(n.stated_total))])
    grid = docx_xml.fit_grid(rows)
    keep = _hier_rows(rows[:-1], (0, 1), grid, [f.level1 for f in n.framework], [f.level2 for f in n.framework], 1)
    b.table(rows, grid, 1, keep, total=True)
    b.p(f"根据部门整体支出绩效评价指标体系，经对各项指标逐项评分，本部门{pkg.year}年度"
        f"{catalogue.SYSTEM_LABELS[catalogue.SYSTEM_FRAMEWORK]}为{S(n.stated_total)}分，绩效评价等级为“{n.stated_grade}”。")


# Units of the profile formulas' inputs as §七 prints them ("编制数17人"); amounts are 万元.
_INPUT_UNITS = {"在职人员数": "人", "编制数": "人", "满意数": "份", "有效问卷数": "份", "实际面积": "㎡", "批准面积": "㎡",
                "完成数": "项", "计划数": "项"}


def _framework_sentence(item, view: View, i: int) -> str:
    """The item's figures with their units, its formula and rate, the scoring rule and the score — the
    score last, as the seed closes each item ("根据评分标准，该项指标得分8分")."""
    rate = view.find(keys.framework_rate(i))
    score = view.find(keys.framework_score(i))
    figures = "，".join(f"{k}{_plain(v)}{_INPUT_UNITS.get(k, '万元')}" for k, v in item.inputs.items())
    parts = []
    if rate is not None and rate.value is not None:
        parts.append((f"{figures}，" if figures else "") + f"{item.name}＝{item.stated_formula}＝{P(rate.value)}")
    elif item.stated_rate is not None:
        parts.append((f"{figures}，" if figures else "") + f"{item.name}为{P(item.stated_rate)}")
    elif figures:
        parts.append(figures)
    if score is not None and score.formula and not score.judged:
        # only a verified rule is the profile's to print; a judged score is the evaluators' own
        parts.append(f"评分规则：{_rule_words(score.formula)}")
    parts.append(f"该项指标得{S(item.stated_score)}分")
    return "；".join(parts) + "。"


def _rule_words(formula: str) -> str:
    """A scoring rule in words: its own "=" and "÷" would read as the item's rate and formula."""
    return formula.replace("＝", "为").replace("=", "为").replace("÷", "除以").replace("×", "乘以")


def _plain(v: Decimal) -> str:
    return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")


def _cn(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


# --- 附件1 notice ---------------------------------------------------------------------------


def annex1(b: Body, view: View) -> None:
    pkg = view.package
    nt = pkg.notice
    prof = view.profile
    b.add(para("附件1", "JxAnnex", page_break=True))
    issuer = nt.issuer or pkg.unit.name
    b.title(f"{issuer}关于开展{pkg.year}年度部门整体支出绩效自评工作的通知", whole=issuer)
    b.h1("一、自评范围")
    scope = f"{pkg.year}年度本部门整体支出{A(nt.scope_total)}万元" if nt.scope_total is not None else f"{pkg.year}年度本部门整体支出"
    b.p(scope + "，以及本部门各项目支出，均纳入自评范围。")
    b.h1("二、评分规则")
    b.p(f"预算执行率＝全年执行数（B）÷全年预算数（A），执行率分值{W(prof['execution_weight'])}分，"
        "按执行率乘以分值计分，最高不超过分值。")
    weights = "，".join(f"{k}{W(v)}分" for k, v in prof["level1_weights"].items())
    b.p(f"一级指标分值：{weights}。定量指标按完成值与指标值的比较计分，定性指标按达成、部分达成、未达成三档计分。")
    threshold = nt.deviation_threshold if nt.deviation_threshold is not None else prof["deviation_threshold"]
    b.p(f"完成值偏离指标值{P(threshold)}及以上的，须在偏差原因分析中书面说明。")
    b.p(_grades_sentence(prof))
    b.h1("三、报送时间")
    b.p(keep_next=True, text=f"请于{D(nt.deadline)}前报送自评表、自评报告及相关资料。" if nt.deadline else "报送时间另行通知。")
    b.add(para(issuer, "JxSign"))
    b.add(para(D(nt.issued_on) if nt.issued_on else "", "JxSign"))


def _grades_sentence(prof) -> str:
    from ..core.view import grade_note

    return "评价等次：" + grade_note(prof).removeprefix("备注：")


# --- 附件2 basic data -----------------------------------------------------------------------


def annex2(b: Body, view: View) -> None:
    pkg = view.package
    bd = pkg.basic_data
    b.add(para("附件2", "JxAnnex", page_break=True))
    b.title(f"{level_prefix(pkg)}整体支出绩效评价基础数据表", form=True)
    b.add(para(f"（{pkg.year}年度）", "JxCaption"))
    st = bd.staffing
    b.table([[H("财政供养人员情况"), H(f"{pkg.year}年末编制数"), H(f"{pkg.year}年末实际在职人数"), H("控制率")],
             [C(""), C(I(st.authorized)), C(I(st.in_post)), C(P(st.stated_control_rate))]],
            None)
    if bd.costs is not None:
        line_table(b, bd.costs, "经费控制情况")
    bl = bd.buildings
    b.caption(f"楼堂馆所控制情况（{pkg.year}年完工项目）")
    b.table([[H("批复规模（㎡）"), H("实际规模（㎡）"), H("规模控制率"), H("预算投资（万元）"), H("实际投资（万元）"), H("投资概算控制率")],
             [N(W(bl.approved_area)), N(W(bl.actual_area)), N(P(bl.stated_area_rate)), N(A(bl.budget_investment)),
              N(A(bl.actual_investment)), N(P(bl.stated_investment_rate))]], None, 1)
    b.table([[H("厉行节约保障措施"), L(bd.thrift_measures)]], widths([2.5, 7.5]))
    _filler_lines(b, pkg, bd.filler, bd.filing_date)


def _filler_texts(pkg: Package, filler: str, when) -> list[str]:
    """The signature line's text: one line where it fits the width, else two (one too long would wrap
    inside the date)."""
    first = f"单位负责人签字：\u3000\u3000\u3000\u3000填表人：{filler}"
    second = f"联系电话：{pkg.unit.phone}\u3000\u3000填报日期：{D(when)}"
    whole = f"{first}\u3000\u3000{second}"
    if docx_xml.text_twips(whole, docx_xml.SMALL) + docx_xml.SLACK <= docx_xml.TEXT_WIDTH:
        return [whole]
    return [first, second]


def _filler_lines(b: Body, pkg: Package, filler: str, when) -> None:
    """The form's signature line under the table, in the form's 小五 (_filler_texts)."""
    lines = _filler_texts(pkg, filler, when)
    for k, line in enumerate(lines):
        b.add(para(line, "JxFormNote", keep_next=k < len(lines) - 1))


# --- 附件3–7 self-evaluation tables ---------------------------------------------------------



def annex_tables(b: Body, view: View) -> None:
    pkg = view.package
    table = view.report.table
    if pkg.overall is not None:
        b.add(para("附件3", "JxAnnex", page_break=True))
        self_eval(b, pkg, pkg.overall, table(keys.OVERALL), "部门整体支出绩效自评表")
    for i, proj in enumerate(pkg.projects):
        b.add(para("附件4", "JxAnnex", page_break=True))
        self_eval(b, pkg, proj, table(keys.project(i)), "项目支出绩效自评表")
    for i, decl in enumerate(pkg.fund_types):
        annex, label = FUND_TYPE_LABELS.get(decl.kind, ("附件", decl.kind))
        if not decl.has_spending or not decl.tables:
            b.add(para(annex, "JxAnnex", page_break=True))
            b.title(f"{level_prefix(pkg)}{label}绩效自评表")  # a statement in body text follows: on the line grid
            b.p(decl.statement or f"本单位{pkg.year}年无{label}。")
            continue
        for j, t in enumerate(decl.tables):
            b.add(para(annex, "JxAnnex", page_break=True))
            self_eval(b, pkg, t, table(keys.fund_type_table(i, j)), f"{label}绩效自评表")


def self_eval(b: Body, pkg: Package, t: SelfEvalTable, res, default_title: str) -> None:
    title = t.form_label or default_title
    b.title(title, form=True)
    b.add(para(f"（{pkg.year}年度）", "JxCaption"))
    grade = res.grade.text if res is not None and res.grade else ""
    form = _plan_form(pkg, t, grade, break_title(title).count("\n") + 1)
    b.table(form.head, form.head_grid, face=docx_xml.SMALL)
    # The indicators are a table of their own, so that their header row (一级指标 … 偏差原因) repeats on every
    # page the form runs over: only a table's leading rows can repeat. A hairline paragraph keeps the two
    # tables apart (Word joins adjacent tables into one) and with each other on the page.
    b.add(docx_xml.hairline())
    b.table(form.rows, form.grid, 1, form.keep, total=True, face=docx_xml.SMALL)
    _filler_lines(b, pkg, t.filler, t.filing_date)


@dataclass
class _Form:
    """A form laid out: the head table (name, funds, goal) and the indicator table with its 总分, their
    widths, the indicator rows kept with the next, and how full each page would be."""
    head: list
    head_grid: list[int]
    rows: list
    grid: list[int]
    keep: set[int]
    fills: list[float]


def _plan_form(pkg: Package, t: SelfEvalTable, grade: str, title_lines: int) -> _Form:
    """The form as a typesetter fits it: in the widths that take the fewest lines; if that would leave
    its last rows, 总分 and signature alone on a near-empty page, set tight (a qualified date may break
    before its qualifier, the width it frees going where it saves lines) when that brings them back;
    else the page breaks between 一级 groups earlier, so that the last page carries a fair share."""
    start = paging.FORM_TOP_PT + paging.TITLE_LINE_PT * (title_lines - 1)
    note = paging.NOTE_LINE_PT * _filler_line_count(pkg, t)
    form = _layout_form(pkg, t, grade, start, note, tight=False)
    if not paging.is_spill(form.fills):
        return form
    tight = _layout_form(pkg, t, grade, start, note, tight=True)
    if tight is not None and len(tight.fills) < len(form.fills) and paging.fits_with_margin(tight.fills):
        return tight
    _pull_groups(form, t, start, note)
    return form


def _layout_form(pkg: Package, t: SelfEvalTable, grade: str, start: float, note: float, tight: bool) -> _Form | None:
    """The form in the widths that take the fewest lines; set tight, None where the tight widths
    would cut a label or header below its least width (docx_xml.fit_grid)."""
    face = docx_xml.SMALL
    head = _head_rows(pkg, t) + _fund_rows(t)
    head += [[H("年度总体目标", 2, merge="restart"), H("预期目标", 3), H("实际完成情况", 4)],
             [V(2), L(t.goal.expected, 3), L(t.goal.actual, 4)]]
    # the whole form in 小五, as the indicator table below, in the widths that take the fewest lines
    head_grid = docx_xml.fit_grid(head, face=face, compact=True, tight=tight)
    rows = _indicator_rows(t)
    rows.append([H(f"总分（{catalogue.SYSTEM_LABELS[catalogue.SYSTEM_SELF_EVAL]}）", 6), N(W(t.stated_total_weight)),
                 N(S(t.stated_total)), C(f"等次：{grade}" if grade else "")])
    grid = docx_xml.fit_grid(rows, face=face, compact=True, tight=tight)
    if head_grid is None or grid is None:
        return None
    keep = _hier_rows(rows[:-1], (1, 2), grid, [i.level1 for i in t.indicators], [i.level2 for i in t.indicators], 1, face)
    keep.add(len(rows) - 1)  # 总分 with the signature line under it
    form = _Form(head, head_grid, rows, grid, keep, [])
    form.fills = _fills(form, start, note)
    return form


def _fills(form: _Form, start: float, note: float) -> list[float]:
    face = docx_xml.SMALL
    blocks = paging.table_blocks(form.head, form.head_grid, face, table_keep(len(form.head), 0))
    rows = paging.table_blocks(form.rows, form.grid, face, table_keep(len(form.rows), 1, form.keep, total=True), 1)
    last = rows[-1]  # the signature line is kept with 总分
    rows[-1] = paging.Block(last.height + note, last.split, last.header)
    first = rows[0]
    rows[0] = paging.Block(first.height + paging.HAIRLINE_PT, first.split, first.header)
    return paging.page_fills(start, blocks + rows)


def _pull_groups(form: _Form, t: SelfEvalTable, start: float, note: float) -> None:
    """Keep whole 一级 groups with the total, the last first, until the last page is no spill; a
    group is taken only while the groups kept together still fit a page under the header."""
    starts = [1 + a for a, _b in _runs([i.level1 for i in t.indicators])][1:]  # table rows opening a group
    for first in reversed(starts):
        trial = set(form.keep) | {first - 1}
        tail = paging.table_blocks(form.rows, form.grid, docx_xml.SMALL, table_keep(len(form.rows), 1, trial, total=True), 1)[-1]
        if tail.height + note > paging.TYPE_AREA_PT - tail.header:
            return
        fills = _fills(_Form(form.head, form.head_grid, form.rows, form.grid, trial, []), start, note)
        if len(fills) > len(form.fills):
            return
        form.keep, form.fills = trial, fills
        if not paging.is_spill(fills):
            return


def _filler_line_count(pkg: Package, t: SelfEvalTable) -> int:
    return len(_filler_texts(pkg, t.filler, t.filing_date))


def _head_rows(pkg: Package, t: SelfEvalTable) -> list:
    if t.kind == "overall":
        return [[H("部门（单位）名称", 3), Name(pkg.unit.name, 6)]]
    label = t.row_label or ("项目支出名称" if t.kind == "project" else f"{FUND_TYPE_LABELS[t.kind][1]}名称")
    return [[H(label, 3), Name(t.name, 6)],
            [H("主管部门", 3), Name(t.supervisor, 2), H("实施单位", 2), Name(t.implementer, 2)]]


_GROUP_LABELS = {"general_budget": "按收入性质分：", "basic": "按支出性质分："}


def _fund_rows(t: SelfEvalTable) -> list:
    label = "年度预算申请（万元）" if t.kind == "overall" else "项目资金（万元）"
    rows = [[H(label, merge="restart"), H("", 2), H("年初预算数"), H("全年预算数"), H("全年执行数"), H("分值"), H("执行率"), H("得分")]]
    dash = "——"
    for f in t.funds:
        if f.key in _GROUP_LABELS and t.kind == "overall":
            rows.append([V(), Label(_GROUP_LABELS[f.key], 2, align="left"), C(), C(), C(), C(dash), C(dash), C(dash)])
        name = f.label
        if f.key == "appropriation":
            name = "其中：" + f.label.removeprefix("其中：")
        if f.key == "total":
            rows.append([V(), Label(name, 2, align="left"), N(A(f.initial)), N(A(f.annual)), N(A(f.executed)), N(W(f.weight)),
                         N(P(f.stated_rate)), N(S(f.stated_score))])
        else:
            rows.append([V(), Label(("\u3000" if t.kind == "overall" else "") + name, 2, align="left"), N(_opt(f.initial)),
                         N(_opt(f.annual)), N(_opt(f.executed)), C(dash), C(dash), C(dash)])
    return rows


def _opt(v: Decimal | None) -> str:
    return "" if v is None else A(v)


def _indicator_rows(t: SelfEvalTable) -> list:
    # The header row repeats on each page, so no cell of it may run down into the indicator rows: the
    # 绩效指标 label heads its own column, which the indicator rows fill with one merged cell.
    head = [H("绩效\n指标"), H("一级指标"), H("二级指标"), H("三级指标"), H("年度指标值"),
            H("实际完成值"), H("分值"), H("得分"), H("偏差原因分析及改进措施")]
    rows = [head]
    inds = t.indicators
    for k, ind in enumerate(inds):
        w = t.level1_weights.get(ind.level1)
        level1 = f"{ind.level1}\n（{W(w)}分）" if w is not None else ind.level1
        score = S(ind.stated_score) if ind.applicable else "不适用"
        first = C("", merge="restart", shade=True) if k == 0 else V()
        rows.append([first, Label(level1), Label(ind.level2), L(ind.name), C(ind.target.raw), C(ind.actual.raw),
                     N(W(ind.weight)), N(score), L(ind.reason)])
    return rows
