"""结果应用 and 运行监控: what a grade means for next year's budget, and in-year execution warnings,
both by the profile's parameters (`grade_consequences`, `monitoring_thresholds`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .numbers import fmt_percent
from .profiles import Profile
from .rules import ratio


def consequence(grade: str, prof: Profile) -> str:
    """'压减或取消预算' for 差 — the profile's text for a grade, or a plain note where it has none."""
    text = prof["grade_consequences"].get(grade)
    return text if text is not None else f"评分方案未规定等次“{grade}”的结果应用"


@dataclass(frozen=True)
class MonitoringWarning:
    month: int  # the checkpoint that applies (the last one not after the month of the figures)
    rate: Decimal  # 执行数 ÷ 全年预算数
    minimum: Decimal
    message: str


def monitoring_warning(executed: Decimal | None, annual: Decimal | None, month: int, prof: Profile) -> MonitoringWarning | None:
    """A warning when execution by `month` is below the profile's checkpoint for it; None when on track,
    before the first checkpoint, or when the figures do not allow a rate."""
    rate = ratio(executed, annual)
    if rate is None:
        return None
    due = [t for t in prof["monitoring_thresholds"] if int(t["month"]) <= month]
    if not due:
        return None
    point = max(due, key=lambda t: t["month"])
    if rate >= point["min"]:
        return None
    m = int(point["month"])
    return MonitoringWarning(m, rate, point["min"],
                             f"截至{month}月预算执行率{fmt_percent(rate)}，低于{m}月末应达到的{fmt_percent(point['min'])}")


@dataclass(frozen=True)
class AppliedResult:
    """The result 结果应用 acts on: the spot check's where the bureau re-scored the package
    completely (marked 抽评结果), else the self-evaluation's; the self-evaluation's stays beside."""

    total: Decimal | None
    grade: str
    source: str  # 抽评结果 | 自评结果
    self_total: Decimal | None
    self_grade: str
    consequence: str

    @property
    def from_spot_check(self) -> bool:
        return self.source == SPOT_RESULT


SPOT_RESULT, SELF_RESULT = "抽评结果", "自评结果"


def applied_result(self_total: Decimal | None, self_grade: str, spot_total: Decimal | None, spot_grade: str,
                   prof: Profile) -> AppliedResult:
    """`spot_total`/`spot_grade`: the completed spot check's, None/"" where there is none."""
    if spot_total is not None and spot_grade:
        total, grade, source = spot_total, spot_grade, SPOT_RESULT
    else:
        total, grade, source = self_total, self_grade, SELF_RESULT
    return AppliedResult(total, grade, source, self_total, self_grade,
                         consequence(grade, prof) if grade else "未评定等次")
