"""抽评's result (issue 21): the sheet adds up the re-scored points, computes 执行率得分 from the
execution rate by the profile's rule (with its trace), grades the total by the profile's
thresholds and sets the unit's self-score beside it; 结果应用 takes the spot check's result once
every indicator is re-scored, marked 抽评结果, with the self-evaluation's beside."""

from __future__ import annotations

import re
from decimal import Decimal

from jixiao import services
from jixiao.core import keys
from jixiao.core.numbers import round_half_up
from jixiao.core.results_use import applied_result
from jixiao.core.rules import grade
from jixiao.core.spot_check import spot_result

from .conftest import client_for
from .test_bureau import accept, sent  # noqa: F401  (the fixture)


def _report():
    from .conftest import FIXTURE

    return services.score(package=services.read(path=FIXTURE))


def test_a_table_rescored_at_the_units_scores_totals_as_the_unit_did():
    report = _report()
    t = report.table(keys.OVERALL)
    r = spot_result(t, {}, report.profile)
    assert not r.complete and r.rescored == 0 and r.lines > 0
    assert r.total == t.total.standing and r.difference == 0 and r.grade == t.grade.text
    assert str(r.difference) == "0.00"


def test_the_spot_total_adds_the_bureaus_points_and_the_ruled_execution_score():
    report = _report()
    t = report.table(keys.OVERALL)
    applicable = [c for ind, c in zip(t.table.indicators, t.indicator_scores) if ind.applicable]
    given = {str(c.key): Decimal(0) for c in applicable}  # the bureau finds nothing earned
    r = spot_result(t, given, report.profile)
    assert r.complete and r.indicator_points == 0
    assert r.execution is t.execution_score and r.execution_points == t.execution_score.value
    assert r.total == r.execution_points  # no indicator points: the execution score alone
    assert r.grade == grade(r.total, report.profile["grades"]) and r.difference == round_half_up(r.total) - round_half_up(t.total.standing)
    trace = dict(r.execution_trace)
    assert trace["执行率"].endswith("%") and "计分方法" in trace


def test_results_use_prefers_a_completed_spot_check():
    prof = services.profile(name="national-2020")
    own = applied_result(Decimal("92"), "优", None, "", prof)
    assert own.source == "自评结果" and own.grade == "优" and not own.from_spot_check
    spot = applied_result(Decimal("92"), "优", Decimal("75"), "中", prof)
    assert spot.from_spot_check and (spot.total, spot.grade) == (Decimal("75"), "中")
    assert (spot.self_total, spot.self_grade) == (Decimal("92"), "优") and spot.consequence == prof["grade_consequences"]["中"]


def test_the_sheet_shows_the_total_and_results_use_takes_it(sent):  # noqa: F811
    from jixiao.web.review.selectors import spot_sheet

    task, c = sent["task"], client_for(sent["bureau"])
    accept(sent, sent["package"])
    c.post(f"/b/t/{task.pk}/spot/")
    s = task.spot_checks.get()
    lines = spot_sheet(s).lines
    # half of every indicator's points, rounded down to the cent
    typed = {ln.key: str((ln.weight / 2).quantize(Decimal("0.01"))) for ln in lines if ln.weight}
    r = c.post(f"/b/t/{task.pk}/spot/{s.pk}/", {"key": list(typed), **{f"score:{k}": v for k, v in typed.items()}})
    assert r.status_code == 302
    head = spot_sheet(s).headline
    assert head.complete
    overall_keys = {ln.key for ln in lines if ln.table == head.title}
    points = sum((Decimal(v) for k, v in typed.items() if k in overall_keys), Decimal(0))
    assert head.indicator_points == points and head.total == points + head.execution_points
    html = c.get(f"/b/t/{task.pk}/spot/{s.pk}/").content.decode()
    row = re.search(r'<tr id="spot-total-1">(.*?)</tr>', html, re.S).group(1)
    assert f"{head.total:.2f}" in row and head.grade in row and f"{head.self_total:.2f}" in row
    assert "执行率" in row and "计分方法" in row  # the execution score's trace
    sample = c.get(f"/b/t/{task.pk}/spot/").content.decode()
    assert f"{head.total:.2f}" in sample
    use = c.get(f"/b/t/{task.pk}/use/").content.decode()
    row = re.search(r'<tr class="from-spot">(.*?)</tr>', use, re.S).group(1)
    assert "抽评结果" in row and f"{head.total:.2f}" in row and head.grade in row
    assert f"{sent['package'].total_score:.2f}" in row  # the self-evaluation's beside


def test_a_spot_check_begun_leaves_the_self_evaluation_in_results_use(sent):  # noqa: F811
    from jixiao.web.review.selectors import spot_sheet

    task, c = sent["task"], client_for(sent["bureau"])
    accept(sent, sent["package"])
    c.post(f"/b/t/{task.pk}/spot/")
    s = task.spot_checks.get()
    first = next(ln for ln in spot_sheet(s).lines if ln.weight)
    c.post(f"/b/t/{task.pk}/spot/{s.pk}/", {"key": [first.key], f"score:{first.key}": "0"})
    use = c.get(f"/b/t/{task.pk}/use/").content.decode()
    assert "抽评进行中（已评1/" in use and 'class="from-spot"' not in use


