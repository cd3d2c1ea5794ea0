# ruff: noqa: F811 - the `sent` fixture of test_bureau.py is imported by name and requested by each test
"""The bureau's batch PDF, the read-only form view of a package, and the 归口业务科室 that limit what a
desk user sees — through the pages, with the roles and bureaus that may and may not."""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from jixiao.web.drafts import fields
from jixiao.web.models import BatchJob, Bureau, Department, Package, Role, Status, Submission, Unit, User
from jixiao.web.review import services as bureau_services
from jixiao.web.versions import ActionError

from .conftest import client_for, text_of
from .test_bureau import accept, decide, latest, send, sent  # noqa: F401 - the fixture, used by name

HAS_SOFFICE = shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


def _far(world) -> User:
    far = Bureau.objects.create(name="别县财政局", region_code="439999")
    return User.objects.create(username="far", role=Role.BUREAU_PERFORMANCE, bureau=far, password="x")


def _split_desks(world):
    """Forestry under 农业农村科 (the fixture's desk), water moved to 社会保障科 with its own desk user."""
    social = Department.objects.create(bureau=world["task"].bureau, name="社会保障科")
    world["other_package"].unit.department = social
    world["other_package"].unit.save()
    world["social_desk"] = User.objects.create(username="sb", role=Role.BUREAU_DESK, bureau=world["task"].bureau,
                                               department=social, password="x")
    return social


# --- 归口业务科室 -------------------------------------------------------------------------------------


def test_a_desk_user_sees_only_the_units_of_their_department(sent):
    _split_desks(sent)
    task, forestry, water = sent["task"], sent["package"], sent["other_package"]
    desk = client_for(sent["desk"])
    html = desk.get(f"/b/t/{task.pk}/").content.decode()
    assert "某县林业局" in html and "某县水利局" not in html
    table = desk.get(f"/b/t/{task.pk}/?q=水利", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dash-table").content.decode()
    assert "某县水利局" not in table
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(desk.get(f"/b/t/{task.pk}/dashboard.xlsx").content)).active
    names = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert names == ["某县林业局"]
    # the package of a unit outside the department: not found, its existence not disclosed
    assert desk.get(f"/b/p/{forestry.pk}/").status_code == 200
    r = desk.get(f"/b/p/{water.pk}/")
    assert r.status_code == 404 and "无权查看" in r.content.decode()
    assert desk.get(f"/b/p/{water.pk}/forms/").status_code == 404
    # and no decision on it, through the page or the service
    r = decide(desk, water, action="return", reason="不归我管")
    assert r.status_code == 404
    with pytest.raises(ActionError) as exc:
        bureau_services.return_package(package_id=water.pk, user=sent["desk"], version=latest(water), reason="不归我管")
    assert exc.value.status == 403
    water.refresh_from_db()
    assert water.status == Status.SUBMITTED
    # the 绩效评价股 sees every unit; the other desk its own
    html = client_for(sent["bureau"]).get(f"/b/t/{task.pk}/").content.decode()
    assert "某县林业局" in html and "某县水利局" in html
    html = client_for(sent["social_desk"]).get(f"/b/t/{task.pk}/").content.decode()
    assert "某县水利局" in html and "某县林业局" not in html


def test_a_desk_user_without_a_department_sees_no_unit(sent):
    loose = User.objects.create(username="loose", role=Role.BUREAU_DESK, bureau=sent["task"].bureau, password="x")
    c = client_for(loose)
    html = c.get(f"/b/t/{sent['task'].pk}/").content.decode()
    assert "某县林业局" not in html and "某县水利局" not in html
    assert c.get(f"/b/p/{sent['package'].pk}/").status_code == 404


