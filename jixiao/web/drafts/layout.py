"""Each form of the package laid out as the official form: the same rows, columns and labels as the
.docx, as a small tree of blocks and cells the templates draw.

A cell is a label, an input (a field path of the canonical draft, typed by `fields.field_kind`) or a
figure (a result of the engine, shown with its trace and never typed over). Where the official form
has a cell the engine computes — a 合计, a 执行率, a 得分, a 总分 — the layout names the field path
and `figures.figure_for` finds the engine's value for it; a judged figure (the evaluator's own
score) stays an input with the engine's reading beside it.

Pure functions of the canonical dict and the engine's report: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jixiao.web.drafts import fields

FUND_TYPES = (("gov_fund", "附件5", "政府性基金预算支出"), ("state_capital", "附件6", "国有资本经营预算支出"),
              ("social_insurance", "附件7", "社会保险基金预算支出"))
LEVEL1 = ("产出指标", "效益指标", "满意度指标")


@dataclass
class Cell:
    kind: str  # label | input | figure | blank
    text: str = ""
    path: str = ""
    fkind: str = ""  # what the field holds (draft.field_kind), worked out when first asked
    colspan: int = 1
    rowspan: int = 1
    head: bool = False
    label: str = ""  # full Chinese label of an input (for screen readers, the diff and the trace)
    row: str = ""  # the row label, for anchoring findings
    width: str = ""  # css class: narrow | wide
    stored: bool = True  # a figure the canonical package has a field for (a table's 等次 has none)

    @property
    def field(self) -> str:
        if not self.fkind and self.path:
            self.fkind = fields.field_kind(self.path)
        return self.fkind


@dataclass
class Table:
    head: list[list[Cell]] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""
    unit: str = ""
    list_path: str = ""  # rows are items of this list: add / remove / reorder
    row_paths: list[str] = field(default_factory=list)  # item path per row (for the row's actions)
    add_label: str = ""
    grid: str = ""  # css class
    cols: tuple[int, ...] = ()  # column widths in percent (fixed layout), as the .docx grid


@dataclass
class Fields:
    """Label / input pairs, one per line (GOV.UK style)."""

    cells: list[Cell] = field(default_factory=list)


@dataclass
class Block:
    heading: str = ""
    level: int = 2
    items: list[Any] = field(default_factory=list)  # Table | Fields | Note
    anchor: str = ""


@dataclass
class Note:
    text: str


@dataclass
class Form:
    slug: str
    title: str  # as the tab reads
    heading: str  # the form's printed title
    annex: str  # 自评报告 / 绩效评价报告 / 附件1 …
    blocks: list[Block] = field(default_factory=list)
    actions: list[tuple[str, str, str]] = field(default_factory=list)  # (op, path, label)

    def cells(self):
        for b in self.blocks:
            for it in b.items:
                if isinstance(it, Table):
                    for r in it.head + it.rows:
                        yield from r
                elif isinstance(it, Fields):
                    yield from it.cells


# --- helpers -----------------------------------------------------------------------------------


def H(text: str, colspan: int = 1, rowspan: int = 1) -> Cell:
    return Cell("label", text=text, colspan=colspan, rowspan=rowspan, head=True)


def L(text: str, colspan: int = 1) -> Cell:
    return Cell("label", text=text, colspan=colspan)


def I(path: str, label: str, row: str = "", colspan: int = 1, width: str = "") -> Cell:  # noqa: E743
    return Cell("input", path=path, label=label, row=row, colspan=colspan, width=width)


def F(path: str, label: str, row: str = "", colspan: int = 1) -> Cell:
    """A cell the engine fills when it computes it (figures.figure_for decides), else an input."""
    return Cell("figure", path=path, label=label, row=row, colspan=colspan)


def _items(doc: dict, path: str) -> list:
    v = fields.get(doc, path)
    return v if isinstance(v, list) else []


# --- the forms -----------------------------------------------------------------------------------


def form_index(doc: dict) -> list[tuple[str, str]]:
    """(slug, tab title) of every form of the package, in the package's order."""
    out = [("cover", "自评报告"), ("narrative", "绩效评价报告"), ("notice", "附件1 通知"), ("annex2", "附件2 基础数据表"),
           ("annex3", "附件3 整体支出自评表")]
    for i, p in enumerate(_items(doc, "projects")):
        out.append((f"project-{i}", f"附件4 {p.get('name') or '（未命名项目）'}"))
    for kind, annex, label in FUND_TYPES:
        out.append((kind, f"{annex} {label[:-4]}"))
    return out


