"""Rates, scores and required reasons (DESIGN §5 items 2–3, and the reasons of item 7).

Severity policy, applied throughout:
- error: the document itself proves the figure wrong — a rate that does not follow
  from its own inputs by its own formula; an execution score that does not follow
  from the rate and 分值 by min(rate, 100%) × 分值 (the rule the seed's notice and
  tables use); a total that is not the sum of its stated parts; a grade that
  contradicts the bands; a score above its 分值 or below 0; a qualitative score
  outside the tier its own row states.
- warning: the disagreement rests on a profile rule not marked `verified` (the §七
  point tables, banded execution scores, …) or needs a human look. A quantitative
  indicator whose target is met but which is scored below full marks is a warning:
  "met → full marks" is national practice (通行做法), not a rule the seed's notice or
  any shipped profile states as verified. It becomes an error only where the
  profile's `bare_target_comparator` rule is marked verified.
- info: the document's own figures agree, but the profile would score differently
  in a way that is not a defect of the document (e.g. a level-1 weight other than
  the profile's 原则上 default where that default is unverified).
"""

from __future__ import annotations

from decimal import Decimal

from ...core import keys, rules
from ...core.engine import TableResult
from ...core.model import Indicator, SelfEvalTable
from ...core.numbers import ZERO, fmt_percent, fmt_score, stated_agrees, tally
from ...core.trace import Computed, Kind, Method
from ..findings import Finding
from ..registry import AuditContext, check
from ._common import (
    FORM_BASIC_DATA,
    FORM_COVER,
    FORM_NARRATIVE,
    SECTION_FRAMEWORK,
    by_profile,
    decimals_printed,
    finding,
    has_reason,
    location,
    place,
    profile_note,
    quoted,
    table_form,
    table_where,
    verified,
    written_formula,
)

GRADE_GROUPS = [{"优", "优秀"}, {"良", "良好"}, {"中", "中等", "合格", "一般", "较差"}, {"差", "不合格"}]


def _pct(v: Decimal | None) -> str:
    return fmt_percent(v) if v is not None else "空"


def _pts(v: Decimal | None) -> str:
    return fmt_score(v) if v is not None else "空"


def _num(v: Decimal | int | None) -> str:
    return "空" if v is None else f"{Decimal(v):,f}"


def _fund_loc(t: TableResult, c: Computed | None, column: str):
    form, title = table_form(t.table.kind, t.table.name)
    total = t.table.fund("total")
    return location(c, form, title, total.label if total else "年度资金总额", column)


def _ind_loc(t: TableResult, ind: Indicator, c: Computed | None, column: str = "得分"):
    form, title = table_form(t.table.kind, t.table.name)
    return location(c, form, title, f"{ind.level1}·{ind.level2}·{ind.name}", column)


def _where(t: TableResult) -> str:
    return table_where(t.table.kind, t.table.name)


# --- rate.execution ------------------------------------------------------------------------


@check("rate.execution", "预算执行率与执行数、预算数不符",
       "执行率 = 全年执行数 ÷ 全年预算数（年度资金总额行），按填报的小数位比较。")
def execution_rates(ctx: AuditContext) -> list[Finding]:
    out = []
    for t in ctx.report.tables:
        c = t.execution_rate
        if c is None or c.agrees is not False:
            continue
        ex, an = c.inputs.get("全年执行数"), c.inputs.get("全年预算数")
        out.append(finding(
            "rate.execution", "error", f"{_where(t)}预算执行率与全年执行数÷全年预算数不符",
            _fund_loc(t, c, "执行率"), stated=_pct(c.stated), expected=_pct(c.value),
            formula=f"{_num(ex)} ÷ {_num(an)} = {_pct(c.value)} ≠ {_pct(c.stated)}"))
    return out


# --- rate.document_formula / rate.profile_formula -------------------------------------------


@check("rate.document_formula", "比率与文中自列公式和数据不符",
       "§七 各项比率按文中写出的公式和文中给出的数据重算；附件2 人员控制率、楼堂馆所控制率按表中公式重算。"
       "文中数据按其自身公式算不出所列比率，即为错误。")