def test_the_desk_sees_its_own_units_in_results_and_is_refused_the_sample_and_batch(transactional_db, sent):
    from django.core.management import call_command

    _split_desks(sent)
    accept(sent, sent["package"])
    accept(sent, sent["other_package"])
    task, perf, desk = sent["task"], client_for(sent["bureau"]), client_for(sent["desk"])
    perf.post(f"/b/t/{task.pk}/spot/")
    perf.post(f"/b/t/{task.pk}/batch/")
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    assert task.spot_checks.count() == 2 and len(BatchJob.objects.get(task=task).results) == 2
    assert all(r["coverage"].startswith("已核对：表格") for r in BatchJob.objects.get(task=task).results)
    assert "核对范围" in perf.get(f"/b/t/{task.pk}/batch/").content.decode()
    html = desk.get(f"/b/t/{task.pk}/use/").content.decode()  # the spot check's results, of its own units
    assert "某县林业局" in html and "某县水利局" not in html
    for url in (f"/b/t/{task.pk}/spot/", f"/b/t/{task.pk}/use/", f"/b/t/{task.pk}/batch/"):
        html = perf.get(url).content.decode()
        assert "某县林业局" in html and "某县水利局" in html, url
    # 抽评 and 批量处理 are the 绩效评价股's work: the desk is told so on opening (issue 21), the page is not offered
    job = BatchJob.objects.get(task=task)
    for spot in task.spot_checks.all():
        assert desk.get(f"/b/t/{task.pk}/spot/{spot.pk}/").status_code == 403
    for url in (f"/b/t/{task.pk}/spot/", f"/b/t/{task.pk}/batch/", f"/b/t/{task.pk}/batch/{job.pk}"):
        r = desk.get(url)
        assert r.status_code == 403 and "绩效评价股" in r.content.decode() and "某县水利局" not in r.content.decode(), url
    # the counts are of their scope: the task list's units
    assert "批量审核：已完成（2/2）" in perf.get(f"/b/t/{task.pk}/batch/").content.decode()
    assert text_of(desk.get("/b/").content.decode(), f"task-{task.pk}-units") == "1"
    assert text_of(perf.get("/b/").content.decode(), f"task-{task.pk}-units") == "2"


def test_a_batch_jobs_progress_is_the_performance_sections_page(sent):
    """The batch audit is the 绩效评价股's work (issue 21): its progress counts every package of the
    task; a 归口 user (with or without a department) is refused on opening, told who runs it."""
    _split_desks(sent)
    task, forestry, water = sent["task"], sent["package"], sent["other_package"]
    ids = sorted([forestry.pk, water.pk], key=lambda pk: Package.objects.get(pk=pk).unit.budget_code)
    job = BatchJob.objects.create(task=task, kind=BatchJob.Kind.AUDIT, requested_by=sent["bureau"], state=BatchJob.State.RUNNING,
                                  total=2, done=1, packages=ids)  # the forestry bureau (301001) done, water not yet
    url = f"/b/t/{task.pk}/batch/{job.pk}"
    assert "进行中（1/2）" in text_of(client_for(sent["bureau"]).get(url).content.decode(), "batch-job")
    nobody = User.objects.create(username="nodept", role=Role.BUREAU_DESK, bureau=task.bureau)
    for desk in (sent["desk"], sent["social_desk"], nobody):
        r = client_for(desk).get(url)
        assert r.status_code == 403 and "由绩效评价股办理" in r.content.decode() and "进行中" not in r.content.decode()
    assert text_of(client_for(nobody).get("/b/").content.decode(), f"task-{task.pk}-units") == "0"


def test_the_performance_section_assigns_units_to_departments(sent):
    bureau = sent["task"].bureau
    agri = Department.objects.get(bureau=bureau, name="农业农村科")
    perf = client_for(sent["bureau"])
    r = perf.post("/b/departments/", {"action": "new", "name": "社会保障科"})
    assert r.status_code == 302
    social = Department.objects.get(bureau=bureau, name="社会保障科")
    water = sent["other_package"].unit
    forestry = sent["package"].unit
    r = perf.post("/b/departments/", {"action": "assign", f"unit-{water.pk}": str(social.pk), f"unit-{forestry.pk}": str(agri.pk)})
    assert r.status_code == 302
    water.refresh_from_db()
    assert water.department == social
    html = perf.get("/b/departments/").content.decode()
    assert f'<option value="{social.pk}" selected>社会保障科</option>' in html
    assert '<label for="unit-' in html  # one label per select
    # the desk of 农业农村科 no longer sees water
    assert client_for(sent["desk"]).get(f"/b/p/{sent['other_package'].pk}/").status_code == 404


