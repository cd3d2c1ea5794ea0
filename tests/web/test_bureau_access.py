"""Every bureau page refuses a unit's users, another bureau's users and anonymous visitors; the
public pages need no login. One row per URL of `bureau_urls`; a URL added without a row fails
`test_every_bureau_url_has_a_row`."""

from __future__ import annotations

import pytest
from django.test import Client

from jixiao.web.models import Bureau, BureauDecision, Package, Role, SpotScore, Status, User

from .conftest import client_for
from .test_bureau import accept, latest, sent  # noqa: F401 - the fixture, used by name

# name → (method, path template, data). {task}, {pk} (a package sent to the bureau), {spot} (a 抽评 sample entry).
PAGES = {
    "bureau_tasks": ("get", "/b/", None),
    "bureau_new_task": ("post", "/b/new", {"title": "外人的任务", "year": "2024", "profile": "national-2020",
                                           "deadline": "2025-06-30"}),
    "bureau_dashboard": ("get", "/b/t/{task}/", None),
    "bureau_dashboard_xlsx": ("get", "/b/t/{task}/dashboard.xlsx", None),
    "bureau_spot": ("post", "/b/t/{task}/spot/", {}),
    "bureau_spot_xlsx": ("get", "/b/t/{task}/spot.xlsx", None),
    "bureau_spot_score": ("post", "/b/t/{task}/spot/{spot}/", {"key": "{key}", "score:{key}": "0"}),
    "bureau_rollup": ("get", "/b/t/{task}/rollup/", None),
    "bureau_results_use": ("get", "/b/t/{task}/use/", None),
    "bureau_batch": ("post", "/b/t/{task}/batch/", {}),
    "bureau_batch_status": ("get", "/b/t/{task}/batch/{job}", None),
    "bureau_execution": ("post", "/b/t/{task}/execution/", {}),
    "bureau_package_import": ("post", "/b/t/{task}/imports/", {}),
    "bureau_package_import_status": ("get", "/b/t/{task}/imports/{import_job}", None),
    "bureau_execution_status": ("get", "/b/t/{task}/execution/{execution_job}", None),
    "bureau_package": ("get", "/b/p/{pk}/", None),
    "bureau_decide": ("post", "/b/p/{pk}/decide", {"action": "return", "reason": "外人", "version": "{version}"}),
    "bureau_batch_pdf": ("post", "/b/t/{task}/batch/pdf", {}),
    "bureau_batch_download": ("get", "/b/t/{task}/batch/{job}/download", None),
    "bureau_departments": ("post", "/b/departments/", {"action": "assign", "unit-{unit}": ""}),
    "bureau_targets": ("post", "/b/t/{task}/targets/", {}),
    "bureau_targets_apply": ("post", "/b/t/{task}/targets/apply", {"token": "x"}),
    "bureau_tiers": ("post", "/b/t/{task}/tiers/", {"department": "{unit}", "deadline": "2025-01-01"}),
}
UNIT_OWN = {"rectifications"}  # the unit's own notices (tested in test_bureau.py)
# the read-only forms of a package: the bureau's and the unit's own users (tested in test_bureau_batch.py)
SHARED_WITH_UNIT = {"bureau_forms", "bureau_forms_cover", "bureau_trace"}
PUBLIC = {"public_index", "public_year", "public_open_data", "public_unit", "public_pdf", "public_docx"}


def test_every_bureau_url_has_a_row():
    from jixiao.web.bureau import urls as bureau_urls
    from jixiao.web.public import urls as public_urls

    names = {p.name for p in bureau_urls.urlpatterns + public_urls.urlpatterns} | {"rectifications"}
    assert names - set(PAGES) - PUBLIC - UNIT_OWN - SHARED_WITH_UNIT == set(), "a bureau URL without a row in the access table"


@pytest.fixture
def scene(sent):  # noqa: F811
    """A sent package under review, an accepted one drawn into the 抽评 sample, and outsiders."""
    accept(sent, sent["other_package"])
    client_for(sent["bureau"]).post(f"/b/t/{sent['task'].pk}/spot/")
    spot = sent["task"].spot_checks.get()
    from jixiao.web.review.selectors import score_lines

    far = Bureau.objects.create(name="别县财政局", region_code="439999")
    sent["far"] = User.objects.create(username="far", role=Role.BUREAU_PERFORMANCE, bureau=far, password="x")
    sent["spot"], sent["key"] = spot, score_lines(spot)[0].key
    from jixiao.web.models import BatchJob

    sent["job"] = BatchJob.objects.create(task=sent["task"], requested_by=sent["bureau"])
    from jixiao.web.models import PackageImport

    sent["import_job"] = PackageImport.objects.create(task=sent["task"], requested_by=sent["bureau"], filename="a.zip",
                                                      source="imports/none.zip")
    from jixiao.web.models import ExecutionImportJob

    sent["execution_job"] = ExecutionImportJob.objects.create(task=sent["task"], requested_by=sent["bureau"],
                                                              filename="执行.csv", source="imports/none.csv")
    return sent


def _call(client, name: str, scene):
    method, template, data = PAGES[name]
    pkg = scene["package"]
    fill = {"task": scene["task"].pk, "pk": pkg.pk, "spot": scene["spot"].pk, "key": scene["key"], "version": latest(pkg),
            "job": scene["job"].pk, "import_job": scene["import_job"].pk, "unit": pkg.unit_id,
            "execution_job": scene["execution_job"].pk}
    url = template.format(**fill)
    body = {k.format(**fill): v.format(**fill) for k, v in (data or {}).items()}
    return getattr(client, method)(url, body)


