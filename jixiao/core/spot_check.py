"""抽评: the finance bureau re-scores a sample of the accepted packages. The sample is risk-ranked —
the packages most likely to be wrong first — and sized by the profile (`spot_check`: a share and a
minimum). Each drawn package carries the reasons it was drawn, in words a reviewer reads.

Pure functions over `Candidate`s; who builds them (from a package's score report and audit
findings, or from the web app's stored summaries) is the caller's business.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from . import rules
from .engine import TableResult, na_method_of, table_total
from .numbers import ZERO, fmt_amount, fmt_percent, fmt_score, round_half_up
from .profiles import Profile
from .trace import Computed


@dataclass(frozen=True)
class Candidate:
    """What the sample is drawn on, for one accepted package."""

    key: str  # the caller's id for it (a package id, a file name)
    name: str  # the unit
    total: Decimal | None = None  # 自评表总分 (0–100)
    execution_rate: Decimal | None = None  # 附件3 执行率, a ratio
    errors: int = 0  # error-level audit findings
    few_questionnaires: bool = False  # a satisfaction rate from fewer questionnaires than the profile asks
    actuals_equal_targets: bool = False  # every quantitative actual equals its target
    days_late: int = 0  # submitted after the deadline
    returns: int = 0  # times returned by the unit head or the bureau
    funds: Decimal = ZERO  # 全年预算数, 万元


@dataclass(frozen=True)
class Reason:
    signal: str  # the profile's weight name
    points: Decimal
    text: str


@dataclass
class Drawn:
    candidate: Candidate
    reasons: list[Reason] = field(default_factory=list)

    @property
    def risk(self) -> Decimal:
        return sum((r.points for r in self.reasons), ZERO)


def reasons_for(c: Candidate, prof: Profile, large_funds: Decimal | None) -> list[Reason]:
    """The risk signals `c` shows, each weighted by the profile."""
    w = prof["spot_check"]["weights"]
    margin = Decimal(prof["score_outruns_execution_margin"])
    out = []
    if c.total is not None and c.execution_rate is not None:
        gap = c.total - min(c.execution_rate, Decimal(1)) * 100
        if gap > margin:
            out.append(Reason("score_outruns_execution", w.get("score_outruns_execution", ZERO),
                              f"得分率{fmt_percent(c.total / 100)}高于执行率{fmt_percent(c.execution_rate)}，超过{margin.normalize():f}个百分点"))
    if c.errors:
        out.append(Reason("errors", w.get("errors", ZERO), f"审核发现{c.errors}处错误"))
    if c.few_questionnaires:
        out.append(Reason("few_questionnaires", w.get("few_questionnaires", ZERO), "满意度所依据的问卷过少"))
    if c.actuals_equal_targets:
        out.append(Reason("actuals_equal_targets", w.get("actuals_equal_targets", ZERO), "定量指标完成值处处等于指标值"))
    if c.days_late > 0:
        out.append(Reason("late", w.get("late", ZERO), f"逾期{c.days_late}天报送"))
    if c.returns > 1:
        out.append(Reason("returned", w.get("returned", ZERO), f"被退回{c.returns}次"))
    if large_funds is not None and c.funds >= large_funds and c.funds > 0:
        out.append(Reason("large_funds", w.get("large_funds", ZERO), f"资金规模较大（{fmt_amount(c.funds)}万元）"))
    return [r for r in out if r.points > 0]


def sample_size(n: int, prof: Profile) -> int:
    """max(minimum, ⌈share × n⌉), never more than there are."""
    spec = prof["spot_check"]
    return min(n, max(int(spec["minimum"]), math.ceil(spec["share"] * n)))


def draw_sample(candidates: list[Candidate], prof: Profile) -> list[Drawn]:
    """The sample, highest risk first (then larger funds, then name: the same inputs always give the
    same sample). 'Large funds' is the top quarter of the candidates by 全年预算数."""
    if not candidates:
        return []
    funds = sorted((c.funds for c in candidates), reverse=True)
    large = funds[max(0, math.ceil(len(funds) / 4) - 1)]
    ranked = [Drawn(c, reasons_for(c, prof, large)) for c in candidates]
    ranked.sort(key=lambda d: (-d.risk, -d.candidate.funds, d.candidate.name, d.candidate.key))
    return ranked[: sample_size(len(candidates), prof)]


# --- the re-scored result --------------------------------------------------------------------------


@dataclass
class SpotResult:
    """One self-evaluation table re-scored by the bureau: 抽评总分 beside the unit's 自评总分.

    `indicator_points` adds up the bureau's score of every applicable indicator (an indicator not
    yet re-scored counts at the unit's score, and `complete` stays False). `execution` is the
    engine's 预算执行率得分 — computed from the execution rate by the profile's rule, whatever the
    unit wrote — with its trace; the total then follows the same rule as the self-evaluation's
    (non-applicable indicators, caps by execution rate), and the grade the profile's thresholds."""

    key: str
    title: str
    lines: int  # applicable indicators
    rescored: int  # of them, re-scored by the bureau
    indicator_points: Decimal
    execution: Computed | None
    total: Decimal
    formula: str
    grade: str
    self_total: Decimal | None
    self_grade: str

    @property
    def complete(self) -> bool:
        return self.lines > 0 and self.rescored == self.lines

    @property
    def execution_points(self) -> Decimal:
        return self.execution.value if self.execution is not None and self.execution.value is not None else ZERO

    @property
    def execution_trace(self) -> list[tuple[str, str]]:
        """How 执行率得分 was reached, as a reviewer reads it: its inputs, the rule, the profile."""
        c = self.execution
        if c is None:
            return [("说明", "本表没有资金合计行，不计执行率得分")]
        rate, weight = c.inputs.get("执行率"), c.inputs.get("分值")
        out = [("执行率", fmt_percent(rate) if rate is not None else "无法计算"),
               ("分值", fmt_score(weight) if weight is not None else "缺失"), ("计分方法", c.formula)]
        if c.rule:
            out.append(("评分方案依据", c.rule))
        if c.stated is not None and c.value is not None and round_half_up(c.stated) != round_half_up(c.value):
            out.append(("单位填报", f"{fmt_score(c.stated)}分（抽评按规则计算）"))
        return out

    @property
    def difference(self) -> Decimal | None:
        """抽评总分 − 自评总分, of the two as printed (two decimals, half-up): never a "−0.00"."""
        if self.self_total is None:
            return None
        return round_half_up(self.total) - round_half_up(self.self_total)


