"""Plausibility (DESIGN §5 item 8): figures that may each be arithmetically right but do
not fit together — spending far below budget, scores outrunning spending,
satisfaction rates from a handful of questionnaires or that no whole number of
respondents can give, actuals that equal their targets everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ...core import catalogue
from ...core.model import Package, SelfEvalTable, Source
from ...core.numbers import HUNDRED, ZERO, fmt_amount, fmt_percent, half_unit, normalize
from ..findings import Finding
from ..registry import AuditContext, check
from ._common import FORM_BASIC_DATA, FORM_COVER, FORM_NARRATIVE, SECTION_FRAMEWORK, has_reason, table_form
from .prose import Text, _quote, prose_blocks, prose_blocks_of

LOW_EXECUTION = Decimal("0.5")  # "far below budget": less than half spent (DESIGN §5 item 8)


def _rate(row) -> Decimal | None:
    if row is None or row.executed is None or not row.annual:
        return None
    return row.executed / row.annual


@check("plaus.low_execution", "执行远低于预算",
       "全年执行数不足全年预算数一半且表中未说明原因的：附件3 按支出性质分列的基本支出、项目支出行，"
       "以及评分方案的说明阈值不高于50%时各表的年度资金总额行（阈值高于50%时该行由“执行率偏低未说明原因”报告）。")
def low_execution(ctx: AuditContext) -> list[Finding]:
    out = []
    totals_covered = ctx.profile["execution_reason_threshold"] > LOW_EXECUTION
    for res in ctx.report.tables:
        table = res.table
        if has_reason(table):
            continue
        form, title = table_form(table.kind, table.name)
        for row in table.funds:
            if row.key == "total" and totals_covered or row.key not in ("total", "basic", "project"):
                continue
            rate = _rate(row)
            if rate is None or rate >= LOW_EXECUTION:
                continue
            out.append(Finding(
                rule="plaus.low_execution", severity="warning",
                message=(f"{form}“{row.label.strip()}”全年执行数 {row.executed:,.2f}万元仅为全年预算数 {row.annual:,.2f}万元的"
                         f"{fmt_percent(rate)}，不足一半，表中未说明原因；请核实预算数是否虚列或说明未执行原因。"),
                location=row.src.get("executed") or Source(form, title, row.label.strip(), "全年执行数"),
                stated=fmt_percent(rate), expected=f"≥ {fmt_percent(LOW_EXECUTION)}，或说明原因",
                formula=f"{row.executed:,.2f} ÷ {row.annual:,.2f} = {fmt_percent(rate)} < {fmt_percent(LOW_EXECUTION)}"))
    return out


def score_rate(table: SelfEvalTable) -> tuple[Decimal, Decimal] | None:
    """(Σ stated indicator scores, Σ their 分值) over the applicable indicators that carry both."""
    pairs = [(i.stated_score, i.weight) for i in table.indicators
             if i.applicable and i.stated_score is not None and i.weight]
    if not pairs:
        return None
    return sum((s for s, _ in pairs), ZERO), sum((w for _, w in pairs), ZERO)


@check("plaus.score_outruns_execution", "得分率远高于执行率",
       "自评表指标得分率（Σ 三级指标得分 ÷ Σ 分值）高出预算执行率（超过100%按100%计）超过评分方案的"
       "score_outruns_execution_margin 个百分点的，提示复核：钱没有花出去，产出和效益却几乎满分。")
def score_outruns_execution(ctx: AuditContext) -> list[Finding]:
    margin = Decimal(ctx.profile["score_outruns_execution_margin"]) / HUNDRED
    out = []
    for res in ctx.report.tables:
        rate = res.execution_rate.value if res.execution_rate is not None else None
        sr = score_rate(res.table)
        if rate is None or sr is None:
            continue
        scored, weights = sr
        ratio = scored / weights
        gap = ratio - min(rate, Decimal(1))
        if gap <= margin:
            continue
        form, title = table_form(res.table.kind, res.table.name)
        total = res.table.fund("total")
        out.append(Finding(
            rule="plaus.score_outruns_execution", severity="warning",
            message=(f"{form}预算执行率仅{fmt_percent(rate)}，"
                     f"指标得分率却达{fmt_percent(ratio)}，高出{_points(gap)}个百分点，请复核产出与效益指标的完成情况和得分。"),
            location=(total.src.get("rate") if total is not None else None) or Source(form, title, "年度资金总额", "执行率"),
            stated=f"得分率 {fmt_percent(ratio)}", expected=f"不高于执行率 {fmt_percent(rate)} + {_points(margin)}个百分点",
            formula=(f"得分率 {scored.normalize():f} ÷ {weights.normalize():f} = {fmt_percent(ratio)}；"
                     f"{fmt_percent(ratio)} − {fmt_percent(min(rate, Decimal(1)))} = {_points(gap)}个百分点 > {_points(margin)}")))
    return out


def _points(ratio: Decimal) -> str:
    return f"{(ratio * HUNDRED).quantize(Decimal('0.01')):f}"


# --- satisfaction -----------------------------------------------------------------------------

_RESPONSES = re.compile(r"(?:问卷|调查表|调查问卷)[^。;]{0,12}?(\d+)\s*份|(\d+)\s*份[^。;]{0,6}?(?:问卷|调查表)")
_SATISFACTION = re.compile(r"满意(?:度|率)[^。;\d]{0,8}?(\d+(?:\.\d+)?)\s*%")
_VALID = re.compile(r"有效|收回|回收")  # the count is of responses, not of questionnaires handed out (发放)
_SHARE = re.compile(r"满意率|满意(?:的)?(?:人数|份数|比例)|占比|的受访|表示满意")  # a share of people, not a mean score


@dataclass(frozen=True)
class Survey:
    """A satisfaction figure and the questionnaires behind it, as the package states them."""

    responses: int
    rate: Decimal | None
    where: Source
    evidence: str
    valid: bool  # the count is of valid responses (有效问卷), not of questionnaires distributed
    share: bool  # the rate is a share of respondents (满意数 ÷ 有效问卷数), not a mean score


def surveys_of(ctx: AuditContext) -> list[Survey]:
    """`satisfaction_surveys` of the audited package, once per audit. Callers must not change the list."""
    return ctx.cached("plausibility.surveys", lambda: satisfaction_surveys(ctx.package, prose_blocks_of(ctx)))


def satisfaction_surveys(pkg: Package, blocks: list[Text] | None = None) -> list[Survey]:
    """Surveys from §七's satisfaction item (its inputs) and from the prose.

    `blocks`: `prose_blocks(pkg)` when the caller has it already."""
    out: list[Survey] = []
    for item in pkg.narrative.framework:
        key, n = next(((k, v) for k, v in item.inputs.items() if re.search(r"问卷|样本|调查", k)), (None, None))
        if n is not None and n == n.to_integral_value():
            src = item.src.get("rate") or Source(FORM_NARRATIVE, SECTION_FRAMEWORK, item.name, "满意度")
            evidence = (item.evidence or f"{key}{n}份，满意度{fmt_percent(item.stated_rate)}"
                        if item.stated_rate is not None else item.evidence)
            # an item rated by 满意数 ÷ 有效问卷数 states a share of valid responses
            share = any("满意数" in k for k in item.inputs) or bool(_SHARE.search(item.evidence or ""))
            out.append(Survey(int(n), item.stated_rate, src, evidence, bool(_VALID.search(key)), share))
    if not pkg.texts:
        blocks = []
    elif blocks is None:
        blocks = prose_blocks(pkg)
    for block in blocks:
        norm = normalize(block.text)
        if "份" not in norm:
            continue  # both forms of _RESPONSES need it
        m = _RESPONSES.search(norm)
        if not m:
            continue
        n = int(m.group(1) or m.group(2))
        s = _SATISFACTION.search(norm, m.end()) or _SATISFACTION.search(norm)
        rate = Decimal(s.group(1)).scaleb(-2) if s else None
        if any(o.responses == n and (o.rate == rate or rate is None) for o in out):
            continue
        count_text = norm[max(0, m.start() - 8): m.end() + 4]
        rate_text = norm[max(0, s.start() - 12): s.end()] if s else ""
        out.append(Survey(n, rate, block.location, _quote(norm[max(0, m.start() - 10): (s.end() if s else m.end()) + 5], 120),
                          bool(_VALID.search(count_text)) and "发放" not in count_text, bool(_SHARE.search(rate_text))))
    return out


@check("plaus.satisfaction_sample", "满意度样本过少",
       "满意度所依据的有效问卷少于评分方案 satisfaction_min_responses 份（默认30份）的，提示结论缺乏代表性。")
def satisfaction_sample(ctx: AuditContext) -> list[Finding]:
    minimum = Decimal(ctx.profile["satisfaction_min_responses"])
    out = []
    for sv in surveys_of(ctx):
        if sv.responses >= minimum:
            continue
        out.append(Finding(
            rule="plaus.satisfaction_sample", severity="warning",
            message=f"满意度{('为' + fmt_percent(sv.rate)) if sv.rate is not None else ''}仅依据{sv.responses}份问卷，"
                    f"少于{minimum.normalize():f}份，代表性不足。",
            location=sv.where, stated=f"{sv.responses}份", expected=f"≥ {minimum.normalize():f}份",
            formula=f"{sv.responses} < {minimum.normalize():f}", evidence=sv.evidence))
    return out


def achievable(n: int, rate: Decimal) -> bool:
    """Can k satisfied out of n respondents give `rate` at the precision it was printed?"""
    tol = half_unit(rate)
    return any(abs(Decimal(k) / n - rate) <= tol for k in range(n + 1))


@check("plaus.satisfaction_fraction", "满意度与问卷数不相容",
       "满意度 = 满意份数 ÷ 有效问卷数，须能由整数份问卷得出：20份有效问卷得不出96%的满意率（20 × 96% = 19.2份）。"
       "文中写明有效问卷数且满意度是满意人数的比例时报告为错误；问卷数为发放数、或满意度可能是平均评分时为警告。")
def satisfaction_fraction(ctx: AuditContext) -> list[Finding]:
    out = []
    for sv in surveys_of(ctx):
        n, rate = sv.responses, sv.rate
        if rate is None or n <= 0 or achievable(n, rate):
            continue
        near = sorted({Decimal(k) / n for k in range(n + 1)}, key=lambda r: abs(r - rate))[:2]
        certain = sv.valid and sv.share
        caveat = "" if certain else (
            "（文中" + "、".join(w for w, ok in (("所列为发放问卷数而非有效问卷数", not sv.valid),
                                                 ("未说明满意度为满意人数占比，若为平均评分则不受此限", not sv.share)) if ok)
            + "，请核实）")
        out.append(Finding(
            rule="plaus.satisfaction_fraction", severity="error" if certain else "warning",
            message=(f"{n}份问卷得不出满意度{fmt_percent(rate)}：{n} × {fmt_percent(rate)} = "
                     f"{(n * rate).normalize():f}份，不是整数；可能的值为{'或'.join(fmt_percent(r) for r in sorted(near))}{caveat}。"),
            location=sv.where, stated=fmt_percent(rate), expected="或".join(fmt_percent(r) for r in sorted(near)),
            formula=f"{n} × {fmt_percent(rate)} = {(n * rate).normalize():f}（应为整数份）", evidence=sv.evidence))
    return out


@check("plaus.actuals_equal_targets", "完成值与指标值处处相同",
       "一张自评表中以绝对数（个、次、人次、万元等，不含百分比）设定的定量指标有两项以上、且实际完成值全部恰好等于指标值的，"
       "提示核实完成值是否照抄指标值。")
def actuals_equal_targets(ctx: AuditContext) -> list[Finding]:
    out = []
    for res in ctx.report.tables:
        table = res.table
        absolute = [i for i in table.indicators
                    if i.target.kind == "quantitative" and i.target.unit != "%" and i.target.value is not None]
        if len(absolute) < 2 or not all(i.actual.value is not None and i.actual.value == i.target.value
                                        for i in absolute):
            continue
        form, title = table_form(table.kind, table.name)
        pairs = "；".join(f"{i.name} {i.target.raw} → {i.actual.raw}" for i in absolute)
        out.append(Finding(
            rule="plaus.actuals_equal_targets", severity="info",
            message=f"{form}的{len(absolute)}项数量指标实际完成值均恰好等于指标值，请核实是否据实填报。",
            location=absolute[0].src.get("actual") or Source(form, title, absolute[0].name, "实际完成值"),
            stated=pairs, expected="据实填写的完成值", evidence=_quote(pairs, 100)))
    return out


# --- impossible values: negative amounts, execution above budget, precision, capped rates ------------

CENT = Decimal("0.01")
# 执行数 this many times the budget is no overspending but a slip of a unit (元 for 万元) or of digits.
ORDER_OF_MAGNITUDE = Decimal(10)
# Framework formulas whose numerator is a part of their denominator (满意数 of 有效问卷数, 在用 of 总额,
# what was spent of what was available): the rate cannot exceed 100%.
PART_OF_WHOLE = frozenset({"satisfaction_rate", "fixed_asset_utilization", "budget_completion_rate"})
_FUND_COLUMNS = {"initial": "年初预算数", "annual": "全年预算数", "executed": "全年执行数", "inline": "金额"}
_COVER_TABLES = {"income": "收入情况", "expenditure": "支出和结余情况", "sangong": "“三公”经费情况",
                 "fixed_assets": "固定资产情况"}


@dataclass(frozen=True)
class Amount:
    """A stated amount with the canonical path of its field and where it stands on the forms."""

    value: Decimal
    path: str
    where: Source
    unit: str = "万元"
    signed: bool = False  # a balance or a difference: negative is a possible value


def _at(src: Source | None, path: str, form: str, table: str, row: str, column: str) -> Source:
    """The finding's location: the field (its canonical path) and its place on the form."""
    if src is None:
        return Source(form=form, table=table, row=row, column=column, path=path)
    return Source(form=src.form or form, table=src.table or table, row=src.row or row, column=src.column or column,
                  line=src.line, text=src.text, path=path)


