"""The 主管部门's package built from its units' packages (core/department.py, services.roll_up_department)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao import services
from jixiao.cli import main
from jixiao.core.model import FundTypeDeclaration
from jixiao.core.numbers import fmt_value
from jixiao.io.canonical import write_package

UNIT = """
jixiao: 1
profile: national-2020
year: 2023
unit: {{name: {name}}}
income:
  - {{institution: 汇总, summary: true}}
  - {{institution: {name}, total: {income}, carryover: 10, general_budget: {general}, other: 0}}
expenditure:
  - {{institution: {name}, total: {spent}, basic: {basic}, personnel: 40, public: {public}, project: 100}}
sangong:
  - {{institution: {name}, total: 3, reception: 1, vehicle_operation: 2}}
fixed_assets:
  - {{institution: {name}, total: 50, in_use: 50}}
overall:
  funds:
    - {{key: total, label: 年度资金总额, initial: {initial}, annual: {annual}, executed: {executed}, weight: 10, score: {fund_score}}}
  indicators:
    - {{level1: 产出指标, level2: 数量指标, name: 造林面积, target: ≥{target}亩, actual: {actual}亩, weight: 50, score: {q_score}}}
    - {{level1: 效益指标, level2: 生态效益指标, name: 森林覆盖率, target: ≥60%, actual: {rate}%, weight: 30, score: 30}}
    - {{level1: 效益指标, level2: 社会效益指标, name: 社会影响, target: 明显, actual: {quality}, weight: 10, score: {qual_score}}}
projects:
  - name: 造林补助
    funds:
      - {{key: total, label: 年度资金总额, initial: 50, annual: {p_annual}, executed: {p_executed}, weight: 10, score: 9}}
      - {{key: appropriation, label: 当年财政拨款, initial: 50, annual: {p_annual}, executed: {p_executed}}}
    indicators:
      - {{level1: 产出指标, level2: 数量指标, name: 补助面积, target: ≥100亩, actual: {p_actual}亩, weight: 50, score: 50}}
      - {{level1: 效益指标, level2: 生态效益指标, name: 成活率, target: ≥85%, actual: {p_rate}%, weight: 30, score: 28}}
"""

VALUES = {
    "甲林场": dict(income=300, general=290, spent=280, basic=180, public=140, initial=200, annual=300, executed=270,
                 fund_score=9, target=100, actual=120, q_score=50, rate=61, quality="明显",
                 qual_score=10, p_annual=100, p_executed=90, p_actual=110, p_rate=90),
    "乙林场": dict(income=500, general=490, spent=450, basic=350, public=310, initial=400, annual=500, executed=400,
                 fund_score=8, target=300, actual=250, q_score=41.67, rate=55.5, quality="一般", qual_score=7,
                 p_annual=300, p_executed=300, p_actual=95, p_rate=80),
}

DEPARTMENT = """
jixiao: 1
profile: national-2020
year: 2023
unit: {name: 某县林业局}
income:
  - {institution: 局机关及二级机构汇总, summary: true}
  - {institution: 某县林业局机关, total: 100, carryover: 0, general_budget: 100}
narrative:
  achievements: 部门自己写的成绩。
overall:
  goal: {expected: 部门的预期目标, actual: 部门的实际完成}
  indicators:
    - {level1: 产出指标, level2: 数量指标, name: 造林面积, target: ≥400亩, actual: 1亩, weight: 50, score: 1, reason: 部门写的原因}
projects:
  - name: 机关运行
    funds:
      - {key: total, label: 年度资金总额, annual: 20, executed: 20, weight: 10, score: 10}