def document_formula_rates(ctx: AuditContext) -> list[Finding]:
    out = []
    for i, item in enumerate(ctx.package.narrative.framework):
        c = ctx.report.find(keys.framework_rate_by_document(i))
        if c is None or c.agrees is not False:
            continue
        expr = written_formula(c.formula, c.inputs)
        sign = "（正负号错误）" if c.value and c.stated == abs(c.stated) and c.value < 0 and \
            stated_agrees(c.stated, -c.value, "ratio") else ""
        out.append(finding(
            "rate.document_formula", "error", f"§七{quoted(item.name)}所列比率与文中公式及数据计算结果不符{sign}",
            location(c, FORM_NARRATIVE, SECTION_FRAMEWORK, item.name, "比率"),
            stated=_pct(c.stated), expected=_pct(c.value),
            formula=f"{c.formula}：{expr} = {_pct(c.value)} ≠ {_pct(c.stated)}"))
    for c in ctx.report.sections.get("附件2 基础数据表", []):
        if c.unit != "ratio" or c.agrees is not False:
            continue
        a, b = list(c.inputs.values())[:2]
        out.append(finding(
            "rate.document_formula", "error", f"附件2“{c.label}”与其计算公式（{c.formula}）的结果不符",
            location(c, FORM_BASIC_DATA, "", c.label, "控制率"), stated=_pct(c.stated), expected=_pct(c.value),
            formula=f"{c.formula} = {_num(a)} ÷ {_num(b)} = {_pct(c.value)} ≠ {_pct(c.stated)}"))
    return out


@check("rate.profile_formula", "比率与评分方案公式不符",
       "§七 各项比率按评分方案的公式重算，缺少的数据取自本数据包各表（如 附件2、收支情况表）；"
       "与文中所列比率不符时提示复核。文中公式已算出同一结果的，只报一次（rate.document_formula）。")
def profile_formula_rates(ctx: AuditContext) -> list[Finding]:
    out = []
    for i, item in enumerate(ctx.package.narrative.framework):
        c = ctx.report.find(keys.framework_rate(i))
        if c is None or c.agrees is not False:
            continue
        doc = ctx.report.find(keys.framework_rate_by_document(i))
        if doc is not None and doc.value is not None and doc.agrees is False and \
                abs(doc.value - c.value) <= Decimal("0.00005"):
            continue  # the same figure, already reported against the document's own formula
        origins = [k for k in c.inputs if not k.endswith("（文中所列）")]
        taken = f"；其中{'、'.join(origins)}" if origins else ""
        expr = written_formula(c.formula, c.inputs)
        out.append(finding(
            "rate.profile_formula", by_profile(ctx.profile, "framework"),
            f"§七{quoted(item.name)}所列比率与评分方案公式的计算结果不符{profile_note(ctx.profile, 'framework')}",
            location(c, FORM_NARRATIVE, SECTION_FRAMEWORK, item.name, "比率"),
            stated=_pct(c.stated), expected=_pct(c.value),
            formula=f"{c.formula}：{expr} = {_pct(c.value)} ≠ {_pct(c.stated)}{taken}"))
    return out


# --- score.execution -----------------------------------------------------------------------


@check("score.execution", "预算执行率得分与执行率、分值不符",
       "得分 = min(执行率, 100%) × 分值（评分方案为分档时按档计分）。与按实际执行率或按所列执行率算得的分数都不符时报告。")
def execution_scores(ctx: AuditContext) -> list[Finding]:
    out = []
    for t in ctx.report.tables:
        c, rate_c = t.execution_score, t.execution_rate
        if c is None or c.agrees is not False or rate_c is None:
            continue
        weight = c.inputs.get("分值")
        if _follows_from_stated_rate(ctx, t, c, weight):
            continue
        method = ctx.profile["execution_score"]["method"]
        # ruled: the rule's value is the value, a differing score is an error; judged (the rule is not
        # verified): the unit's score stands and the rule's reading is a 参考 — a warning
        severity = "error" if c.kind is Kind.RULED else "warning"
        ex, an = rate_c.inputs.get("全年执行数"), rate_c.inputs.get("全年预算数")
        rule = (f"min({_pct(rate_c.value)}, 100%) × {_num(weight)}" if method != "bands"
                else f"执行率 {_pct(rate_c.value)} 按分档计分")
        msg = f"{_where(t)}预算执行率得分与执行率、分值不符，应为{_pts(c.value)}分{_total_consequence(t, c)}"
        out.append(finding(
            "score.execution", severity, msg, _fund_loc(t, c, "得分"), stated=_pts(c.stated), expected=_pts(c.value),
            formula=f"{_num(ex)} ÷ {_num(an)} = {_pct(rate_c.value)}；{rule} = {_pts(c.value)} ≠ {_pts(c.stated)}"))
    return out


