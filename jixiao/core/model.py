"""The domain model of one unit's yearly self-evaluation package (DESIGN §2).

Plain dataclasses, no behaviour beyond small conveniences. Money is Decimal in
the table's unit (万元 unless a table says otherwise); rates are ratios (0.322
for 32.2%); scores are points (分).

A figure that a document *states* but that can be derived (a sum, a rate, a
score, a total) is kept in a field of its own — `stated_*` or a plain field the
engine recomputes — so that the engine's value can be put beside it. Where a
value came from in the source document is kept in each object's `src` map,
field name → Source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

Amount = Decimal | None


@dataclass(slots=True)
class Source:
    """Where a value was read: enough for a reviewer to find it in the document."""

    form: str = ""  # 自评报告 / 绩效评价报告 / 附件1 … 附件7
    table: str = ""
    row: str = ""
    column: str = ""
    line: int | None = None  # 1-based line (text dump) or paragraph/table index (.docx)
    text: str = ""  # the raw text as printed
    path: str = ""  # the field's canonical path (projects[0].indicators[2].score), where the audit knows it

    def describe(self) -> str:
        parts = [p for p in (self.form, self.table, self.row, self.column) if p]
        where = " / ".join(parts)
        if self.line is not None:
            where += f"（第{self.line}行）"
        return where


def _src() -> dict[str, Source]:
    return {}


# --- 一、基本概况 --------------------------------------------------------------------

@dataclass(slots=True)
class Unit:
    name: str = ""
    budget_code: str = ""
    evaluation_method: str = ""  # 评价方式
    evaluator_org: str = ""  # 评价机构
    report_date: str = ""  # 报告时间, as printed ("2023年6月")
    contact: str = ""
    phone: str = ""
    functions: str = ""  # 职能职责概述
    main_tasks: str = ""  # 年度主要工作内容
    summary: str = ""  # 总体运行情况及取得的成绩
    supervisor: str = ""  # 主管部门
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class Staffing:
    authorized: int | None = None  # 人员编制 / 编制数
    actual: int | None = None  # 实有人数 (may include hired staff)
    in_post: int | None = None  # 在职人员数 (in-establishment staff actually in post)
    stated_control_rate: Amount = None  # 控制率 as printed (ratio)
    src: dict[str, Source] = field(default_factory=_src)


# --- 二、收支情况 (cover form tables, one row per institution plus 汇总) -------------------

@dataclass(slots=True)
class IncomeRow:
    institution: str
    total: Amount = None  # 收入合计 (stated)
    carryover: Amount = None  # 上年结转
    general_budget: Amount = None  # 公共财政拨款
    fund_budget: Amount = None  # 政府基金拨款
    special_account: Amount = None  # 纳入专户管理的非税收入拨款
    other: Amount = None  # 其他收入
    is_summary: bool = False
    src: dict[str, Source] = field(default_factory=_src)

    PARTS = ("carryover", "general_budget", "fund_budget", "special_account", "other")


@dataclass(slots=True)
class ExpenditureRow:
    institution: str
    total: Amount = None  # 支出合计 (stated) = basic + project
    basic: Amount = None  # 基本支出 = personnel + public
    personnel: Amount = None  # 人员支出
    public: Amount = None  # 公用支出
    project: Amount = None  # 项目支出
    balance_current: Amount = None  # 当年结余
    balance_cumulative: Amount = None  # 累计结余
    is_summary: bool = False
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class SanGongRow:
    """三公经费 = 公务接待 + 公务用车运行维护 + 公务用车购置 + 因公出国（境）."""

    institution: str
    total: Amount = None
    reception: Amount = None
    vehicle_operation: Amount = None
    vehicle_purchase: Amount = None
    overseas: Amount = None
    is_summary: bool = False
    src: dict[str, Source] = field(default_factory=_src)

    PARTS = ("reception", "vehicle_operation", "vehicle_purchase", "overseas")


@dataclass(slots=True)
class FixedAssetRow:
    institution: str
    total: Amount = None
    in_use: Amount = None
    rented: Amount = None
    other: Amount = None
    is_summary: bool = False
    src: dict[str, Source] = field(default_factory=_src)

    PARTS = ("in_use", "rented", "other")


# --- generic line tables (附件2 cost lines, the narrative's tables) ----------------------

@dataclass(slots=True)
class Line:
    """One row of a table of amounts by column, possibly the child of another row.

    `parent` names the row this one is a part of; `partial` on a parent says its
    children are only a selection (其中…), so they must not exceed it but need not
    add up to it.
    """

    label: str
    values: dict[str, Amount] = field(default_factory=dict)  # column key → amount
    parent: str = ""
    partial: bool = False
    note: str = ""
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class LineTable:
    """A table of `Line`s with named columns, e.g. 预算数 / 决算数 / 增减."""

    key: str  # stable id: basic_expenditure, project_expenditure, cost_control, basic_data_costs
    title: str
    columns: dict[str, str]  # column key → printed header
    lines: list[Line] = field(default_factory=list)
    unit: str = "万元"
    # How derived columns relate: column key → ("diff", a, b) means col = a − b;
    # ("balance", open, income, spent) means col = open + income − spent.
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)
    total_label: str = ""  # the row that must equal the sum of the top-level rows
    # When the printed cues left a row's parent open, the reading chosen and why (the audit quotes it).
    reading: str = ""
    src: dict[str, Source] = field(default_factory=_src)
    # Labels of 小计 rows: each is the sum of the rows it closes (its children); the total row adds
    # the rows themselves, not the subtotals, so that a wrong subtotal is reported once, at itself.
    subtotals: list[str] = field(default_factory=list)

    def line(self, label: str) -> Line | None:
        for ln in self.lines:
            if ln.label == label:
                return ln
        return None


# --- 附件2 基础数据表 -----------------------------------------------------------------

@dataclass(slots=True)
class Buildings:
    """楼堂馆所控制情况 (projects completed in the year)."""

    approved_area: Amount = None  # 批复规模 ㎡
    actual_area: Amount = None
    stated_area_rate: Amount = None
    budget_investment: Amount = None  # 预算投资 万元
    actual_investment: Amount = None
    stated_investment_rate: Amount = None
    src: dict[str, Source] = field(default_factory=_src)

    @property
    def has_project(self) -> bool:
        return bool(self.approved_area) or bool(self.budget_investment)


@dataclass(slots=True)
class BasicData:
    staffing: Staffing = field(default_factory=Staffing)
    costs: LineTable | None = None  # columns prior_actual / budget / actual
    buildings: Buildings = field(default_factory=Buildings)
    thrift_measures: str = ""  # 厉行节约保障措施
    filler: str = ""
    filing_date: date | None = None
    src: dict[str, Source] = field(default_factory=_src)


# --- 附件3–7 self-evaluation tables ------------------------------------------------------

@dataclass(slots=True)
class FundRow:
    """One row of the fund block: 年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分.

    Only the 年度资金总额 row (key 'total') carries 分值, 执行率 and 得分.
    """

    key: str  # total | appropriation | carryover | other | general_budget | gov_fund | special_account | other_funds | basic | project
    label: str
    initial: Amount = None  # 年初预算数
    annual: Amount = None  # 全年预算数
    executed: Amount = None  # 全年执行数
    weight: Amount = None  # 分值
    stated_rate: Amount = None  # 执行率 as printed (ratio)
    stated_score: Amount = None  # 得分 as printed
    balance: Amount = None  # 结余 as printed, where the form has that column (岳阳's 2016 project form)
    # A figure written in the label cell ("合计：2030.12万元", "按收入性质分：2030.12") where the block has
    # several amount columns and the row's own cells are empty: which column it is, the form does not say.
    inline: Amount = None
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class Target:
    """An indicator's 年度指标值, parsed once at load time."""

    raw: str
    kind: str  # quantitative | qualitative | date
    comparator: str = ""  # >= > <= < = ; "" for qualitative
    value: Amount = None  # in `unit`; percent targets are ratios
    unit: str = ""
    when: date | None = None  # for date targets


