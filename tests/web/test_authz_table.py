"""The authorisation table (issue 12): every URL pattern and every API operation × every role ×
own/other unit and own/other bureau → allowed or refused, as `authz_table.csv` says.

- `test_every_url_has_a_row` walks Django's URL resolver; `test_every_api_operation_has_a_row`
  reads the OpenAPI schema. A URL or operation without a row fails, naming the row to add.
- `test_the_table_holds` makes every request of the table as every actor, on one shared world,
  each request inside a savepoint that is rolled back (so a write of one cell cannot change the
  next). A refused request must change nothing (a fingerprint of every table a request can write);
  no request may answer with a server error.

How a response is read: refused = 401, 403, 404 or a redirect to the login page; allowed = any
other answer below 500 (a 400/409/422 of an allowed role is a business rule, not access).
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

TABLE = Path(__file__).with_name("authz_table.csv")
ACTORS = ["preparer", "preparer_other_unit", "preparer_other_bureau", "head", "head_other_unit", "head_other_bureau",
          "performance", "performance_other_bureau", "desk", "desk_other_department", "desk_other_bureau", "sysadmin", "secadmin", "auditadmin",
          "anonymous", "dept_preparer", "dept_head"]
FIELDS = ["kind", "route", "method", "url", "data", "note", *ACTORS]


def read_table() -> list[dict]:
    lines = [ln for ln in TABLE.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    rows = list(csv.DictReader(lines))
    assert rows and list(rows[0].keys()) == FIELDS, f"{TABLE.name}: the header must be {','.join(FIELDS)}"
    for r in rows:
        for a in ACTORS:
            assert re.fullmatch(r"Y|N|\d{3}", r[a] or ""), f"{TABLE.name}: {r['route']} {r['method']} {a}: {r[a]!r} (Y, N or a status code)"
    return rows


# --- coverage -------------------------------------------------------------------------------------


def _url_patterns(resolver=None, prefix: str = "", ns: str = ""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            sub = ":".join(x for x in (ns, p.namespace or "") if x)
            yield from _url_patterns(p, prefix + str(p.pattern), sub)
        else:
            yield (f"{ns}:{p.name}" if ns else (p.name or "")) or "/" + prefix + str(p.pattern), "/" + prefix + str(p.pattern)


def _api_operations() -> list[tuple[str, str]]:
    from jixiao.web.api.endpoints import api

    schema = api.get_openapi_schema()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


def _api_routes() -> set[str]:
    """The URL routes the API's operations answer on (covered by their operation rows)."""
    return {"/" + re.sub(r"\{(\w+)\}", r"<\1>", path).lstrip("/") for _, path in _api_operations()}


def test_every_url_has_a_row():
    rows = {r["route"] for r in read_table() if r["kind"] == "page"}
    api_routes = _api_routes()
    missing = [(name, route) for name, route in _url_patterns() if route not in api_routes and name not in rows]
    cells = ",".join(["?"] * len(ACTORS))
    lines = [f"  page,{name},GET,{_template(route)},,<说明>,{cells}" for name, route in missing]
    assert not missing, ("URL patterns without a row in tests/web/authz_table.csv — add one line per URL and method "
                         "(Y or N for each role):\n" + "\n".join(lines))


