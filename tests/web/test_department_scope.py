"""归口业务科室 scope on every bureau page: a desk user reads only their department's units — in the
lists, the 一体化 lines, the import results, the batch results, the exports — and a desk user with no
department reads none (`access.unit_scope`, `access.only_visible`)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from jixiao.web.drafts import fields
from jixiao.web.models import BatchJob, Department, Package, PackageImport, Role, User
from jixiao.web.review import imports as bureau_imports
from jixiao.web.review import services as bureau_services

from .conftest import client_for
from .test_bureau import latest, send

MINE, THEIRS = "某县林业局", "某县水利局"


@pytest.fixture
def departments(world):
    """Forestry in the desk's department, water in another; an 一体化 import that pre-filled and
    flagged lines of both; both sent and accepted, sampled; a batch audit and an outside-package
    import whose lines name both."""
    bureau, task = world["bureau"], world["task"]
    mine = Department.objects.create(bureau=task.bureau, name="农业农村科")
    theirs = Department.objects.create(bureau=task.bureau, name="水利科")
    world["package"].unit.__class__.objects.filter(pk=world["package"].unit_id).update(department=mine)
    world["package"].unit.__class__.objects.filter(pk=world["other_package"].unit_id).update(department=theirs)
    world["desk"] = User.objects.create(username="gk", display_name="归口科", role=Role.BUREAU_DESK, bureau=task.bureau,
                                        department=mine, password="x")
    world["desk_none"] = User.objects.create(username="gk0", display_name="未分科", role=Role.BUREAU_DESK,
                                             bureau=task.bureau, password="x")
    water = world["other_package"]
    Package.objects.filter(pk=water.pk).update(
        draft=fields.put(fields.put(water.draft, "unit.name", THEIRS), "unit.budget_code", "301002"))
    for pkg in (world["package"], water):  # one figure left empty (pre-filled), one entered differently (flagged)
        pkg.refresh_from_db()
        Package.objects.filter(pk=pkg.pk).update(draft=fields.put(pkg.draft, "projects[0].funds[0].executed", None))
    rows = ["预算编码,单位名称,项目,全年预算数,全年执行数", "301001,某县林业局,造林补助,200,180", "301002,某县水利局,造林补助,200,150",
            "301001,某县林业局,,999,1", "301002,某县水利局,,999,1"]
    bureau_imports.import_execution(task_id=task.pk, user=bureau, filename="一体化.csv",
                                    data=("\n".join(rows) + "\n").encode("utf-8-sig"))
    send(world["package"], world["preparer"], world["head"])
    send(water, world["other"], world["other_head"])
    for pkg in (world["package"], water):
        bureau_services.accept(package_id=pkg.pk, user=bureau, version=latest(pkg), opinion="同意。")
    bureau_services.draw(task_id=task.pk, user=bureau)
    lines = [{"unit": name, "code": code, "package": pkg.pk, "version": 1, "errors": 0, "warnings": 0, "error": ""}
             for name, code, pkg in ((MINE, "301001", world["package"]), (THEIRS, "301002", water))]
    world["batch"] = BatchJob.objects.create(task=task, requested_by=bureau, state=BatchJob.State.DONE, total=2, done=2,
                                             results=lines, packages=[world["package"].pk, water.pk])
    world["import"] = PackageImport.objects.create(
        task=task, requested_by=bureau, filename="外部.zip", source="imports/x.zip", state=PackageImport.State.DONE,
        total=3, done=3, results=[line | {"file": f"{line['unit']}.xlsx", "outcome": "imported", "reason": "按预算编码"}
                                  for line in lines] + [{"file": "某县水利局说明.txt", "outcome": "unreadable", "reason": "无表格"}])
    return world


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                         if v is not None)
    return response.content.decode()


PAGES = ["/b/", "/b/t/{task}/", "/b/t/{task}/dashboard.xlsx", "/b/t/{task}/spot/", "/b/t/{task}/spot.xlsx",
         "/b/t/{task}/rollup/", "/b/t/{task}/use/", "/b/t/{task}/use/?format=xlsx", "/b/t/{task}/batch/",
         "/b/t/{task}/batch/{batch}", "/b/t/{task}/execution/", "/b/t/{task}/imports/", "/b/t/{task}/imports/{import}"]


@pytest.mark.parametrize("page", PAGES)
def test_a_desk_user_reads_only_their_departments_units(departments, page):
    w = departments
    url = page.format(task=w["task"].pk, batch=w["batch"].pk, **{"import": w["import"].pk})
    assert THEIRS in _text(client_for(w["bureau"]).get(url)) or page in ("/b/", "/b/t/{task}/spot/",
                                                                         "/b/t/{task}/spot.xlsx", "/b/t/{task}/rollup/")
    response = client_for(w["desk"]).get(url)
    assert response.status_code < 500
    assert THEIRS not in _text(response), f"{url}: another department's unit shown to a 归口 user"
    response = client_for(w["desk_none"]).get(url)
    text = _text(response)
    assert THEIRS not in text and MINE not in text, f"{url}: a 归口 user without a department sees units"


def test_the_pages_that_list_units_show_the_desk_its_own(departments):
    w = departments
    desk = client_for(w["desk"])
    for page in ("/b/t/{task}/", "/b/t/{task}/execution/"):
        assert MINE in desk.get(page.format(task=w["task"].pk)).content.decode(), page
    for page in ("/b/t/{task}/imports/", "/b/t/{task}/batch/"):  # the 绩效评价股's pages: refused with a reason
        assert desk.get(page.format(task=w["task"].pk)).status_code == 403, page


def test_another_departments_package_is_not_found(departments):
    w = departments
    for url in (f"/b/p/{w['other_package'].pk}/", f"/b/p/{w['other_package'].pk}/forms/"):
        assert client_for(w["desk"]).get(url).status_code == 404
        assert client_for(w["desk_none"]).get(url).status_code == 404
    r = client_for(w["desk"]).post(f"/b/p/{w['other_package'].pk}/decide", {"action": "comment", "text": "x",
                                                                             "version": latest(w["other_package"])})
    assert r.status_code == 404


def test_a_desk_rolls_up_its_own_units_under_another_departments_supervisor(departments):
    """部门汇总 for a 归口 user (issue 21): its units share a 主管部门 that is not its department's; that
    主管部门 is offered, rolled up over the desk's units only — not its own package, not the units of
    another department — and the page says so."""
    from jixiao.web.models import Unit

    w = departments
    task, forestry, water = w["task"], w["package"].unit, w["other_package"].unit
    supervisor = Unit.objects.create(bureau=task.bureau, name="某县人民政府", budget_code="301000",
                                     department=water.department)
    Unit.objects.filter(pk__in=[forestry.pk, water.pk]).update(parent=supervisor)
    html = client_for(w["desk"]).get(f"/b/t/{task.pk}/rollup/").content.decode()
    assert "某县人民政府（下属1个单位）" in html and "本任务没有设有下属单位的主管部门" not in html
    assert "由本科室负责的 1 个单位" in html
    assert f"纳入汇总：{MINE}。" in html and THEIRS not in html
    xlsx = client_for(w["desk"]).get(f"/b/t/{task.pk}/rollup/?unit={supervisor.pk}&format=xlsx")
    assert xlsx.status_code == 200 and THEIRS not in _text(xlsx)
    whole = client_for(w["bureau"]).get(f"/b/t/{task.pk}/rollup/").content.decode()  # the 绩效评价股: every unit
    assert "某县人民政府（下属2个单位）" in whole and THEIRS in whole and "由本科室负责" not in whole
    nobody = client_for(w["desk_none"]).get(f"/b/t/{task.pk}/rollup/").content.decode()
    assert "本任务没有设有下属单位的主管部门" in nobody and MINE not in nobody