@dataclass(slots=True)
class Actual:
    """An indicator's 实际完成值: the figure read from it, or text."""

    raw: str
    value: Amount = None
    unit: str = ""
    when: date | None = None
    candidates: int = 0  # how many figures of a matching unit the text held
    approximate: bool = False  # 余 / 多


@dataclass(slots=True)
class Indicator:
    level1: str  # 产出指标 / 效益指标 / 满意度指标
    level2: str  # 数量指标 / 质量指标 / … / 服务对象满意度指标
    name: str  # 三级指标
    target: Target
    actual: Actual
    weight: Amount = None  # 分值
    stated_score: Amount = None  # 得分 as printed
    reason: str = ""  # 偏差原因分析及改进措施
    applicable: bool = True
    tier: str = ""  # for qualitative: 达成 / 部分达成 / 未达成, when the preparer chose one
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class Goal:
    expected: str = ""  # 预期目标
    actual: str = ""  # 实际完成情况
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class SelfEvalTable:
    """附件3 (the whole department), 附件4 (one project) or 附件5–7 (one fund-type item)."""

    kind: str  # overall | project | gov_fund | state_capital | social_insurance
    name: str = ""  # project name (附件4–7)
    supervisor: str = ""  # 主管部门
    implementer: str = ""  # 实施单位
    funds: list[FundRow] = field(default_factory=list)
    # Sums a document states for a group of fund rows under its sub-heading ("按收入性质分：2030.12"):
    # key = the group's first row key (general_budget, basic); read from documents only.
    group_sums: list[FundRow] = field(default_factory=list)
    goal: Goal = field(default_factory=Goal)
    indicators: list[Indicator] = field(default_factory=list)
    level1_weights: dict[str, Amount] = field(default_factory=dict)  # as printed: 产出指标(50分)
    stated_total: Amount = None  # 总分 得分
    stated_total_weight: Amount = None  # 总分 分值 (100)
    stated_grade: str = ""  # 评价等次 printed with the table itself (some families grade each table)
    form_label: str = ""  # the form's printed title, checked against its kind
    row_label: str = ""  # the label of its name row (…预算支出名称)
    filler: str = ""
    filing_date: date | None = None
    src: dict[str, Source] = field(default_factory=_src)

    def fund(self, key: str) -> FundRow | None:
        for row in self.funds:
            if row.key == key:
                return row
        return None