def build(doc: dict, slug: str) -> Form | None:
    if slug == "cover":
        return cover(doc)
    if slug == "narrative":
        return narrative(doc)
    if slug == "notice":
        return notice(doc)
    if slug == "annex2":
        return annex2(doc)
    if slug == "annex3":
        return annex3(doc)
    if slug.startswith("project-"):
        try:
            i = int(slug.removeprefix("project-"))
        except ValueError:
            return None
        if 0 <= i < len(_items(doc, "projects")):
            return project(doc, i)
        return None
    for kind, annex, label in FUND_TYPES:
        if slug == kind:
            return fund_type(doc, kind, annex, label)
    return None


class Layouts:
    """The forms of one draft, each built once: a request that renders a form, anchors findings,
    labels fields and lists the figures builds them from the same layouts. Lives for one call."""

    def __init__(self, doc: dict):
        self.doc = doc
        self._forms: dict[str, Form | None] = {}
        self._index: list[tuple[str, str]] | None = None

    def index(self) -> list[tuple[str, str]]:
        if self._index is None:
            self._index = form_index(self.doc)
        return self._index

    def build(self, slug: str) -> Form | None:
        if slug not in self._forms:
            self._forms[slug] = build(self.doc, slug)
        return self._forms[slug]

    def all(self):
        for slug, title in self.index():
            form = self.build(slug)
            if form is not None:
                yield slug, title, form


def slug_for_path(doc: dict, path: str) -> str:
    """The form a field path belongs to."""
    head = path.split(".", 1)[0]
    if head.startswith("projects["):
        return f"project-{fields.split_path(path)[1]}"
    if head.startswith("fund_types["):
        decl = fields.get(doc, head) or {}
        return decl.get("kind") or "gov_fund"
    return {
        "unit": "cover", "staffing": "cover", "income": "cover", "expenditure": "cover", "sangong": "cover",
        "fixed_assets": "cover", "cover": "cover", "evaluators": "cover", "opinions": "cover", "title": "cover",
        "narrative": "narrative", "notice": "notice", "basic_data": "annex2", "overall": "annex3",
    }.get(fields.split_path(head)[0], "cover")


# --- 自评报告 ---------------------------------------------------------------------------------------

_INCOME = [("total", "收入合计"), ("carryover", "上年结转"), ("general_budget", "公共财政拨款"), ("fund_budget", "政府基金拨款"),
           ("special_account", "纳入专户管理的非税收入拨款"), ("other", "其他收入")]
_EXPEND = [("total", "支出合计"), ("basic", "基本支出"), ("personnel", "人员支出"), ("public", "公用支出"), ("project", "项目支出"),
           ("balance_current", "当年结余"), ("balance_cumulative", "累计结余")]
_SANGONG = [("total", "三公经费合计"), ("reception", "公务接待费"), ("vehicle_operation", "公务用车运行维护费"),
            ("vehicle_purchase", "公务用车购置费"), ("overseas", "因公出国（境）费用")]
_ASSETS = [("total", "固定资产合计"), ("in_use", "在用固定资产"), ("rented", "出租固定资产"), ("other", "其他")]


