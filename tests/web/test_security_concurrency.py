"""Two preparers editing the same package at the same moment on PostgreSQL (real threads, real
row locks): no accepted edit is lost; a clash on one field gives the second a Chinese message with
both values; the audit chain stays whole. Runs in `make test-web-pg` (CI runs it)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections  # noqa: F401 - connection: read by the skipif condition

from jixiao.web.security import audit

from .conftest import client_for

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are PostgreSQL's (make test-web-pg)")

PATH = "projects[0].indicators[{}].actual"


def _together(jobs):
    """Run the callables at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def two(transactional_db, world):
    from jixiao.web.models import Role, User

    second = User.objects.create(username="lin_tb2", display_name="林二填", role=Role.PREPARER, unit=world["package"].unit,
                                 password=world["preparer"].password)
    return world, client_for(world["preparer"]), client_for(second)


def _post(c, pkg, path, value, version):
    def go():
        r = c.post(f"/p/{pkg.pk}/edit", {"path": path, "value": value, "version": version, "form": ""}, HTTP_HX_REQUEST="true")
        return r.status_code, r.content.decode()
    return go


def test_the_same_field_at_the_same_moment(two):
    world, a, b = two
    pkg = world["package"]
    path = PATH.format(1)
    results = _together([_post(a, pkg, path, "86%", 1), _post(b, pkg, path, "80%", 1)])
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409], codes
    loser = next(body for code, body in results if code == 409)
    assert "保存失败" in loser and "86%" in loser and "80%" in loser  # both values shown to the second
    winner = "86%" if "您填写的“80%”" in loser else "80%"
    pkg.refresh_from_db()
    assert pkg.draft["projects"][0]["indicators"][1]["actual"] == winner and pkg.version == 2
    assert pkg.edits.filter(path=path).count() == 1
    assert audit.verify().ok


def test_many_edits_by_two_preparers_lose_nothing(two):
    world, a, b = two
    pkg = world["package"]
    n = len(pkg.draft["projects"][0]["indicators"])
    fields = list(range(n))
    mine, theirs = fields[::2], fields[1::2]

    def series(c, idx, tag):
        def go():
            out = []
            for k, i in enumerate(idx):
                # each edit made on the version the page showed at the start (stale after the first)
                code, _ = _post(c, pkg, PATH.format(i), f"{80 + k}%", 1)()
                out.append((i, f"{80 + k}%", code))
            return out
        return go

    results = _together([series(a, mine, "甲"), series(b, theirs, "乙")])
    accepted = [(i, v) for r in results for i, v, code in r if code == 200]
    assert len(accepted) == n, results  # different fields merge: every edit is accepted
    pkg.refresh_from_db()
    inds = pkg.draft["projects"][0]["indicators"]
    assert all(inds[i]["actual"] == v for i, v in accepted)  # and every accepted edit is in the final state
    assert pkg.version == 1 + n
    v = audit.verify()
    assert v.ok and v.entries >= n


def test_an_edit_does_not_wait_for_another_units_edit_in_the_same_task(transactional_db, world):
    """Found by bench/load.py: the edit locked its package FOR UPDATE joined with the task, so the
    task's row too, and every unit's edit in the task waited for the one under way. While another
    transaction holds the task's row (as an edit in progress used to), an edit of another package
    goes through: it locks its own row only."""
    from django.db import transaction

    from jixiao.web.models import EvaluationTask

    held, release = threading.Event(), threading.Event()

    def hold_the_task():
        try:
            with transaction.atomic():
                EvaluationTask.objects.select_for_update().get(pk=world["task"].pk)
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    t = threading.Thread(target=hold_the_task)
    t.start()
    try:
        assert held.wait(10)
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = '3s'")  # waiting on the task's row would fail the edit
        other = world["other_package"]
        r = client_for(world["other"]).post(f"/p/{other.pk}/edit", {"path": PATH.format(0), "value": "77项", "version": 1,
                                                                   "form": ""}, HTTP_HX_REQUEST="true")
        assert r.status_code == 200, r.content[:300]
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = 0")
    finally:
        release.set()
        t.join(30)
    other.refresh_from_db()
    assert other.draft["projects"][0]["indicators"][0]["actual"] == "77项" and other.version == 2
