"""The engine: applies a profile's parameters and the pure rules to a Package and
returns every derived figure as a `Computed` — value, formula, inputs, profile
entry, and the stated value beside it where the package states one.

The engine never decides whether a difference is an error: that is the audit's
job. It only computes, and says why it could not where it could not.

Each figure carries its kind (computed / ruled / judged, see `trace`): a score is *ruled* only
when the profile parameter behind its rule is verified against its source; otherwise it is
*judged* — the unit's stated score stands and the engine's value is its reading (参考). Totals
add up what stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import catalogue, keys, rules
from .formula import evaluate_formula
from .model import (
    FrameworkItem,
    FundRow,
    Indicator,
    LineTable,
    Package,
    SelfEvalTable,
)
from .numbers import ZERO, stated_agrees
from .profiles import Profile, load_profile
from .trace import Computed, Kind, Method


def rule_kind(prof: Profile, parameter: str) -> Kind:
    """Ruled when the parameter behind a score's rule is verified against its source, else judged."""
    return Kind.RULED if prof.verified(parameter) else Kind.JUDGED


def _standing(c: Computed | None) -> Decimal | None:
    return c.standing if c is not None else None


@dataclass
class TableResult:
    """Everything computed for one self-evaluation table."""

    key: str  # overall | projects[0] | fund_types[0].tables[0]
    title: str
    table: SelfEvalTable
    values: list[Computed] = field(default_factory=list)
    indicator_scores: list[Computed] = field(default_factory=list)
    execution_rate: Computed | None = None
    execution_score: Computed | None = None
    total: Computed | None = None
    grade: Computed | None = None


@dataclass
class ScoreReport:
    package: Package
    profile: Profile
    sections: dict[str, list[Computed]] = field(default_factory=dict)
    tables: list[TableResult] = field(default_factory=list)
    _index: dict[str, Computed] | None = field(default=None, repr=False)

    def all(self) -> list[Computed]:
        out = [c for values in self.sections.values() for c in values]
        for t in self.tables:
            out += t.values
        return out

    def table(self, key: str) -> TableResult | None:
        """A self-evaluation table's results by its table key (keys.OVERALL, keys.project(i) …)."""
        return next((t for t in self.tables if t.key == key), None)

    def find(self, key: keys.Key) -> Computed | None:
        """By key; the index is built on the first look-up, once the report is complete."""
        if self._index is None:
            self._index = {}
            for c in self.all():
                self._index.setdefault(c.key, c)  # the first, as a linear search would find
        return self._index.get(key)

    def as_dict(self) -> dict:
        return {
            "unit": self.package.unit.name,
            "year": self.package.year,
            "profile": self.profile.describe(),
            "sections": {name: [c.as_dict() for c in values] for name, values in self.sections.items()},
            "tables": [
                {
                    "key": t.key,
                    "title": t.title,
                    "total": t.total.as_dict() if t.total else None,
                    "grade": t.grade.as_dict() if t.grade else None,
                    "values": [c.as_dict() for c in t.values],
                }
                for t in self.tables
            ],
        }


def score_package(pkg: Package, profile: Profile | str | None = None) -> ScoreReport:
    prof = profile if isinstance(profile, Profile) else load_profile(profile or pkg.profile)
    report = ScoreReport(pkg, prof)
    report.sections["收支情况"] = cover_table_values(pkg)
    for key, table in pkg.narrative.tables.items():
        report.sections[f"绩效评价报告·{table.title or key}"] = line_table_values(table, keys.narrative_table(key))
    if pkg.basic_data.costs is not None:
        report.sections["附件2 基础数据表"] = line_table_values(pkg.basic_data.costs, keys.BASIC_COSTS) + basic_data_values(pkg)
    else:
        report.sections["附件2 基础数据表"] = basic_data_values(pkg)
    if pkg.overall is not None:
        overall = score_table(pkg.overall, keys.OVERALL, prof)
        report.tables.append(overall)
    for i, project in enumerate(pkg.projects):
        report.tables.append(score_table(project, keys.project(i), prof))
    for i, decl in enumerate(pkg.fund_types):
        for j, table in enumerate(decl.tables):
            if table.funds or table.indicators:  # an empty form carries nothing to score
                report.tables.append(score_table(table, keys.fund_type_table(i, j), prof))
    framework = framework_values(pkg, prof)
    report.sections["绩效评价报告·综合评价（§七）"] = framework
    cover = cover_score_values(pkg, report.table(keys.OVERALL), framework, prof)
    if cover:
        report.sections["自评报告·综合得分"] = cover
    return report


# --- self-evaluation tables ---------------------------------------------------------------


def score_table(table: SelfEvalTable, key: str, prof: Profile) -> TableResult:
    title = catalogue.table_title(table.kind) + (f"·{table.name}" if table.name else "")
    res = TableResult(key, title, table)
    res.values += fund_identities(table, key)
    _execution(res, prof)
    na_method = na_method_of(table, prof)
    applicable_weight = ZERO
    scores: list[Decimal] = []
    for i, ind in enumerate(table.indicators):
        c = score_indicator(ind, keys.indicator_score(key, i), prof)
        c.path = f"{key}.indicators[{i}].score"
        res.indicator_scores.append(c)
        res.values.append(c)
        if not ind.applicable:
            continue
        if ind.weight is not None:
            applicable_weight += ind.weight
        if c.standing is not None:
            scores.append(c.standing)
    res.values += level1_values(table, key, prof)
    _total(res, prof, scores, applicable_weight, na_method)
    return res