def _unchanged(scene) -> None:
    pkg = scene["package"]
    pkg.refresh_from_db()
    assert pkg.status == Status.SUBMITTED
    assert not BureauDecision.objects.filter(package=pkg).exists()
    assert not SpotScore.objects.exists()
    assert scene["task"].spot_checks.count() == 1
    assert scene["task"].batch_jobs.count() == 1
    assert scene["task"].package_imports.count() == 1 and not scene["task"].execution_imports.exists()
    assert scene["package"].unit.department_id is not None  # nobody outside took the unit from its department


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("who", ["preparer", "head", "other_head", "far"])
def test_bureau_pages_refuse_units_and_other_bureaus(scene, name, who):
    r = _call(client_for(scene[who]), name, scene)
    if name == "bureau_tasks" and who == "far":  # its own (empty) list of tasks: ours not in it
        assert r.status_code == 200 and scene["task"].title not in r.content.decode()
    elif name == "bureau_new_task" and who == "far":  # its own bureau's form: nothing of ours changes
        assert r.status_code == 400
    elif name == "bureau_departments" and who == "far":  # its own bureau's units only: ours is refused
        assert r.status_code == 422
    else:
        assert r.status_code == 404
        assert "无权查看" in r.content.decode()
    _unchanged(scene)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_bureau_pages_send_anonymous_visitors_to_login(scene, name):
    r = _call(Client(), name, scene)
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    _unchanged(scene)


@pytest.mark.parametrize("name", ["bureau_spot", "bureau_spot_score", "bureau_batch", "bureau_new_task", "bureau_execution",
                                  "bureau_package_import", "bureau_batch_pdf", "bureau_departments"])
def test_the_desk_may_not_run_the_spot_check_or_batch_work(scene, name):
    r = _call(client_for(scene["desk"]), name, scene)
    assert r.status_code == 403
    _unchanged(scene)


# The 绩效评价股's working pages: a 归口 user who types the address is refused on opening (the tabs are not
# offered to it either), with a Chinese reason and where to read its units instead (issue 21).
PERFORMANCE_PAGES = {
    "bureau_spot": ("/b/t/{task}/spot/", "结果应用"), "bureau_spot_xlsx": ("/b/t/{task}/spot.xlsx", "结果应用"),
    "bureau_spot_score": ("/b/t/{task}/spot/{spot}/", "结果应用"), "bureau_batch": ("/b/t/{task}/batch/", "自评情况"),
    "bureau_batch_status": ("/b/t/{task}/batch/{job}", "自评情况"),
    "bureau_package_import": ("/b/t/{task}/imports/", "自评情况"),
    "bureau_package_import_status": ("/b/t/{task}/imports/{import_job}", "自评情况"),
}


@pytest.mark.parametrize("name", sorted(PERFORMANCE_PAGES))
def test_the_desk_is_refused_the_performance_sections_pages_on_opening(scene, name):
    template, instead = PERFORMANCE_PAGES[name]
    url = template.format(task=scene["task"].pk, spot=scene["spot"].pk, job=scene["job"].pk,
                          import_job=scene["import_job"].pk)
    r = client_for(scene["desk"]).get(url)
    text = r.content.decode()
    assert r.status_code == 403 and "绩效评价股" in text and instead in text
    assert "<form" not in text.split("<main", 1)[-1]  # nothing to fill in that would then be refused
    assert client_for(scene["bureau"]).get(url).status_code == 200
    _unchanged(scene)


PERFORMANCE_API = ["/api/v1/tasks/{task}/spot-checks", "/api/v1/spot-checks/{spot}", "/api/v1/tasks/{task}/batch-jobs",
                   "/api/v1/tasks/{task}/batch-jobs/{job}", "/api/v1/tasks/{task}/package-imports/{import_job}"]


@pytest.mark.parametrize("template", PERFORMANCE_API)
def test_the_api_refuses_the_desk_the_same_work_in_the_same_words(scene, template):
    url = template.format(task=scene["task"].pk, spot=scene["spot"].pk, job=scene["job"].pk,
                          import_job=scene["import_job"].pk)
    r = client_for(scene["desk"]).get(url)
    assert r.status_code == 403 and "由绩效评价股" in r.json()["detail"], r.content
    assert client_for(scene["bureau"]).get(url).status_code == 200


@pytest.mark.parametrize("name", sorted(set(PAGES) - set(PERFORMANCE_PAGES) - {"bureau_decide", "bureau_new_task",
                                                     "bureau_execution",
                                                     "bureau_batch_pdf", "bureau_batch_download", "bureau_departments",
                                                     "bureau_targets", "bureau_targets_apply", "bureau_tiers"}))
@pytest.mark.parametrize("who", ["bureau", "desk"])
def test_both_bureau_roles_read_every_page(scene, name, who):
    assert _call(client_for(scene[who]), name, scene).status_code == 200


def test_public_pages_need_no_login_and_show_only_published_packages(scene):
    anon = Client()
    assert anon.get("/public/").status_code == 200
    assert anon.get("/public/2023/").status_code == 404  # nothing published that year (issue 21)
    # accepted but not published: nothing public about it
    assert anon.get("/public/2023/301002/").status_code == 404
    assert anon.get("/public/2023/301002/report.pdf").status_code == 404
    assert anon.get("/public/2023/opendata.zip").status_code == 404
    assert Package.objects.filter(status=Status.PUBLISHED).count() == 0