def _fund_amounts(key: str, table: SelfEvalTable) -> list[Amount]:
    form, title = table_form(table.kind, table.name)
    out = []
    for group, rows in (("funds", table.funds), ("group_sums", table.group_sums)):
        for i, row in enumerate(rows):
            label = row.label.strip() or row.key
            for col, header in (*_FUND_COLUMNS.items(), ("balance", "结余")):
                value = getattr(row, col)
                if value is not None:
                    path = f"{key}.{group}[{i}].{col}"
                    out.append(Amount(value, path, _at(row.src.get(col), path, form, title, label, header),
                                      signed=col == "balance"))
    return out


def _line_amounts(path: str, form: str, table) -> list[Amount]:
    out = []
    for i, line in enumerate(table.lines):
        for col, value in line.values.items():
            if value is not None:
                p = f"{path}.lines[{i}].{col}"
                out.append(Amount(value, p, _at(line.src.get(col), p, form, table.title, line.label,
                                                table.columns.get(col, col)),
                                  unit=table.unit, signed=col in table.derived))
    return out


def stated_amounts(pkg: Package) -> list[Amount]:
    """Every amount the package states, with its path: the cover's tables, the self-evaluation tables'
    funds, the narrative's and 附件2's line tables, the notice's scope and 附件2's buildings."""
    from ...core.view import self_eval_tables

    out: list[Amount] = []
    for name, title in _COVER_TABLES.items():
        for i, row in enumerate(getattr(pkg, name)):
            for f in row.__dataclass_fields__:
                value = getattr(row, f)
                if f in ("institution", "is_summary", "src") or value is None:
                    continue
                path = f"{name}[{i}].{f}"
                out.append(Amount(value, path, _at(row.src.get(f), path, FORM_COVER, title, row.institution, f),
                                  signed=f.startswith("balance")))
    for key, table in self_eval_tables(pkg):
        out += _fund_amounts(key, table)
    for key, table in pkg.narrative.tables.items():
        out += _line_amounts(f"narrative.tables.{key}", FORM_NARRATIVE, table)
    if pkg.basic_data.costs is not None:
        out += _line_amounts("basic_data.costs", FORM_BASIC_DATA, pkg.basic_data.costs)
    b = pkg.basic_data.buildings
    for f, label, unit in (("approved_area", "批复规模", "平方米"), ("actual_area", "实际规模", "平方米"),
                           ("budget_investment", "预算投资", "万元"), ("actual_investment", "实际投资", "万元")):
        value = getattr(b, f)
        if value is not None:
            path = f"basic_data.buildings.{f}"
            out.append(Amount(value, path, _at(b.src.get(f), path, FORM_BASIC_DATA, "楼堂馆所控制情况", "", label), unit))
    if pkg.notice.scope_total is not None:
        path = "notice.scope_total"
        out.append(Amount(pkg.notice.scope_total, path, _at(pkg.notice.src.get("scope_total"), path, "附件1", "",
                                                             "", "自评范围")))
    return out