def fund_identities(table: SelfEvalTable, key: str) -> list[Computed]:
    """年度资金总额 = Σ its parts, in each of the three amount columns."""
    out: list[Computed] = []
    total = table.fund("total")
    if total is None:
        return out
    groups = [("appropriation", "carryover", "other")] if table.kind != "overall" else [
        ("general_budget", "gov_fund", "special_account", "other_funds"), ("basic", "project")]
    for group in groups:
        parts = [table.fund(k) for k in group]
        parts = [p for p in parts if p is not None]
        if not parts:
            continue
        names = " + ".join(p.label for p in parts)
        stated_sum = next((g for g in table.group_sums if g.key == group[0]), None)
        sums = {col: sum((getattr(p, col) for p in parts if getattr(p, col) is not None), ZERO)
                for col in _FUND_AMOUNTS if any(getattr(p, col) is not None for p in parts)}
        for col, value in sums.items():
            col_label = _FUND_AMOUNTS[col]
            inputs = {p.label: (getattr(p, col) if getattr(p, col) is not None else ZERO) for p in parts}
            stated, stated_src, note = _stated_in(total, col, sums, len(parts))
            out.append(Computed(
                key=keys.fund_sum(key, group[0], col), label=f"{total.label}（{col_label}）= {names}",
                value=value, unit="万元", formula=f"{names}", inputs=inputs,
                stated=stated, stated_src=stated_src, parts=len(parts), note=note,
                path=f"{key}.funds[{table.funds.index(total)}].{col}",
            ))
            if stated_sum is None:
                continue
            stated, stated_src, note = _stated_in(stated_sum, col, sums, len(parts))
            if stated is not None:
                # The group's sum as its sub-heading states it ("按收入性质分：2030.12").
                out.append(Computed(
                    key=keys.fund_group_sum(key, group[0], col), label=f"{stated_sum.label}（{col_label}）= {names}",
                    value=value, unit="万元", formula=f"{names}", inputs=dict(inputs),
                    stated=stated, stated_src=stated_src, parts=len(parts), note=note,
                    path=f"{key}.group_sums[{table.group_sums.index(stated_sum)}].{col}",
                ))
    return out


_FUND_AMOUNTS = {"initial": "年初预算数", "annual": "全年预算数", "executed": "全年执行数"}


def _stated_in(row: FundRow, col: str, sums: dict[str, Decimal], parts: int) -> tuple:
    """(stated figure, its source, note) of `row` in column `col`. A figure written in the label cell
    without a column (`FundRow.inline`) stands in the column whose sum it agrees with; agreeing with
    none, it is compared in the first column the parts fill, and the note says so."""
    if getattr(row, col) is not None or row.inline is None:
        return getattr(row, col), row.src.get(col), ""
    matching = [c for c, v in sums.items() if stated_agrees(row.inline, v, "万元", parts)]
    chosen = matching[0] if matching else next(iter(sums))
    if col != chosen:
        return None, None, ""
    if matching:
        return row.inline, row.src.get("inline"), f"“{row.label}”所填数额未注明列，与{_FUND_AMOUNTS[col]}之和相符"
    return row.inline, row.src.get("inline"), f"“{row.label}”所填数额未注明列，与{'、'.join(_FUND_AMOUNTS[c] for c in sums)}之和均不符"


def _execution(res: TableResult, prof: Profile) -> None:
    table, key = res.table, res.key
    total = table.fund("total")
    if total is None:
        return
    rate = rules.execution_rate(total.executed, total.annual)
    res.execution_rate = Computed(
        key=keys.execution_rate(key), label=f"{res.title} 预算执行率", value=rate, unit="ratio",
        formula="全年执行数 ÷ 全年预算数", inputs={"全年执行数": total.executed, "全年预算数": total.annual},
        rule=prof.ref("execution_score"), stated=total.stated_rate, stated_src=total.src.get("rate"),
        note="" if rate is not None else "全年预算数缺失或为0，无法计算执行率",
        path=f"{key}.funds[{table.funds.index(total)}].rate",
    )
    weight = total.weight if total.weight is not None else prof["execution_weight"]
    method = prof["execution_score"]
    banded = method["method"] == "bands"
    formula = "按执行率分档计分：" + "；".join(_band_text(b) for b in method["bands"]) if banded else "执行率（高于100%的按100%计）× 分值"
    score = None
    if rate is not None:
        score = rules.banded(rate, method["bands"], weight) if banded else rules.execution_score_proportional(rate, weight)
    res.execution_score = Computed(
        key=keys.execution_score(key), label=f"{res.title} 预算执行率得分", value=score, unit="分",
        formula=formula, inputs={"执行率": rate, "分值": weight}, rule=prof.ref("execution_score"),
        stated=total.stated_score, stated_src=total.src.get("score"),
        kind=rule_kind(prof, "execution_score"), allowed=(ZERO, weight) if weight is not None else None,
        path=f"{key}.funds[{table.funds.index(total)}].score",
    )
    res.values += [res.execution_rate, res.execution_score]


