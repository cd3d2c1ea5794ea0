"""The JSON API over the same services, the demo loader, and the PDF job through the worker."""

import json
import shutil

import pytest
from django.core.management import call_command
from django.test import Client

from jixiao.web.models import Bureau, Package, RenderJob, Status, Unit

from .conftest import api_token, client_for


def _api(world, who="preparer"):
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token(world[who])}")


def test_openapi_schema_is_generated_from_the_types(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/packages/{pk}/edits" in schema["paths"]
    assert "EditIn" in schema["components"]["schemas"]


def test_an_edit_through_the_api_recomputes_and_checks_the_version(world):
    pkg, c = world["package"], _api(world)
    r = c.post(f"/api/v1/packages/{pkg.pk}/edits", json.dumps({"path": "projects[0].indicators[0].actual", "value": "400亩",
                                                               "version": 1}), content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 2
    figures = {f["key"]: f for f in c.get(f"/api/v1/packages/{pkg.pk}/figures").json()}
    assert figures["projects[0].indicators[0].score"]["display"] == "25.00"
    assert figures["projects[0].total"]["inputs"]
    r = c.post(f"/api/v1/packages/{pkg.pk}/edits", json.dumps({"path": "projects[0].indicators[0].actual", "value": "500亩",
                                                               "version": 1}), content_type="application/json")
    assert r.status_code == 409 and "保存失败" in r.json()["conflict"]
    r = c.post(f"/api/v1/packages/{pkg.pk}/edits", json.dumps({"path": "projects[0].funds[0].executed", "value": "很多",
                                                               "version": 2}), content_type="application/json")
    assert r.status_code == 422 and "不是数字" in r.json()["error"]


def test_submit_and_versions_through_the_api(world):
    pkg, c = world["package"], _api(world)
    r = c.post(f"/api/v1/packages/{pkg.pk}/submit", json.dumps({"version": 1}), content_type="application/json")
    assert r.status_code == 200 and r.json()["number"] == 1 and len(r.json()["content_hash"]) == 64
    assert c.get(f"/api/v1/packages/{pkg.pk}/versions/1").json()["content"]["unit"]["name"] == "某县林业局"
    assert _api(world, "head").post(f"/api/v1/packages/{pkg.pk}/submit", json.dumps({"version": 1}),
                                    content_type="application/json").status_code == 403


def test_findings_name_their_form_and_field(world):
    items = _api(world).get(f"/api/v1/packages/{world['package'].pk}/findings").json()
    assert any(f["severity"] == "error" and f["form"] == "自评报告" for f in items)


@pytest.mark.django_db
def test_the_demo_loads_once_with_every_state(monkeypatch):
    from jixiao.web.demo import tier as demo_tier
    from jixiao.web.demo.units import load_demo

    logins = load_demo()
    assert {u for u, _, _ in logins.users} >= {"tianbao", "fuzeren", "jixiaogu", "guikou"}
    bureau = Bureau.objects.get(region_code="433100")
    assert "演示" in bureau.name
    synthetic = Unit.objects.filter(is_synthetic=True)
    # 30 perturbed units, and the 主管部门 of the tier with its units (issue 22: demo/tier.py)
    assert synthetic.count() == 30 + 1 + len(demo_tier.UNITS) and all("模拟" in u.name for u in synthetic)
    statuses = set(Package.objects.filter(unit__is_synthetic=True).values_list("status", flat=True))
    assert {Status.NOT_STARTED, Status.DRAFT, Status.IN_REVIEW, Status.SUBMITTED, Status.RETURNED} <= statuses
    assert Package.objects.filter(unit__is_synthetic=True, errors__gt=0).exists()
    totals = set(Package.objects.filter(unit__is_synthetic=True).exclude(total_score=None).values_list("total_score", flat=True))
    assert len(totals) > 3  # perturbed: not thirty copies of the example
    seed = Package.objects.get(unit__budget_code="106005")
    assert seed.status == Status.DRAFT and seed.draft["unit"]["name"] == "湘西自治州人民政府驻北京联络处"
    assert seed.draft["notice"]["deadline"] == seed.task.deadline.isoformat()  # the notice states the task's deadline
    counts = (Unit.objects.count(), Package.objects.count())
    load_demo()
    assert (Unit.objects.count(), Package.objects.count()) == counts


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_the_pdf_job_runs_in_the_worker_and_reports_progress(transactional_db, world):
    # transactional: the worker closes its database connection between tasks, as in production
    pkg, c = world["package"], client_for(world["preparer"])
    html = c.post(f"/p/{pkg.pk}/pdf").content.decode()
    job = RenderJob.objects.get(package=pkg)
    assert job.state == "queued" and "<progress" in html
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    job.refresh_from_db()
    assert job.state == "done" and job.progress == 100, job.error
    r = c.get(f"/p/{pkg.pk}/pdf/{job.pk}")
    assert "下载 PDF" in r.content.decode()
    pdf = c.get(f"/p/{pkg.pk}/pdf/{job.pk}/download")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