@dataclass(slots=True)
class FundTypeDeclaration:
    """附件5–7: either tables, or a statement that the unit has no such spending."""

    kind: str  # gov_fund | state_capital | social_insurance
    has_spending: bool = False
    statement: str = ""  # 我单位2022年无政府性基金预算支出。
    tables: list[SelfEvalTable] = field(default_factory=list)


# --- 绩效评价报告 (narrative) ---------------------------------------------------------

@dataclass(slots=True)
class FrameworkItem:
    """One item of §七's overall framework (投入 / 过程 / 产出 / 效果), as stated."""

    id: str  # profile framework id: staff_control_rate, …
    level1: str
    level2: str
    name: str
    weight: Amount = None  # 分值 as printed in "（3分）"
    inputs: dict[str, Decimal] = field(default_factory=dict)  # figures the text gives, by input name
    stated_rate: Amount = None  # ratio
    stated_formula: str = ""  # the formula as the document writes it
    stated_score: Amount = None
    evidence: str = ""  # a short quote (our own wording in examples)
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class ScoreItem:
    """One row of a scored indicator sheet (部门整体支出绩效评价指标表 / 得分表): its labels from level 1
    down, the points each level prints ("部门决策(25分)"), and the score given."""

    path: tuple[str, ...]
    weights: tuple[Amount, ...]
    score: Amount = None
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class ScoreSheet:
    """The overall-spending framework printed as a table, with points per level and the scores given."""

    title: str
    items: list[ScoreItem] = field(default_factory=list)
    stated_total: Amount = None
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class ProseFigure:
    """A figure stated in prose, tied to its subject: '整体支出1,066.75万元'."""

    subject: str  # quantity id: total_expenditure, basic_expenditure, sangong_budget, …
    value: Decimal
    unit: str
    text: str  # the sentence fragment
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class Narrative:
    title: str = ""
    tables: dict[str, LineTable] = field(default_factory=dict)  # basic_expenditure, project_expenditure, cost_control
    framework: list[FrameworkItem] = field(default_factory=list)
    stated_total: Amount = None  # §七 总得分
    stated_grade: str = ""
    figures: list[ProseFigure] = field(default_factory=list)
    achievements: str = ""  # preparer's own text, carried as written
    problems: str = ""
    suggestions: str = ""
    publication: str = ""
    sections: list[str] = field(default_factory=list)  # headings found, in order
    src: dict[str, Source] = field(default_factory=_src)


# --- 四、评价人员 and opinions ---------------------------------------------------------

@dataclass(slots=True)
class Evaluator:
    name: str
    title: str = ""
    org: str = ""
    signed: bool = False