_FORWARD = "正向定量：达到指标值得满分，否则 实际值 ÷ 指标值 × 分值"
_REVERSE = "反向定量：达到指标值得满分，否则 指标值 ÷ 实际值 × 分值"


def score_indicator(ind: Indicator, key: keys.Key, prof: Profile) -> Computed:
    """One indicator's points by its rule. Quantitative and date indicators are ruled when the
    profile's `quantitative_score` is verified, judged otherwise; qualitative ones are always judged
    (the evaluator places the score inside a tier) and carry the tier's range."""
    label = f"{ind.level2}·{ind.name}"
    base = dict(key=key, label=label, unit="分", stated=ind.stated_score, stated_src=ind.src.get("score"))
    weight = ind.weight
    if not ind.applicable:
        return Computed(value=None, formula="不适用，不计分", note="指标标为不适用", method=Method.NOT_APPLICABLE, **base)
    if weight is None:
        return Computed(value=None, formula="分值缺失", note="分值缺失，无法计分", **base)
    full = (ZERO, weight)
    t, a = ind.target, ind.actual
    quantitative_kind = rule_kind(prof, "quantitative_score")
    if t.kind == "quantitative" and a.value is not None and t.value is not None:
        value = rules.quantitative_score(t.comparator, t.value, a.value, weight)
        formula = _FORWARD if t.comparator in (">=", ">", "=") else _REVERSE
        return Computed(value=value, formula=formula, inputs={"指标值": t.raw, "实际值": a.value, "分值": weight},
                        rule=prof.ref("quantitative_score"), kind=quantitative_kind, allowed=full, **base)
    if t.kind == "date" and a.when is not None and t.when is not None:
        value = rules.date_score(t.when, t.comparator, a.when, weight)
        return Computed(value=value, formula="时限：按期完成得满分，逾期不得分",
                        inputs={"期限": t.when, "完成": a.when, "分值": weight},
                        rule=prof.ref("quantitative_score"), kind=quantitative_kind, allowed=full, **base)
    tiers = prof["qualitative_tiers"]
    if t.kind == "qualitative" and ind.tier:
        rng = rules.tier_range(ind.tier, weight, tiers)
        if rng is not None and ind.stated_score is None:
            return Computed(value=rng[1], formula=f"定性：{ind.tier}档取上限", inputs={"档次": ind.tier, "分值": weight},
                            rule=prof.ref("qualitative_tiers"), kind=Kind.JUDGED, allowed=rng, **base)
    # Not recomputable: qualitative judgement, or a quantitative actual we cannot read.
    why = _why_not(ind)
    value = ind.stated_score if ind.stated_score is not None and ZERO <= ind.stated_score <= weight else None
    tier = rules.tier_of(value, weight, tiers) if value is not None else ""
    allowed = (rules.tier_range(ind.tier, weight, tiers) if ind.tier else None) or full
    return Computed(value=value, formula="采用填报得分（不可重算）" if value is not None else "无法计分",
                    inputs={"分值": weight, **({"所在档次": tier} if tier else {})},
                    rule=prof.ref("qualitative_tiers") if t.kind == "qualitative" else "", note=why,
                    kind=Kind.JUDGED, method=Method.AS_STATED if value is not None else Method.INPUT_MISSING,
                    allowed=allowed, **base)


def _why_not(ind: Indicator) -> str:
    t, a = ind.target, ind.actual
    if t.kind == "qualitative":
        return "定性指标，得分由评价人在档次区间内判定"
    if t.kind == "date":
        return "实际完成值中未找到日期"
    if a.candidates > 1:
        return f"实际完成值含{a.candidates}个同单位数字，无法确定实际值"
    return "实际完成值中未找到与指标值单位一致的数字"


def level1_values(table: SelfEvalTable, key: str, prof: Profile) -> list[Computed]:
    """Σ 分值 per first-level indicator, against the printed weight and the profile's."""
    sums: dict[str, Decimal] = {}
    for ind in table.indicators:
        if ind.weight is not None:
            sums[ind.level1] = sums.get(ind.level1, ZERO) + ind.weight
    out = []
    profile_weights = prof["level1_weights"]
    for level1, total in sums.items():
        stated = table.level1_weights.get(level1)
        expected = profile_weights.get(level1)
        out.append(Computed(
            key=keys.level1_weight(key, level1), label=f"{level1} 分值合计", value=total, unit="分",
            formula=f"Σ {level1}下各三级指标分值",
            inputs={"方案规定分值": expected} if expected is not None else {},
            rule=prof.ref("level1_weights"), stated=stated, stated_src=table.src.get(f"level1.{level1}"),
            path=f"{key}.level1_weights.{level1}",
        ))
    return out


