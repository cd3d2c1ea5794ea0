"""The API driven through a client GENERATED from its own OpenAPI schema (openapi-python-client, at
test time, into the test's temporary folder, from the live /api/v1/openapi.json): what the schema
promises is what the server does, or the generated models fail to read the answers. The bureau's
whole story: a task → the units fill and send → review (comment, a stale decision refused, return,
send again, accept) → 抽评 → 部门汇总 and 结果应用 → 整改 → batch audit → publish → the open data.
Runs on SQLite and PostgreSQL (`DATABASE_URL=postgres://… pytest tests/web/test_api_client.py`)."""

from __future__ import annotations

import importlib
import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application
from django.test import Client as DjangoClient
from django.utils import timezone

from jixiao.web.jobs import batch_audit, recovery
from jixiao.web.jobs.api_audit import run_audit
from jixiao.web.models import AuditJob, Package, Role, Status, Unit, User

from .conftest import FIXTURE, api_token, canonical

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
TWO_PLACES = re.compile(r"^-?\d+\.\d\d$")


@pytest.fixture
def wsgi_app():
    """The WSGI application on the test's own database connection (as test_security_schemathesis.py)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def generated(db, tmp_path):
    """The client package generated from the schema the server serves now."""
    schema = DjangoClient().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    (tmp_path / "openapi.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text("package_name_override: jixiao_api_client\nproject_name_override: jixiao-api-client\n"
                                          "post_hooks: []\n", encoding="utf-8")
    out = tmp_path / "client"
    out.mkdir()
    run = subprocess.run([str(GENERATOR), "generate", "--path", str(tmp_path / "openapi.json"), "--meta", "none",
                          "--config", str(tmp_path / "config.yaml")], cwd=out, capture_output=True, text=True, timeout=300)
    assert (out / "jixiao_api_client" / "client.py").exists(), run.stdout + run.stderr
    sys.path.insert(0, str(out))
    for name in [m for m in sys.modules if m.startswith("jixiao_api_client")]:
        del sys.modules[name]
    try:
        yield Generated(importlib.import_module("jixiao_api_client"))
    finally:
        sys.path.remove(str(out))


class Generated:
    """The generated package: its operations by their function names, its models by their names."""

    def __init__(self, package):
        self.package = package
        self.models = importlib.import_module("jixiao_api_client.models")
        api_dir = Path(package.__file__).parent / "api"
        self.ops = {f.stem: ".".join(["jixiao_api_client", "api", f.parent.name, f.stem])
                    for f in api_dir.glob("*/*.py") if f.stem != "__init__"}

    def client(self, app, token: str, headers: dict | None = None):
        client_module = importlib.import_module("jixiao_api_client.client")
        return client_module.AuthenticatedClient(base_url="http://testserver", token=token, headers=headers or {},
                                                 httpx_args={"transport": httpx.WSGITransport(app=app)},
                                                 raise_on_unexpected_status=True)

    def call(self, op: str, client, **kwargs):
        """The operation's detailed answer (status, headers, parsed model)."""
        return importlib.import_module(self.ops[op]).sync_detailed(client=client, **kwargs)

    def model(self, name: str, **kwargs):
        return getattr(self.models, name)(**kwargs)

    def file(self, name: str, data: bytes):
        types = importlib.import_module("jixiao_api_client.types")
        return types.File(payload=io.BytesIO(data), file_name=name)


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.content.decode("utf-8", "replace")[:500])
    return response.parsed


def refused(response, status: int):
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = json.loads(response.content)
    assert set(body) == {"detail", "errors"} and body["detail"] and not body["detail"].isascii()
    return body


@pytest.fixture
def people(world):
    """The 绩效评价股 of the bureau; 水利局 reports to 林业局 (its 主管部门), so 林业局 has a 部门汇总."""
    Unit.objects.filter(pk=world["other_package"].unit_id).update(parent_id=world["package"].unit_id)
    return world


def test_the_schema_generates_a_client_with_every_operation(generated):
    assert len(generated.ops) >= 30
    for op in ("create_task", "dashboard", "post_accept", "draw", "rescore", "rollup", "results_use", "publish",
               "open_data", "audit", "start_batch_audit", "start_execution_import", "start_package_import"):
        assert op in generated.ops


