"""Approved performance targets in the web (issue 20): the bureau's import (preview of what is read
and refused, then apply, logged), the draft a new package starts from, the audit that compares every
reported indicator with the unit's targets (the unit's findings panel, the bureau's review page), the
dashboard's filter 与批复目标不一致, and the API."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.web.models import (
    ApprovedTarget,
    FieldEdit,
    Package,
    Role,
    Status,
    TargetCheck,
    TargetImport,
    Unit,
    User,
)
from jixiao.web.review import targets as approved_targets
from jixiao.web.security.models import AuditEntry

from .conftest import api_token, client_for, text_of
from .test_bureau import sent  # noqa: F401 - the fixture, used by name

HEAD = "年度,预算编码,单位名称,项目名称,一级指标,二级指标,三级指标,指标值,分值"
# 某县林业局 as the fixture reports it, but 造林面积 approved at ≥1200亩 (reported ≥1000亩: lowered)
FORESTRY = [
    "2023,301001,某县林业局,,产出指标,数量指标,造林面积,≥1200亩,50",
    "2023,301001,某县林业局,,效益指标,生态效益指标,森林覆盖率,≥60%,30",
    "2023,301001,某县林业局,,满意度指标,服务对象满意度指标,林农满意度,≥90%,10",
    "2023,301001,某县林业局,造林补助,产出指标,数量指标,补助面积,≥800亩,50",
]
# 某县水利局 exactly as it reports it (the same fixture)
WATER = [
    "2023,301002,,,产出指标,数量指标,造林面积,≥1000亩,50",
    "2023,301002,,,效益指标,生态效益指标,森林覆盖率,≥60%,30",
    "2023,301002,,,满意度指标,服务对象满意度指标,林农满意度,≥90%,10",
]


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEAD, *rows]) + "\n").encode("utf-8-sig")


def _preview(client, task, data: bytes, name: str = "批复目标.csv"):
    return client.post(f"/b/t/{task.pk}/targets/", {"file": SimpleUploadedFile(name, data)})


def _import(world, *rows: str):
    return approved_targets.import_targets(task_id=world["task"].pk, user=world["bureau"], filename="批复目标.csv",
                                           data=_csv(*rows))


@pytest.fixture
def new_unit(world):
    """A third unit of the task that has not started: its package's draft is empty."""
    unit = Unit.objects.create(bureau=world["task"].bureau, name="某县农业局", budget_code="301003")
    world["task"].units.add(unit)
    preparer = User.objects.create(username="nong_tb", display_name="农填报", role=Role.PREPARER, unit=unit, password="x")
    return Package.objects.create(task=world["task"], unit=unit), preparer


def test_preview_lists_read_and_refused_rows_then_apply_imports_and_logs(world):
    c = client_for(world["bureau"])
    rows = [*FORESTRY, "2023,999999,,,产出指标,数量指标,甲,≥1个,5", "2022,301002,,,产出指标,数量指标,乙,≥1个,5",
            "2023,301002,某县林业局,,产出指标,数量指标,丙,≥1个,5", "2023,301002,,,产出指标,数量指标,,≥1个,5"]
    r = _preview(c, world["task"], _csv(*rows))
    assert r.status_code == 200
    html = r.content.decode()
    assert text_of(html, "targets-refused") == (
        "第6行：预算编码“999999”不是本任务的参评单位第7行：年度为2022年，本任务是2023年度"
        "第8行：预算编码“301002”是“某县水利局”，文件中写的是“某县林业局”第9行：缺少三级指标（指标名称）")
    read = text_of(html, "targets-read")
    assert "造林面积≥1200亩≥50" in read and "造林补助" in read
    assert not ApprovedTarget.objects.exists()  # a preview stores nothing
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    r = c.post(f"/b/t/{world['task'].pk}/targets/apply", {"token": token})
    assert r.status_code == 302
    assert ApprovedTarget.objects.filter(task=world["task"]).count() == 4
    imp = TargetImport.objects.get()
    assert imp.rows == 4 and len(imp.refused) == 4  # the refused rows are kept with the import
    entry = AuditEntry.objects.filter(action="targets_import").get()
    assert entry.action_label == "导入批复绩效目标" and entry.actor == world["bureau"].username
    page = c.get(r["Location"]).content.decode()
    assert "“批复目标.csv”，4 项" in text_of(page, "targets-latest")
    # the same token again: the previewed file has been used
    again = c.post(f"/b/t/{world['task'].pk}/targets/apply", {"token": token})
    assert again.status_code == 409 and "重新上传" in again.content.decode()