def table_total(table: SelfEvalTable, scores: list[Decimal], applicable_weight: Decimal, exec_score: Decimal,
                rate: Decimal | None, prof: Profile, na_method: str) -> tuple[Decimal, str, dict, str]:
    """(总分, formula, inputs, rule) of a self-evaluation table from its indicators' points and its
    execution score, by the profile (non-applicable indicators, caps by execution rate). The
    self-evaluation's total and the 抽评's re-scored total both go through here."""
    indicator_sum = sum(scores, ZERO)
    has_na = any(not i.applicable for i in table.indicators)
    formula = "Σ 三级指标得分 + 预算执行率得分"
    if has_na and na_method == "rescale" and applicable_weight:
        full = sum((i.weight for i in table.indicators if i.weight is not None), ZERO)
        indicator_sum = rules.rescale(scores, applicable_weight, full)
        formula = "Σ 适用指标得分 × 指标总分值 ÷ 适用指标分值 + 预算执行率得分"
    elif has_na and na_method == "full_marks":
        indicator_sum += sum((i.weight for i in table.indicators if not i.applicable and i.weight is not None), ZERO)
        formula = "Σ 三级指标得分（不适用指标按满分）+ 预算执行率得分"
    total = indicator_sum + exec_score
    inputs: dict[str, object] = {"指标得分合计": indicator_sum, "执行率得分": exec_score}
    caps = prof["execution_caps"]
    # The clause behind the sum: how non-applicable indicators count where there are some, else the
    # composition of the 100 points (一级指标分值 + 执行率分值).
    rule = prof.ref("not_applicable") if has_na else prof.ref("level1_weights")
    if caps["enabled"] and rate is not None:
        capped, cap = rules.capped_total(total, rate, caps["caps"])
        if cap is not None:
            inputs["封顶"] = cap["max_total"]
            formula += f"；执行率低于{cap['below'] * 100}%时总分不超过{cap['max_total']}"
            rule = prof.ref("execution_caps")
            total = capped
    return total, formula, inputs, rule


def na_method_of(table: SelfEvalTable, prof: Profile) -> str:
    return prof["not_applicable"]["overall" if table.kind == "overall" else "project"]


def _total(res: TableResult, prof: Profile, scores: list[Decimal], applicable_weight: Decimal, na_method: str) -> None:
    table, key = res.table, res.key
    total, formula, inputs, rule = table_total(table, scores, applicable_weight, _standing(res.execution_score) or ZERO,
                                               res.execution_rate.value if res.execution_rate is not None else None,
                                               prof, na_method)
    judged = [c for c in res.indicator_scores if c.judged and c.standing is not None]
    missing = [c for c in res.indicator_scores if c.standing is None and c.method is not Method.NOT_APPLICABLE]
    notes = []
    if judged:
        notes.append(f"{len(judged)}项指标得分由评价人判定，采用填报得分")
    if missing:
        notes.append(f"{len(missing)}项指标未评分，未计入")
    res.total = Computed(key=keys.total(key), label=f"{res.title} 总分（{catalogue.SYSTEM_LABELS[catalogue.SYSTEM_SELF_EVAL]}）",
                         value=total, unit="分", formula=formula, inputs=inputs, rule=rule, stated=table.stated_total,
                         stated_src=table.src.get("total"), note="；".join(notes), path=f"{key}.total")
    res.grade = _grade(keys.grade(key), f"{res.title} 等次", total, prof, stated_text="")
    res.values += [res.total, res.grade]


def _grade(key: keys.Key, label: str, total: Decimal, prof: Profile, stated_text: str, stated_src=None,
           path: str = "") -> Computed:
    """The grade of a total by the profile's bands: ruled when the bands are verified."""
    return Computed(key=key, label=label, value=None, unit="", text=rules.grade(total, prof["grades"]),
                    formula="按等次分数线", inputs={"总分": total}, rule=prof.ref("grades"),
                    stated_text=stated_text, stated_src=stated_src, kind=rule_kind(prof, "grades"), path=path)


def cover_score_values(pkg: Package, overall: TableResult | None, framework: list[Computed], prof: Profile) -> list[Computed]:
    """The cover form's 综合得分 and 等次 restate the score of the system the profile names
    (`cover_score`): 附件3's total (自评表总分) or §七's (指标体系得分)."""
    system = prof["cover_score"]
    if system == catalogue.SYSTEM_FRAMEWORK:
        total = next((c for c in framework if c.key == keys.FRAMEWORK_TOTAL), None)
        source = "§七 综合得分"
    else:
        total = overall.total if overall is not None else None
        source = "附件3 总分"
    if total is None or total.value is None:
        return []
    label = catalogue.SYSTEM_LABELS[system]
    out = []
    if pkg.stated_score is not None:
        out.append(Computed(key=keys.COVER_SCORE, label=f"自评报告 绩效自评综合得分（{label}）", value=total.value, unit="分",
                            formula=source, inputs={source: total.value}, rule=prof.ref("cover_score"),
                            stated=pkg.stated_score, stated_src=pkg.src.get("score"), path="cover.score"))
    if pkg.stated_grade:
        out.append(_grade(keys.COVER_GRADE, "自评报告 评价等次", total.value, prof, pkg.stated_grade, pkg.src.get("grade"),
                          "cover.grade"))
    return out


# --- cover tables, line tables, basic data -------------------------------------------------------


def _sum_check(key: keys.Key, label: str, row, parts: tuple[str, ...], part_labels: dict[str, str], total_field: str = "total") -> Computed | None:
    values = {f: getattr(row, f) for f in parts}
    if all(v is None for v in values.values()):
        return None
    value = sum((v for v in values.values() if v is not None), ZERO)
    return Computed(key=key, label=label, value=value, unit="万元",
                    formula=" + ".join(part_labels[f] for f in parts),
                    inputs={part_labels[f]: (v if v is not None else ZERO) for f, v in values.items()},
                    stated=getattr(row, total_field), stated_src=row.src.get(total_field),
                    parts=sum(1 for v in values.values() if v is not None), path=str(key))