def _template(route: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_api_operation_has_a_row():
    rows = {(r["method"], r["route"]) for r in read_table() if r["kind"] == "api"}
    missing = [op for op in _api_operations() if op not in rows]
    assert not missing, "API operations without a row in tests/web/authz_table.csv — add:\n" + "\n".join(
        f"  api,{path},{method},{path},<a=1&b=2>,<说明>," + ",".join(["?"] * len(ACTORS)) for method, path in missing)


def test_no_row_names_something_that_does_not_exist():
    urls = {name for name, _ in _url_patterns()}
    ops = set(_api_operations())
    stale = [r["route"] for r in read_table() if (r["kind"] == "page" and r["route"] not in urls)
             or (r["kind"] == "api" and (r["method"], r["route"]) not in ops) or r["kind"] not in ("page", "api")]
    assert not stale, f"rows for URLs or operations that no longer exist: {stale}"


# --- the world -----------------------------------------------------------------------------------


def _world(tmp_path) -> dict:
    """Bureau X with units A and B, bureau Y with unit C; the users of each role; in X: a task with
    A's draft (the unit's pages), a task with A's package sent to the bureau (the bureau's pages),
    B's accepted and published one drawn into the 抽评 sample, a 整改 notice, a batch job."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from jixiao.web.drafts import fields
    from jixiao.web.models import (
        BatchJob,
        Bureau,
        EvaluationTask,
        Package,
        RenderJob,
        Role,
        Status,
        Unit,
        User,
    )
    from jixiao.web.review import services as bureau_services
    from jixiao.web.security import roles

    from .conftest import PASSWORD, api_token, canonical
    from .test_bureau import send

    x = Bureau.objects.create(name="某县财政局", region_code="430000")
    y = Bureau.objects.create(name="别县财政局", region_code="439999")
    a = Unit.objects.create(bureau=x, name="某县林业局", budget_code="301001")
    b = Unit.objects.create(bureau=x, name="某县水利局", budget_code="301002")
    c = Unit.objects.create(bureau=y, name="别县林业局", budget_code="501001")
    pw = make_password(PASSWORD)

    def user(name, role="", unit=None, bureau=None, group=None):
        u = User.objects.create(username=name, display_name=name, role=role, unit=unit, bureau=bureau, password=pw)
        if group:
            u.groups.add(Group.objects.get(name=group))
        return u

    people = {
        "preparer": user("a_tb", Role.PREPARER, unit=a), "head": user("a_fz", Role.UNIT_HEAD, unit=a),
        "preparer_other_unit": user("b_tb", Role.PREPARER, unit=b), "head_other_unit": user("b_fz", Role.UNIT_HEAD, unit=b),
        "preparer_other_bureau": user("c_tb", Role.PREPARER, unit=c), "head_other_bureau": user("c_fz", Role.UNIT_HEAD, unit=c),
        "performance": user("x_jx", Role.BUREAU_PERFORMANCE, bureau=x), "desk": user("x_gk", Role.BUREAU_DESK, bureau=x),
        "performance_other_bureau": user("y_jx", Role.BUREAU_PERFORMANCE, bureau=y),
        "desk_other_bureau": user("y_gk", Role.BUREAU_DESK, bureau=y),
        "sysadmin": user("admin_sys", group=roles.SYSTEM_ADMIN), "secadmin": user("admin_sec", group=roles.SECURITY_ADMIN),
        "auditadmin": user("admin_aud", group=roles.AUDIT_ADMIN),
    }
    # 归口业务科室: the desk reviews A and B (its department's units); the other bureau's desk has none
    # (a desk outside the department is refused a unit: test_bureau_batch.py).
    from jixiao.web.models import Department

    dept = Department.objects.create(bureau=x, name="农业农村科")
    Unit.objects.filter(pk__in=[a.pk, b.pk]).update(department=dept)
    User.objects.filter(pk=people["desk"].pk).update(department=dept)
    # a desk of the same bureau whose department has neither A nor B
    people["desk_other_department"] = user("x_gk2", Role.BUREAU_DESK, bureau=x)
    User.objects.filter(pk=people["desk_other_department"].pk).update(
        department=Department.objects.create(bureau=x, name="社会保障科"))
    # The unit's pages: A's draft in this year's task.
    t1 = EvaluationTask.objects.create(bureau=x, year=2023, title="2023年度自评", profile="national-2020", deadline=date(2024, 6, 30))
    t1.units.add(a, b)
    doc = canonical()
    draft = Package.objects.create(task=t1, unit=a, draft=doc, version=1, status=Status.DRAFT)
    Package.objects.create(task=t1, unit=b, draft=canonical(), version=1, status=Status.DRAFT)
    pdf = tmp_path / "files" / "jobs" / "x.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-1.4\n")
    pdf.with_suffix(".docx").write_bytes(b"PK\x05\x06" + b"\0" * 18)  # the published copy's .docx beside its PDF
    job = RenderJob.objects.create(package=draft, requested_by=people["preparer"], state="done", file="jobs/x.pdf")
    # The bureau's pages: last year's task, A's package sent (under review), B's accepted, sampled, published.
    t2 = EvaluationTask.objects.create(bureau=x, year=2022, title="2022年度自评", profile="national-2020", deadline=date(2023, 6, 30))
    t2.units.add(a, b)
    sent = Package.objects.create(task=t2, unit=a, draft=canonical(), version=1, status=Status.DRAFT)
    water = fields.put(fields.put(canonical(), "unit.name", "某县水利局"), "unit.budget_code", "301002")
    accepted = Package.objects.create(task=t2, unit=b, draft=water, version=1, status=Status.DRAFT)
    send(sent, people["preparer"], people["head"])
    send(accepted, people["preparer_other_unit"], people["head_other_unit"])
    number = accepted.submissions.filter(state="approved").order_by("-number").first().number
    bureau_services.accept(package_id=accepted.pk, user=people["performance"], version=number, opinion="同意。", signer="王审核",
              signed_on=date(2023, 7, 1))
    spot = bureau_services.draw(task_id=t2.pk, user=people["performance"])[0]
    from jixiao.web.review.selectors import score_lines

    key = score_lines(spot)[0].key
    pub = bureau_services.publish(package_id=accepted.pk, user=people["performance"])
    pub.pdf = "jobs/x.pdf"
    pub.save(update_fields=["pdf"])
    notice = bureau_services.send_rectification(package_id=sent.pk, user=people["performance"], text="请补充偏差原因",
                                   due=date.today() + timedelta(days=30))
    batch = BatchJob.objects.create(task=t2, requested_by=people["performance"])
    (tmp_path / "files" / "jobs" / "batch.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    pdf_batch = BatchJob.objects.create(task=t2, requested_by=people["performance"], kind=BatchJob.Kind.PDF,
                                        state=BatchJob.State.DONE, file="jobs/batch.zip")
    from jixiao.web.models import PackageImport

    package_import = PackageImport.objects.create(task=t2, requested_by=people["performance"], filename="外部.zip",
                                                  source="imports/x.zip", state=PackageImport.State.DONE)
    from jixiao.web.models import ExecutionImportJob

    execution_job = ExecutionImportJob.objects.create(task=t2, requested_by=people["performance"], filename="执行.csv",
                                                      source="imports/x.csv", state=ExecutionImportJob.State.FAILED)
    # B reports to A (A is its 主管部门): the 部门汇总 of A covers both.
    Unit.objects.filter(pk=b.pk).update(parent=a)
    from jixiao.web.models import AuditJob

    audit_job = AuditJob.objects.create(requested_by=people["preparer"], filename="自评.zip", source="imports/y.zip",
                                        state=AuditJob.State.DONE, result={"documents": []})
    sent.refresh_from_db()
    fill = {"pk": draft.pk, "job": job.pk, "version": draft.version, "sent": sent.pk,
            "sent_version": sent.submissions.filter(state="approved").order_by("-number").first().number,
            "task": t2.pk, "spot": spot.pk, "key": key, "batch": batch.pk, "pdf_batch": pdf_batch.pk, "package_import": package_import.pk,
            "execution_job": execution_job.pk, "notice": notice.pk, "supervisor": a.pk, "audit_job": audit_job.pk, "year": 2022,
            "code": b.budget_code, "unit_a": a.pk, "user": people["preparer_other_unit"].pk, "own_user": people["preparer"].pk}
    fill |= _department_tier(x, a, people, user)
    from jixiao.web.security.models import ApiToken
    from jixiao.web.security.roles import admin_groups_of

    tokens = {k: api_token(u) for k, u in people.items() if not admin_groups_of(u)}  # administrators get none
    fill["token"] = ApiToken.objects.get(user=people["preparer"]).pk
    return {"people": people, "fill": fill, "tokens": tokens, "upload": json.dumps(doc, ensure_ascii=False).encode("utf-8")}


def _department_tier(x, a, people: dict, user) -> dict:
    """The 主管部门 tier (issue 22): unit A's 主管部门 D (its people: dept_preparer, dept_head) reviews
    its units in a third task, where A's sibling E has sent D a version; A's own package there is
    the sibling's view. A's and B's packages of the other tasks go to the bureau as before (D reviews
    only in this task)."""
    from jixiao.web.models import EvaluationTask, Package, Role, Status, Unit
    from jixiao.web.review import tier

    from .conftest import canonical
    from .dept_world import latest, send_to_department

    d = Unit.objects.create(bureau=x, name="某县农业农村局", budget_code="302000")
    e = Unit.objects.create(bureau=x, name="某县农业技术推广中心", budget_code="302001", parent=d)
    Unit.objects.filter(pk=a.pk).update(parent=d)
    people["dept_preparer"] = user("d_tb", Role.PREPARER, unit=d)
    people["dept_head"] = user("d_fz", Role.UNIT_HEAD, unit=d)
    sibling = {"preparer": user("e_tb", Role.PREPARER, unit=e), "head": user("e_fz", Role.UNIT_HEAD, unit=e)}
    # not actors of the table, but people its pages name (the crawl reads their login names as names)
    people["sibling_preparer"], people["sibling_head"] = sibling["preparer"], sibling["head"]
    t3 = EvaluationTask.objects.create(bureau=x, year=2021, title="2021年度自评", profile="national-2020",
                                       deadline=date(2022, 6, 30))
    t3.units.add(d, a, e)
    own = Package.objects.create(task=t3, unit=d, draft=canonical(), version=1, status=Status.DRAFT)
    mine = Package.objects.create(task=t3, unit=a, draft=canonical(), version=1, status=Status.DRAFT)
    sibling["package"] = Package.objects.create(task=t3, unit=e, draft=canonical(), version=1, status=Status.DRAFT)
    tier.set_tier(task_id=t3.pk, department_id=d.pk, user=people["performance"], deadline=date(2022, 6, 15))
    send_to_department(sibling)
    return {"dept": own.pk, "sub": sibling["package"].pk, "sub_version": latest(sibling["package"]), "mine": mine.pk,
            "task3": t3.pk, "dept_unit": d.pk}


def fingerprint() -> tuple:
    """Everything a request of the table could write, in a few counts and sums."""
    from axes.models import AccessAttempt
    from django.db.models import Count, Q, Sum
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jixiao.web import models

    pk = models.Package.objects.aggregate(v=Sum("version"), n=Count("id"))
    statuses = tuple(models.Package.objects.order_by("pk").values_list("status", flat=True))
    users = models.User.objects.aggregate(n=Count("id"), active=Count("id", filter=Q(is_active=True)),
                                     forced=Count("id", filter=Q(must_change_password=True)))
    pw = tuple(models.User.objects.order_by("pk").values_list("password", flat=True))
    rect = models.Rectification.objects.aggregate(n=Count("id"), answered=Count("answered_at"), closed=Count("closed_at"))
    counts = tuple(m.objects.count() for m in (models.FieldEdit, models.Submission, models.Comment, models.BureauDecision, models.SpotCheck, models.SpotScore,
                                               models.BatchJob, models.RenderJob, models.Publication, models.EvaluationTask, models.Unit, TOTPDevice,
                                               AccessAttempt))
    states = tuple(models.Submission.objects.order_by("pk").values_list("state", flat=True))
    return (pk["v"], pk["n"], statuses, tuple(users.values()), pw, tuple(rect.values()), counts, states)


def _fill(value: str, fill: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(fill[m.group(1)]), value)


def _request(client: Client, row: dict, world: dict, token: str | None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = _fill(row["url"], world["fill"])
    method = row["method"].lower()
    data = dict(part.split("=", 1) for part in _fill(row["data"], world["fill"]).split("&") if part)
    if row["kind"] == "api":  # a list or an object in an API body is written as JSON: scores=[{"key": …}]
        data = {k: json.loads(v) if v[:1] in ("[", "{") else v for k, v in data.items()}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token and row["kind"] == "api" else {}
    upload = data.pop("__file__", None)
    if upload:
        data["file"] = SimpleUploadedFile(upload, world["upload"])
        return client.post(url, data, **headers)
    if row["kind"] == "api" and method in ("post", "put", "patch", "delete"):
        return getattr(client, method)(url, json.dumps(data), content_type="application/json", **headers)
    return getattr(client, method)(url, data, **headers)


def _verdict(r) -> str:
    if r.status_code in (401, 403, 404) or (r.status_code == 302 and r["Location"].startswith("/login/")):
        return "N"
    if r.status_code == 405:
        return "405"
    return "Y" if r.status_code < 500 else str(r.status_code)


def test_the_table_holds(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "files"
    # Access, not hashing, is under test here (Argon2 has its own test): a cheap hasher keeps the
    # password rows from taking seconds each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = _world(tmp_path)
    rows = read_table()
    clients = {}
    for actor in ACTORS:
        c = Client()
        if actor != "anonymous":
            c.force_login(world["people"][actor])
        clients[actor] = c
    wrong, errors = [], []
    before = fingerprint()  # every request is rolled back: the state before each one is this
    for row in rows:
        for actor in ACTORS:
            expected = row[actor]
            cookies = clients[actor].cookies.output(header="")  # a logout or password change replaces the session
            with transaction.atomic():
                r = _request(clients[actor], row, world, world["tokens"].get(actor))
                got = _verdict(r)
                after = fingerprint() if got == "N" else before
                transaction.set_rollback(True)
            clients[actor].cookies.clear()
            clients[actor].cookies.load(cookies)
            where = f"{row['kind']} {row['method']} {row['route']} as {actor}"
            if r.status_code >= 500:
                errors.append(f"{where}: HTTP {r.status_code}")
            ok = (str(r.status_code) == expected) if expected.isdigit() else got == expected
            if not ok:
                wrong.append(f"{where}: the table says {expected}, the answer was {got} (HTTP {r.status_code})")
            elif got == "N" and after != before:
                wrong.append(f"{where}: refused (HTTP {r.status_code}) but something changed")
    assert not errors, "server errors:\n" + "\n".join(errors)
    assert not wrong, f"{len(wrong)} cells differ from tests/web/authz_table.csv:\n" + "\n".join(wrong)
