"""Identity and sessions: Argon2, password rules, lockout after 5 failures for 15 minutes (in the
audit log), 30-minute idle sessions, TOTP for bureau and administrator accounts, the three
administrators' separated duties."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from jixiao.web.security import roles
from jixiao.web.security.models import AuditEntry

from .conftest import PASSWORD, client_for


def _actions():
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_passwords_are_hashed_with_argon2():
    assert make_password("Jixiao-2024-安全").startswith("argon2$")


@pytest.mark.parametrize("password, says", [
    ("Ab1-xyz", "太短"),
    ("abcdefghijk1", "至少 3 类"),
    ("Password123!", "常见"),
    ("Woaini1314!!", "过于常见"),
    ("1234567890", "只包含数字"),
    # issue 19: common words with look-alike substitutions, this system's name, alphabet runs, years
    ("P@ssw0rd2024", "容易被猜中"),
    ("Jixiao-demo-2024", "容易被猜中"),
    ("Abcdefghij1", "容易被猜中"),
    ("Str0ng!Passw0rd#2024", "容易被猜中"),
])
def test_weak_passwords_are_refused_in_chinese(password, says):
    from django.utils import translation

    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            validate_password(password)
        messages = [str(m) for m in exc.value.messages]
    assert any(says in m for m in messages), messages


def test_a_strong_password_passes():
    validate_password("财政-Jixiao-2024")
    validate_password("Kp7#vR2@mQ9x")
    validate_password("Tiger-Lamp-Ocean-77")  # a passphrase of several words


def test_a_guessable_password_is_refused_with_what_makes_it_guessable():
    """A keyboard walk the word lists do not spell: zxcvbn's estimate refuses it, saying what it found."""
    with pytest.raises(ValidationError) as exc:
        validate_password("1qaz2wsx3edC!")
    assert any("容易被猜中" in m and "常见单词或常用口令" in m for m in exc.value.messages), exc.value.messages



def _fail(c: Client, n: int):
    return [c.post("/login/", {"username": "lin_tb", "password": f"错-{i}"}).status_code for i in range(n)]


def test_five_failures_lock_the_account_for_fifteen_minutes(world):
    from axes.models import AccessAttempt

    c = Client()
    codes = _fail(c, 5)
    assert codes[:4] == [200] * 4 and codes[4] == 429
    r = c.post("/login/", {"username": "lin_tb", "password": PASSWORD})
    assert r.status_code == 429 and "已暂时锁定" in r.content.decode() and "_auth_user_id" not in c.session
    other = Client(REMOTE_ADDR="10.0.0.9")  # another address: the account is still locked
    assert other.post("/login/", {"username": "lin_tb", "password": PASSWORD}).status_code == 429
    assert _actions().count("login_failed") >= 5 and "lockout" in _actions()
    lock = AuditEntry.objects.filter(action="lockout").first()
    assert lock.actor == "lin_tb" and lock.result == "refused"
    # 15 minutes later the account opens again
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    r = c.post("/login/", {"username": "lin_tb", "password": PASSWORD})
    assert r.status_code == 302 and c.session["_auth_user_id"] == str(world["preparer"].pk)


def test_four_failures_then_success_reset_the_count(world):
    c = Client()
    _fail(c, 4)
    assert c.post("/login/", {"username": "lin_tb", "password": PASSWORD}).status_code == 302
    c.post("/logout/")
    assert _fail(c, 4) == [200] * 4  # counting starts again


def test_an_idle_session_ends_after_thirty_minutes(world):
    from django.contrib.sessions.models import Session

    c = Client()
    assert c.post("/login/", {"username": "lin_tb", "password": PASSWORD}).status_code == 302
    assert c.get("/").status_code == 200
    s = Session.objects.get(session_key=c.session.session_key)
    left = s.expire_date - timezone.now()
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)
    Session.objects.filter(pk=s.pk).update(expire_date=timezone.now() - timedelta(seconds=1))  # 30 idle minutes
    r = c.get("/")
    assert r.status_code == 302 and "/login/" in r["Location"]


# --- TOTP ------------------------------------------------------------------------------------------


@pytest.fixture
def otp_on(settings):
    settings.JIXIAO_OTP_REQUIRED = True


def _code(user):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    d = TOTPDevice.objects.get(user=user)
    return f"{totp(d.bin_key, step=d.step, t0=d.t0, digits=d.digits, drift=0):06d}"