def _amounts(ctx: AuditContext) -> list[Amount]:
    return ctx.cached("plausibility.amounts", lambda: stated_amounts(ctx.package))


def _where(a: Amount) -> str:
    loc = a.where
    return "".join(f"“{p}”" if i else p for i, p in enumerate(x for x in (loc.form, loc.row, loc.column) if x))


@check("plaus.negative_amount", "金额为负数",
       "表中只能为非负数的金额（预算数、执行数、收入、支出、资产、投资、面积等）填为负数的，报告为错误；"
       "结余、增减等可为负数的列不在此列。例：全年执行数 −5 万元。")
def negative_amount(ctx: AuditContext) -> list[Finding]:
    out = []
    for a in _amounts(ctx):
        if a.signed or a.value >= 0:
            continue
        out.append(Finding(
            rule="plaus.negative_amount", severity="error",
            message=f"{_where(a)}为负数（{a.value:,f}{a.unit}），该栏不能为负，请核实填报。",
            location=a.where, stated=f"{a.value:,f}", expected="≥ 0", formula=f"{a.value:,f} < 0"))
    st = ctx.package.staffing
    for f, label in (("authorized", "人员编制"), ("actual", "实有人数"), ("in_post", "在职人数")):
        for path, staffing, form in ((f"staffing.{f}", st, FORM_COVER),
                                     (f"basic_data.staffing.{f}", ctx.package.basic_data.staffing, FORM_BASIC_DATA)):
            value = getattr(staffing, f)
            if value is not None and value < 0:
                out.append(Finding(
                    rule="plaus.negative_amount", severity="error",
                    message=f"{form}“{label}”为负数（{value}人），人数不能为负，请核实填报。",
                    location=_at(staffing.src.get(f), path, form, "人员情况", "", label),
                    stated=str(value), expected="≥ 0", formula=f"{value} < 0"))
    return out