def _follows_from_stated_rate(ctx: AuditContext, t: TableResult, c: Computed, weight) -> bool:
    """A score computed from the rate as printed (rounded) is also accepted."""
    total = t.table.fund("total")
    if total is None or total.stated_rate is None or weight is None:
        return False
    method = ctx.profile["execution_score"]
    if method["method"] == "bands":
        value = rules.banded(total.stated_rate, method["bands"], weight)
    else:
        value = rules.execution_score_proportional(total.stated_rate, weight)
    return stated_agrees(c.stated, value, "分")


def _total_consequence(t: TableResult, c: Computed) -> str:
    """'，总分相应应为90.16分' when the stated total was built on the wrong score."""
    stated_total = t.table.stated_total
    if stated_total is None or c.value is None or c.stated is None:
        return ""
    corrected = stated_total - c.stated + c.value
    return f"，总分相应应为{_pts(corrected)}分" if not stated_agrees(stated_total, corrected, "分") else ""


# --- indicators ------------------------------------------------------------------------------


@check("score.indicator_over_weight", "指标得分超出分值范围",
       "任何指标的得分不得高于其分值，也不得为负数。")
def indicator_over_weight(ctx: AuditContext) -> list[Finding]:
    out = []
    for t in ctx.report.tables:
        for ind, c in zip(t.table.indicators, t.indicator_scores, strict=True):
            s, w = ind.stated_score, ind.weight
            if s is None or w is None or ZERO <= s <= w:
                continue
            what = "高于其分值" if s > w else "为负数"
            out.append(finding(
                "score.indicator_over_weight", "error", f"{_where(t)}指标{quoted(ind.name)}得分{what}",
                _ind_loc(t, ind, c), stated=_pts(s), expected=f"0–{_pts(w)}",
                formula=f"{_pts(s)} {'>' if s > w else '<'} {_pts(w) if s > w else '0'}"))
    return out


@check("score.indicator", "定量指标得分与计分规则不符",
       "定量指标：达到指标值得满分；正向未达到按 实际值 ÷ 指标值 × 分值，反向按 指标值 ÷ 实际值 × 分值；"
       "时限指标按期完成得满分。依据通行做法（未核实），故为警告。")
def indicator_scores(ctx: AuditContext) -> list[Finding]:
    out = []
    severity = by_profile(ctx.profile, "bare_target_comparator")
    for t in ctx.report.tables:
        for ind, c in zip(t.table.indicators, t.indicator_scores, strict=True):
            if not _recomputed(c) or c.agrees is not False or not _in_range(ind):
                continue
            out.append(_indicator_finding(t, ind, c, severity))
    return out


def _recomputed(c: Computed) -> bool:
    """Recomputed by the quantitative or date rule (a qualitative reading never differs from a stated score)."""
    return c.value is not None and c.method is Method.RECOMPUTED


def _in_range(ind: Indicator) -> bool:
    return ind.stated_score is not None and ind.weight is not None and ZERO <= ind.stated_score <= ind.weight


def _indicator_finding(t: TableResult, ind: Indicator, c: Computed, severity: str) -> Finding:
    tgt, act, w = ind.target, ind.actual, ind.weight
    if tgt.kind == "date":
        shown_act = act.when.isoformat() if act.when else act.raw
        why = "已按期完成" if c.value == w else "未按期完成"
        formula = f"期限 {tgt.when}，完成 {shown_act}：{why} → {_pts(c.value)} ≠ {_pts(ind.stated_score)}"
    elif c.value == w:
        why = "已达到指标值，应得满分"
        formula = (f"指标值 {tgt.raw}，实际完成 {act.raw}：已达到 → 满分 {_pts(w)} ≠ {_pts(ind.stated_score)}")
    else:
        why = "未达到指标值，应按完成比例计分"
        a, v = _show_measure(act.value, tgt.unit), _show_measure(tgt.value, tgt.unit)
        ratio = f"{a} ÷ {v}" if tgt.comparator in (">=", ">", "=") else f"{v} ÷ {a}"
        formula = f"{ratio} × {_num(w)} = {_pts(c.value)} ≠ {_pts(ind.stated_score)}"
    msg = f"{_where(t)}指标{quoted(ind.name)}{why}（{_pts(c.value)}分），填报{_pts(ind.stated_score)}分"
    return finding("score.indicator", severity, msg, _ind_loc(t, ind, c), stated=_pts(ind.stated_score),
                   expected=_pts(c.value), formula=formula)