def test_a_bad_assignment_is_refused_whole_with_the_error_beside_the_field(sent):
    bureau = sent["task"].bureau
    far = _far(sent)
    far_dept = Department.objects.create(bureau=far.bureau, name="外局科室")
    agri = Department.objects.get(bureau=bureau, name="农业农村科")
    water, forestry = sent["other_package"].unit, sent["package"].unit
    perf = client_for(sent["bureau"])
    r = perf.post("/b/departments/", {"action": "assign", f"unit-{forestry.pk}": "", f"unit-{water.pk}": str(far_dept.pk)})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'class="error-summary"' in html and f'href="#unit-{water.pk}"' in html and "某县水利局：请选择本局的归口业务科室" in html
    assert f'id="unit-{water.pk}-error">请选择本局的归口业务科室' in html and 'aria-invalid="true"' in html
    forestry.refresh_from_db()
    water.refresh_from_db()
    assert forestry.department == agri and water.department == agri  # nothing half-saved
    # an empty or duplicate department name is said beside the field
    r = perf.post("/b/departments/", {"action": "new", "name": "  "})
    assert r.status_code == 400 and 'id="d-name-error">请填写科室名称' in r.content.decode()
    r = perf.post("/b/departments/", {"action": "new", "name": "农业农村科"})
    assert r.status_code == 409 and "已有科室" in r.content.decode()


def test_the_desk_reads_its_assignment_but_may_not_change_it(sent):
    _split_desks(sent)
    desk = client_for(sent["desk"])
    html = desk.get("/b/departments/").content.decode()
    assert "某县林业局" in html and "某县水利局" not in html and "<select" not in html
    r = desk.post("/b/departments/", {"action": "assign", f"unit-{sent['other_package'].unit_id}": ""})
    assert r.status_code == 403
    assert Unit.objects.get(pk=sent["other_package"].unit_id).department.name == "社会保障科"
    assert client_for(sent["preparer"]).get("/b/departments/").status_code == 404
    assert Client().get("/b/departments/").status_code == 302


def test_a_department_user_must_be_a_desk_of_that_bureau(sent):
    from django.core.exceptions import ValidationError

    dept = Department.objects.get(name="农业农村科")
    u = User(username="x", role=Role.BUREAU_PERFORMANCE, bureau=sent["task"].bureau, department=dept)
    with pytest.raises(ValidationError):
        u.clean()
    far = _far(sent)
    u = User(username="y", role=Role.BUREAU_DESK, bureau=far.bureau, department=dept)
    with pytest.raises(ValidationError):
        u.clean()


# --- the read-only form view -------------------------------------------------------------------------


@pytest.fixture
def stated(world):
    """Forestry's package sent with a stated 执行率 that differs from the computed one (90%)."""
    pkg = world["package"]
    pkg.draft = fields.put(pkg.draft, "overall.funds[0].rate", "95%")
    pkg.save()
    send(pkg, world["preparer"], world["head"])
    return world