@check("plaus.executed_above_budget", "执行数超过全年预算数",
       "自评表资金行的全年执行数高于全年预算数的，提示核实是否超预算支出、预算调整是否漏填；高出十倍以上的，"
       "已不是超支而是单位（元与万元）或位数填错，报告为错误。全年预算数为0而有执行数的，同样提示。"
       "例：全年执行数 99,999.00 万元，全年预算数 328.15 万元，执行率 30473.56%。")
def executed_above_budget(ctx: AuditContext) -> list[Finding]:
    from ...core.view import self_eval_tables

    out = []
    for key, table in self_eval_tables(ctx.package):
        form, title = table_form(table.kind, table.name)
        for i, row in enumerate(table.funds):
            if row.executed is None or row.annual is None or row.annual < 0 or row.executed <= row.annual:
                continue
            label = row.label.strip() or row.key
            path = f"{key}.funds[{i}].executed"
            where = _at(row.src.get("executed"), path, form, title, label, "全年执行数")
            if row.annual == 0:
                out.append(Finding(
                    rule="plaus.executed_above_budget", severity="warning",
                    message=f"{form}“{label}”全年预算数为0，全年执行数却有 {fmt_amount(row.executed)}万元，请核实预算数是否漏填。",
                    location=where, stated=fmt_amount(row.executed), expected="不高于全年预算数 0.00",
                    formula=f"{fmt_amount(row.executed)} > 0.00"))
                continue
            rate = row.executed / row.annual
            slip = rate >= ORDER_OF_MAGNITUDE
            message = (f"{form}“{label}”全年执行数 {fmt_amount(row.executed)}万元高于全年预算数 "
                       f"{fmt_amount(row.annual)}万元，执行率 {fmt_percent(rate)}；")
            message += ("高出十倍以上，疑为金额单位（元与万元）或位数填错，请核实。" if slip
                        else "请核实是否超预算支出，或全年预算数是否漏计调整、结转。")
            out.append(Finding(
                rule="plaus.executed_above_budget", severity="error" if slip else "warning", message=message,
                location=where, stated=fmt_amount(row.executed), expected=f"不高于全年预算数 {fmt_amount(row.annual)}",
                formula=f"{fmt_amount(row.executed)} ÷ {fmt_amount(row.annual)} = {fmt_percent(rate)} > 100%"))
    return out