def _show_measure(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "空"
    return fmt_percent(value) if unit == "%" else f"{_num(value)}{unit}"


@check("score.qualitative_tier", "定性指标得分与档次不符",
       "定性指标按 达成 / 部分达成 / 未达成 三档（评分方案的比例）在分值内打分：所填档次与得分不一致为错误；"
       "已填其他得分而本项未填得分、无法判定档次的，提示复核。")
def qualitative_tiers(ctx: AuditContext) -> list[Finding]:
    out = []
    tiers = ctx.profile["qualitative_tiers"]
    for t in ctx.report.tables:
        scored = any(i.stated_score is not None for i in t.table.indicators)
        for ind, c in zip(t.table.indicators, t.indicator_scores, strict=True):
            if ind.target.kind != "qualitative" or ind.weight is None or not ind.applicable:
                continue
            if ind.stated_score is None:
                if scored and not ind.tier:
                    out.append(finding(
                        "score.qualitative_tier", "warning", f"{_where(t)}定性指标{quoted(ind.name)}未填得分，无法判定档次",
                        _ind_loc(t, ind, c), expected=f"0–{_pts(ind.weight)}"))
                continue
            if ind.tier and _in_range(ind):
                out += _tier_mismatch(t, ind, c, tiers)
    return out


def _tier_mismatch(t: TableResult, ind: Indicator, c: Computed, tiers: list[dict]) -> list[Finding]:
    rng = rules.tier_range(ind.tier, ind.weight, tiers)
    if rng is None or rng[0] <= ind.stated_score <= rng[1]:
        return []
    lo, hi = rng
    return [finding(
        "score.qualitative_tier", "error", f"{_where(t)}定性指标{quoted(ind.name)}评为“{ind.tier}”，得分不在该档区间内",
        _ind_loc(t, ind, c), stated=_pts(ind.stated_score), expected=f"{_pts(lo)}–{_pts(hi)}",
        formula=f"“{ind.tier}”档 = 分值 {_num(ind.weight)} × 档次比例 → {_pts(lo)}–{_pts(hi)}；"
                f"{_pts(ind.stated_score)} 不在其中")]


# --- level-1 weights ---------------------------------------------------------------------------


@check("score.level1_weight", "一级指标分值合计不符",
       "各一级指标下三级指标分值之和 = 表中所列一级指标分值（如 产出指标(50分)）；各指标分值（未列三级指标分值的用一级指标所列分值）"
       "+ 执行率分值 = 总分值，表中未列总分值的按满分100分核对（警告），执行率单列为一级指标的不重复计；"
       "未读到资金表的，只在各指标分值之和已超过总分值时报告；"
       "与评分方案的一级指标分值不同的，按方案是否核实提示。")
def level1_weights(ctx: AuditContext) -> list[Finding]:
    out = []
    for t in ctx.report.tables:
        for c in t.values:
            if ".level1." in c.key:
                out += _level1(ctx, t, c)
        out += _total_weight(t)
    return out


def _level1(ctx: AuditContext, t: TableResult, c: Computed) -> list[Finding]:
    level1 = c.key.split(".level1.", 1)[1].rsplit(".weight", 1)[0]
    weights = [i.weight for i in t.table.indicators if i.level1 == level1 and i.weight is not None]
    form, title = table_form(t.table.kind, t.table.name)
    loc = location(c, form, title, level1, "分值")
    out = []
    if c.agrees is False:
        out.append(finding(
            "score.level1_weight", "error", f"{_where(t)}“{level1}”下各三级指标分值之和与所列分值不符", loc,
            stated=_pts(c.stated), expected=_pts(c.value),
            formula=f"{' + '.join(_num(w) for w in weights)} = {_num(c.value)} ≠ {_num(c.stated)}"))
    expected = c.inputs.get("方案规定分值")
    declared = c.stated if c.stated is not None else c.value
    if isinstance(expected, Decimal) and declared != expected:
        out.append(finding(
            "score.level1_weight", "warning" if verified(ctx.profile, "level1_weights") else "info",
            f"{_where(t)}“{level1}”分值与评分方案规定的{_num(expected)}分不同{profile_note(ctx.profile, 'level1_weights')}",
            loc, stated=_pts(declared), expected=_pts(expected), formula=f"{_num(declared)} ≠ {_num(expected)}"))
    return out


FULL_MARKS = Decimal(100)


def _total_weight(t: TableResult) -> list[Finding]:
    """The table's points against its 总分 分值 — or against 100 where the table prints none: every
    self-evaluation table, whatever its family, shares out 100 points (execution included)."""
    table = t.table
    points, how = _points_shared_out(table)
    if points is None:
        return []
    stated = table.stated_total_weight
    target = stated if stated is not None else FULL_MARKS
    total = table.fund("total")
    exec_weight = total.weight if total is not None and total.weight is not None else None
    tally(("total_weight", id(table)))
    if _exec_level_printed(table):  # the execution points are one of the levels already summed
        value, written = points, f"{how} {_num(points)}"
        if value == target:
            return []
    elif exec_weight is None:
        # Without the fund block the execution points are not known: only a sum already above the
        # total proves an error (a cut or partial copy would otherwise be reported).
        value, written = points, f"{how} {_num(points)}"
        if points <= target:
            return []
    else:
        value = points + exec_weight
        written = f"{how} {_num(points)} + 执行率分值 {_num(exec_weight)}"
        if value == target:
            return []
    form, title = table_form(table.kind, table.name)
    against = f"总分值{_num(target)}" if stated is not None else "满分100分"
    return [finding(
        "score.level1_weight", "error" if stated is not None else "warning",
        f"{_where(t)}各指标分值与执行率分值之和为{_num(value)}分，不等于{against}",
        location(None, form, title, "总分", "分值"), stated=_pts(target), expected=_pts(value),
        formula=f"{written} = {_num(value)} ≠ {_num(target)}")]


def _points_shared_out(table: SelfEvalTable) -> tuple[Decimal | None, str]:
    """The points the table gives out below its total: each level's printed points where it prints
    them, else the sum of its indicators' 分值. (None, "") when the table states no points at all."""
    by_level: dict[str, Decimal] = {}
    for ind in table.indicators:
        if ind.weight is not None:
            by_level[ind.level1] = by_level.get(ind.level1, ZERO) + ind.weight
    printed = {level: w for level, w in table.level1_weights.items() if w is not None}
    if not by_level and not printed:
        return None, ""
    if by_level and all(level in by_level for level in printed):
        return sum(by_level.values(), ZERO), "Σ 三级指标分值"
    levels = {**by_level, **printed}
    return sum(levels.values(), ZERO), "Σ 一级指标分值"


def _exec_level_printed(table: SelfEvalTable) -> bool:
    """Some families print budget execution as a level of its own (预算执行率(10分)) beside the others."""
    return any("执行" in level for level in table.level1_weights)


# --- totals, caps, grades ----------------------------------------------------------------------


@check("score.total", "总分与各项得分之和不符",
       "总分 = Σ 三级指标得分 + 预算执行率得分，用表中所填的各项得分相加（未填的用重算值）；每个两位小数的得分允许 0.01 的舍入误差。"
       "有不适用指标时按评分方案折算。各项得分本身的错误另行报告，不在此重复。")
def totals(ctx: AuditContext) -> list[Finding]:
    out = []
    for t in ctx.report.tables:
        if t.table.stated_total is None or t.total is None:
            continue
        if not t.table.indicators:
            continue  # no indicator row was read: the total's parts are not known, only the execution score
        if any(not i.applicable for i in t.table.indicators):
            out += _total_with_na(ctx, t)
        else:
            out += _total_of_parts(ctx, t)
    return out


def _stated_parts(t: TableResult) -> tuple[list[Decimal], Decimal | None]:
    parts = []
    for ind, c in zip(t.table.indicators, t.indicator_scores, strict=True):
        v = ind.stated_score if ind.stated_score is not None else c.value
        if ind.applicable and v is not None:
            parts.append(v)
    total = t.table.fund("total")
    exec_score = total.stated_score if total is not None and total.stated_score is not None else (
        t.execution_score.value if t.execution_score is not None else None)
    return parts, exec_score


def _total_of_parts(ctx: AuditContext, t: TableResult) -> list[Finding]:
    parts, exec_score = _stated_parts(t)
    all_parts = parts + ([exec_score] if exec_score is not None else [])
    expected = sum(all_parts, ZERO)
    capped, cap = _cap(ctx, t, expected)
    stated = t.table.stated_total
    rounded = sum(1 for p in all_parts if decimals_printed(p) >= 2)
    if cap is not None and stated > cap["max_total"]:
        return []  # reported by score.cap
    if stated_agrees(stated, capped, "分", rounded):
        return []
    form, title = table_form(t.table.kind, t.table.name)
    written = f"{_pts(sum(parts, ZERO))}（三级指标）+ {_pts(exec_score)}（执行率）" if exec_score is not None \
        else f"{_pts(sum(parts, ZERO))}（三级指标）"
    cap_note = f"，执行率低于{fmt_percent(cap['below'])}封顶{_num(cap['max_total'])}分" if cap is not None else ""
    return [finding(
        "score.total", "error", f"{_where(t)}总分与各项得分之和不符", location(t.total, form, title, "总分", "得分"),
        stated=_pts(stated), expected=_pts(capped),
        formula=f"{written} = {_pts(expected)}{cap_note} ≠ {_pts(stated)}")]


def _total_with_na(ctx: AuditContext, t: TableResult) -> list[Finding]:
    c = t.total
    if c.agrees is not False:
        return []
    form, title = table_form(t.table.kind, t.table.name)
    return [finding(
        "score.total", by_profile(ctx.profile, "not_applicable"),
        f"{_where(t)}总分与按评分方案处理不适用指标后的结果不符{profile_note(ctx.profile, 'not_applicable')}",
        location(c, form, title, "总分", "得分"), stated=_pts(c.stated), expected=_pts(c.value),
        formula=f"{c.formula} = {_pts(c.value)} ≠ {_pts(c.stated)}")]


def _cap(ctx: AuditContext, t: TableResult, total: Decimal) -> tuple[Decimal, dict | None]:
    caps = ctx.profile["execution_caps"]
    if not caps["enabled"] or t.execution_rate is None:
        return total, None
    rate = t.execution_rate.value if t.execution_rate.value is not None else t.execution_rate.stated
    return rules.capped_total(total, rate, caps["caps"])


@check("score.cap", "总分超过执行率封顶分",
       "评分方案启用执行率封顶时（如执行率低于80%总分不超过89分），所填总分不得超过封顶分。")
def caps(ctx: AuditContext) -> list[Finding]:
    out = []
    if not ctx.profile["execution_caps"]["enabled"]:
        return out
    for t in ctx.report.tables:
        stated = t.table.stated_total
        if stated is None or t.execution_rate is None:
            continue
        _, cap = _cap(ctx, t, stated)
        if cap is None:
            continue
        form, title = table_form(t.table.kind, t.table.name)
        rate = t.execution_rate.value if t.execution_rate.value is not None else t.execution_rate.stated
        out.append(finding(
            "score.cap", by_profile(ctx.profile, "execution_caps"),
            f"{_where(t)}执行率{_pct(rate)}低于{fmt_percent(cap['below'])}，总分不应超过{_num(cap['max_total'])}分"
            f"{profile_note(ctx.profile, 'execution_caps')}",
            location(t.total, form, title, "总分", "得分"), stated=_pts(stated), expected=f"≤ {_pts(cap['max_total'])}",
            formula=f"执行率 {_pct(rate)} < {fmt_percent(cap['below'])} → 总分 ≤ {_num(cap['max_total'])}；"
                    f"{_pts(stated)} > {_num(cap['max_total'])}"))
    return out


@check("score.grade", "等次与得分不符",
       "等次按评分方案的分数线（如 90（含）以上为优、80（含）—90为良）由所填总分确定；"
       "同一档次写作别名（如“优秀”之于“优”）的不在此报告（属等次名称问题，见 text.grade_label）。")
def grades(ctx: AuditContext) -> list[Finding]:
    pkg = ctx.package
    out = []
    overall = next((t for t in ctx.report.tables if t.table.kind == "overall"), None)
    cover_total = pkg.stated_score if pkg.stated_score is not None else (
        overall.total.value if overall is not None and overall.total is not None else None)
    if pkg.stated_grade and cover_total is not None:
        c = ctx.report.find(keys.COVER_GRADE)
        out += _grade(ctx, pkg.stated_grade, cover_total, location(c, FORM_COVER, "三、整体支出绩效自评情况",
                                                                    "评价等次", "等次"), "自评报告")
    n = pkg.narrative
    if n.stated_grade and n.stated_total is not None:
        c = ctx.report.find(keys.FRAMEWORK_GRADE)
        out += _grade(ctx, n.stated_grade, n.stated_total,
                      location(c, FORM_NARRATIVE, SECTION_FRAMEWORK, "评价等级", "等级"), "绩效评价报告§七")
    for t in ctx.report.tables:  # a table that prints its own grade, whatever its family
        table = t.table
        if table.stated_grade and table.stated_total is not None:
            form, title = table_form(table.kind, table.name)
            loc = place(table.src.get("stated_grade"), form, title, "评价等次", "等次")
            out += _grade(ctx, table.stated_grade, table.stated_total, loc, _where(t))
    return out


def _grade(ctx: AuditContext, stated: str, total: Decimal, loc, where: str) -> list[Finding]:
    bands = ctx.profile["grades"]
    expected = rules.grade(total, bands)
    tally(("grade", where, stated, total))
    if stated.strip() == expected:
        return []
    band_text = "；".join(_band(bands, i) for i in range(len(bands)))
    formula = f"{_pts(total)} 分 → {expected}（{band_text}）"
    if stated.strip() not in {b["name"] for b in bands} and _same_group(stated.strip(), expected):
        return []  # the right band under another name (优秀 for 优): a label, left to text.grade_label
    severity = "error" if ctx.package.grade_note or verified(ctx.profile, "grades") else "warning"
    return [finding("score.grade", severity, f"{where}等次与得分不符：{_pts(total)}分应为“{expected}”", loc,
                    stated=stated, expected=expected, formula=f"{formula} ≠ {stated}")]


def _band(bands: list[dict], i: int) -> str:
    b = bands[i]
    if b["min"] <= 0 and i > 0:
        return f"{bands[i - 1]['min']}分以下为{b['name']}"
    return f"{b['min']}分（含）以上为{b['name']}"


def _same_group(a: str, b: str) -> bool:
    return any(a in g and b in g for g in GRADE_GROUPS)


# --- §七 framework ------------------------------------------------------------------------------


@check("score.framework_item", "§七 单项得分与评分规则不符",
       "§七 各项：得分不得超过其分值；有公式的按评分方案的计分规则（扣分、分档、按比例）由比率重算，"
       "无评价对象的按方案处理（如楼堂馆所无新建项目得满分）。方案规则未核实时为警告。")
def framework_items(ctx: AuditContext) -> list[Finding]:
    out = []
    for i, item in enumerate(ctx.package.narrative.framework):
        c = ctx.report.find(keys.framework_score(i))
        loc = location(c, FORM_NARRATIVE, SECTION_FRAMEWORK, item.name, "得分")
        s, w = item.stated_score, item.weight
        if s is not None and w is not None and not ZERO <= s <= w:
            out.append(finding("score.framework_item", "error", f"§七{quoted(item.name)}得分超出其分值（{_num(w)}分）",
                               loc, stated=_pts(s), expected=f"0–{_pts(w)}",
                               formula=f"{_pts(s)} {'>' if s > w else '<'} {_pts(w) if s > w else '0'}"))
            continue
        if c is None or c.agrees is not False:
            continue
        rate = c.inputs.get("比率")
        basis = f"比率 {_pct(rate)}（{c.inputs.get('比率来源', '')}）；" if isinstance(rate, Decimal) else ""
        out.append(finding(
            "score.framework_item", by_profile(ctx.profile, "framework"),
            f"§七{quoted(item.name)}得分与评分方案规则不符，按方案应为{_pts(c.value)}分{profile_note(ctx.profile, 'framework')}",
            loc, stated=_pts(s), expected=_pts(c.value),
            formula=f"{basis}{c.formula} → {_pts(c.value)} ≠ {_pts(s)}"))
    return out


@check("score.framework_total", "§七 综合得分与各项得分之和不符",
       "§七 综合得分 = Σ 各项所填得分（错误）；各项分值之和应为100分；按评分方案逐项重算的综合得分另作提示。")
def framework_total(ctx: AuditContext) -> list[Finding]:
    n = ctx.package.narrative
    if not n.framework:
        return []
    out = []
    loc = location(ctx.report.find(keys.FRAMEWORK_TOTAL), FORM_NARRATIVE, SECTION_FRAMEWORK, "综合得分", "得分")
    scores = [item.stated_score for item in n.framework]
    stated_sum = sum((s for s in scores if s is not None), ZERO)
    if n.stated_total is not None and not stated_agrees(n.stated_total, stated_sum, "分",
                                                        sum(1 for s in scores if s is not None and decimals_printed(s) >= 2)):
        grade = rules.grade(stated_sum, ctx.profile["grades"])
        grade_note = f"，相应等级应为“{grade}”" if n.stated_grade and n.stated_grade.strip() != grade else ""
        out.append(finding(
            "score.framework_total", "error", f"§七综合得分与各项得分之和不符，各项合计{_pts(stated_sum)}分{grade_note}", loc,
            stated=_pts(n.stated_total), expected=_pts(stated_sum) + (f"（{grade}）" if grade_note else ""),
            formula=f"{' + '.join(_num(s) for s in scores if s is not None)} = {_num(stated_sum)} ≠ {_num(n.stated_total)}"))
    out += _framework_weights(ctx, loc)
    out += _framework_profile_total(ctx, stated_sum, loc)
    return out


def _framework_weights(ctx: AuditContext, loc) -> list[Finding]:
    c = ctx.report.find(keys.FRAMEWORK_WEIGHT_TOTAL)
    if c is None or c.agrees is not False:
        return []
    weights = [item.weight for item in ctx.package.narrative.framework if item.weight is not None]
    return [finding("score.framework_total", "warning", f"§七各项分值之和为{_num(c.value)}分，不是100分", loc,
                    stated=_pts(c.value), expected="100.00",
                    formula=f"{' + '.join(_num(w) for w in weights)} = {_num(c.value)} ≠ 100")]


def _framework_profile_total(ctx: AuditContext, stated_sum: Decimal, loc) -> list[Finding]:
    """The total the profile's point rules would give (参考: the items' readings, where the unit's
    judged scores stand in the package's own total)."""
    items = ctx.package.narrative.framework
    readings = [ctx.report.find(keys.framework_score(i)) for i in range(len(items))]
    if not any(c is not None and c.value is not None for c in readings):
        return []
    reference = sum((c.value if c is not None and c.value is not None else (item.stated_score or ZERO)
                     for c, item in zip(readings, items, strict=True)), ZERO)
    if stated_agrees(stated_sum, reference, "分", len(items)):
        return []
    grade = rules.grade(reference, ctx.profile["grades"])
    return [finding("score.framework_total", "info",
                    f"按评分方案逐项重算，§七综合得分为{_pts(reference)}分（{grade}）{profile_note(ctx.profile, 'framework')}",
                    loc, stated=_pts(ctx.package.narrative.stated_total), expected=_pts(reference),
                    formula=f"Σ 按方案重算的各项得分 = {_pts(reference)}；各项所填得分之和 = {_pts(stated_sum)}")]


# --- required reasons -----------------------------------------------------------------------


@check("reason.execution_below_threshold", "执行率偏低未说明原因",
       "预算执行率低于评分方案的说明阈值（默认90%）时，须在偏差原因分析或完成情况中说明原因。")
def execution_reasons(ctx: AuditContext) -> list[Finding]:
    threshold = ctx.profile["execution_reason_threshold"]
    out = []
    for t in ctx.report.tables:
        c = t.execution_rate
        rate = None if c is None else (c.value if c.value is not None else c.stated)
        if rate is None or rate >= threshold or has_reason(t.table) or _total_contradicts_parts(t.table):
            continue
        out.append(finding(
            "reason.execution_below_threshold", "warning",
            f"{_where(t)}预算执行率{_pct(rate)}低于{fmt_percent(threshold)}，表中未说明原因{profile_note(ctx.profile, 'execution_reason_threshold')}",
            _fund_loc(t, c, "执行率"), stated=_pct(rate), expected=f"≥ {fmt_percent(threshold)}，或说明原因",
            formula=f"{_pct(rate)} < {fmt_percent(threshold)}"))
    return out


def _total_contradicts_parts(table: SelfEvalTable) -> bool:
    """The 年度资金总额 row has no budget while its parts do: the stated rate of that row says nothing
    about execution (funds.identity reports the row); a "low execution" warning on it would be false."""
    total = table.fund("total")
    if total is None or (total.annual or 0) != 0:
        return False
    return any((f.annual or 0) > 0 for f in table.funds if f.key != "total")


@check("reason.deviation", "指标偏差较大未说明原因",
       "定量指标实际完成值偏离指标值达到评分方案的阈值（默认30%，超出或不足）时，须在偏差原因分析及改进措施中说明。")
def deviation_reasons(ctx: AuditContext) -> list[Finding]:
    threshold = ctx.profile["deviation_threshold"]
    out = []
    for t in ctx.report.tables:
        for ind, c in zip(t.table.indicators, t.indicator_scores, strict=True):
            tgt, act = ind.target, ind.actual
            if tgt.kind != "quantitative" or tgt.value is None or act.value is None or ind.reason.strip():
                continue
            dev = rules.deviation(tgt.comparator, tgt.value, act.value)
            if dev is None or abs(dev) < threshold:
                continue
            a, v = _show_measure(act.value, tgt.unit), _show_measure(tgt.value, tgt.unit)
            out.append(finding(
                "reason.deviation", "warning",
                f"{_where(t)}指标{quoted(ind.name)}实际完成值偏离指标值{_pct(abs(dev))}，未说明原因"
                f"{profile_note(ctx.profile, 'deviation_threshold')}",
                _ind_loc(t, ind, c, "偏差原因分析及改进措施"), stated="（空）",
                expected=f"偏差达{fmt_percent(threshold)}及以上须说明原因",
                formula=f"({a} − {v}) ÷ {v} = {_pct(dev)}；|{_pct(dev)}| ≥ {fmt_percent(threshold)}"))
    return out