def _sample_row(html: str, spot) -> str:
    return re.search(rf'<tr id="spot-{spot.pk}" class="spot-(\w+)">(.*?)</tr>', html, re.S).group(0)


def test_the_sample_list_shows_each_packages_progress_total_grade_and_difference(sent):  # noqa: F811
    """Per sampled package: 已评 n/m 项 (every table's indicators), 未开始 / 评分中 / 已完成, and once begun
    the headline table's 抽评总分 so far, its 等次 and the difference from the unit's self-score; the
    list sorts by that progress in the order of the work (issue 21)."""
    from jixiao.web.review.selectors import spot_sheet

    task, c = sent["task"], client_for(sent["bureau"])
    accept(sent, sent["package"])
    accept(sent, sent["other_package"])
    c.post(f"/b/t/{task.pk}/spot/")
    first, second = task.spot_checks.order_by("rank")
    sheet = spot_sheet(first)
    lines = sum(r.lines for r in sheet.results)
    row = _sample_row(c.get(f"/b/t/{task.pk}/spot/").content.decode(), first)
    assert 'class="spot-not_started"' in row and "未开始" in row and f"已评 0/{lines} 项" in row
    assert "开始评分" in row  # nothing re-scored: no 抽评总分 that would only repeat the unit's
    assert re.search(r'<td class="num spot-total">(.*?)</td>', row, re.S).group(1) == "—"

    # one indicator re-scored at zero: in progress, the total so far lower than the unit's, by that indicator
    line = next(ln for ln in sheet.lines if ln.table == sheet.headline.title and ln.self_score)
    c.post(f"/b/t/{task.pk}/spot/{first.pk}/", {"key": [line.key], f"score:{line.key}": "0"})
    head = spot_sheet(first).headline
    assert 0 < head.rescored < head.lines and head.difference < 0
    html = c.get(f"/b/t/{task.pk}/spot/").content.decode()
    row = _sample_row(html, first)
    assert 'class="spot-in_progress"' in row and "评分中" in row and f"已评 1/{lines} 项" in row
    total = re.search(r'<td class="num spot-total">(.*?)</td>', row, re.S).group(1)
    assert f"{head.total:.2f}" in total and "未评的按自评计" in total
    assert re.search(r'<td class="spot-grade">(.*?)</td>', row, re.S).group(1) == head.grade
    assert re.search(r'<td class="num spot-diff">(.*?)</td>', row, re.S).group(1) == f"−{-head.difference:.2f}"
    assert "评分中 1 个" in html and "未开始 1 个" in html
    # the package's review page says where its spot check stands, and leads the 绩效评价股 to the sheet
    review = re.search(r'<section id="b-spot".*?</section>', c.get(f"/b/p/{first.package_id}/").content.decode(), re.S)[0]
    assert "评分中" in review and f"已评 1/{lines} 项" in review and f"{head.total:.2f}" in review
    assert f"/b/t/{task.pk}/spot/{first.pk}/" in review
    desk = client_for(sent["desk"]).get(f"/b/p/{first.package_id}/").content.decode()
    assert "评分中" in desk and f"/spot/{first.pk}/" not in desk  # the result, not a page it is refused

    # every indicator re-scored at the unit's own score: done, the difference nil
    keys_ = [ln.key for ln in spot_sheet(second).lines]
    scores = {f"score:{ln.key}": str(ln.self_score if ln.self_score is not None else 0) for ln in spot_sheet(second).lines}
    assert c.post(f"/b/t/{task.pk}/spot/{second.pk}/", {"key": keys_, **scores}).status_code == 302
    html = c.get(f"/b/t/{task.pk}/spot/?sort=progress").content.decode()
    done = _sample_row(html, second)
    assert 'class="spot-done"' in done and "已完成" in done and "查看或修改" in done
    # the order of the work: in progress before done, whatever their risk ranks
    assert html.index(f'id="spot-{first.pk}"') < html.index(f'id="spot-{second.pk}"')
    # the export: the line-by-line sheet opens, the per-package summary beside it
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(c.get(f"/b/t/{task.pk}/spot.xlsx").content), read_only=True)
    assert book.sheetnames == ["抽评", "抽评汇总"]
    summary = {r[2]: r for r in book["抽评汇总"].iter_rows(min_row=2, values_only=True)}
    begun = summary[first.package.unit.name]
    assert begun[3:5] == ("评分中", f"1/{lines}") and begun[6] == float(head.total) and begun[7] == head.grade
    assert begun[8] == float(head.difference)
    assert summary[second.package.unit.name][3] == "已完成"
    html = c.get(f"/b/t/{task.pk}/spot/?sort=nonsense").content.decode()  # an unknown sort: the risk order
    assert html.index(f'id="spot-{first.pk}"') < html.index(f'id="spot-{second.pk}"')
