"""Text hygiene (DESIGN §5 item 7): copied goals and indicators, fragments of another
unit's template, form labels that do not match their form, required fields left
empty, grade labels outside the profile's bands, gaps in section numbering.

Foreign-fragment detection compares the document's words with the unit's own
description (name, 职能职责, 年度主要工作内容), never with a list of this or that
unit's words. The few word lists below are small and principled:

- MISSION_WORDS: verbs of a line agency's core mission (law enforcement, teaching,
  medical care, flood control, tax collection …). They belong in a report only
  when the unit's own functions name them.
- ORG_SELF: the organisational nouns a unit calls itself by (我局、我处、我会 …);
  a report that calls its unit by a noun its name does not contain was written
  for another kind of body.
- LEVELS: the administrative levels (省/市/州/县/区) in "X级预算部门"-type phrases;
  a document of one level quoting another level's phrase was copied from it.
"""

from __future__ import annotations

import re
from itertools import combinations

from ...core.memo import text_cache
from ...core.model import Package, SelfEvalTable, Source
from ...core.numbers import normalize
from ..findings import Finding
from ..registry import AuditContext, check
from ._common import FORM_COVER, FORM_NARRATIVE, TABLE_FORMS, table_form
from .prose import Text, _quote, all_tables, every_text_of
from .quantities import project_core

KIND_WORDS = {"overall": "整体支出", "project": "项目支出", "gov_fund": "政府性基金",
              "state_capital": "国有资本经营", "social_insurance": "社会保险基金"}
FUND_KINDS = ("gov_fund", "state_capital", "social_insurance")
MISSION_WORDS = ("执法", "巡逻", "稽查", "行政处罚", "教学", "招生", "诊疗", "防汛", "抗旱", "检疫", "征管")
ORG_SELF = ("会", "局", "委", "厅", "院", "校", "站", "中心", "处", "科", "所")
LEVELS = ("省", "市", "州", "县", "区")

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@text_cache(8192)  # pure; the copy checks squash the same cells again and again
def squash(text: str) -> str:
    return _PUNCT.sub("", normalize(text or ""))


def _contains_copy(a: str, b: str, minimum: int = 15) -> bool:
    """Identical, or the shorter (long enough to be distinctive) wholly inside the longer."""
    a, b = squash(a), squash(b)
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    return short == long_ or (len(short) >= minimum and short in long_)


def _named_tables(pkg: Package) -> list[tuple[SelfEvalTable, str, str]]:
    return [(t, f, title) for t, f, title in all_tables(pkg) if t.kind != "overall"]


@check("text.copied_goal", "项目绩效目标照抄",
       "不同项目（附件4–7）的年度总体目标（预期目标、实际完成情况）逐字相同，或一方完整包含另一方（15字以上）的，提示"
       "为照抄其他项目，每对项目报告一次。")
def copied_goal(ctx: AuditContext) -> list[Finding]:
    out = []
    tables = [x for x in _named_tables(ctx.package) if x[0].goal.expected or x[0].goal.actual]
    for (a, fa, _), (b, fb, tb) in combinations(tables, 2):
        fields = [name for name, x, y in (("预期目标", a.goal.expected, b.goal.expected),
                                          ("实际完成情况", a.goal.actual, b.goal.actual)) if _contains_copy(x, y)]
        if not fields:
            continue
        label = "、".join(fields)
        out.append(Finding(
            rule="text.copied_goal", severity="warning",
            message=f"{fb}的年度总体目标（{label}）与{fa}相同，疑为照抄其他项目，应填写本项目自己的目标。",
            location=b.goal.src.get("expected") or Source(fb, tb, "年度总体目标", fields[0]),
            stated=_quote(b.goal.expected if fields[0] == "预期目标" else b.goal.actual, 60),
            expected="本项目自己的绩效目标", formula=f"{fb}·{label} = {fa}·{label}",
            evidence=_quote(b.goal.expected if fields[0] == "预期目标" else b.goal.actual, 60)))
    return out


@check("text.copied_indicator", "指标内容属于其他项目",
       "某项目的绩效指标（名称、指标值、完成值）出现另一项目的名称主体（如招商项目的指标写“公务接待”），且本项目名称与"
       "目标中并无此词的，提示为从其他项目照抄。")