def test_the_read_only_view_lays_out_the_sent_version_as_the_forms(stated):
    pkg = stated["package"]
    c = client_for(stated["bureau"])
    assert f'href="/b/p/{pkg.pk}/forms/"' in c.get(f"/b/p/{pkg.pk}/").content.decode()
    r = c.get(f"/b/p/{pkg.pk}/forms/")
    html = r.content.decode()
    assert r.status_code == 200 and "某县林业局" in html and f"第{latest(pkg)}版" in html
    # every field read-only: no input of the workspace, no edit request
    assert 'name="value"' not in html and "hx-post" not in html and 'class="ro ' in html
    # the tabs lead to the other forms of the same read-only view
    assert f'/b/p/{pkg.pk}/forms/annex3/' in html
    html = c.get(f"/b/p/{pkg.pk}/forms/annex3/").content.decode()
    # the computed 执行率 with the unit's stated figure beside it, and the finding beside the field
    assert "填报 95" in html and 'class="fig fig-computed differs"' in html
    assert 'class="finding-inline sev-error"' in html
    # the trace of a figure of the version shown
    r = c.get(f"/b/p/{pkg.pk}/trace?path=overall.funds[0].rate", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "公式" in r.content.decode()
    assert c.get(f"/b/p/{pkg.pk}/forms/nonesuch/").status_code == 404
    r = c.get(f"/b/p/{pkg.pk}/trace?path=projects[[x")  # a hand-made path: a message, not a server error
    assert r.status_code == 404 and "没有计算出的数字" in r.content.decode()


@pytest.mark.parametrize("who,status", [("bureau", 200), ("desk", 200), ("preparer", 200), ("head", 200),
                                        ("other", 404), ("other_head", 404), ("far", 404)])
def test_only_the_bureau_and_the_units_own_users_read_the_forms(stated, who, status):
    from jixiao.web.models import Department

    dept = Department.objects.create(bureau=stated["task"].bureau, name="农业农村科")
    stated["package"].unit.department = dept
    stated["package"].unit.save()
    stated["desk"] = User.objects.create(username="gk", role=Role.BUREAU_DESK, bureau=stated["task"].bureau,
                                         department=dept, password="x")
    stated["far"] = _far(stated)
    pkg = stated["package"]
    c = client_for(stated[who])
    assert c.get(f"/b/p/{pkg.pk}/forms/").status_code == status
    assert c.get(f"/b/p/{pkg.pk}/forms/annex3/").status_code == status
    assert c.get(f"/b/p/{pkg.pk}/trace?path=overall.funds[0].rate").status_code == status
    assert Client().get(f"/b/p/{pkg.pk}/forms/").status_code == 302


def test_the_read_only_view_of_a_package_not_yet_sent_says_so(world):
    r = client_for(world["bureau"]).get(f"/b/p/{world['package'].pk}/forms/")
    assert r.status_code == 404 and "尚未报送" in r.content.decode()


# --- the batch PDF -------------------------------------------------------------------------------------


def test_only_the_performance_section_starts_a_pdf_batch_and_only_with_accepted_packages(sent):
    task = sent["task"]
    perf = client_for(sent["bureau"])
    r = perf.post(f"/b/t/{task.pk}/batch/pdf", follow=True)
    assert "还没有财政审核通过的数据包" in r.content.decode() and not BatchJob.objects.exists()
    accept(sent, sent["package"])
    assert client_for(sent["desk"]).post(f"/b/t/{task.pk}/batch/pdf").status_code == 403
    assert client_for(_far(sent)).post(f"/b/t/{task.pk}/batch/pdf").status_code == 404
    assert perf.post(f"/b/t/{task.pk}/batch/pdf").status_code == 302
    job = BatchJob.objects.get()
    assert job.kind == BatchJob.Kind.PDF and job.state == BatchJob.State.QUEUED
    html = perf.get(f"/b/t/{task.pk}/batch/").content.decode()
    assert 'id="batch-pdf-job"' in html and 'hx-trigger="every 1s"' in html


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice is not installed")
def test_the_pdf_batch_zips_every_accepted_package_and_lists_the_one_that_failed(transactional_db, sent, settings):
    from django.core.management import call_command

    task = sent["task"]
    accept(sent, sent["package"])
    accept(sent, sent["other_package"])
    # water's accepted version cannot be read (a stored version damaged outside the application)
    bad = sent["other_package"].submissions.order_by("-number").first()
    Submission.objects.filter(pk=bad.pk).update(content={"year": "不是年份", "unit": []})
    perf = client_for(sent["bureau"])
    perf.post(f"/b/t/{task.pk}/batch/pdf")
    job = BatchJob.objects.get(kind=BatchJob.Kind.PDF)
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    job.refresh_from_db()
    assert job.state == BatchJob.State.DONE and job.total == job.done == 2
    by_code = {r["code"]: r for r in job.results}
    assert by_code["301001"]["file"] == "301001_某县林业局.pdf" and not by_code["301001"]["error"]
    assert by_code["301002"]["error"] and not by_code["301002"]["file"]
    html = perf.get(f"/b/t/{task.pk}/batch/{job.pk}").content.decode()
    assert "已完成" in html and "未生成" in html and "hx-trigger" not in html and "下载 PDF 压缩包" in html
    r = perf.get(f"/b/t/{task.pk}/batch/{job.pk}/download")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert sorted(z.namelist()) == ["301001_某县林业局.pdf", "未生成清单.txt"]
    assert z.read("301001_某县林业局.pdf").startswith(b"%PDF")
    assert "某县水利局" in z.read("未生成清单.txt").decode()
    # nothing left behind but the zip
    assert not [p for p in (Path(settings.MEDIA_ROOT) / "pdf").iterdir()]
    # the zip of the whole task is the performance section's; outsiders do not get it
    assert client_for(sent["desk"]).get(f"/b/t/{task.pk}/batch/{job.pk}/download").status_code == 404
    assert client_for(_far(sent)).get(f"/b/t/{task.pk}/batch/{job.pk}/download").status_code == 404
    assert client_for(sent["preparer"]).get(f"/b/t/{task.pk}/batch/{job.pk}/download").status_code == 404


def _fake_pdfs(monkeypatch):
    """LibreOffice stood in for by a writer of one-line PDFs (the zip's handling is under test)."""
    from jixiao import services

    def render_pdfs(*, docx_paths, outdir, timeout=600):
        out = []
        Path(outdir).mkdir(parents=True, exist_ok=True)
        for d in docx_paths:
            p = Path(outdir) / (Path(d).stem + ".pdf")
            p.write_bytes(b"%PDF-1.4 fake")
            out.append(p)
        return out

    monkeypatch.setattr(services, "render_pdfs", render_pdfs)


def test_a_pdf_batch_that_dies_while_zipping_leaves_no_zip(sent, settings, monkeypatch):
    from jixiao.web.jobs.batch_pdf import batch_pdf

    accept(sent, sent["package"])
    accept(sent, sent["other_package"])
    _fake_pdfs(monkeypatch)
    calls = []

    def dying_write(self, filename, arcname=None, *a, **kw):
        calls.append(arcname)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(self, filename, arcname, *a, **kw)

    original = zipfile.ZipFile.write
    monkeypatch.setattr(zipfile.ZipFile, "write", dying_write)
    job = BatchJob.objects.create(task=sent["task"], kind=BatchJob.Kind.PDF, requested_by=sent["bureau"])
    with pytest.raises(OSError):
        batch_pdf.call(job.pk)
    job.refresh_from_db()
    assert job.state == BatchJob.State.FAILED and "生成中断" in job.error and job.file == ""
    media = Path(settings.MEDIA_ROOT)
    assert not list((media / "batch").iterdir()) and not list((media / "pdf").iterdir())
    r = client_for(sent["bureau"]).get(f"/b/t/{sent['task'].pk}/batch/{job.pk}/download")
    assert r.status_code == 404


def test_a_batch_job_whose_worker_stopped_beating_is_marked_failed(sent):
    from jixiao.web.jobs import recovery

    def running(**fields) -> BatchJob:
        job = BatchJob.objects.create(task=sent["task"], kind=BatchJob.Kind.PDF, requested_by=sent["bureau"],
                                      state=BatchJob.State.RUNNING)
        BatchJob.objects.filter(pk=job.pk).update(**fields)
        return job

    silent = running(heartbeat_at=timezone.now() - timedelta(seconds=31))
    beating = running(heartbeat_at=timezone.now() - timedelta(seconds=5), created_at=timezone.now() - timedelta(hours=2))
    legacy = running(heartbeat_at=None, created_at=timezone.now() - timedelta(minutes=1))  # begun before jobs beat
    ended = recovery.recover()
    for job in (silent, beating, legacy):
        job.refresh_from_db()
    assert sorted(ended["batch"]) == sorted([silent.pk, legacy.pk])
    assert silent.state == legacy.state == BatchJob.State.FAILED and "中断" in silent.error
    assert beating.state == BatchJob.State.RUNNING  # a long job that still beats is left alone


def test_pdf_names_are_code_and_unit_with_unsafe_characters_replaced():
    from jixiao.web.jobs.batch_pdf import pdf_name

    assert pdf_name("301001", "某县林业局") == "301001_某县林业局.pdf"
    assert pdf_name("301/002", 'a:b*c?"d<e>|f\\g') == "301_002_a_b_c_d_e_f_g.pdf"


def test_two_units_of_the_same_name_and_code_get_two_files(sent, settings, monkeypatch):
    from jixiao.web.jobs.batch_pdf import batch_pdf

    accept(sent, sent["package"])
    accept(sent, sent["other_package"])
    Unit.objects.filter(pk=sent["other_package"].unit_id).update(name="某县林业局")
    Unit.objects.filter(pk=sent["other_package"].unit_id).update(budget_code="301001x")
    _fake_pdfs(monkeypatch)
    job = BatchJob.objects.create(task=sent["task"], kind=BatchJob.Kind.PDF, requested_by=sent["bureau"])
    batch_pdf.call(job.pk)
    job.refresh_from_db()
    names = zipfile.ZipFile(Path(settings.MEDIA_ROOT) / job.file).namelist()
    assert sorted(names) == ["301001_某县林业局.pdf", "301001x_某县林业局.pdf"]


# --- small fixes ---------------------------------------------------------------------------------------


def test_a_user_without_unit_or_bureau_shows_no_empty_role(db):
    u = User.objects.create(username="aud", display_name="审计员", password="x")
    html = client_for(u).get("/").content.decode()
    assert "审计员（）" not in html and "审计员" in html


def test_the_pdf_job_keeps_polling_until_it_is_done(world):
    from jixiao.web.models import RenderJob

    pkg = world["package"]
    c = client_for(world["preparer"])
    job = RenderJob.objects.create(package=pkg, requested_by=world["preparer"], version=pkg.version)
    html = c.get(f"/p/{pkg.pk}/pdf/{job.pk}").content.decode()
    assert 'hx-trigger="every 1s"' in html  # one failed poll does not end the chain
    RenderJob.objects.filter(pk=job.pk).update(state=RenderJob.State.DONE, progress=100)
    assert "hx-trigger" not in c.get(f"/p/{pkg.pk}/pdf/{job.pk}").content.decode()


def test_the_demo_deadline_is_relative_and_the_desk_has_units(db):
    from jixiao.web.demo.units import load_demo
    from jixiao.web.models import EvaluationTask
    from jixiao.web.review.selectors import DashboardQuery, dashboard, task_for

    load_demo()
    task = EvaluationTask.objects.get()
    assert abs((task.deadline - timezone.localdate()).days) <= 30
    guikou = User.objects.get(username="guikou")
    assert guikou.department is not None and guikou.department.units.count() >= 3
    days = {r.days_text for r in dashboard(task_for(User.objects.get(username="jixiaogu"), task.pk), DashboardQuery(),
                                           size=None).rows}
    assert "按期报送" in days and any(d.endswith("天报送") for d in days)
    assert not any(d.startswith("逾期") and int(d[2:].split("天")[0]) > 60 for d in days)
    mine = dashboard(task_for(guikou, task.pk), DashboardQuery(), size=None).rows
    assert 0 < len(mine) < Package.objects.filter(task=task).count()
    assert {r.package.unit.department_id for r in mine} == {guikou.department_id}
    assert any(r.package.status == Status.SUBMITTED for r in mine)  # the desk has something to review