"""


def unit(name: str, **changes) -> object:
    values = VALUES[name] | changes
    return services.from_canonical(data=UNIT.format(name=name, **values))


def bare(name: str):
    """A unit that filled only its income table: the others are missing."""
    pkg = unit("甲林场")
    pkg.unit.name = name
    pkg.income[1].institution = name
    pkg.expenditure, pkg.sangong, pkg.fixed_assets, pkg.overall, pkg.projects = [], [], [], None, []
    return pkg


def department():
    return services.from_canonical(data=DEPARTMENT)


def roll(units, own=None, **kw):
    return services.roll_up_department(own=own or department(), units=[(p.unit.name, p) for p in units], **kw)


def by_key(figures) -> dict:
    return {c.key: c for c in figures}


# --- the cover tables ---------------------------------------------------------------------------------


def test_cover_tables_get_the_summary_row_above_one_row_per_unit():
    result = roll([unit("甲林场"), unit("乙林场")])
    income = result.package.income
    assert [r.institution for r in income] == ["局机关及二级机构汇总", "某县林业局机关", "甲林场", "乙林场"]
    assert income[0].is_summary and not any(r.is_summary for r in income[1:])
    # the department's own row (本级) counts in the 汇总: 100 + 300 + 500
    assert income[0].total == D(900)
    assert income[0].general_budget == D(100) + D(290) + D(490)
    assert income[0].fund_budget is None  # nobody filled it: an empty cell, not a zero
    trace = by_key(result.figures())["income[0].total"]
    assert trace.inputs == {"某县林业局机关（本级）": D(100), "甲林场": D(300), "乙林场": D(500)}
    assert "Σ" in trace.formula
    # a table the department had no 汇总 row for gets one
    assert result.package.expenditure[0].is_summary
    assert result.package.expenditure[0].total == D(730)


def test_a_unit_row_is_its_own_summary_row_or_the_sum_of_its_institutions():
    yi = unit("乙林场")
    yi.income[0].total, yi.income[0].general_budget = D(999), D(989)  # 乙 filled its 汇总 row: that is its figure
    jia = unit("甲林场")
    second = copy.deepcopy(jia.income[1])
    second.institution, second.total, second.general_budget = "甲林场苗圃", D(7), D(7)
    jia.income.append(second)  # 甲 left its 汇总 row empty: its institutions add up
    result = roll([jia, yi])
    rows = {r.institution: r for r in result.package.income}
    assert rows["甲林场"].total == D(307)
    assert rows["乙林场"].total == D(999)
    traces = by_key(result.figures())
    assert traces["income[2].total"].inputs == {"甲林场": D(300), "甲林场苗圃": D(7)}
    assert traces["income[3].total"].formula == "乙林场自报的汇总行"


def test_rolling_up_again_does_not_take_the_units_rows_for_the_departments_own():
    first = roll([unit("甲林场"), unit("乙林场")])
    # 乙 is no longer rolled up (its version was returned): its old row is not the department's 本级
    again = roll([unit("甲林场")], own=first.package, subordinates=["甲林场", "乙林场"])
    assert [r.institution for r in again.package.income] == ["局机关及二级机构汇总", "某县林业局机关", "甲林场"]
    assert again.package.income[0].total == D(400)


# --- 附件3 and the per-fund 附件4 ---------------------------------------------------------------------


def _cli(capsys, tmp_path, packages, *extra) -> dict:
    """`jixiao aggregate` run on the packages written as files, its JSON figures by key."""
    files = []
    for i, pkg in enumerate(packages):
        path = tmp_path / f"unit{i}.yaml"
        write_package(pkg, path)
        files.append(str(path))
    assert main(["aggregate", *files, "--format", "json", *extra]) == 0
    return {v["key"]: v for v in json.loads(capsys.readouterr().out)["values"]}


def test_the_rollup_equals_jixiao_aggregate_figure_by_figure(tmp_path, capsys):
    units = [unit("甲林场"), unit("乙林场"), bare("丙林场")]
    result = roll(units)
    cli = _cli(capsys, tmp_path, units)
    overall = next(t for t in result.tables if t.path == "overall")
    mine = {c.key: c.as_dict() for c in overall.figures if c.key.startswith("aggregate.")}
    assert set(mine) == set(cli)
    for key, value in cli.items():
        assert mine[key]["value"] == value["value"], key
        assert mine[key]["inputs"] == value["inputs"], key
    # and the table written into the department's package carries the same figures
    written = services.from_canonical(data=services.to_canonical(package=result.package)).overall
    total = written.fund("total")
    assert [str(total.initial), str(total.annual), str(total.executed)] == [
        cli[f"aggregate.funds.{c}"]["value"] for c in ("initial", "annual", "executed")]
    assert str(written.indicators[0].actual.value) == cli["aggregate.indicators[0].actual"]["value"]  # 120 + 250 亩
    # weighted figures are written as the form prints them (half-up), and are the CLI's figure as printed
    assert fmt_value(written.indicators[1].actual.value, "ratio") == cli["aggregate.indicators[1].actual"]["display"]
    assert fmt_value(written.indicators[2].stated_score, "分") == cli["aggregate.indicators[2].score"]["display"]
    assert fmt_value(written.stated_total, "分") == cli["aggregate.total"]["display"]
    assert written.indicators[1].actual.raw == cli["aggregate.indicators[1].actual"]["display"]  # 57.56%


def test_each_fund_rolls_up_as_jixiao_aggregate_projects_does(tmp_path, capsys):
    units = [unit("甲林场"), unit("乙林场")]
    result = roll(units)
    fund = next(t for t in result.tables if t.title.endswith("（造林补助）"))
    cli = _cli(capsys, tmp_path, units, "--projects")
    mine = {c.key: c.as_dict()["value"] for c in fund.figures if c.key.startswith("aggregate.")}
    assert mine == {k: v["value"] for k, v in cli.items()}
    # appended after the department's own project, which stays as it was
    projects = result.package.projects
    assert [p.name for p in projects] == ["机关运行", "造林补助"]
    assert fund.path == "projects[1]"
    assert projects[0].fund("total").annual == D(20)
    assert projects[1].fund("appropriation").annual == D(400)  # every fund row adds up, not only the total
    assert projects[1].indicators[1].actual.value == (D("0.9") * 100 + D("0.8") * 300) / 400  # weighted by 全年预算数
    assert projects[1].indicators[1].actual.raw == "82.50%"


def test_the_departments_own_text_stays_its_own():
    result = roll([unit("甲林场"), unit("乙林场")])
    pkg = result.package
    assert pkg.unit.name == "某县林业局"
    assert pkg.narrative.achievements == "部门自己写的成绩。"
    assert pkg.overall.goal.expected == "部门的预期目标"
    area = pkg.overall.indicators[0]
    assert area.reason == "部门写的原因"
    assert area.actual.value == D(370)  # the figure is the units', the words around it the department's
    assert area.target.raw == "≥400亩" and area.target.value == D(400)  # targets add up too: 100 + 300
    # a qualitative indicator the department had not written: the units' words, each named
    assert pkg.overall.indicators[2].actual.raw == "甲林场：明显；乙林场：一般"


def test_the_rollup_keeps_decimals_exact():
    result = roll([unit("甲林场"), unit("乙林场", annual=700)])
    rate = by_key(next(t for t in result.tables if t.path == "overall").figures)["aggregate.indicators[1].actual"]
    assert rate.value == (D("0.61") * 300 + D("0.555") * 700) / 1000  # the trace: no rounding
    assert result.package.overall.indicators[1].actual.value == D("0.5715")  # the form: 57.15%, half-up
    even = roll([unit("甲林场", rate="60"), unit("乙林场", rate="60.01", annual=300)])
    assert by_key(even.tables[0].figures)["aggregate.indicators[1].actual"].value == D("0.60005")
    assert even.package.overall.indicators[1].actual.raw == "60.01%"  # half-up, not to the even digit


# --- never silent -----------------------------------------------------------------------------------


def test_a_unit_with_missing_tables_is_listed_not_skipped():
    result = roll([unit("甲林场"), bare("丙林场")])
    told = [g.describe() for g in result.gaps if g.unit == "丙林场"]
    assert any("支出" in t and "未填写" in t for t in told)
    assert any("三公经费" in t for t in told)
    assert any("固定资产" in t for t in told)
    assert any("附件3" in t and "未计入" in t for t in told)
    assert not any("收入" in t for t in told)  # its income table was used
    assert result.package.income[0].total == D(100) + D(300) + D(300)
    assert all(g.why and not g.why.isascii() for g in result.gaps)


def test_a_table_without_fund_amount_is_said_to_weigh_nothing():
    jia = unit("甲林场")
    jia.overall.fund("total").annual = None
    result = roll([jia, unit("乙林场")])
    assert any(g.unit == "甲林场" and "权重为0" in g.why for g in result.gaps)


def test_units_of_different_profiles_are_refused_unless_told():
    other = unit("乙林场")
    other.profile = "xiangxi-2022"
    try:
        roll([unit("甲林场"), other])
    except services.ServiceError as exc:
        assert "评分方案" in exc.message
    else:
        raise AssertionError("mixed profiles were rolled up without being told which one")
    assert roll([unit("甲林场"), other], profile_name="national-2020").members == ["甲林场", "乙林场"]


# --- order does not matter --------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(amounts, amounts, amounts), min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_adding_the_units_in_any_order_gives_the_same_summary(figures, rnd):
    units = []
    for i, (income, annual, executed) in enumerate(figures):
        pkg = unit("甲林场")
        pkg.unit.name = f"单位{i}"
        pkg.income[1].total, pkg.sangong[0].reception = income, executed
        pkg.overall.fund("total").annual, pkg.overall.fund("total").executed = annual, executed
        units.append(pkg)
    shuffled = units[:]
    rnd.shuffle(shuffled)
    a, b = roll(units), roll(shuffled)
    for key in ("income", "expenditure", "sangong", "fixed_assets"):
        assert getattr(a.package, key)[0] == getattr(b.package, key)[0]
    fa, fb = a.package.overall.fund("total"), b.package.overall.fund("total")
    assert (fa.initial, fa.annual, fa.executed) == (fb.initial, fb.annual, fb.executed)
    assert a.package.income[0].total == sum((f[0] for f in figures), D(0)) + D(100)


def with_gov_fund(pkg, annual: int, executed: int):
    """The unit's 附件5 (政府性基金预算支出) with one item."""
    item = copy.deepcopy(pkg.projects[0])
    item.kind, item.name = "gov_fund", "专项债券项目"
    item.fund("total").annual, item.fund("total").executed = D(annual), D(executed)
    pkg.fund_types = [FundTypeDeclaration(kind="gov_fund", has_spending=True, tables=[item])]
    return pkg


