"""部门汇总: absolute values add up; rates and qualitative scores are weighted by fund amount."""

from decimal import Decimal as D

from jixiao.core.aggregate import aggregate
from jixiao.core.profiles import load_profile
from jixiao.io.canonical import parse_package

TWO_PROJECTS = """
jixiao: 1
profile: xiangxi-2022
year: 2023
unit: {name: 某县文旅局}
projects:
  - name: 甲项目
    funds: [{key: total, label: 年度资金总额, annual: 100, executed: 90, weight: 10, score: 9}]
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 培训人次, target: ≥200人次, actual: 210人次, weight: 40, score: 40}
      - {level1: 产出指标, level2: 质量指标, name: 合格率, target: ≥90%, actual: 95%, weight: 20, score: 20}
      - {level1: 效益指标, level2: 社会效益指标, name: 社会影响, target: 明显, actual: 明显, weight: 30, score: 27}
  - name: 乙项目
    funds: [{key: total, label: 年度资金总额, annual: 300, executed: 150, weight: 10, score: 5}]
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 培训人次, target: ≥500人次, actual: 400人次, weight: 40, score: 32}
      - {level1: 产出指标, level2: 质量指标, name: 合格率, target: ≥90%, actual: 85%, weight: 20, score: 18.89}
      - {level1: 效益指标, level2: 社会效益指标, name: 社会影响, target: 明显, actual: 一般, weight: 30, score: 21}
"""


def test_department_rollup():
    pkg = parse_package(TWO_PROJECTS)
    values = {c.key: c for c in aggregate(pkg.projects, load_profile(pkg.profile))}
    assert values["aggregate.funds.annual"].value == D(400)
    assert values["aggregate.funds.executed"].value == D(240)
    assert values["aggregate.execution.rate"].value == D("0.6")  # 240 ÷ 400
    assert values["aggregate.indicators[0].actual"].value == D(610)  # 210 + 400 人次
    # (95% × 100 + 85% × 300) ÷ 400 = 87.5%
    assert values["aggregate.indicators[1].actual"].value == D("0.875")
    # qualitative scores weighted: (27 × 100 + 21 × 300) ÷ 400 = 22.5
    assert values["aggregate.indicators[2].score"].value == D("22.5")
    # totals add what stands: the quantitative rule of xiangxi-2022 is not verified, so the units' own
    # scores are the judged ones that count — 甲 40 + 20 + 27 + 9 = 96; 乙 32 + 18.89 + 21 + 5 = 76.89
    jia = D(96)
    yi = D(32) + D("18.89") + D(21) + D(5)
    assert round(values["aggregate.total"].value, 10) == round((jia * 100 + yi * 300) / 400, 10)  # 81.6675
    assert "全年预算数" in values["aggregate.total"].formula