INCOME_LABELS = {"carryover": "上年结转", "general_budget": "公共财政拨款", "fund_budget": "政府基金拨款",
                 "special_account": "纳入专户管理的非税收入拨款", "other": "其他收入"}
EXPENDITURE_LABELS = {"basic": "基本支出", "project": "项目支出", "personnel": "人员支出", "public": "公用支出"}
SANGONG_LABELS = {"reception": "公务接待费", "vehicle_operation": "公务用车运行维护费",
                  "vehicle_purchase": "公务用车购置费", "overseas": "因公出国（境）费用"}
ASSET_LABELS = {"in_use": "在用固定资产", "rented": "出租固定资产", "other": "其他"}
FIELD_LABELS = {**INCOME_LABELS, **EXPENDITURE_LABELS, **SANGONG_LABELS, **ASSET_LABELS, "total": "合计",
                "balance_current": "当年结余", "balance_cumulative": "累计结余"}


def cover_table_values(pkg: Package) -> list[Computed]:
    out: list[Computed | None] = []
    for i, r in enumerate(pkg.income):
        out.append(_sum_check(keys.cover_row("income", i, "total"), f"{r.institution} 收入合计", r, r.PARTS, INCOME_LABELS))
    for i, r in enumerate(pkg.expenditure):
        out.append(_sum_check(keys.cover_row("expenditure", i, "basic"), f"{r.institution} 基本支出", r, ("personnel", "public"),
                              EXPENDITURE_LABELS, "basic"))
        out.append(_sum_check(keys.cover_row("expenditure", i, "total"), f"{r.institution} 支出合计", r, ("basic", "project"),
                              EXPENDITURE_LABELS))
        income = _matching_row(pkg.income, r.institution)
        if income is not None and income.total is not None and r.balance_cumulative is not None:
            spent = (r.basic or ZERO) + (r.project or ZERO)
            out.append(Computed(key=keys.cover_row("expenditure", i, "balance_cumulative"), label=f"{r.institution} 累计结余",
                                value=income.total - spent, unit="万元", formula="收入合计 − (基本支出 + 项目支出)",
                                inputs={"收入合计": income.total, "基本支出": r.basic, "项目支出": r.project},
                                stated=r.balance_cumulative, stated_src=r.src.get("balance_cumulative"), parts=3,
                                path=f"expenditure[{i}].balance_cumulative"))
    for i, r in enumerate(pkg.sangong):
        out.append(_sum_check(keys.cover_row("sangong", i, "total"), f"{r.institution} 三公经费合计", r, r.PARTS, SANGONG_LABELS))
    for i, r in enumerate(pkg.fixed_assets):
        out.append(_sum_check(keys.cover_row("fixed_assets", i, "total"), f"{r.institution} 固定资产合计", r, r.PARTS, ASSET_LABELS))
    for name, rows in (("income", pkg.income), ("expenditure", pkg.expenditure), ("sangong", pkg.sangong),
                       ("fixed_assets", pkg.fixed_assets)):
        out += _summary_rows(name, rows)
    return [c for c in out if c is not None]


def _matching_row(rows, institution: str):
    for r in rows:
        if r.institution == institution:
            return r
    return None


# The cover's tables, as a reviewer names them, and what their 合计 column is.
COVER_TABLES = {"income": ("年度收入情况", "收入合计"), "expenditure": ("年度支出及结余情况", "支出合计"),
                "sangong": ("“三公”经费", "三公经费合计"), "fixed_assets": ("固定资产", "固定资产合计")}


def _summary_rows(name: str, rows) -> list[Computed]:
    """The 汇总 row equals the sum of the institution rows, field by field."""
    summaries = [r for r in rows if r.is_summary]
    members = [r for r in rows if not r.is_summary]
    out = []
    if not summaries or not members:
        return out
    s = summaries[0]
    for f in s.__dataclass_fields__:
        if f in ("institution", "is_summary", "src"):
            continue
        values = [getattr(m, f) for m in members]
        if all(v is None for v in values):
            continue
        table, total_label = COVER_TABLES[name]
        field_label = total_label if f == "total" else FIELD_LABELS.get(f, f)
        out.append(Computed(key=keys.cover_summary(name, f), label=f"{table}表·{s.institution}·{field_label}", value=sum((v or ZERO for v in values), ZERO),
                            unit="万元", formula="Σ 各机构", inputs={m.institution: getattr(m, f) for m in members},
                            stated=getattr(s, f), stated_src=s.src.get(f), parts=len(members),
                            path=f"{name}[{rows.index(s)}].{f}"))
    return out