def test_fund_type_tables_roll_up_like_a_funds_table():
    own = department()
    own.fund_types = [FundTypeDeclaration(kind="gov_fund", statement="我单位无政府性基金预算支出。"),
                      FundTypeDeclaration(kind="state_capital", statement="我单位无国有资本经营预算支出。")]
    result = roll([with_gov_fund(unit("甲林场"), 100, 80), with_gov_fund(unit("乙林场"), 300, 300)], own=own)
    gov, capital = result.package.fund_types
    assert gov.has_spending and [t.name for t in gov.tables] == ["专项债券项目"]
    assert (gov.tables[0].fund("total").annual, gov.tables[0].fund("total").executed) == (D(400), D(380))
    assert not capital.has_spending and capital.statement == "我单位无国有资本经营预算支出。"  # nobody spent: its own
    table = next(t for t in result.tables if t.path == "fund_types[0].tables[0]")
    assert table.title == "附件5 政府性基金预算支出绩效自评表（专项债券项目）"
    assert by_key(table.figures)["aggregate.execution.rate"].value == D(380) / D(400)


def test_the_covers_excerpt_of_annex3_follows_the_rollup():
    own = department()
    own.cover_indicators = [copy.deepcopy(own.overall.indicators[0])]
    own.cover_indicators[0].reason = "封面上的说明"
    result = roll([unit("甲林场"), unit("乙林场")], own=own)
    cover = result.package.cover_indicators[0]
    assert cover.actual.value == D(370) and cover.target.value == D(400)
    assert cover.reason == "封面上的说明"
    findings = services.audit(package=result.package).findings
    assert not [f for f in findings if f.rule == "xref.cover_indicators"]