def test_unreadable_file_is_refused_beside_the_form_and_only_the_performance_section_imports(world):
    c = client_for(world["bureau"])
    r = _preview(c, world["task"], "甲,乙\n1,2\n".encode(), "批复目标.csv")
    assert r.status_code == 422
    assert "没有找到批复目标的表头" in r.content.decode() and not ApprovedTarget.objects.exists()
    assert _preview(c, world["task"], b"x", "批复目标.pdf").status_code == 400
    desk = User.objects.create(username="gk", display_name="归口", role=Role.BUREAU_DESK, bureau=world["task"].bureau, password="x")
    r = _preview(client_for(desk), world["task"], _csv(*FORESTRY))
    assert r.status_code == 403 and not ApprovedTarget.objects.exists()
    assert client_for(world["preparer"]).get(f"/b/t/{world['task'].pk}/targets/").status_code == 404


def test_a_new_package_starts_from_its_targets_and_a_started_draft_is_untouched(world, new_unit):
    package, preparer = new_unit
    before = dict(world["package"].draft)
    _import(world, *FORESTRY, "2023,301003,某县农业局,,产出指标,数量指标,推广面积,≥500亩,40",
            "2023,301003,某县农业局,,满意度指标,服务对象满意度指标,农户满意度,≥90%,10",
            "2023,301003,某县农业局,良种补贴,产出指标,质量指标,良种覆盖率,≥95%,30")
    package.refresh_from_db()
    assert package.status == Status.NOT_STARTED and package.version == 1
    doc = package.draft
    assert [(i["name"], i["target"], i["weight"]) for i in doc["overall"]["indicators"]] == [
        ("推广面积", "≥500亩", "40"), ("农户满意度", "≥90%", "10")]
    assert doc["projects"][0]["name"] == "良种补贴"
    assert doc["projects"][0]["indicators"] == [{"level1": "产出指标", "level2": "质量指标", "name": "良种覆盖率",
                                                 "target": "≥95%", "weight": "30"}]
    assert "actual" not in doc["overall"]["indicators"][0]  # the preparer enters 实际完成值
    assert set(FieldEdit.objects.filter(package=package, kind="import").values_list("path", flat=True)) == {"overall", "projects"}
    world["package"].refresh_from_db()
    assert world["package"].draft == before  # a draft already begun is never written
    page = client_for(preparer).get(f"/p/{package.pk}/f/annex3/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "推广面积" in html and "≥500亩" in html
    # entering an actual works on the started draft
    from .conftest import post_edit

    r = post_edit(client_for(preparer), package, "overall.indicators[0].actual", "520亩")
    assert r.status_code == 200
    package.refresh_from_db()
    assert package.draft["overall"]["indicators"][0]["actual"] == "520亩" and package.status == Status.DRAFT


def test_the_audit_compares_with_the_units_targets_in_the_units_panel(world):
    _import(world, *FORESTRY)
    html = client_for(world["preparer"]).get(f"/p/{world['package'].pk}/f/annex3/").content.decode()
    assert "较批复的“≥1200亩”放宽（目标值调低）" in html
    # an edit recomputes with the targets: the error is counted in the package's summary
    from .conftest import post_edit

    post_edit(client_for(world["preparer"]), world["package"], "unit.contact", "李四")
    world["package"].refresh_from_db()
    errors_with = world["package"].errors
    ApprovedTarget.objects.all().delete()
    post_edit(client_for(world["preparer"]), world["package"], "unit.contact", "王五")
    world["package"].refresh_from_db()
    assert errors_with == world["package"].errors + 1


def test_dashboard_filter_and_review_page(sent):  # noqa: F811 - the fixture
    world = sent
    _import(world, *FORESTRY, *WATER)
    c = client_for(world["bureau"])
    checks = dict(TargetCheck.objects.values_list("package__unit__budget_code", "differences"))
    # 林业局: 造林面积 lowered; 造林补助's 成活率 and 农户满意度 reported, not approved. 水利局: as approved,
    # but its 造林补助 table has no approved target (an info, not counted).
    assert checks == {"301001": 3, "301002": 0}
    r = c.get(f"/b/t/{world['task'].pk}/?flag=targets")
    html = r.content.decode()
    assert "某县林业局" in html and "某县水利局" not in html
    assert "与批复目标不一致3处" in html
    assert "与批复目标不一致" in c.get(f"/b/t/{world['task'].pk}/").content.decode()
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(c.get(f"/b/t/{world['task'].pk}/dashboard.xlsx").content)).active
    col = [cell.value for cell in sheet[1]].index("与批复目标不一致（处）")
    assert {r[0].value: r[col].value for r in sheet.iter_rows(min_row=2)} == {"301001": 3, "301002": None}
    review = c.get(f"/b/p/{world['package'].pk}/").content.decode()
    assert "较批复的“≥1200亩”放宽" in review and "不在批复的绩效目标中" in review