def line_table_values(table: LineTable, key: str) -> list[Computed]:
    """Derived columns of each row, parent = Σ children, total row = Σ top-level rows."""
    out: list[Computed] = []
    for i, ln in enumerate(table.lines):
        for col, spec in table.derived.items():
            c = _derived_cell(table, ln, i, col, spec, key)
            if c is not None:
                out.append(c)
    for i, parent in enumerate(table.lines):
        children = [c for c in table.lines if c.parent == parent.label]
        if not children:
            continue
        for col in _input_columns(table):
            c = _sum_of(key, i, parent, children, col, table, partial=parent.partial)
            if c is not None:
                out.append(c)
    if table.total_label:
        total_idx = next((i for i, ln in enumerate(table.lines) if ln.label == table.total_label), None)
        if total_idx is not None:
            total_line = table.lines[total_idx]
            subtotals = set(table.subtotals)
            top = [ln for ln in table.lines if ln is not total_line
                   and ((not ln.parent and ln.label not in subtotals) or ln.parent in subtotals)]
            for col in _input_columns(table):
                c = _sum_of(key, total_idx, total_line, top, col, table, partial=False)
                if c is not None:
                    out.append(c)
    return out


def _input_columns(table: LineTable) -> list[str]:
    """Columns that are figures in their own right; derived ones are checked row by row."""
    return [c for c in table.columns if c not in table.derived]


def _derived_cell(table: LineTable, ln, i: int, col: str, spec: tuple[str, ...], key: str) -> Computed | None:
    op, *args = spec
    vals = [ln.values.get(a) for a in args]
    stated = ln.values.get(col)
    if stated is None and all(v is None for v in vals):
        return None
    names = [table.columns.get(a, a) for a in args]
    if op == "diff":
        if any(v is None for v in vals):
            return None
        value, formula = vals[0] - vals[1], f"{names[0]} − {names[1]}"
    elif op == "balance":
        value = (vals[0] or ZERO) + (vals[1] or ZERO) - (vals[2] or ZERO)
        formula = f"{names[0]} + {names[1]} − {names[2]}"
    elif op == "sum":
        value = sum((v or ZERO for v in vals), ZERO)
        formula = " + ".join(names)
    else:  # pragma: no cover - guarded by the schema
        raise ValueError(op)
    return Computed(key=keys.line_cell(key, i, col), label=f"{table.title}·{ln.label}·{table.columns.get(col, col)}",
                    value=value, unit=table.unit, formula=formula, inputs=dict(zip(names, vals, strict=True)),
                    stated=stated, stated_src=ln.src.get(col), parts=len(args), path=f"{key}.lines[{i}].{col}")


def _sum_of(key: str, i: int, parent, children, col: str, table: LineTable, partial: bool) -> Computed | None:
    values = [c.values.get(col) for c in children]
    if all(v is None for v in values):
        return None
    value = sum((v for v in values if v is not None), ZERO)
    label = f"{table.title}·{parent.label}·{table.columns.get(col, col)}"
    return Computed(key=keys.line_sum(key, i, col), label=label, value=value, unit=table.unit,
                    formula=("Σ 其中项（不应超过上级数）" if partial else "Σ 下级各行"),
                    inputs={c.label: c.values.get(col) for c in children},
                    stated=None if partial else parent.values.get(col),
                    stated_src=parent.src.get(col), parts=len(children),
                    note=f"上级数 {parent.values.get(col)}" if partial else "", path=f"{key}.lines[{i}].{col}")


def basic_data_values(pkg: Package) -> list[Computed]:
    st = pkg.basic_data.staffing
    out = []
    rate = rules.ratio(Decimal(st.in_post) if st.in_post is not None else None,
                       Decimal(st.authorized) if st.authorized is not None else None)
    if rate is not None or st.stated_control_rate is not None:
        out.append(Computed(key=keys.STAFF_CONTROL_RATE, label="财政供养人员控制率", value=rate, unit="ratio",
                            formula="年末实际在职人数 ÷ 年末编制数",
                            inputs={"在职人数": st.in_post, "编制数": st.authorized},
                            stated=st.stated_control_rate, stated_src=st.src.get("control_rate"),
                            path="basic_data.staffing.control_rate"))
    b = pkg.basic_data.buildings
    for field_rate, num, den, label in (
        ("stated_area_rate", b.actual_area, b.approved_area, "规模控制率"),
        ("stated_investment_rate", b.actual_investment, b.budget_investment, "投资概算控制率"),
    ):
        stated = getattr(b, field_rate)
        if stated is None and num is None:
            continue
        out.append(Computed(key=keys.building_rate(field_rate[7:]), label=f"楼堂馆所{label}",
                            value=rules.ratio(num, den), unit="ratio", formula="实际 ÷ 批复",
                            inputs={"实际": num, "批复": den}, stated=stated, stated_src=b.src.get(field_rate[7:]),
                            note="" if den else "无楼堂馆所项目（批复为0），比率不适用",
                            path=f"basic_data.buildings.{field_rate[7:]}"))
    return out


# --- §七 overall framework --------------------------------------------------------------------