def copied_indicator(ctx: AuditContext) -> list[Finding]:
    tables = _named_tables(ctx.package)
    cores = {t.name: project_core(t.name) for t, _, _ in tables if t.name}
    out = []
    for table, form, title in tables:
        own = squash(table.name + table.goal.expected)
        for other, core in cores.items():
            if other == table.name or len(core) < 4 or core in own or core in project_core(table.name):
                continue
            hits = [ind for ind in table.indicators
                    if core in squash(ind.name + ind.target.raw + ind.actual.raw + ind.reason)]
            if not hits:
                continue
            first = hits[0]
            out.append(Finding(
                rule="text.copied_indicator", severity="warning",
                message=(f"{form}的{len(hits)}项指标写有其他项目“{other}”的内容（“{core}”），"
                         f"疑为照抄：{'、'.join(i.name for i in hits)}。"),
                location=first.src.get("target") or Source(form, title, first.name, "三级指标"),
                stated=_quote(first.target.raw or first.name, 60), expected=f"与“{table.name}”相符的指标",
                formula=f"“{core}”（项目“{other}”）出现在“{table.name}”的指标中",
                evidence=_quote(f"{first.name}：{first.target.raw}", 80)))
    return out


def _declared_none(pkg: Package) -> list[tuple]:
    """(declaration, table, form, title) for 附件5–7 tables of a kind the unit says it has no spending of."""
    out = []
    for decl in pkg.fund_types:
        none = not decl.has_spending or re.search(r"无.{0,12}支出", decl.statement or "")
        if none:
            for t in decl.tables:
                out.append((decl, t, *table_form(t.kind, t.name)))
    return out


def _leftover_content(t: SelfEvalTable) -> list[str]:
    bits = [x for x in (t.goal.expected, t.goal.actual) if x.strip()]
    bits += [i.name for i in t.indicators if i.name.strip() and i.name.strip() not in ("……", "...")]
    bits += [f"{r.label} {v}" for r in t.funds for v in (r.initial, r.annual, r.executed) if v]
    return bits


@check("text.fund_type_leftover", "无此类支出却填有内容",
       "单位声明无政府性基金、国有资本经营或社会保险基金预算支出，对应的附件5–7却填有目标、指标或金额的，为声明与表格矛盾"
       "（多为其他单位模板的残留），报告为错误。")
def fund_type_leftover(ctx: AuditContext) -> list[Finding]:
    out = []
    for decl, t, form, title in _declared_none(ctx.package):
        bits = _leftover_content(t)
        if not bits:
            continue
        out.append(Finding(
            rule="text.fund_type_leftover", severity="error",
            message=(f"单位声明“{decl.statement or '无此类预算支出'}”，{form}{title}却填有内容"
                     f"（{_quote('；'.join(bits), 60)}），疑为其他单位模板残留，应删除或改为空表。"),
            location=t.goal.src.get("expected") or Source(form, title, "年度总体目标", "预期目标"),
            stated=_quote("；".join(bits), 60), expected="空表", formula=f"声明无{KIND_WORDS[t.kind]}预算支出 ⟂ 表中有内容",
            evidence=_quote("；".join(bits), 80)))
    return out


def unit_vocabulary(pkg: Package) -> str:
    u = pkg.unit
    return squash(" ".join((u.name, u.functions, u.main_tasks, u.supervisor)))


def _leftover_texts(pkg: Package) -> set[str]:
    return {squash(x) for _, t, _, _ in _declared_none(pkg) for x in _leftover_content(t)}


def own_level(pkg: Package) -> str:
    labels = [t.form_label for t, _, _ in all_tables(pkg)]
    for label in labels:
        m = re.search(r"([省市州县区])级预算部门", label or "")
        if m:
            return m.group(1)
    name = pkg.unit.name
    for word, level in (("自治州", "州"), ("县", "县"), ("区", "区"), ("市", "市"), ("州", "州"), ("省", "省")):
        if word in name:
            return level
    return ""