def test_dashboard_flag_follows_the_package(sent):  # noqa: F811 - the fixture
    world = sent
    _import(world, *WATER)
    water = world["other_package"]
    assert TargetCheck.objects.get(package=water).differences == 0
    # the unit's targets change: a new import, counted again at once
    _import(world, *WATER[:2], "2023,301002,,,满意度指标,服务对象满意度指标,林农满意度,≥90%,15")
    assert TargetCheck.objects.get(package=water).differences == 1
    assert not TargetCheck.objects.filter(package=world["package"]).exists()  # no targets: no flag


def test_api_import_list_and_differences(sent):  # noqa: F811 - the fixture
    world = sent
    from django.test import Client

    api = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(world['bureau'])}"}
    task = world["task"]
    r = api.post(f"/api/v1/targets/tasks/{task.pk}/import", {"file": SimpleUploadedFile("t.csv", _csv(*FORESTRY, ",,,,,,x,≥1个,"))}, **auth)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["rows"] == 4 and body["refused"] == ["第6行：缺少预算编码"] and body["units"] == 1 and body["flagged"] == 1
    listed = api.get(f"/api/v1/targets/tasks/{task.pk}/units/301001", **auth).json()
    assert [(t["name"], t["direction"], t["figure"], t["unit"]) for t in listed][:2] == [
        ("造林面积", "≥", "1200", "亩"), ("森林覆盖率", "≥", "0.60", "%")]
    diffs = api.get(f"/api/v1/targets/packages/{world['package'].pk}/differences", **auth).json()
    assert [d["rule"] for d in diffs if d["severity"] == "error"] == ["targets.direction"]
    assert api.get(f"/api/v1/targets/tasks/{task.pk}/units/999999", **auth).status_code == 404
    bad = api.post(f"/api/v1/targets/tasks/{task.pk}/import", {"file": SimpleUploadedFile("t.csv", b"a,b\n1,2\n")}, **auth)
    assert bad.status_code == 422 and bad.json()["errors"] and bad.json()["errors"][0]["field"] == "file" and bad.json()["detail"].startswith("没有找到批复目标的表头")
    unit_token = {"HTTP_AUTHORIZATION": f"Bearer {api_token(world['preparer'])}"}
    own = api.get(f"/api/v1/targets/packages/{world['package'].pk}/differences", **unit_token)
    assert own.status_code == 200 and len(own.json()) == len(diffs)
    assert api.post(f"/api/v1/targets/tasks/{task.pk}/import", {"file": SimpleUploadedFile("t.csv", _csv(*FORESTRY))},
                    **unit_token).status_code == 404


