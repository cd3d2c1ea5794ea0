"""Plausibility (DESIGN §5 item 8): figures that may each be arithmetically right but do
not fit together — spending far below budget, scores outrunning spending,
satisfaction rates from a handful of questionnaires or that no whole number of
respondents can give, actuals that equal their targets everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ...core.model import Package, SelfEvalTable, Source
from ...core.numbers import HUNDRED, ZERO, fmt_percent, half_unit, normalize
from ..findings import Finding
from ..registry import AuditContext, check
from ._common import FORM_NARRATIVE, SECTION_FRAMEWORK, has_reason, table_form
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
