"""The versions layer: who writes which opinion, one way of setting an opinion, and an audit entry —
under its own Chinese name — for every write service, found by walking the web package."""

from __future__ import annotations

import importlib
import inspect
import io
import json
import pkgutil
import re
from datetime import date, timedelta

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

import jixiao.web
from jixiao.web import versions
from jixiao.web.drafts import fields
from jixiao.web.jobs import api_audit, batch_audit, batch_pdf, batches
from jixiao.web.models import BatchJob, Package, Status, Submission
from jixiao.web.review import departments as bureau_departments
from jixiao.web.review import imports as bureau_imports
from jixiao.web.review import services as bureau_services
from jixiao.web.review import targets as approved_targets
from jixiao.web.review import tier
from jixiao.web.security.audit import ACTIONS
from jixiao.web.security.models import AuditEntry
from jixiao.web.unit import services as unit_services

from . import dept_world
from .conftest import client_for, post_edit, text_of
from .test_bureau import latest, send, sent  # noqa: F401 - `sent` is the fixture `scene` builds on


@pytest.fixture
def scene(sent):  # noqa: F811 - the imported fixture, by name
    """Both units' packages sent to the bureau, a 归口业务科室 user beside the 绩效评价股 one."""
    return sent

TEAM, UNIT, BUREAU = "评价组组长", "部门（单位）", "财政部门归口业务科室"


def _opinion_index(doc: dict, role: str) -> int:
    return next(i for i, o in enumerate(doc["opinions"]) if o["role"] == role)


# --- opinions: a preparer writes none of them ------------------------------------------------------------


@pytest.mark.parametrize("role", [TEAM, UNIT])
def test_a_preparer_cannot_sign_a_reviewers_opinion_in_the_draft(world, role):
    pkg = world["package"]
    i = _opinion_index(pkg.draft, role)
    r = post_edit(client_for(world["preparer"]), pkg, f"opinions[{i}].text", "同意。（签字）", form="cover")
    assert r.status_code == 422  # the message beside the field, as for any entry refused
    assert "由单位负责人签署，填报人不能填写或修改" in r.content.decode()
    pkg.refresh_from_db()
    assert not pkg.draft["opinions"][i].get("text") and pkg.version == 1 and not pkg.edits.exists()


def test_a_draft_save_carrying_a_bureau_opinion_is_refused_whatever_the_surface(world):
    """The versions layer refuses it even when a surface does not ask first (the API, a script)."""
    from jixiao.web import versions

    pkg = world["package"]
    doc = fields.put(pkg.draft, "opinions", versions.with_opinion(pkg.draft, versions.signed_opinion(BUREAU, "同意。", "王某")))
    with pytest.raises(versions.ActionError, match="由财政部门签署"):
        versions.save_draft(pkg, world["preparer"], doc, [("opinions", None, "x")], "edit")
    assert Package.objects.get(pk=pkg.pk).version == 1


