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

from .numbers import ZERO, fmt_amount, fmt_percent
from .profiles import Profile


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
