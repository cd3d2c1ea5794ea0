"""A small correct project self-evaluation, built from arithmetic, and the defects the layouts plant in it.

Nothing here comes from a real document: the figures are chosen so that every relation the audit
checks holds (fund rows add up, 执行率 = 执行数 ÷ 预算数, scores by the national rules, Σ 得分 = 总分),
and each defect breaks exactly one relation at a known place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


@dataclass
class FundLine:
    label: str
    initial: Decimal | None
    annual: Decimal | None
    executed: Decimal | None
    weight: Decimal | None = None
    rate: Decimal | None = None  # percent as printed (95.00)
    score: Decimal | None = None


@dataclass
class IndicatorLine:
    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: Decimal
    score: Decimal
    reason: str = ""


@dataclass
class AmountLine:
    label: str
    budget: Decimal
    executed: Decimal

    @property
    def balance(self) -> Decimal:
        return self.budget - self.executed


@dataclass
class Project:
    name: str
    supervisor: str
    implementer: str
    funds: list[FundLine]
    goal_expected: str
    goal_actual: str
    indicators: list[IndicatorLine]
    level_points: dict[str, Decimal]
    total_weight: Decimal
    total_score: Decimal
    grade: str
    amounts: list[AmountLine] = field(default_factory=list)  # an amount table of peer rows and their 合计
    amounts_total: AmountLine | None = None


def _pct(executed: Decimal, annual: Decimal) -> Decimal:
    return (executed / annual * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


def correct_project() -> Project:
    """A project whose every stated figure agrees with its recomputation."""
    funds = [
        FundLine("年度资金总额", Decimal("200"), Decimal("250"), Decimal("237.5"), Decimal("10"), None, None),
        FundLine("当年财政拨款", Decimal("200"), Decimal("230"), Decimal("220")),
        FundLine("上年结转资金", Decimal("0"), Decimal("20"), Decimal("17.5")),
        FundLine("其他资金", Decimal("0"), Decimal("0"), Decimal("0")),
    ]
    total = funds[0]
    total.rate = _pct(total.executed, total.annual)  # 95.00
    total.score = (total.weight * total.rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)  # 9.50
    indicators = [
        IndicatorLine("产出指标", "数量指标", "维修道路长度", "≥266米", "270米", Decimal("20"), Decimal("20")),
        IndicatorLine("产出指标", "质量指标", "工程验收合格率", "≥95%", "98%", Decimal("15"), Decimal("15")),
        IndicatorLine("产出指标", "时效指标", "按期完工率", "=100%", "100%", Decimal("15"), Decimal("15")),
        IndicatorLine("效益指标", "社会效益指标", "受益群众人数", "≥5000人", "4000人", Decimal("15"), Decimal("12"),
                      "部分路段因雨季延期，下年度优先安排"),
        IndicatorLine("效益指标", "可持续影响指标", "道路完好率", "≥90%", "92%", Decimal("15"), Decimal("15")),
        IndicatorLine("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "93%", Decimal("10"), Decimal("10")),
    ]
    points: dict[str, Decimal] = {}
    for ind in indicators:
        points[ind.level1] = points.get(ind.level1, Decimal(0)) + ind.weight
    score = total.score + sum((i.score for i in indicators), Decimal(0))
    amounts = [AmountLine("道路维修", Decimal("150"), Decimal("145")), AmountLine("桥涵养护", Decimal("60"), Decimal("55.5")),
               AmountLine("设备购置", Decimal("40"), Decimal("37"))]
    amounts_total = AmountLine("合计", sum((a.budget for a in amounts), Decimal(0)), sum((a.executed for a in amounts), Decimal(0)))
    return Project(
        name="乡村道路养护项目", supervisor="某县交通运输局", implementer="某县公路养护中心", funds=funds,
        goal_expected="完成乡村道路维修266米，工程验收合格率不低于95%。",
        goal_actual="完成道路维修270米，验收合格率98%，受益群众4000人。",
        indicators=indicators, level_points=points, total_weight=Decimal("100"), total_score=score,
        grade="优" if score >= 90 else "良", amounts=amounts, amounts_total=amounts_total)


# --- defects ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    """One planted error: how to make it, the rule family that must report it, and where."""

    name: str
    plant: Callable[[Project], None]
    rules: tuple[str, ...]  # a finding's rule must start with one of these
    marks: tuple[str, ...]  # and its location (or printed text) must name one of these
    needs_amounts: bool = False


def _level_points(p: Project) -> None:
    # The 110-point table: 产出 printed (and weighted) 60 while the total still says 100.
    p.indicators[0].weight += 10
    p.indicators[0].score += 10
    p.level_points["产出指标"] += 10
    p.total_score += 10


def _score_over_weight(p: Project) -> None:
    p.indicators[1].score = p.indicators[1].weight + 3
    p.total_score += 3


def _total(p: Project) -> None:
    p.total_score += 2


def _rate(p: Project) -> None:
    p.funds[0].rate = Decimal("90.00")


def _execution_score(p: Project) -> None:
    p.funds[0].score = Decimal("10")
    p.total_score += Decimal("0.5")


def _fund_sum(p: Project) -> None:
    p.funds[1].executed += 5


def _deviation(p: Project) -> None:
    ind = p.indicators[3]
    ind.actual, ind.score, ind.reason = "3000人", Decimal("9"), ""
    p.total_score -= 3


def _amount_sum(p: Project) -> None:
    assert p.amounts_total is not None
    p.amounts_total.executed += 10


def _grade(p: Project) -> None:
    p.grade = "良"


DEFECTS = (
    Defect("level_points", _level_points, ("score.level1_weight", "sheet.weights"), ("总分", "产出指标", "分值")),
    Defect("score_over_weight", _score_over_weight, ("score.indicator_over_weight", "score.indicator"),
           ("工程验收合格率",)),
    Defect("total", _total, ("score.total",), ("总分",)),
    Defect("execution_rate", _rate, ("rate.execution",), ("年度资金总额", "执行率")),
    Defect("execution_score", _execution_score, ("score.execution",), ("年度资金总额", "得分")),
    Defect("fund_sum", _fund_sum, ("funds.identity",), ("年度资金总额", "当年财政拨款", "执行数")),
    Defect("deviation_reason", _deviation, ("reason.deviation",), ("受益群众人数",)),
    Defect("grade", _grade, ("score.grade",), ("等次", "总分", "评价")),
    Defect("amount_sum", _amount_sum, ("table.sum",), ("合计", "项目支出"), needs_amounts=True),
)


def planted(defect: Defect) -> Project:
    p = copy.deepcopy(correct_project())
    defect.plant(p)
    return p