def framework_values(pkg: Package, prof: Profile) -> list[Computed]:
    out: list[Computed] = []
    total = ZERO
    derived = package_inputs(pkg) if pkg.narrative.framework else {}  # once: every item may draw on it
    for i, item in enumerate(pkg.narrative.framework):
        spec = prof.framework_item(item.id)
        if spec is None:
            out.append(Computed(key=keys.framework_score(i), label=item.name, value=item.stated_score, unit="分",
                                formula="方案中无此指标，采用填报得分", stated=item.stated_score,
                                note=f"评分方案 {prof.id} 中没有指标 {item.id}", kind=Kind.JUDGED,
                                method=Method.AS_STATED if item.stated_score is not None else Method.INPUT_MISSING))
            total += item.stated_score or ZERO
            continue
        rate_c = _framework_rate(derived, item, spec, i, prof)
        doc_c = _document_formula_rate(item, i)
        if doc_c is not None:
            out.append(doc_c)
        if rate_c is not None:
            out.append(rate_c)
        score_c = _framework_score(item, spec, rate_c, i, prof, pkg)
        out.append(score_c)
        total += score_c.standing or ZERO
    if pkg.narrative.framework:
        system = catalogue.SYSTEM_LABELS[catalogue.SYSTEM_FRAMEWORK]
        weights = sum((i.weight or ZERO for i in pkg.narrative.framework), ZERO)
        out.append(Computed(key=keys.FRAMEWORK_WEIGHT_TOTAL, label="§七 各项分值合计", value=weights, unit="分",
                            formula="Σ 各项分值", stated=Decimal(100), note="满分应为100分"))
        out.append(Computed(key=keys.FRAMEWORK_TOTAL, label=f"§七 综合得分（{system}）", value=total, unit="分",
                            formula="Σ 各项得分（评价人判定的项采用填报得分）", inputs={"项数": len(pkg.narrative.framework)},
                            rule=prof.ref("framework"), stated=pkg.narrative.stated_total,
                            stated_src=pkg.narrative.src.get("total"), path="narrative.total"))
        out.append(_grade(keys.FRAMEWORK_GRADE, "§七 评价等级", total, prof, pkg.narrative.stated_grade,
                          pkg.narrative.src.get("grade"), "narrative.grade"))
    return out


def _document_formula_rate(item: FrameworkItem, i: int) -> Computed | None:
    """The rate by the formula the document itself writes, from the inputs it gives."""
    if not item.stated_formula or not item.inputs:
        return None
    value = evaluate_formula(item.stated_formula, item.inputs)
    if value is None:
        return None
    return Computed(key=keys.framework_rate_by_document(i), label=f"{item.name}（按文中公式）", value=value, unit="ratio",
                    formula=item.stated_formula, inputs=dict(item.inputs), stated=item.stated_rate,
                    stated_src=item.src.get("rate"), path=f"narrative.framework[{i}].rate")


def package_inputs(pkg: Package) -> dict[str, tuple[Decimal, str]]:
    """Framework inputs derivable from the package's tables: name → (value, where from)."""
    found: dict[str, tuple[Decimal, str]] = {}

    def put(name: str, value, where: str) -> None:
        if value is not None and name not in found:
            found[name] = (Decimal(value), where)

    st = pkg.basic_data.staffing
    put("在职人员数", st.in_post, "附件2 年末实际在职人数")
    if st.authorized is not None:
        put("编制数", st.authorized, "附件2 年末编制数")
    else:
        put("编制数", pkg.staffing.authorized, "自评报告 人员编制")
    costs = pkg.basic_data.costs
    if costs is not None:
        for label, actual_name, budget_name, prior_name in (
            ("三公经费", "三公经费实际", "三公经费预算", "上年三公经费"),
            ("公用经费", "公用经费实际", "公用经费预算", None),
            ("政府采购金额", "政府采购实际", "政府采购预算", None),
        ):
            ln = costs.line(label)
            if ln is None:
                continue
            put(actual_name, ln.values.get("actual"), f"附件2 {label} 本年决算数")
            put(budget_name, ln.values.get("budget"), f"附件2 {label} 本年预算数")
            if prior_name:
                put(prior_name, ln.values.get("prior_actual"), f"附件2 {label} 上年决算数")
                put("本年三公经费", ln.values.get("actual"), f"附件2 {label} 本年决算数")
    members = pkg.institution_rows(pkg.income)
    if members:
        inc = members[0]
        put("上年结转", inc.carryover, "收入情况表 上年结转")
        if pkg.overall is not None and pkg.overall.fund("total") is not None:
            initial = pkg.overall.fund("total").initial
            put("年初预算", initial, "附件3 年度资金总额 年初预算数")
            new_money = sum((getattr(inc, f) or ZERO for f in ("general_budget", "fund_budget", "special_account", "other")), ZERO)
            if initial is not None:
                put("本年追加", new_money - initial, "收入情况表 本年拨款合计 − 年初预算数")
    exp = pkg.institution_rows(pkg.expenditure)
    if exp:
        put("年末结余", exp[0].balance_cumulative, "支出情况表 累计结余")
    b = pkg.basic_data.buildings
    put("实际面积", b.actual_area, "附件2 楼堂馆所 实际规模")
    put("批准面积", b.approved_area, "附件2 楼堂馆所 批复规模")
    put("实际投资", b.actual_investment, "附件2 楼堂馆所 实际投资")
    put("批准概算", b.budget_investment, "附件2 楼堂馆所 预算投资")
    fa = pkg.institution_rows(pkg.fixed_assets)
    if fa:
        put("在用固定资产", fa[0].in_use, "固定资产表 在用固定资产")
        put("固定资产总额", fa[0].total, "固定资产表 合计")
    return found


