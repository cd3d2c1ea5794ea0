"""bench/load.py's own logic, without running a load: its arguments, its TOTP codes (what the
bureau users log in with) and its check that nothing was lost — which must find a lost update when
there is one. The run itself is a bench (RESULT lines), not a test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import load  # noqa: E402 - bench/load.py (imports no locust: that is bench/load_users.py, in its child process)

from .conftest import client_for, post_edit  # noqa: E402


def test_arguments():
    a = load.parse_args([])
    assert (a.users, a.duration, a.warmup, a.units) == (50, 300.0, 30.0, 2000)
    q = load.parse_args(["--quick"])
    assert (q.users, q.duration, q.units) == (10, 30.0, 300)
    assert load.parse_args(["--quick", "--users", "20", "--duration", "5"]).users == 20
    with pytest.raises(SystemExit):
        load.parse_args(["--users", "2"])
    with pytest.raises(SystemExit):
        load.parse_args(["--duration", "0"])


def test_mix_of_people():
    assert load.mix(50) == {"preparer": 30, "head": 10, "bureau": 10}
    assert load.mix(10) == {"preparer": 6, "head": 2, "bureau": 2}
    assert all(v >= 1 for v in load.mix(3).values()) and sum(load.mix(3).values()) == 3


def test_totp_is_what_django_otp_accepts():
    from django_otp.oath import TOTP

    # RFC 6238's SHA-1 test vector: secret "12345678901234567890", T = 59 s → 94287082 (8 digits)
    assert load.totp(b"12345678901234567890".hex(), at=59, digits=8) == "94287082"
    key = "3132333435363738393031323334353637383930"
    for t in (1111111109, 1234567890, 2000000000):
        ref = TOTP(bytes.fromhex(key))
        ref.time = t
        assert load.totp(key, at=t) == f"{ref.token():06d}"


PATH = "projects[0].indicators[{}].actual"


def test_nothing_lost_check_finds_a_lost_update(world):
    """Edits accepted by the server pass; an acknowledged edit the database does not hold, a blind
    overwrite and a draft that differs from its history are each reported."""
    from jixiao.web.drafts import fields
    from jixiao.web.models import FieldEdit

    pkg, task, who = world["package"], world["task"], world["preparer"]
    c = client_for(who)
    accepted = []
    for i, value in ((0, "11项"), (1, "12项")):
        base = pkg.version
        assert post_edit(c, pkg, PATH.format(i), value).status_code == 200
        pkg.refresh_from_db()
        accepted.append([pkg.pk, PATH.format(i), value, base, pkg.version, who.username])
    # a stale entry equal to the value now there: accepted without a change (no overwrite)
    assert post_edit(c, pkg, PATH.format(0), "11项", version=1).status_code == 200
    accepted.append([pkg.pk, PATH.format(0), "11项", 1, 3, who.username])
    honest = load.check_nothing_lost({"task": task.pk, "edits": accepted, "approvals": []})
    assert (honest["accepted_edits"], honest["lost_updates"], honest["audit_ok"]) == (3, 0, True), honest["problems"]

    # an edit the client was told was saved, but which is not what the history holds at that version
    lost = load.check_nothing_lost({"task": task.pk, "edits": accepted + [[pkg.pk, PATH.format(2), "13项", 3, 3, who.username]],
                                    "approvals": []})
    assert lost["lost_updates"] == 1 and "13项" in lost["problems"][0]

    # a server that took an entry made on version 1 over the field's change at version 2
    assert post_edit(c, pkg, PATH.format(0), "14项", version=1).status_code == 409  # this one refuses it; had it not:
    pkg.draft, pkg.version = fields.put(pkg.draft, PATH.format(0), "14项"), 4
    pkg.save(update_fields=["draft", "version"])
    FieldEdit.objects.create(package=pkg, path=PATH.format(0), old="11项", new="14项", user=who, version=4, kind="edit")
    blind = load.check_nothing_lost({"task": task.pk, "edits": accepted[:2] + [[pkg.pk, PATH.format(0), "14项", 1, 4, who.username]],
                                     "approvals": []})
    assert (blind["blind_overwrites"], blind["lost_updates"]) == (1, 1), blind["problems"]
    assert "'11项' (version 2" in blind["problems"][0]

    # the draft no longer holds the field's last recorded value
    pkg.draft = fields.put(pkg.draft, PATH.format(1), "99项")
    pkg.save(update_fields=["draft"])
    changed = load.check_nothing_lost({"task": task.pk, "edits": accepted[:2], "approvals": []})
    assert changed["final_mismatches"] == 1 and changed["lost_updates"] == 1


def test_an_approval_not_in_place_is_reported(world):
    pkg = world["package"]
    checked = load.check_nothing_lost({"task": world["task"].pk, "edits": [], "approvals": [[pkg.pk, "同意"]]})
    assert (checked["approvals"], checked["approvals_lost"]) == (1, 1)