@check("plaus.amount_precision", "金额超出万元两位小数",
       "以万元为单位的金额应精确到小数点后两位（即元以下不计到厘）；多出的位数多为多输一位或把元当作万元，提示核实。"
       "例：150.005 万元。")
def amount_precision(ctx: AuditContext) -> list[Finding]:
    out = []
    for a in _amounts(ctx):
        if a.unit != "万元" or a.value == a.value.quantize(CENT):
            continue
        out.append(Finding(
            rule="plaus.amount_precision", severity="warning",
            message=f"{_where(a)} {a.value:f}万元超出两位小数，万元金额应精确到0.01（百元），请核实是否多输了位数。",
            location=a.where, stated=f"{a.value:f}", expected=f"两位小数，如 {fmt_amount(a.value)}",
            formula=f"{a.value:f} ≠ {a.value.quantize(CENT):f}"))
    return out


def _part_of_whole_formula(stated: str, formula_id: str) -> bool:
    """Is the item rated by the part-of-whole formula: no formula of its own, or one naming that
    formula's inputs (a document's "（满意数÷有效问卷数）×100%")?"""
    text = normalize(stated)
    return not text or all(name in text for name in catalogue.FORMULAS[formula_id].inputs)


@check("plaus.rate_above_cap", "比率超过100%",
       "分子是分母一部分的比率不能超过100%：§七中满意度（满意数 ÷ 有效问卷数）、固定资产利用率（在用 ÷ 总额）、"
       "预算完成率（已支出 ÷ 可用资金）的填报比率（文中写了别的公式时除外，如 执行数 ÷ 年初预算数），"
       "以及满意度指标的指标值和实际完成值。超过即为错误。")