def test_an_imported_file_keeps_the_reviewers_opinions_as_the_draft_had_them(world):
    """A signed report (last year's, or a copy back from the bureau) imports its content; its
    opinions do not travel into the draft, and the message says which were left out."""
    pkg = world["package"]
    doc = dict(pkg.draft)
    doc["opinions"] = [{"role": TEAM, "text": "评价组同意。", "signer": "杨某"},
                       {"role": UNIT, "text": "属实。", "signer": "李某", "date": "2024-03-01"},
                       {"role": BUREAU, "text": "财政同意。", "signer": "王某", "date": "2024-07-01"}]
    doc["narrative"] = {**doc.get("narrative", {}), "achievements": "导入的新成绩。"}
    data = yaml.safe_dump(doc, allow_unicode=True).encode()
    upload = SimpleUploadedFile("去年的报告.yaml", data)
    client = client_for(world["preparer"])
    preview = client.post(f"/p/{pkg.pk}/import", {"file": upload, "version": 1}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', preview).group(1)
    ticked = re.findall(r'name="apply" value="(\d+)"', preview)
    r = client.post(f"/p/{pkg.pk}/import", {"token": token, "apply": ticked}, follow=True)  # every change ticked
    html = r.content.decode()
    assert "已从" in html and "意见未导入" in html
    pkg.refresh_from_db()
    assert pkg.draft["narrative"]["achievements"] == "导入的新成绩。"
    assert pkg.draft["opinions"][:2] == [{"role": TEAM}, {"role": UNIT}]  # the draft's blocks, unsigned as they were
    assert not any(o.get("text") or o.get("signer") for o in pkg.draft["opinions"])


def test_the_bureau_cannot_sign_the_units_opinion_and_the_head_not_the_bureaus(world):
    from jixiao.web import versions

    pkg = world["package"]
    with pytest.raises(versions.ActionError):
        versions.sign_opinion(pkg, world["bureau"], versions.signed_opinion(UNIT, "同意。", "王某"))
    with pytest.raises(versions.ActionError):
        versions.sign_opinion(pkg, world["head"], versions.signed_opinion(BUREAU, "同意。", "李某"))
    assert not versions.opinion_refusals(world["head"], pkg.draft, fields.put(
        pkg.draft, "opinions", versions.with_opinion(pkg.draft, versions.signed_opinion(TEAM, "同意。", "杨某"))))


def test_signing_keeps_the_forms_order_of_the_opinion_blocks(world):
    """An opinion is set in its block's place, never removed and appended: a form printing the
    財政 block between the others keeps it there through the head's approval and the bureau's accept."""
    pkg = world["package"]
    order = [TEAM, BUREAU, UNIT]
    Package.objects.filter(pk=pkg.pk).update(draft=fields.put(pkg.draft, "opinions", [{"role": r} for r in order]))
    send(pkg, world["preparer"], world["head"])
    bureau_services.accept(package_id=pkg.pk, user=world["bureau"], version=latest(pkg), opinion="同意。", signer="王审核")
    pkg.refresh_from_db()
    accepted = pkg.submissions.order_by("-number").first().content["opinions"]
    assert [o["role"] for o in accepted] == order == [o["role"] for o in pkg.draft["opinions"]]
    assert accepted[2]["text"] == "情况属实，同意报送。" and accepted[1]["signer"] == "王审核"


def test_one_with_opinion():
    """One definition, used by both sides: no copy of its own in any web module."""
    import ast
    from pathlib import Path

    root = Path(jixiao.web.__file__).parent
    homes = [str(p.relative_to(root)) for p in root.rglob("*.py")
             if any(isinstance(n, ast.FunctionDef) and "with_opinion" in n.name for n in ast.walk(ast.parse(p.read_text())))]
    assert homes == ["versions.py"]


# --- every write service leaves an audit entry -------------------------------------------------------------

LOG_WRITERS = {"versions.log"}  # the entry writer itself
OUTSIDE = ("jixiao.web.security", "jixiao.web.migrations", "jixiao.web.management")  # own app (its tests), not services


def write_services() -> list[str]:
    """Every public function of jixiao.web taking the acting user as a keyword (`user=` / `actor=`):
    that is what a write service looks like here. Found by walking the package, so a new one is
    found without anyone adding it to a list."""
    found = []
    for module_info in pkgutil.walk_packages(jixiao.web.__path__, "jixiao.web."):
        if module_info.name.startswith(OUTSIDE) or module_info.name.endswith(("settings", "wsgi")):
            continue
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            keywords = {p.name for p in inspect.signature(function).parameters.values() if p.kind == p.KEYWORD_ONLY}
            if keywords & {"user", "actor"}:
                found.append(f"{module.__name__.removeprefix('jixiao.web.')}.{name}")
    return sorted(set(found) - LOG_WRITERS)


def _returned(w):
    """The forestry bureau's package back with its preparer (returned by the bureau)."""
    bureau_services.return_package(package_id=w["package"].pk, user=w["bureau"], version=latest(w["package"]),
                                   reason="请补充")
    w["package"].refresh_from_db()
    return w["package"]


def _with_head(w):
    pkg = _returned(w)
    versions.submit(package_id=pkg.pk, user=w["preparer"], version=pkg.version)
    return pkg


def _accepted(w):
    pkg = w["package"]
    bureau_services.accept(package_id=pkg.pk, user=w["bureau"], version=latest(pkg), opinion="同意。")
    return pkg


def _notice(w, answered=False):
    notice = bureau_services.send_rectification(package_id=w["package"].pk, user=w["bureau"], text="请整改",
                                                due=date.today() + timedelta(days=30))
    if answered:
        unit_services.answer_rectification(notice_id=notice.pk, user=w["preparer"], answer="已整改")
    return notice


# Each scenario sets the scene and returns the one write under test.


def edit(w, tmp):
    pkg = _returned(w)
    return lambda: versions.apply_edit(package_id=pkg.pk, user=w["preparer"], path="narrative.problems",
                                       raw="新的问题说明", version=pkg.version)


def restructure(w, tmp):
    pkg = _returned(w)
    return lambda: versions.change_structure(package_id=pkg.pk, user=w["preparer"], op="add",
                                             path="projects[0].indicators", version=pkg.version)


def _import_preview(w):
    pkg = _returned(w)
    data = yaml.safe_dump(dict(pkg.draft, title="导入的标题"), allow_unicode=True).encode()
    return pkg, versions.preview_import(package_id=pkg.pk, user=w["preparer"], filename="草稿.yaml", data=data)


def import_apply(w, tmp):
    pkg, found = _import_preview(w)
    return lambda: versions.apply_import(package_id=pkg.pk, user=w["preparer"], token=found.token, chosen=None)


def adopt(w, tmp):
    pkg = _returned(w)
    draft = json.loads(json.dumps(pkg.draft))
    draft["projects"][0]["funds"][0]["rate"] = "12.34%"  # a stated rate that differs from the computed one
    Package.objects.filter(pk=pkg.pk).update(draft=draft)
    return lambda: versions.adopt_computed(package_id=pkg.pk, user=w["preparer"], paths=None, version=pkg.version)


def execution_import_job(w, tmp):
    data = "预算编码,单位名称,项目,全年预算数,全年执行数\n301001,某县林业局,造林补助,200,180\n".encode("utf-8-sig")
    return lambda: bureau_imports.start_execution_import(task_id=w["task"].pk, user=w["bureau"], filename="一体化.csv",
                                                         data=data)


def import_file(w, tmp):
    pkg = _returned(w)
    data = yaml.safe_dump(dict(pkg.draft, title="导入的标题"), allow_unicode=True).encode()
    return lambda: versions.import_draft(package_id=pkg.pk, user=w["preparer"], filename="草稿.yaml", data=data,
                                         version=pkg.version)


def submit(w, tmp):
    pkg = _returned(w)
    return lambda: versions.submit(package_id=pkg.pk, user=w["preparer"], version=pkg.version)


def head_return(w, tmp):
    pkg = _with_head(w)
    return lambda: versions.return_package(package_id=pkg.pk, user=w["head"], note="请改", comments=[])


def approve(w, tmp):
    pkg = _with_head(w)
    return lambda: versions.approve(package_id=pkg.pk, user=w["head"], opinion="同意。")


def head_comment(w, tmp):
    pkg = _with_head(w)
    return lambda: versions.add_comment(package_id=pkg.pk, user=w["head"], path="", text="请核对")


def bureau_comment(w, tmp):
    return lambda: bureau_services.add_comment(package_id=w["package"].pk, user=w["desk"], version=latest(w["package"]),
                                               path="", text="请核对")


def bureau_return(w, tmp):
    return lambda: bureau_services.return_package(package_id=w["package"].pk, user=w["desk"],
                                                  version=latest(w["package"]), reason="请补充")


def accept(w, tmp):
    return lambda: _accepted(w)


def publish(w, tmp):
    pkg = _accepted(w)
    return lambda: bureau_services.publish(package_id=pkg.pk, user=w["bureau"])


def rectification(w, tmp):
    return lambda: _notice(w)


def rectification_answer(w, tmp):
    notice = _notice(w)
    return lambda: unit_services.answer_rectification(notice_id=notice.pk, user=w["preparer"], answer="已整改")


def rectification_close(w, tmp):
    notice = _notice(w, answered=True)
    return lambda: bureau_services.close_rectification(notice_id=notice.pk, user=w["bureau"])


def spot_draw(w, tmp):
    _accepted(w)
    return lambda: bureau_services.draw(task_id=w["task"].pk, user=w["bureau"])


def spot_score(w, tmp):
    from jixiao.web.review.selectors import score_lines

    _accepted(w)
    spot = bureau_services.draw(task_id=w["task"].pk, user=w["bureau"])[0]
    line = next(ln for ln in score_lines(spot) if ln.allowed)
    return lambda: bureau_services.rescore(spot_id=spot.pk, user=w["bureau"], entries={line.key: (str(line.allowed[0]), "")})


def task_create(w, tmp):
    return lambda: bureau_services.create_task(user=w["bureau"], title="2024年度自评", year=2024, profile="national-2020",
                                               deadline=date(2025, 6, 30), unit_ids=[w["package"].unit_id])


def task_deadline(w, tmp):
    return lambda: bureau_services.change_deadline(task_id=w["task"].pk, user=w["bureau"], deadline=date(2024, 7, 31))


def api_audit_start(w, tmp):
    return lambda: api_audit.start(user=w["preparer"], filename="材料.zip", data=b"PK\x05\x06" + b"\0" * 18)


def batch_pdf_start(w, tmp):
    _accepted(w)
    return lambda: batch_pdf.start(task=w["task"], user=w["bureau"])


def batch_audit_start(w, tmp):
    return lambda: batch_audit.start(task=w["task"], user=w["bureau"])


def batch_start(w, tmp):
    return lambda: batches.start(task=w["task"], user=w["bureau"], kind=BatchJob.Kind.AUDIT, run=batch_audit.batch_audit)


def department_assign(w, tmp):
    from jixiao.web.models import Department

    department = Department.objects.create(bureau=w["task"].bureau, name="社会保障科")
    return lambda: bureau_departments.assign(user=w["bureau"], choices={w["package"].unit_id: str(department.pk)})


def department(w, tmp):
    return lambda: bureau_departments.create_department(user=w["bureau"], name="教育科")


def execution_import(w, tmp):
    data = "预算编码,单位名称,项目,全年预算数,全年执行数\n301001,某县林业局,造林补助,200,180\n".encode("utf-8-sig")
    return lambda: bureau_imports.import_execution(task_id=w["task"].pk, user=w["bureau"], filename="一体化.csv", data=data)


TARGETS = "预算编码,单位名称,三级指标,指标值,分值\n301001,某县林业局,造林面积,≥1000亩,50\n".encode("utf-8-sig")


def targets_import(w, tmp):
    return lambda: approved_targets.import_targets(task_id=w["task"].pk, user=w["bureau"], filename="批复目标.csv",
                                                   data=TARGETS)


def targets_apply(w, tmp):
    found = approved_targets.preview(task_id=w["task"].pk, user=w["bureau"], filename="批复目标.csv", data=TARGETS)
    return lambda: approved_targets.apply(task_id=w["task"].pk, user=w["bureau"], token=found.token)


def folder_import(w, tmp):
    (tmp / "外部").mkdir()
    (tmp / "外部" / "说明.txt").write_text("某县水利局报送说明。\n", encoding="utf-8")
    return lambda: bureau_imports.folder_import(task_id=w["task"].pk, user=w["bureau"], folder=tmp / "外部")


def zip_import(w, tmp):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("说明.txt", "某县水利局报送说明。\n")
    return lambda: bureau_imports.start_zip_import(task_id=w["task"].pk, user=w["bureau"], filename="外部.zip",
                                                   data=buf.getvalue(), enqueue=False)


def token_issue(w, tmp):
    return lambda: versions.issue_api_token(user=w["preparer"], name="报表", actor=w["preparer"])


def token_revoke(w, tmp):
    from jixiao.web.security.models import ApiToken

    versions.issue_api_token(user=w["preparer"], name="报表")
    return lambda: versions.revoke_api_token(token=ApiToken.objects.get(user=w["preparer"]), actor=w["preparer"])


def _department(w, send: bool = True):
    """A 主管部门 with three units beside the scene; the first unit's version with the department."""
    w["tier_world"] = d = dept_world.build(password_hash="x")
    if send:
        dept_world.send_to_department(d["units"][0])
    return d


def tier_deadline(w, tmp):
    d = _department(w, send=False)
    return lambda: tier.set_tier(task_id=d["task"].pk, department_id=d["dept"]["unit"].pk, user=d["performance"],
                                 deadline=date(2024, 6, 1))


def tier_units_deadline(w, tmp):
    d = _department(w, send=False)
    return lambda: tier.set_units_deadline(package_id=d["dept"]["package"].pk, user=d["dept"]["head"],
                                           deadline=date(2024, 5, 31))


def dept_comment(w, tmp):
    d = _department(w)
    return lambda: tier.comment(package_id=d["units"][0]["package"].pk, user=d["dept"]["preparer"],
                                path="narrative.problems", text="请补充")


def dept_return(w, tmp):
    d = _department(w)
    package = d["units"][0]["package"]
    return lambda: tier.return_unit(package_id=package.pk, user=d["dept"]["head"], version=dept_world.latest(package),
                                    reason="请修改")


def dept_approve(w, tmp):
    d = _department(w)
    package = d["units"][0]["package"]
    return lambda: tier.approve_unit(package_id=package.pk, user=d["dept"]["head"], version=dept_world.latest(package))


def dept_rebuild(w, tmp):
    d = _department(w)
    package = d["units"][0]["package"]
    tier.approve_unit(package_id=package.pk, user=d["dept"]["head"], version=dept_world.latest(package))
    return lambda: tier.rebuild(package_id=d["dept"]["package"].pk, user=d["dept"]["preparer"])


def department_rollup(w, tmp):
    """The water bureau made a unit of the forestry bureau; the forestry bureau's draft (returned, so
    editable) rolls up the water bureau's approved version."""
    from jixiao.web.drafts import rollup

    pkg = _returned(w)
    water = w["other_package"]
    water.unit.parent = pkg.unit
    water.unit.save()
    return lambda: rollup.roll_up_into(pkg, [latest_version(water)], actor=w["preparer"])


def latest_version(pkg: Package) -> Submission:
    return pkg.submissions.filter(state=Submission.State.APPROVED).order_by("-number").first()


# service → (scenario, the action its entry must carry). A service the walk finds without a line
# here fails `test_every_write_service_is_exercised`.
SCENARIOS = {
    "versions.apply_edit": (edit, "edit"),
    "versions.change_structure": (restructure, "structure"),
    "versions.import_draft": (import_file, "import"),
    "versions.apply_import": (import_apply, "import"),
    "versions.adopt_computed": (adopt, "adopt"),
    "review.imports.start_execution_import": (execution_import_job, "execution_import"),
    "versions.submit": (submit, "submission"),
    "versions.return_package": (head_return, "return"),
    "versions.approve": (approve, "approve"),
    "versions.add_comment": (head_comment, "comment"),
    "review.services.add_comment": (bureau_comment, "bureau_comment"),
    "review.services.return_package": (bureau_return, "bureau_return"),
    "review.services.accept": (accept, "accept"),
    "review.services.publish": (publish, "publish"),
    "review.services.send_rectification": (rectification, "rectification"),
    "unit.services.answer_rectification": (rectification_answer, "rectification_answer"),
    "review.services.close_rectification": (rectification_close, "rectification_close"),
    "review.services.draw": (spot_draw, "spot_draw"),
    "review.services.rescore": (spot_score, "spot_score"),
    "review.services.create_task": (task_create, "task_create"),
    "review.services.change_deadline": (task_deadline, "task_deadline"),
    "jobs.api_audit.start": (api_audit_start, "api_audit"),
    "jobs.batch_pdf.start": (batch_pdf_start, "batch_start"),
    "jobs.batch_audit.start": (batch_audit_start, "batch_start"),
    "jobs.batches.start": (batch_start, "batch_start"),
    "review.departments.assign": (department_assign, "department_assign"),
    "review.departments.create_department": (department, "department"),
    "review.imports.import_execution": (execution_import, "execution_import"),
    "review.imports.folder_import": (folder_import, "package_import"),
    "review.targets.import_targets": (targets_import, "targets_import"),
    "review.targets.apply": (targets_apply, "targets_import"),
    "review.imports.start_zip_import": (zip_import, "package_import"),
    "versions.issue_api_token": (token_issue, "token_issue"),
    "versions.revoke_api_token": (token_revoke, "token_revoke"),
    "review.tier.set_tier": (tier_deadline, "dept_tier"),
    "review.tier.set_units_deadline": (tier_units_deadline, "dept_units_deadline"),
    "review.tier.comment": (dept_comment, "dept_comment"),
    "review.tier.return_unit": (dept_return, "dept_return"),
    "review.tier.approve_unit": (dept_approve, "dept_approve"),
    "review.tier.rebuild": (dept_rebuild, "dept_rollup"),
    "drafts.rollup.roll_up_into": (department_rollup, "rollup"),
}


# Services that take a user but store nothing: each has a test that it leaves the draft and the log as they were.
READS = {"versions.preview_import", "review.targets.preview"}


def test_every_write_service_is_exercised():
    missing = [s for s in write_services() if s not in SCENARIOS and s not in READS]
    assert not missing, "write services without an audit scenario in tests/web/test_versions.py: " + ", ".join(missing)
    assert not (set(SCENARIOS) | READS) - set(write_services()), "scenarios of services that no longer exist"


def test_an_import_preview_stores_nothing_and_logs_nothing(scene):
    pkg = _returned(scene)
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    data = yaml.safe_dump(dict(pkg.draft, title="导入的标题"), allow_unicode=True).encode()
    found = versions.preview_import(package_id=pkg.pk, user=scene["preparer"], filename="草稿.yaml", data=data)
    assert found.ok and found.changes
    assert not AuditEntry.objects.filter(seq__gt=last).exists()
    assert Package.objects.get(pk=pkg.pk).version == pkg.version


def test_a_targets_preview_stores_nothing_and_logs_nothing(scene):
    from jixiao.web.models import ApprovedTarget

    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    found = approved_targets.preview(task_id=scene["task"].pk, user=scene["bureau"], filename="批复目标.csv", data=TARGETS)
    assert found.targets and found.token
    assert not AuditEntry.objects.filter(seq__gt=last).exists() and not ApprovedTarget.objects.exists()


@pytest.mark.parametrize("service", sorted(SCENARIOS))
def test_every_write_service_leaves_an_audit_entry_under_its_name(scene, tmp_path, service):
    setup, action = SCENARIOS[service]
    write = setup(scene, tmp_path)
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    write()
    actions = list(AuditEntry.objects.filter(seq__gt=last).values_list("action", flat=True))
    assert action in actions, f"{service} left {actions or 'no entry'}, not “{ACTIONS.get(action, action)}”"
    assert all(a in ACTIONS for a in actions)  # every entry has its Chinese name


def test_the_bureaus_decisions_have_names_of_their_own():
    names = {ACTIONS[a] for a in ("bureau_comment", "bureau_return", "accept", "publish", "rectification", "spot_draw",
                                  "spot_score", "batch_start", "export", "token_issue", "token_revoke")}
    assert len(names) == 11 and "形成报送版本" not in names
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names)