def spot_result(table: TableResult, rescored: dict[str, Decimal], prof: Profile) -> SpotResult:
    """The 抽评 result of `table` (a table of the sampled version's score report) given the bureau's
    scores by indicator key."""
    points: list[Decimal] = []
    applicable_weight, lines, done = ZERO, 0, 0
    for ind, c in zip(table.table.indicators, table.indicator_scores):
        if not ind.applicable:
            continue
        lines += 1
        if ind.weight is not None:
            applicable_weight += ind.weight
        given = rescored.get(str(c.key))
        done += given is not None
        point = given if given is not None else c.standing
        if point is not None:
            points.append(point)
    execution = table.execution_score
    exec_points = execution.value if execution is not None and execution.value is not None else ZERO
    rate = table.execution_rate.value if table.execution_rate is not None else None
    total, formula, _, _ = table_total(table.table, points, applicable_weight, exec_points, rate, prof,
                                       na_method_of(table.table, prof))
    return SpotResult(
        key=table.key, title=table.title, lines=lines, rescored=done, indicator_points=sum(points, ZERO),
        execution=execution, total=total, formula=formula.replace("三级指标得分", "三级指标抽评得分"),
        grade=rules.grade(total, prof["grades"]),
        self_total=table.total.standing if table.total is not None else None,
        self_grade=table.grade.text if table.grade is not None else "")