_LEVEL_RE = re.compile(r"([省市州县区])(?:级预算部门|级部门|级预算单位|直部门|直单位|直预算部门|本级)")
# "我局 / 我中心" naming the writer. 会, 科, 所 and 处 are also a verb or the start of a common word
# (我会继续 "I will go on", 我科学安排 "we plan scientifically", 我所有, 我处理), so for them the noun
# reading needs what only a noun takes after it: a particle, a conjunction, a collective, a noun the
# reports put after the writer's name (我会整体支出, 我会2022年预算), punctuation.
_NOUN_AFTER = (r"(?=的|与|和|及|全体|干部|职工|领导|党组|班子|内设|下设|在职|现有|共有"
               r"|整体|支出|预算|部门|单位|资金|经费|项目|机关|人员|职能|财务|资产|年度|全年|本年|\d{4}年|[，。；、：,.;:]|$)")
_SELF_RE = re.compile(
    r"我(?:(中心|局|委|厅|院|校|站)(?!同|在|属|以|有|议|计|员|谓|得|托|办|长|面|势|部|园)"
    r"|(会|科|所|处)" + _NOUN_AFTER + ")")


def _mission_findings(pkg: Package, texts: list[Text]) -> list[Finding]:
    vocab = unit_vocabulary(pkg)
    if not vocab:
        return []
    foreign = [w for w in MISSION_WORDS if w not in vocab]
    if not foreign:
        return []
    any_word = re.compile("|".join(map(re.escape, foreign)))  # one scan of each text, not one per word
    leftovers = _leftover_texts(pkg)
    by_word: dict[str, list[Text]] = {}
    for t in texts:
        if not any_word.search(t.text) or leftovers and squash(t.text) in leftovers:
            continue
        for word in MISSION_WORDS:
            if word in t.text and word not in vocab:
                by_word.setdefault(word, []).append(t)
    out = []
    for word, places in by_word.items():
        t = places[0]
        i = normalize(t.text).find(word)
        out.append(Finding(
            rule="text.foreign_fragment", severity="warning",
            message=(f"文中出现“{word}”（共{len(places)}处），而本单位职能职责与年度工作内容均未涉及，"
                     "疑为其他单位材料的残留，请核实。"),
            location=t.location, stated=word, expected="与本单位职能相符的表述",
            formula=f"“{word}” ∉ 单位名称、职能职责、年度主要工作内容",
            evidence=normalize(t.text)[max(0, i - 20): i + 20]))
    return out


def _level_findings(pkg: Package, texts: list[Text]) -> list[Finding]:
    level = own_level(pkg)
    out = []
    if not level:
        return out
    seen = set()
    for t in texts:
        for m in _LEVEL_RE.finditer(normalize(t.text)):
            if m.group(1) == level or m.group(0) in seen:
                continue
            seen.add(m.group(0))
            out.append(Finding(
                rule="text.foreign_fragment", severity="info",
                message=f"本材料为{level}级，文中却写“{m.group(0)}”，疑为套用其他层级的模板。",
                location=t.location, stated=m.group(0), expected=m.group(0).replace(m.group(1), level, 1),
                formula=f"层级“{m.group(1)}” ≠ 本材料层级“{level}”",
                evidence=normalize(t.text)[max(0, m.start() - 15): m.end() + 15]))
    return out


def _self_findings(pkg: Package, texts: list[Text]) -> list[Finding]:
    name = pkg.unit.name
    if not name:
        return []
    out = []
    seen = set()
    for t in texts:
        norm = normalize(t.text)
        for m in _SELF_RE.finditer(norm):
            noun = m.group(1) or m.group(2)
            if noun in name or m.group(0) in seen:
                continue
            seen.add(m.group(0))
            out.append(Finding(
                rule="text.foreign_fragment", severity="info",
                message=f"文中以“{m.group(0)}”自称，与单位名称“{name}”不符，疑为套用其他单位的模板。",
                location=t.location, stated=m.group(0), expected="本单位 / 与单位名称相符的自称",
                formula=f"“{noun}” 不在单位名称中", evidence=norm[max(0, m.start() - 10): m.end() + 20]))
    return out


@check("text.foreign_fragment", "疑似其他单位材料的残留",
       "文中出现本单位职能职责未涉及的业务用语（执法、巡逻、稽查、教学、诊疗等，警告）；其他层级的用语（州级材料中的"
       "“市级预算部门”，提示）；与单位名称不符的自称（联络处材料中的“我会”，提示）。")