def _money_table(doc: dict, key: str, caption: str, cols: list[tuple[str, str]], head: list[list[Cell]]) -> Table:
    rest = (80 // len(cols),) * len(cols)
    t = Table(head=head, caption=caption, unit="万元", list_path=key, add_label="增加一个机构", grid="money", cols=(20, *rest))
    for i, r in enumerate(_items(doc, key)):
        inst = r.get("institution", "")
        # which table and row: the four money tables each have a 机构名称 column (change log, roll-up)
        row = [I(f"{key}[{i}].institution", f"{caption}第{i + 1}行·机构名称", row=inst, width="wide")]
        for f, label in cols:
            row.append(F(f"{key}[{i}].{f}", f"{inst}·{label}", row=inst))
        t.rows.append(row)
        t.row_paths.append(f"{key}[{i}]")
    return t


def cover(doc: dict) -> Form:
    form = Form("cover", "自评报告", "部门（单位）整体支出绩效自评报告", "自评报告")
    u = "unit"
    form.blocks.append(Block("封面", items=[Fields([
        I("title", "报告标题", width="wide"),
        I(f"{u}.name", "部门（单位）名称"), I(f"{u}.supervisor", "主管部门"), I(f"{u}.budget_code", "预算编码"),
        I(f"{u}.evaluation_method", "评价方式"), I(f"{u}.evaluator_org", "评价机构"), I(f"{u}.report_date", "报告时间")])]))
    basics = Table(grid="four", cols=(18, 32, 18, 32), rows=[
        [H("联系人"), I(f"{u}.contact", "联系人"), H("联系电话"), I(f"{u}.phone", "联系电话")],
        [H("人员编制"), I("staffing.authorized", "人员编制"), H("实有人数"), I("staffing.actual", "实有人数")],
        [H("职能职责概述"), I(f"{u}.functions", "职能职责概述", colspan=3)],
        [H("年度主要工作内容"), I(f"{u}.main_tasks", "年度主要工作内容", colspan=3)],
        [H("年度部门（单位）总体运行情况及取得的成绩"), I(f"{u}.summary", "总体运行情况及取得的成绩", colspan=3)],
    ])
    form.blocks.append(Block("一、部门（单位）基本概况", items=[basics]))
    money = [
        _money_table(doc, "income", "年度收入情况", _INCOME,
                     [[H("机构名称", rowspan=2), H("收入合计", rowspan=2), H("其中：", 5)],
                      [H(lbl) for _, lbl in _INCOME[1:]]]),
        _money_table(doc, "expenditure", "部门（单位）年度支出和结余情况", _EXPEND,
                     [[H("机构名称", rowspan=2), H("支出合计", rowspan=2), H("基本支出", rowspan=2), H("其中：", 2),
                       H("项目支出", rowspan=2), H("结余", 2)],
                      [H("人员支出"), H("公用支出"), H("当年结余"), H("累计结余")]]),
        _money_table(doc, "sangong", "“三公”经费情况", _SANGONG,
                     [[H("机构名称", rowspan=2), H("三公经费合计", rowspan=2), H("其中：", 4)], [H(lbl) for _, lbl in _SANGONG[1:]]]),
        _money_table(doc, "fixed_assets", "固定资产情况", _ASSETS,
                     [[H("机构名称", rowspan=2), H("固定资产合计", rowspan=2), H("其中：", 3)], [H(lbl) for _, lbl in _ASSETS[1:]]]),
    ]
    form.blocks.append(Block("二、部门（单位）收支情况", items=money))
    goals = Table(cols=(20, 40, 40), rows=[[H("整体支出绩效定性目标及实施计划完成情况", rowspan=2), H("预期目标"), H("实际完成")],
                        [I("cover.goal.expected", "定性目标·预期目标"), I("cover.goal.actual", "定性目标·实际完成")]])
    inds = Table(caption="整体支出绩效定量目标及实施计划完成情况", list_path="cover.indicators", add_label="增加一个定量目标",
                 cols=(12, 14, 30, 18, 26),
                 head=[[H("一级指标"), H("二级指标"), H("三级指标"), H("年度指标值"), H("实际完成值")]])
    for i, ind in enumerate(_items(doc, "cover.indicators")):
        p = f"cover.indicators[{i}]"
        name = ind.get("name", "")
        inds.rows.append([I(f"{p}.level1", "一级指标", name), I(f"{p}.level2", "二级指标", name), I(f"{p}.name", "三级指标", name, width="wide"),
                          I(f"{p}.target", f"{name}·年度指标值", name), I(f"{p}.actual", f"{name}·实际完成值", name)])
        inds.row_paths.append(p)
    result = Table(cols=(20, 30, 20, 30), rows=[[H("绩效自评综合得分"), F("cover.score", "综合得分", row="综合得分"), H("评价等次"),
                          F("cover.grade", "评价等次", row="评价等次")],
                         [H("备注"), I("cover.grade_note", "等次备注", colspan=3)]])
    form.blocks.append(Block("三、部门（单位）整体支出绩效自评情况", items=[goals, inds, result]))
    ev = Table(list_path="evaluators", add_label="增加一名评价人员", cols=(18, 24, 44, 14),
               head=[[H("姓名"), H("职务/职称"), H("单位"), H("已签字")]])
    for i in range(len(_items(doc, "evaluators"))):
        p = f"evaluators[{i}]"
        ev.rows.append([I(f"{p}.name", "评价人员姓名"), I(f"{p}.title", "职务/职称"), I(f"{p}.org", "单位", width="wide"),
                        I(f"{p}.signed", "已签字")])
        ev.row_paths.append(p)
    ops = Table(cols=(16, 50, 16, 18), head=[[H("意见"), H("内容"), H("签署人"), H("日期")]])
    for i, o in enumerate(_items(doc, "opinions")):
        p = f"opinions[{i}]"
        role = o.get("role", "")
        ops.rows.append([L(f"{role}意见"), I(f"{p}.text", f"{role}意见"), I(f"{p}.signer", f"{role}签署人"),
                         I(f"{p}.date", f"{role}意见日期")])
    form.blocks.append(Block("四、评价人员", items=[ev, ops]))
    return form


# --- 绩效评价报告 ----------------------------------------------------------------------------------

NARRATIVE_TABLES = (("basic_expenditure", "二、（一）基本支出情况"), ("project_expenditure", "二、（二）项目支出情况"),
                    ("cost_control", "六、预算支出成本控制情况"))
PROSE_FIELDS = (("narrative.achievements", "八、（一）主要经验做法"), ("narrative.problems", "八、（二）存在的问题及原因分析"),
                ("narrative.suggestions", "九、有关建议"), ("narrative.publication", "十、绩效自评结果拟应用和公开情况"))


def line_table(doc: dict, path: str, first_head: str) -> Table:
    t = fields.get(doc, path) or {}
    columns = t.get("columns") or {}
    n = max(1, len(columns))
    table = Table(caption=t.get("title", ""), unit=t.get("unit") or "万元", list_path=f"{path}.lines",
                  add_label="增加一行", head=[[H(first_head)] + [H(v) for v in columns.values()]],
                  cols=(30, *((70 // n,) * n)))
    for i, ln in enumerate(t.get("lines") or []):
        lp = f"{path}.lines[{i}]"
        label = ln.get("label", "")
        indent = "child" if ln.get("parent") else ""
        row = [I(f"{lp}.label", "行名称", row=label, width=f"wide {indent}".strip())]
        for col, head in columns.items():
            row.append(F(f"{lp}.{col}", f"{t.get('title', '')}·{label}·{head}", row=label))
        table.rows.append(row)
        table.row_paths.append(lp)
    return table


def narrative(doc: dict) -> Form:
    form = Form("narrative", "绩效评价报告", "部门整体支出绩效评价报告", "绩效评价报告")
    form.blocks.append(Block("报告", items=[Fields([I("narrative.title", "报告标题", width="wide")])]))
    form.blocks.append(Block("一、基本情况", items=[Note("本节的单位职能、主要工作和人员情况取自自评报告封面表，在“自评报告”中填写。")]))
    tables = (fields.get(doc, "narrative.tables") or {})
    for key, heading in NARRATIVE_TABLES:
        if key in tables:
            first = "项目（按支出性质和经济分类）" if key != "cost_control" else "项目"
            form.blocks.append(Block(heading, items=[line_table(doc, f"narrative.tables.{key}", first)]))
    form.blocks.append(Block("三至五、政府性基金、国有资本经营、社会保险基金预算支出情况",
                             items=[Note("这三节按附件5–7生成：有支出的填写附件中的自评表，没有的填写“无此项支出”的说明。")]))
    fw = Table(caption="部门整体支出绩效评价指标体系", list_path="narrative.framework", grid="framework",
               cols=(8, 9, 16, 6, 27, 18, 16),  # 比率 and 得分 hold a finding or the 参考 reading beside the figure
               head=[[H("一级指标"), H("二级指标"), H("三级指标"), H("分值"), H("文中公式"), H("比率"), H("得分")]])
    for i, item in enumerate(_items(doc, "narrative.framework")):
        p = f"narrative.framework[{i}]"
        name = item.get("name", "")
        fw.rows.append([L(item.get("level1", "")), L(item.get("level2", "")), L(name), I(f"{p}.weight", f"{name}·分值", name),
                        I(f"{p}.formula", f"{name}·文中公式", name), F(f"{p}.rate", f"{name}·比率", name),
                        F(f"{p}.score", f"{name}·得分", name)])
        fw.row_paths.append(p)
    total = Table(cols=(20, 30, 20, 30), rows=[[H("综合得分"), F("narrative.total", "§七 综合得分", row="综合得分"), H("评价等级"),
                         F("narrative.grade", "§七 评价等级", row="评价等级")]])
    form.blocks.append(Block("七、综合评价情况及评价结论", items=[fw, total]))
    for path, heading in PROSE_FIELDS:
        form.blocks.append(Block(heading, items=[Fields([I(path, heading.split("、", 1)[-1])])], anchor=path))
    return form


# --- 附件1 ---------------------------------------------------------------------------------------


def notice(doc: dict) -> Form:
    form = Form("notice", "附件1 通知", "关于开展部门整体支出绩效自评工作的通知", "附件1")
    form.blocks.append(Block("通知要素", items=[Fields([
        I("notice.issuer", "发文单位", width="wide"), I("notice.scope_total", "自评范围（整体支出，万元）"),
        I("notice.deviation_threshold", "须说明偏差原因的偏离幅度"), I("notice.deadline", "报送截止日期"),
        I("notice.issued_on", "发文日期")])]))
    return form


# --- 附件2 ---------------------------------------------------------------------------------------


def annex2(doc: dict) -> Form:
    year = doc.get("year", "")
    form = Form("annex2", "附件2 基础数据表", "部门整体支出绩效评价基础数据表", "附件2")
    st = "basic_data.staffing"
    staffing = Table(grid="four", cols=(25, 25, 25, 25), head=[[H("财政供养人员情况"), H(f"{year}年末编制数"), H(f"{year}年末实际在职人数"), H("控制率")]],
                     rows=[[L(""), I(f"{st}.authorized", "年末编制数", row="财政供养人员情况"),
                            I(f"{st}.in_post", "年末实际在职人数", row="财政供养人员情况"),
                            F(f"{st}.control_rate", "财政供养人员控制率", row="财政供养人员情况")]])
    items: list[Any] = [staffing]
    if fields.get(doc, "basic_data.costs") is not None:
        items.append(line_table(doc, "basic_data.costs", "经费控制情况"))
    b = "basic_data.buildings"
    items.append(Table(caption=f"楼堂馆所控制情况（{year}年完工项目）", cols=(16, 16, 17, 17, 17, 17),
                       head=[[H("批复规模（㎡）"), H("实际规模（㎡）"), H("规模控制率"), H("预算投资（万元）"), H("实际投资（万元）"),
                              H("投资概算控制率")]],
                       rows=[[I(f"{b}.approved_area", "批复规模"), I(f"{b}.actual_area", "实际规模"),
                              F(f"{b}.area_rate", "规模控制率", row="楼堂馆所"), I(f"{b}.budget_investment", "预算投资"),
                              I(f"{b}.actual_investment", "实际投资"), F(f"{b}.investment_rate", "投资概算控制率", row="楼堂馆所")]]))
    items.append(Table(cols=(20, 80), rows=[[H("厉行节约保障措施"), I("basic_data.thrift_measures", "厉行节约保障措施")]]))
    items.append(Fields([I("basic_data.filler", "填表人"), I("basic_data.filing_date", "填报日期")]))
    form.blocks.append(Block(f"（{year}年度）", items=items))
    return form


# --- 附件3–7 --------------------------------------------------------------------------------------

_FUND_COLUMNS = (("initial", "年初预算数"), ("annual", "全年预算数"), ("executed", "全年执行数"))


def self_eval(doc: dict, path: str, kind: str) -> list[Block]:
    t = fields.get(doc, path) or {}
    name = t.get("name", "")
    head: list[list[Cell]] = []
    if kind == "overall":
        head.append([H("部门（单位）名称", 2), L(doc.get("unit", {}).get("name", ""), 6)])
    else:
        row_label = t.get("row_label") or ("项目支出名称" if kind == "project" else "名称")
        head.append([H(row_label, 2), I(f"{path}.name", row_label, colspan=6, width="wide")])
        head.append([H("主管部门", 2), I(f"{path}.supervisor", "主管部门", colspan=2), H("实施单位", 2),
                     I(f"{path}.implementer", "实施单位", colspan=2)])
    funds = Table(head=head + [[H("年度预算申请（万元）" if kind == "overall" else "项目资金（万元）", 2), H("年初预算数"),
                                H("全年预算数"), H("全年执行数"), H("分值"), H("执行率"), H("得分")]],
                  grid="selfeval-funds", caption="", cols=(8, 14, 14, 14, 14, 10, 12, 14))
    for i, f in enumerate(t.get("funds") or []):
        fp = f"{path}.funds[{i}]"
        label = f.get("label") or f.get("key", "")
        row = [L(label, 2)] + [I(f"{fp}.{c}", f"{label}·{h}", row=label) for c, h in _FUND_COLUMNS]
        if f.get("key") == "total":
            row += [I(f"{fp}.weight", "执行率分值", row=label), F(f"{fp}.rate", "预算执行率", row="预算执行率"),
                    F(f"{fp}.score", "预算执行率得分", row="预算执行率")]
        else:
            row += [L("——"), L("——"), L("——")]
        funds.rows.append(row)
    goal = Table(cols=(12, 44, 44), rows=[[H("年度总体目标", rowspan=2), H("预期目标"), H("实际完成情况")],
                       [I(f"{path}.goal.expected", "预期目标"), I(f"{path}.goal.actual", "实际完成情况")]])
    inds = Table(list_path=f"{path}.indicators", add_label="增加一个指标", grid="selfeval",
                 cols=(8, 9, 19, 12, 13, 6, 12, 21),
                 head=[[H("一级指标"), H("二级指标"), H("三级指标"), H("年度指标值"), H("实际完成值"), H("分值"), H("得分"),
                        H("偏差原因分析及改进措施")]])
    for i, ind in enumerate(t.get("indicators") or []):
        p = f"{path}.indicators[{i}]"
        n = ind.get("name", "")
        inds.rows.append([I(f"{p}.level1", "一级指标", n), I(f"{p}.level2", "二级指标", n),
                          I(f"{p}.name", "三级指标", n, width="wide"), I(f"{p}.target", f"{n}·年度指标值", n),
                          I(f"{p}.actual", f"{n}·实际完成值", n), I(f"{p}.weight", f"{n}·分值", n),
                          F(f"{p}.score", f"{n}·得分", n), I(f"{p}.reason", f"{n}·偏差原因分析及改进措施", n)])
        inds.row_paths.append(p)
    weights = Table(caption="一级指标分值", cols=(34, 33, 33), head=[[H(x) for x in LEVEL1]],
                    rows=[[I(f"{path}.level1_weights.{x}", f"{x}分值", row=x) for x in LEVEL1]])
    total = Table(cols=(16, 10, 14, 10, 20, 10, 20), rows=[[H("总分"), H("分值"), I(f"{path}.total_weight", "总分分值", row="总分"), H("得分"),
                         F(f"{path}.total", "总分", row="总分"), H("等次"), Cell("figure", path=f"{path}.grade", fkind=fields.TEXT, label="等次", row="等次", stored=False)]])
    sign = Fields([I(f"{path}.filler", "填表人"), I(f"{path}.filing_date", "填报日期")])
    title = name or ""
    return [Block(title or "资金", items=[funds, goal], anchor=path), Block("绩效指标", items=[weights, inds, total, sign])]


def annex3(doc: dict) -> Form:
    form = Form("annex3", "附件3 整体支出自评表", "部门整体支出绩效自评表", "附件3")
    if fields.get(doc, "overall") is None:
        form.blocks.append(Block("", items=[Note("本数据包尚无附件3。")]))
        form.actions.append(("create", "overall", "建立附件3"))
        return form
    form.blocks += self_eval(doc, "overall", "overall")
    return form


def project(doc: dict, i: int) -> Form:
    p = _items(doc, "projects")[i]
    form = Form(f"project-{i}", f"附件4 {p.get('name', '')}", "项目支出绩效自评表", "附件4")
    form.blocks += self_eval(doc, f"projects[{i}]", "project")
    form.actions = [("up", f"projects[{i}]", "上移本项目"), ("down", f"projects[{i}]", "下移本项目"),
                    ("remove", f"projects[{i}]", "删除本项目"), ("add", "projects", "增加一个项目")]
    return form


def fund_type(doc: dict, kind: str, annex: str, label: str) -> Form:
    form = Form(kind, f"{annex} {label}", f"{label}绩效自评表", annex)
    decls = _items(doc, "fund_types")
    idx = next((i for i, d in enumerate(decls) if d.get("kind") == kind), None)
    if idx is None:
        form.blocks.append(Block("", items=[Note(f"本数据包未填写{label}情况。")]))
        form.actions.append(("declare", kind, f"填写{label}情况"))
        return form
    path = f"fund_types[{idx}]"
    decl = decls[idx]
    form.blocks.append(Block("", items=[Fields([I(f"{path}.has_spending", f"本单位有{label}"),
                                                 I(f"{path}.statement", "无此项支出的说明（没有此项支出时填写）")])]))
    tables = decl.get("tables") or []
    if tables and not decl.get("has_spending"):
        form.blocks.append(Block("", items=[Note("已声明无此项支出，但下面仍有自评表：请删除这些表，或勾选“有此项支出”。")]))
    for j, _t in enumerate(tables):
        form.blocks += self_eval(doc, f"{path}.tables[{j}]", kind)
        form.actions.append(("remove", f"{path}.tables[{j}]", f"删除第{j + 1}张自评表"))
    if decl.get("has_spending"):
        form.actions.append(("add", f"{path}.tables", "增加一张自评表"))
    return form


# --- new items (add) --------------------------------------------------------------------------


def new_item(list_path: str, doc: dict) -> dict:
    """A blank item for a list, shaped like its siblings (so the form gets the same columns)."""
    last = list_path.rsplit(".", 1)[-1]
    if last == "projects" or last == "tables":
        return {"name": "新项目" if last == "projects" else "新表", "funds": [
            {"key": "total", "label": "年度资金总额", "weight": "10"},
            {"key": "appropriation", "label": "当年财政拨款"}, {"key": "carryover", "label": "上年结转资金"},
            {"key": "other", "label": "其他资金"}],
            "level1_weights": {"产出指标": "50", "效益指标": "30", "满意度指标": "10"},
            "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "新指标"}], "total_weight": "100"}
    if last == "indicators":
        siblings = _items(doc, list_path)
        base = siblings[-1] if siblings else {}
        return {"level1": base.get("level1", "产出指标"), "level2": base.get("level2", "数量指标"), "name": "新指标"}
    if last == "evaluators":
        return {"name": "新成员"}
    if last == "lines":
        return {"label": "新行"}
    if last in ("income", "expenditure", "sangong", "fixed_assets"):
        return {"institution": "新机构"}
    return {"name": "新项"}