@dataclass(slots=True)
class Opinion:
    role: str  # 评价组组长 / 部门（单位） / 财政部门归口业务科室
    text: str = ""
    signer: str = ""
    signed_on: date | None = None


@dataclass(slots=True)
class Notice:
    """附件1: the evaluation notice."""

    issuer: str = ""
    scope_total: Amount = None  # 自评范围 total 万元
    deadline: date | None = None
    issued_on: date | None = None
    deviation_threshold: Amount = None  # as the notice states (0.30)
    src: dict[str, Source] = field(default_factory=_src)


@dataclass(slots=True)
class TextBlock:
    """A paragraph of prose as read from a document, for checks on text (years, fragments, figures)."""

    form: str  # 自评报告 / 绩效评价报告 / 附件1 …
    section: str  # the heading it sits under
    text: str
    line: int | None = None


@dataclass(slots=True)
class Jurisdiction:
    """The bureau's jurisdiction: 行政区划代码 (GB/T 2260, six digits), level and name."""

    code: str
    level: str = ""  # 全国 | 省 | 市 | 州 | 县 …
    name: str = ""


@dataclass(slots=True)
class TableRead:
    """One table a document reader understood: where it stands, what kind of table, how much of it was read."""

    where: str  # as a person finds it: the form's title, the table's caption or heading, the page
    kind: str  # what the reader took it for, in Chinese: 资金表, 指标表, 评分表, 金额表 …
    rows: int = 0
    figures: int = 0  # amounts, rates, points and scores read from it
    checks: int = 0  # relations the audit evaluated on it (a stated figure of it against its recomputation)
    # The identities of the Sources read from it: how the audit tells which table a relation's stated
    # figure stands in (set by the reader; not part of any report).
    sources: frozenset = frozenset()


@dataclass(slots=True)
class Unread:
    """A part of a document the reader saw but could not use, and why (in Chinese, for the report)."""

    where: str
    why: str


@dataclass(slots=True)
class Reading:
    """What a document reader read and could not read — the audit's coverage starts here.

    Set by readers of documents made elsewhere; a package from our own canonical file or workbook
    leaves it empty (everything in it was read by construction).
    """

    tables: list[TableRead] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)


@dataclass(slots=True)
class Package:
    """One unit's package for one year."""

    year: int
    unit: Unit = field(default_factory=Unit)
    profile: str = "national-2020"
    jurisdiction: Jurisdiction | None = None
    profile_note: str = ""  # why this profile: set when the resolver fell back on another one
    title: str = ""
    staffing: Staffing = field(default_factory=Staffing)
    income: list[IncomeRow] = field(default_factory=list)
    expenditure: list[ExpenditureRow] = field(default_factory=list)
    sangong: list[SanGongRow] = field(default_factory=list)
    fixed_assets: list[FixedAssetRow] = field(default_factory=list)
    cover_goal: Goal = field(default_factory=Goal)  # 三、定性目标 预期/实际
    cover_indicators: list[Indicator] = field(default_factory=list)  # 三、定量目标 (mirror of 附件3)
    stated_score: Amount = None  # 三、综合得分
    stated_grade: str = ""
    grade_note: str = ""  # the printed band note (备注：90（含）—100分为优 …)
    evaluators: list[Evaluator] = field(default_factory=list)
    opinions: list[Opinion] = field(default_factory=list)
    narrative: Narrative = field(default_factory=Narrative)
    notice: Notice = field(default_factory=Notice)
    basic_data: BasicData = field(default_factory=BasicData)
    overall: SelfEvalTable | None = None  # 附件3
    projects: list[SelfEvalTable] = field(default_factory=list)  # 附件4
    fund_types: list[FundTypeDeclaration] = field(default_factory=list)  # 附件5–7
    forms_found: list[str] = field(default_factory=list)  # set by readers of real documents
    families: list[str] = field(default_factory=list)  # template families (jixiao/families) the reader recognised
    score_sheets: list[ScoreSheet] = field(default_factory=list)  # framework tables with points and scores
    texts: list[TextBlock] = field(default_factory=list)  # prose paragraphs, set by document readers
    reading: Reading = field(default_factory=Reading)  # what a document reader read and could not (coverage)
    source_path: str = ""
    src: dict[str, Source] = field(default_factory=_src)

    def institution_rows(self, rows: list) -> list:
        return [r for r in rows if not r.is_summary]