def test_the_demo_flags_a_lowered_target_and_starts_new_drafts_from_targets(db):
    from jixiao.web.demo.units import load_demo
    from jixiao.web.drafts.computation import compute
    from jixiao.web.targets import approved_for

    load_demo()
    seed = Package.objects.get(unit__budget_code="106005")
    task = seed.task
    assert TargetImport.objects.filter(task=task).count() == 1 and ApprovedTarget.objects.filter(task=task).exists()
    # the seed unit reports 引进投资签约项目数 ≥5个 against an approved ≥6个: flagged, and an error in its audit
    assert TargetCheck.objects.get(package=seed).differences == 1
    from jixiao.web.review.selectors import DashboardQuery, dashboard

    flagged = {r.package.unit.budget_code for r in dashboard(task, DashboardQuery(flag="targets"), size=None).rows}
    assert "106005" in flagged and len(flagged) == 2  # and one synthetic unit sent with its 分值 changed
    comp = compute(seed.draft, deadline=task.deadline, targets=approved_for(seed))
    eased = [f for f in comp.findings if f.rule == "targets.direction"]
    assert len(eased) == 1 and "“≥6个”" in eased[0].message and eased[0].severity == "error"
    # the units that had not started begin from their targets (a unit the demo gave no targets, such as
    # the 主管部门's units added after the import, has nothing to begin from)
    with_targets = ApprovedTarget.objects.filter(task=task).values("unit")
    fresh = Package.objects.filter(task=task, status=Status.NOT_STARTED, unit__is_synthetic=True, unit__in=with_targets)
    assert fresh.exists() and all(p.draft.get("overall", {}).get("indicators") for p in fresh)
    # loading the demo again changes nothing
    load_demo()
    assert TargetImport.objects.filter(task=task).count() == 1


def test_previewed_files_never_applied_are_removed_once_expired(world, settings):
    import os
    import time
    from pathlib import Path

    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    old, recent = folder / "targets-old.csv", folder / "targets-recent.csv"
    for f in (old, recent):
        f.write_bytes(b"x")
    past = time.time() - approved_targets.PREVIEW_MAX_AGE - 60
    os.utime(old, (past, past))
    found = approved_targets.preview(task_id=world["task"].pk, user=world["bureau"], filename="批复目标.csv",
                                     data=_csv(*FORESTRY))
    assert found.token and not old.exists() and recent.exists()


def test_creating_annex3_starts_from_the_approved_targets(world):
    from jixiao.web import versions

    package = world["package"]
    doc = dict(package.draft)
    doc.pop("overall")
    Package.objects.filter(pk=package.pk).update(draft=doc)
    _import(world, *FORESTRY)
    package.refresh_from_db()
    versions.change_structure(package_id=package.pk, user=world["preparer"], op="create", path="overall",
                              version=package.version)
    package.refresh_from_db()
    assert [(i["name"], i["target"], i["weight"]) for i in package.draft["overall"]["indicators"]] == [
        ("造林面积", "≥1200亩", "50"), ("森林覆盖率", "≥60%", "30"), ("林农满意度", "≥90%", "10")]


def test_a_units_targets_are_found_by_its_name_or_code(world):
    """A task holds thousands of approved targets and the page lists the first few hundred: the
    reviewer finds one unit's by its name or its budget code (issue 21)."""
    _import(world, *FORESTRY, *WATER)
    c, task = client_for(world["bureau"]), world["task"]
    everything = text_of(c.get(f"/b/t/{task.pk}/targets/").content.decode(), "targets-stored")
    assert "某县林业局" in everything and "某县水利局" in everything
    for q in ("林业", "301001"):
        found = text_of(c.get(f"/b/t/{task.pk}/targets/", {"q": q}).content.decode(), "targets-stored")
        assert "某县林业局" in found and "某县水利局" not in found, q
    nothing = c.get(f"/b/t/{task.pk}/targets/", {"q": "无此单位"}).content.decode()
    assert "没有找到“无此单位”的批复目标" in nothing