def foreign_fragment(ctx: AuditContext) -> list[Finding]:
    pkg = ctx.package
    texts = every_text_of(ctx)
    return _mission_findings(pkg, texts) + _level_findings(pkg, texts) + _self_findings(pkg, texts)


@check("text.notice_issuer", "通知的印发机关",
       "附件1评价通知应由财政部门印发；以本单位名义落款的，提示核实（多为照搬财政局通知时改错了落款）。")
def notice_issuer(ctx: AuditContext) -> list[Finding]:
    pkg = ctx.package
    issuer, name = pkg.notice.issuer.strip(), pkg.unit.name.strip()
    if not issuer or not name or "财政" in issuer or issuer not in name and name not in issuer:
        return []
    return [Finding(
        rule="text.notice_issuer", severity="info",
        message=f"附件1评价通知以“{issuer}”名义印发，与填报单位相同；通知应由财政部门（绩效评价股）印发，请核实。",
        location=pkg.notice.src.get("issuer") or Source("附件1", "通知", "落款"), stated=issuer,
        expected="财政部门", formula="通知落款 = 填报单位", evidence=issuer)]


def _label_problem(kind: str, label: str) -> str:
    """'' when the label fits its form; else the other kinds it names."""
    own = KIND_WORDS[kind]
    others = [w for k, w in KIND_WORDS.items() if k != kind and w in label and k in FUND_KINDS + ("project",)]
    if own in label or not others:
        return ""
    return "、".join(others)


def _notes(pkg: Package, kind: str) -> list[tuple[str, Source]]:
    """The 说明 lines printed under a 附件5–7 form, from the document reader's paragraphs."""
    attachment = TABLE_FORMS.get(kind, ("",))[0]
    out = []
    for b in pkg.texts:
        if attachment and b.form.startswith(attachment) and "说明" in b.text:
            out.append((b.text, Source(b.form, b.section, "说明", line=b.line, text=_quote(b.text))))
    return out


@check("text.form_label", "表格标签与表格种类不符",
       "附件3–7 的表名、名称行标签（…预算支出名称）与表下“说明”应写本表的种类；国有资本经营预算支出表的名称行写成"
       "“社会保险基金预算支出名称”之类，报告为错误，每张表报告一次并列出各处。")
def form_label(ctx: AuditContext) -> list[Finding]:
    pkg = ctx.package
    out = []
    notes_done: set[str] = set()
    for table, form, title in all_tables(pkg):
        problems = []
        for label, what, src in ((table.form_label, "表名", table.src.get("form_label")),
                                 (table.row_label, "名称行", table.src.get("row_label"))):
            other = _label_problem(table.kind, label) if label else ""
            if other:
                problems.append((what, label, other, src or Source(form, title, what)))
        if table.kind in FUND_KINDS and table.kind not in notes_done:
            notes_done.add(table.kind)
            for text, src in _notes(pkg, table.kind):
                other = _label_problem(table.kind, text)
                if other:
                    problems.append(("说明", _quote(text, 40), other, src))
        if not problems:
            continue
        listing = "；".join(f"{what}“{label}”" for what, label, _, _ in problems)
        out.append(Finding(
            rule="text.form_label", severity="error",
            message=f"{form}为{KIND_WORDS[table.kind]}预算支出表，但{listing}写的是{problems[0][2]}，应改为本表的种类。",
            location=problems[0][3], stated="；".join(label for _, label, _, _ in problems),
            expected=f"{KIND_WORDS[table.kind]}…", formula=f"表种类 {KIND_WORDS[table.kind]} ≠ 标签所写 {problems[0][2]}",
            evidence=problems[0][1]))
    return out


# --- required fields -----------------------------------------------------------------------

_SECTION_SIGN = "四、评价人员"


def _evaluator_findings(pkg: Package) -> list[Finding]:
    unsigned = [e.name for e in pkg.evaluators if not e.signed]
    if not unsigned:
        return []
    return [Finding(
        rule="text.required_empty", severity="warning",
        message=f"评价人员{len(unsigned)}人未签字（{'、'.join(unsigned)}）。",
        location=Source(FORM_COVER, _SECTION_SIGN, "签字"), stated="空", expected="评价人员本人签字",
        evidence="、".join(unsigned))]