def test_a_bureau_account_sets_up_and_uses_totp(world, otp_on):
    c = client_for(world["bureau"])
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/security/otp/")
    page = c.get("/security/otp/").content.decode()
    assert "设置动态口令" in page and "<svg" in page and "密钥" in page
    assert c.get("/api/v1/packages").status_code == 403
    r = c.post("/security/otp/", {"code": "000000", "next": "/"})
    assert r.status_code == 400 and "动态口令不正确" in r.content.decode()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.update(throttling_failure_timestamp=None)  # after a failure the device waits 1 s
    r = c.post("/security/otp/", {"code": _code(world["bureau"]), "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert c.get("/").status_code == 200
    assert ["otp_failed", "otp_setup"] == [a for a in _actions() if a.startswith("otp")]
    # the next login asks for the code again (no new secret shown)
    c2 = client_for(world["bureau"])
    page = c2.get("/security/otp/").content.decode()
    assert "动态口令验证" in page and "<svg" not in page


def test_unit_accounts_need_no_second_factor(world, otp_on):
    assert client_for(world["preparer"]).get("/").status_code == 200


def test_an_outside_next_is_not_followed(world, otp_on):
    c = client_for(world["bureau"])
    c.get("/security/otp/")
    r = c.post("/security/otp/", {"code": _code(world["bureau"]), "next": "https://evil.example.com/"})
    assert r["Location"] == "/"


# --- the three administrators ------------------------------------------------------------------------


def _admin(name: str, group: str):
    from django.contrib.auth.models import Group

    from jixiao.web.models import User

    u = User.objects.create(username=name, display_name=name, password=make_password(PASSWORD))
    u.groups.add(Group.objects.get(name=group))
    return u


def test_the_three_administrators_have_disjoint_permissions(db):
    from django.contrib.auth.models import Group

    sets = {g: set(Group.objects.get(name=g).permissions.values_list("content_type__app_label", "codename"))
            for g in roles.ADMIN_GROUPS}
    assert all(sets.values()), sets
    s, sec, aud = (sets[g] for g in roles.ADMIN_GROUPS)
    assert not (s & sec) and not (s & aud) and not (sec & aud)
    assert aud == {("security", "view_auditentry")}
    # nobody has permission to change or delete log entries (there are no such permissions at all)
    from django.contrib.auth.models import Permission

    assert set(Permission.objects.filter(content_type__app_label="security").values_list("codename", flat=True)) == {"view_auditentry"}


def test_one_person_cannot_hold_two_administrator_roles(db):
    from django.contrib.auth.models import Group

    u = _admin("sys1", roles.SYSTEM_ADMIN)
    roles.check_separation(u)
    u.groups.add(Group.objects.get(name=roles.AUDIT_ADMIN))
    with pytest.raises(ValidationError, match="不能同时担任"):
        roles.check_separation(u)


def test_only_the_audit_administrator_reads_the_log(world):
    audit_admin, sys_admin, sec_admin = (_admin(n, g) for n, g in
                                         [("aud", roles.AUDIT_ADMIN), ("sys", roles.SYSTEM_ADMIN), ("sec", roles.SECURITY_ADMIN)])
    client_for(world["preparer"]).get(f"/p/{world['other_package'].pk}/")  # something to read: a refusal
    c = client_for(audit_admin)
    page = c.get("/security/log/").content.decode()
    assert "哈希链完整" in page and "越权访问被拒绝" in page
    r = c.get("/security/log/export/csv")
    assert r.status_code == 200 and r.content.decode("utf-8-sig").startswith("seq,at,actor")
    assert c.post("/security/log/", {}).status_code == 405  # nothing to change, no way to change it
    for who in (sys_admin, sec_admin, world["preparer"], world["bureau"]):
        assert client_for(who).get("/security/log/").status_code == 404
        assert client_for(who).get("/security/log/export/json").status_code == 404
    refused = AuditEntry.objects.filter(action="refused", target__startswith="GET /security/log/")
    assert set(refused.values_list("actor", flat=True)) == {"sys", "sec", "lin_tb", "czj"}


def test_administrators_need_a_second_factor(world, otp_on):
    c = client_for(_admin("aud", roles.AUDIT_ADMIN))
    assert c.get("/security/log/").status_code == 302


def test_the_system_administrator_lifts_a_lockout_and_it_is_logged(world):
    sysadmin = _admin("sys", roles.SYSTEM_ADMIN)
    c = Client()
    _fail(c, 5)
    assert c.post("/login/", {"username": "lin_tb", "password": PASSWORD}).status_code == 429
    page = client_for(sysadmin).get("/security/users/").content.decode()
    assert "lin_tb" in page and "已锁定" in page
    target = world["preparer"]
    for who in (_admin("aud", roles.AUDIT_ADMIN), _admin("sec", roles.SECURITY_ADMIN), world["bureau"]):
        assert client_for(who).post(f"/security/users/{target.pk}/", {"op": "unlock"}).status_code == 404
    assert c.post("/login/", {"username": "lin_tb", "password": PASSWORD}).status_code == 429  # still locked
    r = client_for(sysadmin).post(f"/security/users/{target.pk}/", {"op": "unlock"})
    assert r.status_code == 302
    assert c.post("/login/", {"username": "lin_tb", "password": PASSWORD}).status_code == 302
    e = AuditEntry.objects.filter(action="admin").get()
    assert (e.actor, e.target, e.new, e.result) == ("sys", "username:lin_tb", '"unlocked"', "ok")


def test_a_login_without_a_request_still_works(world):
    c = Client()
    assert c.login(username="lin_tb", password=PASSWORD)  # test clients and scripts: no request to count
    assert c.get("/").status_code == 200