def test_the_bureau_story_through_the_generated_client(people, generated, wsgi_app, settings):
    g, app = generated, wsgi_app
    token = api_token(people["bureau"])
    bureau = g.client(app, token)

    def matching(tag: str):  # a client of its own: httpx keeps a header once set on a client
        return g.client(app, token, headers={"If-Match": tag})
    forestry, water = people["package"].unit, people["other_package"].unit

    # 1. the task, with both units; its deadline moved
    task = ok(g.call("create_task", bureau, body=g.model("TaskIn", title="2024年度部门整体支出绩效自评", year=2024,
                                                         profile="national-2020", deadline=date(2025, 6, 30),
                                                         unit_ids=[forestry.pk, water.pk])), 201)
    assert task.units == 2 and task.profile_title
    refused(g.call("create_task", bureau, body=g.model("TaskIn", title="", year=24, profile="national-2020")), 400)
    task = ok(g.call("change_deadline", bureau, task=task.id, body=g.model("DeadlineIn", deadline=date(2025, 7, 15))))
    assert task.deadline == "2025-07-15"
    assert [t.id for t in ok(g.call("list_tasks", bureau))][0] == task.id
    units = ok(g.call("task_units", bureau, task=task.id))
    assert [u.name for u in units] == ["某县林业局", "某县水利局"] and {u.status for u in units} == {Status.NOT_STARTED}
    packages = {u.name: u.package for u in units}

    # 2. each unit fills its package (an import of its file) and sends it: the preparer submits, the head approves
    for unit, who in (("某县林业局", ("preparer", "head")), ("某县水利局", ("other", "other_head"))):
        _unit_sends(g, app, people, packages[unit], unit, *who)
    rows = ok(g.call("dashboard", bureau, task=task.id, sort="-total", page=1, page_size=1))
    assert (rows.total, rows.pages, rows.page_size, len(rows.rows)) == (2, 2, 1, 1)
    row = rows.rows[0]
    assert row.status == Status.SUBMITTED and TWO_PLACES.match(row.total_score) and TWO_PLACES.match(row.execution_rate)
    assert ok(g.call("dashboard", bureau, task=task.id, q="水利")).rows[0].unit == "某县水利局"
    bad = refused(g.call("dashboard", bureau, task=task.id, page_size=100000), 422)
    assert bad["errors"][0]["field"] == "page_size"

    # 3. the review: ETag, comment, a stale decision refused with both versions, return, send again, accept
    review = g.call("get_review", bureau, pk=packages["某县林业局"])
    sent = ok(review).version
    assert review.headers["ETag"] == f'"{sent}"'
    assert ok(g.call("review_findings", bureau, pk=packages["某县林业局"])) is not None
    assert ok(g.call("review_figures", bureau, pk=packages["某县林业局"]))
    ok(g.call("post_comment", bureau, pk=packages["某县林业局"], body=g.model("CommentIn", text="请核对项目支出", version=sent)),
       201)
    stale = refused(g.call("post_return", bureau, pk=packages["某县林业局"], body=g.model("ReturnIn", reason="补充", version=sent - 1)),
                    409)
    assert f"第{sent}版" in stale["detail"] and f"第{sent - 1}版" in stale["detail"]
    stale = refused(g.call("post_return", matching(f'"{sent - 1}"'), pk=packages["某县林业局"],
                           body=g.model("ReturnIn", reason="补充")), 412)
    assert f"第{sent}版" in stale["detail"] and f"第{sent - 1}版" in stale["detail"]
    decision = ok(g.call("post_return", matching(review.headers["ETag"]), pk=packages["某县林业局"],
                         body=g.model("ReturnIn", reason="请补充偏差原因")))
    assert decision.action == "return" and decision.version == sent
    _unit_sends(g, app, people, packages["某县林业局"], "某县林业局", "preparer", "head", again=True)
    for unit in ("某县林业局", "某县水利局"):
        version = ok(g.call("get_review", bureau, pk=packages[unit])).version
        accepted = ok(g.call("post_accept", bureau, pk=packages[unit],
                             body=g.model("AcceptIn", opinion="同意。", signer="王审核", signed_on=date(2025, 8, 1), version=version)))
        assert accepted.action == "accept" and accepted.result_version == version + 1
    assert len(ok(g.call("review_decisions", bureau, pk=packages["某县林业局"]))) == 2

    # 4. 抽评: draw, the sheet, a re-score (a wrong one refused whole, by field)
    sample = ok(g.call("draw", bureau, task=task.id), 201)
    assert sample and all(s.reasons is not None for s in sample)
    sheet = ok(g.call("sheet", bureau, spot=sample[0].id))
    line = sheet.lines[0]
    wrong = refused(g.call("rescore", bureau, spot=sample[0].id, body=g.model(
        "ScoresIn", scores=[g.model("ScoreIn", key=line.key, score="1000")])), 422)
    assert wrong["errors"][0]["field"] == line.key
    scored = ok(g.call("rescore", bureau, spot=sample[0].id, body=g.model(
        "ScoresIn", scores=[g.model("ScoreIn", key=line.key, score=line.allowed_from or "0", note="复核")])))
    assert scored.saved == 1 and scored.sheet.lines[0].bureau_score == (line.allowed_from or "0.00")

    # 5. 部门汇总 of 林业局 (with 水利局) and 结果应用
    [supervisor] = ok(g.call("supervisors", bureau, task=task.id))
    rollup = ok(g.call("rollup", bureau, task=task.id, unit=supervisor.id))
    assert rollup.included == ["某县林业局", "某县水利局"] and rollup.figures
    uses = ok(g.call("results_use", bureau, task=task.id))
    assert len(uses) == 2 and all(u.consequence for u in uses)

    # 6. 整改: a notice, and its closing refused until the unit answers
    notice = ok(g.call("post_rectification", bureau, pk=packages["某县水利局"],
                       body=g.model("RectificationIn", text="请补充绩效目标偏差原因", due=date(2099, 12, 31))), 201)
    assert [n.id for n in ok(g.call("open_rectifications", bureau, task=task.id))] == [notice.id]
    refused(g.call("close_rectification", bureau, notice=notice.id), 409)

    # 7. the batch audit: started, run by the worker, polled
    job = ok(g.call("start_batch_audit", bureau, task=task.id), 202)
    batch_audit.batch_audit.call(job.id)
    polled = ok(g.call("batch_job", bureau, task=task.id, job=job.id))
    assert polled.state == "done" and polled.percent == 100 and len(polled.results) == 2

    # 8. publication and the open data (read with no token at all)
    for unit in ("某县林业局", "某县水利局"):
        ok(g.call("publish", bureau, pk=packages[unit]), 201)
    anyone = g.client(app, "")
    listing = ok(g.call("list_published", anyone, year=2024))
    assert listing.total == 2 and {i.unit for i in listing.items} == {"某县林业局", "某县水利局"}
    detail = ok(g.call("get_published", anyone, year=2024, code=forestry.budget_code))
    assert detail.tables and all(t.total_score is None or TWO_PLACES.match(t.total_score) for t in detail.tables)
    data = ok(g.call("open_data", anyone, year=2024)).to_dict()
    resources = {r["path"]: r for r in data["datapackage"]["resources"]}
    assert set(data["tables"]) == set(resources)
    for path, rows in data["tables"].items():  # every table's columns are its schema's fields
        assert rows and set(rows[0]) == {f["name"] for f in resources[path]["schema"]["fields"]}, path