def _opinion_findings(pkg: Package) -> list[Finding]:
    out = []
    for o in pkg.opinions:
        missing = [w for w, v in (("意见", o.text), ("签字", o.signer), ("日期", o.signed_on)) if not v]
        if not missing:
            continue
        bureau = "财政" in o.role
        out.append(Finding(
            rule="text.required_empty", severity="info" if bureau else "warning",
            message=f"“{o.role}意见”栏未填{'、'.join(missing)}" + ("（由财政部门审核时填写）。" if bureau else "。"),
            location=Source(FORM_COVER, _SECTION_SIGN, f"{o.role}意见"), stated="空",
            expected="意见、签字（盖章）与日期", evidence=o.text or ""))
    return out


def _filler_findings(pkg: Package) -> list[Finding]:
    leftovers = {id(t) for _, t, _, _ in _declared_none(pkg)}
    # The signer's label is the form's own (填表人; 四川's project form: 项目负责人), as the reader found it.
    by_label: dict[str, list[str]] = {}
    for t, form, _ in all_tables(pkg):
        if not t.filler and id(t) not in leftovers:
            label = t.src["filler"].column if "filler" in t.src and t.src["filler"].column else "填表人"
            by_label.setdefault(label, []).append(form)
    if pkg.basic_data.costs is not None and not pkg.basic_data.filler:
        by_label.setdefault("填表人", []).insert(0, "附件2")
    out = []
    for label, missing in by_label.items():
        out.append(Finding(rule="text.required_empty", severity="info",
                           message=f"{'、'.join(missing)}未填“{label}”。",
                           location=Source(missing[0], "", label), stated="空", expected=f"{label}姓名"))
    u = pkg.unit
    empty = [label for label, v in (("联系人", u.contact), ("联系电话", u.phone), ("报告时间", u.report_date)) if not v]
    # Only a package that has the cover form can leave its fields empty (a project table alone has none).
    if empty and ("自评报告" in pkg.forms_found or (not pkg.forms_found and not pkg.texts)):
        out.append(Finding(rule="text.required_empty", severity="info", message=f"封面未填{'、'.join(empty)}。",
                           location=Source(FORM_COVER, "一、基本概况", empty[0]), stated="空", expected="填写完整"))
    return out


_HEAD_SIGN = re.compile(r"单位负责人(?:签字|签名)[:：]?\s*(?=填表人|联系电话|$)")


def _head_signature(pkg: Package) -> list[Finding]:
    hits = [b for b in pkg.texts if _HEAD_SIGN.search(normalize(b.text).replace(" ", ""))
            or _HEAD_SIGN.search(normalize(b.text))]
    if not hits:
        return []
    forms = sorted({b.form for b in hits})
    return [Finding(rule="text.required_empty", severity="info",
                    message=f"“单位负责人签字”处为空（{len(hits)}处：{'、'.join(forms)}）。",
                    location=block_loc(hits[0]), stated="空", expected="单位负责人签字",
                    evidence=_quote(hits[0].text, 60))]


def block_loc(b) -> Source:
    return Source(b.form, b.section, "单位负责人签字", line=b.line, text=_quote(b.text))


def _summary_rows(pkg: Package) -> list[Finding]:
    empty = []
    for title, rows in (("收入情况表", pkg.income), ("支出情况表", pkg.expenditure), ("三公经费情况表", pkg.sangong),
                        ("固定资产情况表", pkg.fixed_assets)):
        summaries = [r for r in rows if r.is_summary]
        members = [r for r in rows if not r.is_summary]
        if not summaries or not members:
            continue
        fields = [f for f in summaries[0].__dataclass_fields__ if f not in ("institution", "is_summary", "src")]
        if all(getattr(summaries[0], f) is None for f in fields) and any(
                getattr(m, f) is not None for m in members for f in fields):
            empty.append((title, summaries[0].institution))
    if not empty:
        return []
    return [Finding(rule="text.required_empty", severity="info",
                    message=f"{'、'.join(t for t, _ in empty)}的“{empty[0][1]}”行未填。",
                    location=Source(FORM_COVER, empty[0][0], empty[0][1]), stated="空",
                    expected="各机构之和")]


@check("text.required_empty", "必填项空白",
       "评价人员签字、评价组组长与部门（单位）意见（意见、签字、日期）未填的警告；财政部门意见栏、填表人、联系人与电话、"
       "单位负责人签字、封面表格的汇总行未填的提示。")
