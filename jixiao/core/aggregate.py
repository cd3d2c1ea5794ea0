"""部门汇总: roll several self-evaluation tables (projects of a unit, or units of a bureau)
into one, per the rule in the seed's notice (州财绩〔2022〕9号 四（三）):

- absolute values (counts, amounts) add up;
- relative values (rates, percents) are averaged weighted by fund amount;
- qualitative indicators: their scores are averaged weighted by fund amount.

The fund amount used as weight is a profile parameter (aggregation_weight:
annual | executed | initial). Indicators are matched across tables by
(一级, 二级, 三级 name); one that appears in only some tables is aggregated over
those. Every result is a Computed with its inputs.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from . import keys, rules
from .engine import score_table
from .model import SelfEvalTable
from .numbers import ZERO
from .profiles import Profile
from .trace import Computed

_WEIGHT_FIELD = {"annual": "全年预算数", "executed": "全年执行数", "initial": "年初预算数"}


def fund_weight(table: SelfEvalTable, basis: str) -> Decimal:
    total = table.fund("total")
    if total is None:
        return ZERO
    return getattr(total, basis) or ZERO


def aggregate(tables: list[SelfEvalTable], prof: Profile, names: list[str] | None = None) -> list[Computed]:
    basis = prof["aggregation_weight"]
    rule = prof.ref("aggregation_weight")
    names = distinct_names(names or [t.name or f"表{i + 1}" for i, t in enumerate(tables)])
    weights = [fund_weight(t, basis) for t in tables]
    out: list[Computed] = []
    out += _funds(tables, names, rule)
    out += _indicators(tables, names, weights, basis, rule)
    totals = [score_table(t, f"agg[{i}]", prof).total for i, t in enumerate(tables)]
    values = [c.value if c is not None and c.value is not None else ZERO for c in totals]
    avg = rules.weighted_average(values, weights)
    out.append(Computed(key=keys.AGGREGATE_TOTAL, label="汇总 总分（按资金加权）", value=avg, unit="分",
                        formula=f"Σ 各表总分 × {_WEIGHT_FIELD[basis]} ÷ Σ {_WEIGHT_FIELD[basis]}",
                        inputs={n: v for n, v in zip(names, values)}, rule=rule,
                        note="" if avg is not None else "资金额度合计为0，无法加权"))
    return out


def distinct_names(names: list[str]) -> list[str]:
    """Names as keys of the traces' inputs: a repeated name gets its ordinal (甲, 甲（2）), so no table
    or unit is lost in a roll-up's trace (`jixiao aggregate` and the 主管部门's roll-up alike)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}（{seen[n]}）")
    return out


def _funds(tables: list[SelfEvalTable], names: list[str], rule: str) -> list[Computed]:
    out = []
    sums = {}
    for col, label in (("initial", "年初预算数"), ("annual", "全年预算数"), ("executed", "全年执行数")):
        parts = {n: (getattr(t.fund("total"), col) if t.fund("total") else None) for n, t in zip(names, tables)}
        sums[col] = rules.aggregate_absolute([v for v in parts.values() if v is not None])
        out.append(Computed(key=keys.aggregate_fund(col), label=f"汇总 年度资金总额 {label}", value=sums[col], unit="万元",
                            formula=f"Σ 各表{label}", inputs=parts, rule=rule))
    rate = rules.execution_rate(sums["executed"], sums["annual"])
    out.append(Computed(key=keys.AGGREGATE_EXECUTION_RATE, label="汇总 预算执行率", value=rate, unit="ratio",
                        formula="Σ 全年执行数 ÷ Σ 全年预算数", inputs={"Σ执行数": sums["executed"], "Σ预算数": sums["annual"]},
                        rule=rule))
    return out


def _indicators(tables, names, weights, basis: str, rule: str) -> list[Computed]:
    groups: OrderedDict[tuple[str, str, str], list] = OrderedDict()
    for name, table, w in zip(names, tables, weights):
        for ind in table.indicators:
            groups.setdefault((ind.level1, ind.level2, ind.name), []).append((name, ind, w))
    out = []
    for i, ((_level1, level2, iname), members) in enumerate(groups.items()):
        label = f"汇总 {level2}·{iname}"
        first = members[0][1]
        if first.target.kind == "quantitative" and all(m[1].actual.value is not None for m in members):
            if first.target.unit == "%":
                vals = [m[1].actual.value for m in members]
                ws = [m[2] for m in members]
                out.append(Computed(key=keys.aggregate_indicator(i, "actual"), label=f"{label}（相对值，按资金加权）",
                                    value=rules.weighted_average(vals, ws), unit="ratio",
                                    formula=f"Σ 实际值 × {_WEIGHT_FIELD[basis]} ÷ Σ {_WEIGHT_FIELD[basis]}",
                                    inputs={m[0]: m[1].actual.value for m in members}, rule=rule))
            else:
                out.append(Computed(key=keys.aggregate_indicator(i, "actual"), label=f"{label}（绝对值，累加）",
                                    value=rules.aggregate_absolute([m[1].actual.value for m in members]),
                                    unit=first.target.unit, formula="Σ 各表实际值",
                                    inputs={m[0]: m[1].actual.value for m in members}, rule=rule))
        elif first.target.kind == "qualitative":
            scored = [(m[0], m[1].stated_score, m[2]) for m in members if m[1].stated_score is not None]
            if scored:
                out.append(Computed(key=keys.aggregate_indicator(i, "score"), label=f"{label}（定性，得分按资金加权）",
                                    value=rules.weighted_average([s for _, s, _ in scored], [w for _, _, w in scored]),
                                    unit="分", formula=f"Σ 得分 × {_WEIGHT_FIELD[basis]} ÷ Σ {_WEIGHT_FIELD[basis]}",
                                    inputs={n: s for n, s, _ in scored}, rule=rule))
    return out