def _unit_sends(g, app, people, pk: int, name: str, preparer: str, head: str, again: bool = False):
    """The unit's side of the story through the same client: import the unit's file, submit, approve."""
    prep = g.client(app, api_token(people[preparer]))
    boss = g.client(app, api_token(people[head]))
    package = g.call("get_package", prep, pk=pk)
    version = ok(package).version
    assert package.headers["ETag"] == f'"{version}"'
    if not again:
        doc = canonical(FIXTURE)
        doc["unit"]["name"], doc["unit"]["budget_code"] = name, Unit.objects.get(name=name).budget_code
        upload = g.file("自评.json", json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        imported = ok(g.call("post_import", prep, pk=pk, body=g.model("PostImportMultiPartBodyParams", file=upload, version=version)))
        assert imported.ok, imported.problems
        version = ok(g.call("get_package", prep, pk=pk)).version
    ok(g.call("post_submit", prep, pk=pk, body=g.model("VersionIn", version=version)))
    sent = ok(g.call("post_approve", boss, pk=pk, body=g.model("OpinionIn", opinion="情况属实，同意报送。")))
    assert sent.state == "approved"
    assert Package.objects.get(pk=pk).status == Status.SUBMITTED


# --- the refusals' one shape --------------------------------------------------------------------------------


def test_every_refusal_has_one_shape_in_chinese(world):
    c = DjangoClient(HTTP_AUTHORIZATION=f"Bearer {api_token(world['preparer'])}")
    pkg = world["package"]
    cases = [
        (DjangoClient().get("/api/v1/tasks"), 401),
        (c.get("/api/v1/tasks"), 404),  # a unit's token on the bureau's side: not found, as the pages answer
        (c.get("/api/v1/packages/999999"), 404),
        (c.delete(f"/api/v1/packages/{pkg.pk}"), 405),
        (c.get("/api/v1/no-such-thing"), 404),
        (c.post(f"/api/v1/packages/{pkg.pk}/submit", "{", content_type="application/json"), 400),
        (c.post(f"/api/v1/packages/{pkg.pk}/edits", json.dumps({"path": "unit.contact", "value": "王五", "version": 99}),
                content_type="application/json"), 409),
        (c.post(f"/api/v1/packages/{pkg.pk}/submit", json.dumps({"version": 1}), content_type="application/json",
                HTTP_IF_MATCH='"7"'), 412),
    ]
    for r, status in cases:
        assert r.status_code == status, (status, r.content[:300])
        body = r.json()
        assert isinstance(body["detail"], str) and not body["detail"].isascii(), body
        assert isinstance(body["errors"], list), body
        assert "Traceback" not in r.content.decode() and "/work/" not in r.content.decode()
    missing = c.post(f"/api/v1/packages/{pkg.pk}/edits", json.dumps({"path": "unit.contact"}), content_type="application/json")
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"value", "version"}
    assert all(not e["message"].isascii() for e in missing.json()["errors"])