def required_empty(ctx: AuditContext) -> list[Finding]:
    pkg = ctx.package
    return (_evaluator_findings(pkg) + _opinion_findings(pkg) + _filler_findings(pkg) + _head_signature(pkg)
            + _summary_rows(pkg))


# --- grade labels, section numbering ----------------------------------------------------------


@check("text.grade_label", "等次名称与评分方案不符",
       "封面与绩效评价报告所写等次（如“优秀”）、封面备注的等次分档名称，应使用评分方案的等次名称（如 优 / 良 / 较差 / 差）。")
def grade_label(ctx: AuditContext) -> list[Finding]:
    pkg = ctx.package
    names = [g["name"] for g in ctx.profile["grades"]]
    out = []
    for stated, where, src in ((pkg.stated_grade, FORM_COVER, pkg.src.get("grade")),
                               (pkg.narrative.stated_grade, FORM_NARRATIVE, pkg.narrative.src.get("grade"))):
        label = stated.strip().strip("“”\"' ")
        if not label or label in names:
            continue
        near = next((n for n in names if label.startswith(n) or n in label), "")
        out.append(Finding(
            rule="text.grade_label", severity="info",
            message=f"{where}所写等次“{label}”不是评分方案的等次名称（{'、'.join(names)}）" +
                    (f"，应写“{near}”。" if near else "。"),
            location=src or Source(where, "评价等次"), stated=label, expected=near or "、".join(names),
            formula=f"“{label}” ∉ {{{'、'.join(names)}}}", evidence=label))
    bands = re.findall(r"分?为\s*([\u4e00-\u9fa5]{1,2})(?=[;；。，,\s]|$)", pkg.grade_note or "")
    foreign = [b for b in bands if b not in names]
    if foreign:
        out.append(Finding(
            rule="text.grade_label", severity="info",
            message=f"封面备注的等次名称（{'、'.join(bands)}）与评分方案（{'、'.join(names)}）不一致：{'、'.join(foreign)}。",
            location=Source(FORM_COVER, "绩效自评综合得分及评价等次", "备注"), stated="、".join(bands),
            expected="、".join(names), evidence=pkg.grade_note))
    return out


_CN_NUM = "一二三四五六七八九十"


def _heading_number(heading: str) -> int | None:
    m = re.match(r"\s*([一二三四五六七八九十]{1,3})、", heading)
    if not m:
        return None
    s = m.group(1)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_NUM.index(s[1]) + 1
    if len(s) == 2 and s.endswith("十"):
        return (_CN_NUM.index(s[0]) + 1) * 10
    if len(s) == 3:
        return (_CN_NUM.index(s[0]) + 1) * 10 + _CN_NUM.index(s[2]) + 1
    return _CN_NUM.index(s) + 1


def _cn(n: int) -> str:
    if n <= 10:
        return _CN_NUM[n - 1]
    return ("" if n < 20 else _CN_NUM[n // 10 - 1]) + "十" + (_CN_NUM[n % 10 - 1] if n % 10 else "")


@check("text.section_numbering", "章节编号不连续",
       "绩效评价报告的一级标题（一、二、三……）应连续编号；跳号或标题缺少编号的提示。")
def section_numbering(ctx: AuditContext) -> list[Finding]:
    sections = ctx.package.narrative.sections
    out = []
    prev: int | None = None
    between: list[str] = []
    for heading in sections:
        n = _heading_number(heading)
        if n is None:
            between.append(heading.strip())
            continue
        if prev is not None and n > prev + 1:
            missing = "、".join(_cn(k) for k in range(prev + 1, n))
            extra = f"；其间的标题“{'”“'.join(between)}”未编号" if between else ""
            out.append(Finding(
                rule="text.section_numbering", severity="info",
                message=f"绩效评价报告一级标题从“{_cn(prev)}、”跳到“{heading.strip()}”，缺少{missing}{extra}。",
                location=Source(FORM_NARRATIVE, heading.strip()), stated=heading.strip(),
                expected=f"{_cn(prev + 1)}、…", formula=f"{_cn(prev)} → {_cn(n)}",
                evidence="；".join([*between, heading.strip()])))
        prev, between = n, []
    return out