# --- every download leaves an entry ---------------------------------------------------------------------------


def test_every_export_and_download_is_logged(scene):
    w = scene
    pkg, task = w["package"], w["task"]
    other = w["other_package"]
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    bureau = client_for(w["bureau"])
    for url in (f"/b/t/{task.pk}/dashboard.xlsx", f"/b/t/{task.pk}/?format=xlsx"):
        bureau.get(url)
    assert bureau.get(f"/b/t/{task.pk}/dashboard.xlsx").status_code == 200
    Package.objects.filter(pk=other.pk).update(status=Status.DRAFT)
    preparer = client_for(w["other"])
    for fmt in ("xlsx", "docx", "json"):
        assert preparer.get(f"/p/{other.pk}/export/{fmt}").status_code == 200
    entries = list(AuditEntry.objects.filter(seq__gt=last, action="export"))
    names = " ".join(e.detail for e in entries)
    assert "301002-2023.xlsx" in names and "301002-2023.docx" in names and "301002-2023.json" in names
    assert any(e.actor == "czj" and "dashboard.xlsx" in e.target for e in entries)
    assert ACTIONS["export"] == "导出下载"
    assert not AuditEntry.objects.filter(seq__gt=last, action="export", actor="").exists()
    assert pkg.pk


# --- the outside import beside the draft -----------------------------------------------------------------------