def test_an_upload_over_the_limit_is_413_in_the_shape(world, settings):
    settings.JIXIAO_MAX_UPLOAD_BYTES = 1024
    c = DjangoClient(HTTP_AUTHORIZATION=f"Bearer {api_token(world['preparer'])}")
    r = c.post("/api/v1/audit", {"file": SimpleUploadedFile("大.txt", "预算".encode() * 200_000)})
    assert r.status_code == 413 and set(r.json()) == {"detail", "errors"} and "上限" in r.json()["detail"]


def test_a_token_of_the_other_side_is_refused(world):
    token = api_token(world["preparer"])
    User.objects.filter(pk=world["preparer"].pk).update(role=Role.BUREAU_DESK, unit=None, bureau_id=world["task"].bureau_id)
    r = DjangoClient(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/tasks")
    assert r.status_code == 403 and "适用范围" in r.json()["detail"]


def test_a_background_audit_is_polled_by_its_owner(world, settings):
    buf = io.BytesIO()
    doc = json.dumps(canonical(), ensure_ascii=False).encode("utf-8")
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("甲/自评.json", doc)
        z.writestr("乙/自评.txt", "不是一份自评材料")
        z.writestr("说明.docx", b"")  # an auditable name with nothing in it: reported, not fatal
    owner = DjangoClient(HTTP_AUTHORIZATION=f"Bearer {api_token(world['preparer'])}")
    r = owner.post("/api/v1/audit", {"file": SimpleUploadedFile("材料.zip", buf.getvalue())})
    assert r.status_code == 202, r.content
    job = r.json()
    assert job["state"] == "queued" and job["status_url"] == f"/api/v1/audit/jobs/{job['id']}"
    run_audit.call(job["id"])
    done = owner.get(job["status_url"]).json()
    assert done["state"] == "done" and [d["path"] for d in done["result"]["documents"]] == ["乙/自评.txt", "甲/自评.json", "说明.docx"]
    assert all("coverage" in d["summary"] for d in done["result"]["documents"])
    assert not AuditJob.objects.get(pk=job["id"]).source or not (settings.MEDIA_ROOT / AuditJob.objects.get(pk=job["id"]).source).exists()
    other = DjangoClient(HTTP_AUTHORIZATION=f"Bearer {api_token(world['other'])}")
    assert other.get(job["status_url"]).status_code == 404


def test_a_background_audit_left_by_a_dead_worker_is_ended(world, settings):
    stored = settings.MEDIA_ROOT / "imports" / "left.zip"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"PK")
    job = AuditJob.objects.create(requested_by=world["preparer"], filename="材料.zip", source="imports/left.zip",
                                  state=AuditJob.State.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1))
    assert recovery.recover()["audit"] == [job.pk]
    job.refresh_from_db()
    assert job.state == AuditJob.State.FAILED and "中断" in job.error and not stored.exists()