def rate_above_cap(ctx: AuditContext) -> list[Finding]:
    out = []
    for i, item in enumerate(ctx.package.narrative.framework):
        spec = ctx.profile.framework_item(item.id)
        if spec is None or spec["formula"] not in PART_OF_WHOLE or item.stated_rate is None or item.stated_rate <= 1:
            continue
        if not _part_of_whole_formula(item.stated_formula, spec["formula"]):
            continue  # the unit rated it by another formula (执行数 ÷ 年初预算数 may exceed 100%)
        path = f"narrative.framework[{i}].rate"
        out.append(Finding(
            rule="plaus.rate_above_cap", severity="error",
            message=f"§七“{item.name}”填报 {fmt_percent(item.stated_rate)}，该比率的分子是分母的一部分，不能超过100%。",
            location=_at(item.src.get("rate"), path, FORM_NARRATIVE, SECTION_FRAMEWORK, item.name, "比率"),
            stated=fmt_percent(item.stated_rate), expected="≤ 100%", formula=f"{fmt_percent(item.stated_rate)} > 100%"))
    from ...core.view import self_eval_tables

    tables = [("cover", None, ctx.package.cover_indicators)]
    tables += [(key, t, t.indicators) for key, t in self_eval_tables(ctx.package)]
    for key, table, indicators in tables:
        form, title = (FORM_COVER, "整体支出绩效定量目标") if table is None else table_form(table.kind, table.name)
        for i, ind in enumerate(indicators):
            if "满意度" not in ind.level1 + ind.level2:
                continue
            for f, value, unit, label in (("target", ind.target.value, ind.target.unit, "年度指标值"),
                                          ("actual", ind.actual.value, ind.actual.unit, "实际完成值")):
                if unit != "%" or value is None or value <= 1:
                    continue
                path = f"{key}.indicators[{i}].{f}"
                out.append(Finding(
                    rule="plaus.rate_above_cap", severity="error",
                    message=f"{form}满意度指标“{ind.name}”的{label}为 {fmt_percent(value)}，满意度不能超过100%。",
                    location=_at(ind.src.get(f), path, form, title, ind.name, label),
                    stated=getattr(ind, f).raw, expected="≤ 100%", formula=f"{fmt_percent(value)} > 100%"))
    return out