def _resolve_inputs(derived: dict[str, tuple[Decimal, str]], item: FrameworkItem,
                    formula: catalogue.Formula) -> tuple[dict[str, Decimal], dict[str, str], list[str]]:
    """The formula's inputs: as the item's text gives them, else from the package's tables (`derived`)."""
    values: dict[str, Decimal] = {}
    origins: dict[str, str] = {}
    missing = []
    for name in formula.inputs:
        hit = _lookup(item.inputs, name)
        if hit is not None:
            values[name], origins[name] = hit, "文中所列"
        elif name in derived:
            values[name], origins[name] = derived[name]
        else:
            missing.append(name)
    return values, origins, missing


def _lookup(inputs: dict[str, Decimal], name: str) -> Decimal | None:
    if name in inputs:
        return inputs[name]
    for k, v in inputs.items():  # 年初预算数 ~ 年初预算
        if k.rstrip("数") == name.rstrip("数"):
            return v
    return None


def _framework_rate(derived: dict[str, tuple[Decimal, str]], item: FrameworkItem, spec: dict, i: int,
                    prof: Profile) -> Computed | None:
    if spec["formula"] == "none":
        return None
    formula = catalogue.FORMULAS[spec["formula"]]
    values, origins, missing = _resolve_inputs(derived, item, formula)
    value = None if missing else catalogue.apply_formula(formula.id, values)
    inputs = {f"{k}（{origins[k]}）": v for k, v in values.items()}
    return Computed(key=keys.framework_rate(i), label=f"{item.name}（按评分方案公式）", value=value, unit="ratio",
                    formula=formula.text, inputs=inputs, rule=prof.ref("framework"),
                    stated=item.stated_rate, stated_src=item.src.get("rate"),
                    note=("缺少输入：" + "、".join(missing)) if missing else "", path=f"narrative.framework[{i}].rate")


def _framework_score(item: FrameworkItem, spec: dict, rate_c: Computed | None, i: int, prof: Profile,
                     pkg: Package) -> Computed:
    """An item's points. Ruled when the profile's framework rules are verified; judged otherwise,
    and always for items scored by judgement or a checklist (evidence the engine does not see)."""
    weight = item.weight if item.weight is not None else spec.get("weight")
    rule = spec.get("rule", {"shape": "judgement"})
    shape = rule["shape"]
    kind = Kind.JUDGED if shape in ("judgement", "checklist") else rule_kind(prof, "framework")
    base = dict(key=keys.framework_score(i), label=item.name, unit="分", stated=item.stated_score,
                stated_src=item.src.get("score"), rule=prof.ref("framework"), kind=kind, path=f"narrative.framework[{i}].score")
    if weight is None:
        return Computed(value=None, formula="分值缺失", note="分值缺失，无法计分", **base)
    base["allowed"] = (ZERO, weight)
    if rule.get("no_object") == "full_marks" and _no_object(item, pkg):
        return Computed(value=weight, formula="无评价对象的按满分计算", inputs={"分值": weight}, **base)
    rate = rate_c.value if rate_c is not None else None
    if rate is None and item.stated_rate is not None and shape != "judgement":
        rate = item.stated_rate  # fall back on the printed rate when the inputs are not all there
        source = "文中所列比率"
    else:
        source = "按方案公式计算的比率"
    if shape in ("judgement", "checklist") or rate is None:
        value = item.stated_score if item.stated_score is not None and ZERO <= item.stated_score <= weight else None
        why = {"judgement": "评价人按评分标准判定", "checklist": f"清单{rule.get('items')}项，逐项判定"}.get(
            shape, "缺少计算比率所需的数据")
        return Computed(value=value, formula=f"采用填报得分（{why}）" if value is not None else "无法计分",
                        inputs={"分值": weight}, method=Method.AS_STATED if value is not None else Method.INPUT_MISSING,
                        **base)
    if shape == "threshold_deduct":
        value = rules.threshold_deduct(rate, rule["threshold"], rule["per_point"], weight, rule.get("over", True))
        formula = f"不超过{_pct(rule['threshold'])}得满分，每超1个百分点扣{rule['per_point']}分"
    elif shape == "step_deduct":
        value = rules.step_deduct(rate, rule["target"], rule["step"], rule["points"], weight, rule.get("over", False))
        direction = "超出" if rule.get("over") else "低于"
        formula = f"{_pct(rule['target'])}得满分，每{direction}{_pct(rule['step'])}扣{rule['points']}分"
    elif shape == "bands":
        value = rules.banded(rate, rule["bands"], weight)
        formula = "分档计分：" + "；".join(_band_text(b) for b in rule["bands"])
    else:  # proportional_capped
        value = rules.proportional_capped(rate, rule["target"], weight)
        formula = f"比率 ÷ {_pct(rule['target'])} × 分值，满分为止"
    return Computed(value=value, formula=formula, inputs={"比率": rate, "比率来源": source, "分值": weight}, **base)


def _no_object(item: FrameworkItem, pkg: Package) -> bool:
    if item.id.startswith("building_"):
        return not pkg.basic_data.buildings.has_project
    return False


def _pct(r: Decimal) -> str:
    return f"{(r * 100).normalize():f}%"


def _band_text(b: dict) -> str:
    pts = b.get("points", b.get("share"))
    if "equals" in b:
        return f"={_pct(b['equals'])}得{pts}分"
    lo = _pct(b["above"]) if b.get("above") is not None else ""
    hi = _pct(b["upto"]) + "(含)" if b.get("upto") is not None else "以上"
    return f"{lo}–{hi}得{pts}分"
