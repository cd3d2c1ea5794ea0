"""The dashboard of a task at scale: its rows written in Python (the same markup as the template loop
they replace), 运行监控 counted in the database (the same rule as the core's), a query count that does
not grow with the number of units, and a 归口业务科室 user's panels limited to their department."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from jixiao import services
from jixiao.core.results_use import monitoring_warning
from jixiao.web.models import (
    Department,
    EvaluationTask,
    ExecutionFigure,
    ExecutionImport,
    Package,
    Role,
    Status,
    Submission,
    Unit,
    User,
)
from jixiao.web.review import imports as bureau_imports
from jixiao.web.templatetags.bureau import dashboard_rows

from .conftest import client_for, text_of

# The loop of _dashboard_table.html before its rows were written in Python (kept to compare against).
LOOP = """{% for r in rows %}<tr id="unit-{{ r.code }}"{% if r.outruns %} class="outruns"{% endif %}><td>{{ r.code }}</td>
<td><a href="/b/p/{{ r.pk }}/">{{ r.name }}</a>{% if r.target_diff %} <span class="flag target-flag" title="填报的指标与批复的绩效目标不一致">⚑ 与批复目标不一致{{ r.target_diff }}处</span>{% endif %}{% if r.supervisor %}<br><span class="hint">{{ r.supervisor }}</span>{% endif %}</td>
<td><span class="status status-{{ r.status }}">{{ r.status_label }}</span></td>
<td{% if r.late %} class="late"{% endif %}>{{ r.days }}{% if r.due %}<br><span class="hint">{{ r.due }}</span>{% endif %}</td>
<td class="num">{{ r.total }}{% if r.outruns %} <span class="flag" title="总分高于执行率超过评分方案规定的幅度">⚑ 高于执行率</span>{% endif %}</td>
<td>{{ r.grade }}</td><td class="num">{{ r.rate }}{% if r.exec_diff %} <span class="flag exec-flag" title="填报的全年预算数或执行数与一体化系统不一致">⚑ 一体化不一致{{ r.exec_diff }}处</span>{% endif %}</td>
<td class="num{% if r.errors %} bad{% endif %}">{{ r.errors }}</td><td class="num">{{ r.warnings }}</td>
<td>{{ r.updated }}</td></tr>
{% endfor %}"""


def _cells(**over) -> dict:
    base = {"pk": 7, "code": "301001", "name": "某县林业局", "supervisor": "", "status": "submitted", "status_label": "已报送",
            "days": "剩3天", "late": False, "total": "88.50", "outruns": False, "grade": "良", "rate": "91.20%", "errors": 0,
            "warnings": 2, "updated": "2024-06-01 09:30", "exec_diff": 0, "target_diff": 0}
    return base | over


def test_rows_written_in_python_are_the_template_loops_markup():
    rows = [_cells(),
            _cells(pk=123456, code="3<01>", name='林业"局"&<script>', supervisor="某县<农业>农村局", outruns=True, late=True,
                   days="逾期12天报送", due="截止 2024-06-10", errors=3, warnings=12345, exec_diff=2, grade="—", rate="—", total="—", target_diff=4),
            _cells(pk=99, supervisor="主管部门", status="returned", status_label="退回", exec_diff=1, errors=1, name="单位'甲'")]
    assert str(dashboard_rows(rows)) == Template(LOOP).render(Context({"rows": rows}))
    assert "&lt;script&gt;" in str(dashboard_rows(rows))


# --- 运行监控 ------------------------------------------------------------------------------------------


def _figures(task, unit, *rows):
    user = User.objects.filter(bureau=task.bureau).first()
    imp = ExecutionImport.objects.create(task=task, filename="执行.csv", imported_by=user)
    return [ExecutionFigure.objects.create(task=task, unit=unit, project=p, month=m, budget=Decimal(b), executed=Decimal(e),
                                           source=imp, row=i + 2) for i, (p, m, b, e) in enumerate(rows)]


def test_the_stored_flag_is_the_cores_rule_at_and_around_each_checkpoint(world):
    task = world["task"]
    forestry = world["package"].unit
    figures = _figures(task, forestry,
                       ("造林补助", 6, "200", "90"),          # exactly 45% by June: on track
                       ("造林补助", 7, "200", "89.999999"),   # a hair below June's 45% in July
                       ("护林防火", 6, "300", "135.000001"),  # a hair above
                       ("护林防火", 4, "100", "24"),          # below April's 25%
                       ("护林防火", 3, "100", "0"),           # before the first checkpoint
                       ("育苗", 6, "0", "5"),                 # no budget: no rate
                       ("育苗", 8, "-100", "-10"),            # a negative budget: 10%, below 60%
                       ("", 11, "1000", "749.99"))            # 部门整体, below October's 75%
    assert bureau_imports.refresh_monitoring(task) == len(figures)
    prof = services.profile(name=task.profile)
    flags = {f.pk: f.below for f in ExecutionFigure.objects.filter(task=task)}
    assert flags == {f.pk: monitoring_warning(f.executed, f.budget, f.month, prof) is not None for f in figures}
    assert [flags[f.pk] for f in figures] == [False, True, False, True, False, False, True, True]
    assert bureau_imports.refresh_monitoring(task) == 0  # worked out once
    shown, count = bureau_imports.monitoring_shown(task, 2)
    assert count == 4 and [(w.project, w.month) for w in shown] == [("部门整体", 11), ("护林防火", 4)]
    assert shown[0].package == world["package"].pk and shown[0].threshold == "10月末 75.00%"
    assert [w.message for w in bureau_imports.monitoring(task)] == [
        monitoring_warning(f.executed, f.budget, f.month, prof).message for f in
        sorted((f for f in figures if flags[f.pk]), key=lambda f: (f.project, f.month))]


def test_a_new_import_of_a_figure_works_its_flag_out_again(world):
    task, c = world["task"], client_for(world["bureau"])
    head = "预算编码,单位名称,项目,全年预算数,全年执行数,截至月份"
    for executed, warned in (("60", True), ("100", False), ("20", True)):
        data = f"{head}\n301001,,造林补助,200,{executed},6\n".encode("utf-8-sig")
        from django.core.files.uploadedfile import SimpleUploadedFile

        from .test_bureau_imports import run_queued_execution_import

        r = c.post(f"/b/t/{task.pk}/execution/", {"file": SimpleUploadedFile("执行.csv", data)})
        assert r.status_code == 302
        run_queued_execution_import(task)  # the import's job
        assert ExecutionFigure.objects.get(task=task, month=6).below is warned
        dash = c.get(f"/b/t/{task.pk}/").content.decode()
        assert ('id="monitoring-warnings"' in dash) is warned


def test_a_desk_user_sees_the_warnings_and_figures_of_their_department_only(world):
    task = world["task"]
    forestry, water = world["package"].unit, world["other_package"].unit
    dept = Department.objects.create(bureau=task.bureau, name="农业农村科")
    Unit.objects.filter(pk=forestry.pk).update(department=dept)
    desk = User.objects.create(username="gk", role=Role.BUREAU_DESK, bureau=task.bureau, department=dept)
    _figures(task, forestry, ("造林补助", 6, "200", "20"), ("造林补助", 0, "200", "180"))
    _figures(task, water, ("水利工程", 6, "500", "50"), ("水利工程", 0, "500", "480"))
    everyone = text_of(client_for(world["bureau"]).get(f"/b/t/{task.pk}/").content.decode(), "monitoring-warnings")
    assert "某县林业局" in everyone and "某县水利局" in everyone
    html = client_for(desk).get(f"/b/t/{task.pk}/").content.decode()
    own = text_of(html, "monitoring-warnings")
    assert "某县林业局" in own and "某县水利局" not in own
    page = client_for(desk).get(f"/b/t/{task.pk}/execution/").content.decode()
    assert "造林补助" in page and "水利工程" not in page and "某县水利局" not in page


# --- the number of queries does not grow with the units -------------------------------------------------


def _task_of(n: int) -> tuple[User, EvaluationTask]:
    from jixiao.web.models import Bureau

    bureau = Bureau.objects.create(name=f"{n}单位财政局", region_code=f"77{n:04d}")
    user = User.objects.create(username=f"perf{n}", role=Role.BUREAU_PERFORMANCE, bureau=bureau)
    task = EvaluationTask.objects.create(bureau=bureau, year=2023, title="查询数", profile="national-2020",
                                         deadline=date(2024, 6, 30))
    top = Unit.objects.create(bureau=bureau, name="主管部门", budget_code=f"7{n:04d}00")
    units = [Unit.objects.create(bureau=bureau, name=f"单位{i}", budget_code=f"7{n:04d}{i:02d}", parent=top) for i in range(1, n + 1)]
    task.units.add(top, *units)
    statuses = [Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED]
    for i, u in enumerate(units):
        p = Package.objects.create(task=task, unit=u, draft={}, version=1, status=statuses[i % 4], total_score=Decimal(60 + i),
                                   grade="良", execution_rate=Decimal("0.5"), errors=i % 2)
        if p.status in (Status.SUBMITTED, Status.ACCEPTED):
            Submission.objects.create(package=p, number=1, content={}, content_hash="0" * 64, hash_algorithm="SM3",
                                      created_by=user, profile=task.profile, state=Submission.State.APPROVED)
        _figures(task, u, ("", 6, "100", "10"), ("", 0, "100", "90"))
    bureau_imports.refresh_monitoring(task)
    bureau_imports.refresh_checks(task, force=True)
    return user, task


@pytest.mark.parametrize("variant", ["", "?sort=-sent&flag=exec", "?q=单位&status=submitted"])
def test_the_dashboard_reads_a_fixed_number_of_queries(db, variant):
    counts = []
    for n in (3, 12):
        user, task = _task_of(n)
        c = client_for(user)
        c.get(f"/b/t/{task.pk}/")
        for kw in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "dash-table"}):
            with CaptureQueriesContext(connection) as q:
                assert c.get(f"/b/t/{task.pk}/{variant}", **kw).status_code == 200
            counts.append(len(q.captured_queries))
    page3, table3, page12, table12 = counts
    assert (page3, table3) == (page12, table12)
    assert table3 < page3 <= 22


def test_a_unit_that_has_not_started_has_no_score_on_the_dashboard_its_export_or_its_charts(world):
    """Its empty template scores 0 (差): the list, the .xlsx and the histogram show no score for it —
    a reviewer would read a unit that has not begun as graded 差 (issue 21)."""
    import io
    import re

    from openpyxl import load_workbook

    from jixiao.web.review import selectors

    task, idle = world["task"], world["package"]
    Package.objects.filter(pk=idle.pk).update(status=Status.NOT_STARTED, total_score=Decimal("0"), grade="差",
                                              execution_rate=Decimal("0.5"))
    c = client_for(world["bureau"])
    html = c.get(f"/b/t/{task.pk}/").content.decode()
    code = idle.unit.budget_code
    row = html[html.index(f'<tr id="unit-{code}"'):]
    row = row[:row.index("</tr>")]
    cells = [re.sub(r"<[^>]+>", "", td) for td in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[2] == "未开始" and cells[4] == "—" and cells[5] == "—", cells  # 总分, 等次
    book = load_workbook(io.BytesIO(c.get(f"/b/t/{task.pk}/dashboard.xlsx").content), read_only=True)
    head = next(book.active.iter_rows(values_only=True))
    line = dict(zip(head, next(r for r in book.active.iter_rows(values_only=True) if r[0] == code)))
    assert line["状态"] == "未开始" and line["总分"] is None and line["等次"] is None
    Package.objects.filter(pk=world["other_package"].pk).update(total_score=Decimal("-1"))  # below the idle one's 0
    for order in ("total", "-total"):  # sorted by 总分 either way, it comes after every unit with a score
        codes = re.findall(r'<tr id="unit-(\w+)"', c.get(f"/b/t/{task.pk}/", {"sort": order}).content.decode())
        assert codes.index(code) > codes.index(world["other_package"].unit.budget_code), (order, codes)
    assert f'id="unit-{code}"' not in c.get(f"/b/t/{task.pk}/", {"grade": "差"}).content.decode()
    charts = selectors.charts(selectors.task_for(world["bureau"], task.pk))
    assert charts.histogram[0][1] == 0 and idle.unit.name not in [p["name"] for p in charts.scatter]