def test_an_outside_package_of_a_unit_that_never_started_is_its_version_sent(transactional_db, world, tmp_path):
    """The unit did not use the system: its file is the version the bureau reviews (已报送), marked as
    outside; its draft stays empty — the unit's own, not the bureau's to fill."""
    from jixiao import services as package_services

    from .conftest import FIXTURE

    water = world["other_package"]
    Package.objects.filter(pk=water.pk).update(draft={}, status=Status.NOT_STARTED, version=0)
    package = package_services.read(path=FIXTURE)
    package.unit.name, package.unit.budget_code = "某县水利局", "301002"
    workbook = package_services.render(package=package, outdir=tmp_path, charts=False).xlsx
    (tmp_path / "in").mkdir()
    workbook.replace(tmp_path / "in" / "水利局.xlsx")
    job = bureau_imports.folder_import(task_id=world["task"].pk, user=world["bureau"], folder=tmp_path / "in")
    assert [r["outcome"] for r in job.results] == ["imported"]
    water.refresh_from_db()
    assert water.status == Status.SUBMITTED and water.draft == {} and water.version == 0
    version = water.submissions.get()
    assert version.origin == "外部导入：水利局.xlsx" and version.state == Submission.State.APPROVED
    assert water.total_score == version.total_score is not None
    html = client_for(world["bureau"]).get(f"/b/p/{water.pk}/").content.decode()
    assert "外部导入：水利局.xlsx" in text_of(html, "b-origin")