def test_institutions_of_one_name_each_keep_their_part():
    jia = unit("甲林场")
    twin = copy.deepcopy(jia.income[1])
    jia.income.append(twin)  # two rows named alike: both counted, both named in the trace
    result = roll([jia])
    trace = by_key(result.figures())["income[2].total"]
    assert trace.value == D(600) and list(trace.inputs) == ["甲林场", "甲林场（2）"]


def changed_figures(before, after) -> set[tuple[str, str]]:
    old = {(t.path, c.key): c.value for t in before.tables for c in t.figures}
    old |= {(t.key, c.key): c.value for t in before.cover for c in t.figures}
    new = {(t.path, c.key): c.value for t in after.tables for c in t.figures}
    new |= {(t.key, c.key): c.value for t in after.cover for c in t.figures}
    return {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}


def test_recomputing_after_one_unit_changes_moves_exactly_the_figures_it_feeds():
    before = roll([unit("甲林场"), unit("乙林场")])
    after = roll([unit("甲林场"), unit("乙林场", executed=420)])  # 乙's 附件3 全年执行数 400 → 420
    assert changed_figures(before, after) == {("overall", "aggregate.funds.executed"),
                                              ("overall", "aggregate.execution.rate"),
                                              ("overall", "overall.funds.total.executed")}
    again = roll([unit("甲林场"), unit("乙林场", general=495, income=505)])  # its income table
    assert changed_figures(before, again) == {("income", f"income[{row}].{f}") for row in (0, 3)
                                              for f in ("general_budget", "total")}


def test_a_table_no_unit_filled_stays_the_departments():
    own = department()
    result = roll([bare("丙林场")], own=own)
    assert result.package.sangong == [] and result.package.fixed_assets == []  # no empty 汇总 row made up
    assert [g.table for g in result.gaps].count("三公经费") == 1


def test_a_target_all_units_share_keeps_its_words():
    result = roll([unit("甲林场"), unit("乙林场")])
    assert result.package.overall.indicators[1].target.raw == "≥60%"  # both units: ≥60%, weighted is the same
    assert result.package.projects[1].indicators[1].target.raw == "≥85%"


def test_every_figure_names_the_rule_it_follows():
    result = roll([unit("甲林场"), unit("乙林场")])
    assert all(c.rule for c in result.figures())
