"""The administrators' pages (issue 12): the system administrator manages business accounts
(create, reset a password, lift a lockout, deactivate); a password an administrator set must be
changed by its owner before anything else; none of the three administrators can do another's job."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from jixiao.web.models import Role, User
from jixiao.web.security import roles
from jixiao.web.security.models import AuditEntry

from .conftest import PASSWORD, api_token, client_for

NEW = "Kp7#vR2@mQ9x-新"


def _admin(name: str, group: str) -> User:
    from django.contrib.auth.models import Group

    u = User.objects.create(username=name, display_name=name, password=make_password(PASSWORD))
    u.groups.add(Group.objects.get(name=group))
    return u


@pytest.fixture
def admins(world):
    return {"sys": _admin("admin_sys", roles.SYSTEM_ADMIN), "sec": _admin("admin_sec", roles.SECURITY_ADMIN),
            "aud": _admin("admin_aud", roles.AUDIT_ADMIN)}


def _shown_password(page: str) -> str:
    m = re.search(r'<code id="initial-password">([^<]+)</code>', page)
    assert m, "no initial password on the page"
    return html.unescape(m.group(1))


def _login(username: str, password: str) -> tuple[Client, object]:
    c = Client()
    return c, c.post("/login/", {"username": username, "password": password})


def test_a_new_account_must_change_its_initial_password_before_anything_else(world, admins):
    sysadmin = client_for(admins["sys"])
    r = sysadmin.post("/security/users/new", {"username": "lin_new", "display_name": "林新人", "role": Role.PREPARER,
                                               "unit": world["package"].unit_id})
    assert r.status_code == 200
    initial = _shown_password(r.content.decode())
    user = User.objects.get(username="lin_new")
    assert user.must_change_password and user.unit == world["package"].unit and user.check_password(initial)
    c, r = _login("lin_new", initial)
    assert r.status_code == 302
    # every page leads to the change-password page; the API refuses
    for path in ("/", f"/p/{world['package'].pk}/f/cover/", "/security/log/"):
        r = c.get(path)
        assert r.status_code == 302 and r["Location"].startswith("/security/password/"), path
    token = api_token(user)
    r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/packages")
    assert r.status_code == 403 and "初始密码" in r.json()["detail"]
    page = c.get("/security/password/").content.decode()
    assert "管理员设置的初始密码" in page and 'for="pw-new"' in page
    # a new password that breaks the rules: refused beside the field and in the summary, nothing changed
    r = c.post("/security/password/", {"current": initial, "new": "abc12345", "again": "abc12345"})
    html = r.content.decode()
    assert r.status_code == 400 and "error-summary" in html and "密码太短" in html and 'href="#pw-new"' in html
    user.refresh_from_db()
    assert user.must_change_password
    r = c.post("/security/password/", {"current": initial, "new": NEW, "again": NEW, "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW)
    assert c.get("/").status_code == 200  # the session stays signed in
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/packages").status_code == 200
    actions = list(AuditEntry.objects.filter(target=f"user:{user.pk}").values_list("action", "path", "result"))
    assert ("admin", "account", "ok") in actions
    assert ("password_change", "password", "failed") in actions and ("password_change", "password", "ok") in actions
    assert not AuditEntry.objects.filter(detail__contains=initial).exists()  # no password in the log


def test_a_reset_password_must_be_changed_and_the_old_one_stops_working(world, admins):
    target = world["preparer"]
    r = client_for(admins["sys"]).post(f"/security/users/{target.pk}/", {"op": "reset_password"})
    assert r.status_code == 200
    initial = _shown_password(r.content.decode())
    assert _login("lin_tb", PASSWORD)[1].status_code == 200  # the old password: the login page again
    c, r = _login("lin_tb", initial)
    assert r.status_code == 302
    assert c.get("/").status_code == 302
    e = AuditEntry.objects.filter(action="admin", path="password").get()
    assert (e.actor, e.target, e.new) == ("admin_sys", f"user:{target.pk}", '"reset"')


def test_a_deactivated_account_loses_its_session_and_its_token(world, admins):
    target = world["preparer"]
    c = client_for(target)
    token = api_token(target)
    assert c.get("/").status_code == 200
    assert client_for(admins["sys"]).post(f"/security/users/{target.pk}/", {"op": "deactivate"}).status_code == 302
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/packages").status_code == 401
    r = _login("lin_tb", PASSWORD)[1]
    assert r.status_code == 200 and "不正确" in r.content.decode()  # no login, and nothing said about the account
    assert client_for(admins["sys"]).post(f"/security/users/{target.pk}/", {"op": "activate"}).status_code == 302
    assert User.objects.get(pk=target.pk).is_active


def test_an_account_form_with_problems_names_them_beside_the_fields(world, admins):
    before = User.objects.count()
    r = client_for(admins["sys"]).post("/security/users/new", {"username": "lin_tb", "role": Role.PREPARER, "unit": ""})
    html = r.content.decode()
    assert r.status_code == 400
    assert "已被使用" in html and "须属于一个预算单位" in html and 'href="#u-unit"' in html and 'href="#u-username"' in html
    r = client_for(admins["sys"]).post("/security/users/new", {"username": "ok_name", "role": Role.BUREAU_DESK, "unit": world["package"].unit_id})
    assert r.status_code == 400 and "须属于一个财政局" in r.content.decode()
    assert User.objects.count() == before


def test_the_system_administrator_cannot_take_over_an_administrator_account(world, admins):
    sysadmin = client_for(admins["sys"])
    for key in ("aud", "sec", "sys"):
        target = admins[key]
        before = target.password
        for op in ("reset_password", "deactivate"):
            r = sysadmin.post(f"/security/users/{target.pk}/", {"op": op})
            assert r.status_code == 403 and "三员分立" in r.content.decode(), (key, op)
        target.refresh_from_db()
        assert target.password == before and target.is_active and not target.must_change_password
    assert "命令行" in sysadmin.get(f"/security/users/{admins['aud'].pk}/").content.decode()


def test_no_administrator_can_do_anothers_job(world, admins):
    target = world["preparer"]
    jobs = {  # whose job → requests that do it
        "sys": [("post", "/security/users/new", {"username": "x1", "role": Role.PREPARER, "unit": target.unit_id}),
                ("post", f"/security/users/{target.pk}/", {"op": "reset_password"}),
                ("post", f"/security/users/{target.pk}/", {"op": "deactivate"}),
                ("get", "/security/users/", {})],
        "sec": [("post", "/security/accounts/", {"op": "reset_otp", "username": "czj"}), ("get", "/security/accounts/", {})],
        "aud": [("get", "/security/log/", {}), ("get", "/security/log/export/csv", {})],
    }
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=world["bureau"], name="动态口令", confirmed=True)
    for who, client in ((k, client_for(admins[k])) for k in admins):
        for owner, requests in jobs.items():
            for method, path, data in requests:
                r = getattr(client, method)(path, data)
                assert (r.status_code < 400) == (who == owner), (who, method, path, r.status_code)
                if who != owner:
                    assert r.status_code == 404
    # what the others' attempts left: the owners' own actions only
    assert User.objects.filter(username="x1").count() == 1
    assert not TOTPDevice.objects.filter(user=world["bureau"]).exists()  # the security admin's reset
    assert AuditEntry.objects.filter(action="refused").count() == 2 * (4 + 2 + 2)


def test_the_security_administrator_sees_the_policy_and_resets_a_second_factor(world, admins):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=world["bureau"], name="动态口令", confirmed=True)
    c = client_for(admins["sec"])
    html = c.get("/security/accounts/").content.decode()
    assert "连续 5 次失败锁定 15 分钟" in html and "8.1.4.1 b)" in html and "czj" in html
    assert c.post("/security/accounts/", {"op": "reset_otp", "username": "czj"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=world["bureau"]).exists()
    assert c.post("/security/accounts/", {"op": "unlock", "username": "czj"}).status_code == 400  # not the security admin's job


def test_administrators_land_on_their_own_page(world, admins):
    for key, page in (("sys", "/security/users/"), ("sec", "/security/accounts/"), ("aud", "/security/log/")):
        r = client_for(admins[key]).get("/")
        assert r.status_code == 302 and r["Location"] == page


def test_a_user_changes_their_own_password(world):
    c = client_for(world["head"])
    r = c.post("/security/password/", {"current": "错误", "new": NEW, "again": NEW})
    assert r.status_code == 400 and "当前密码不正确" in r.content.decode()
    r = c.post("/security/password/", {"current": PASSWORD, "new": NEW, "again": NEW + "x"})
    assert r.status_code == 400 and "两次输入的新密码不一致" in r.content.decode()
    assert c.post("/security/password/", {"current": PASSWORD, "new": NEW, "again": NEW}).status_code == 302
    world["head"].refresh_from_db()
    assert world["head"].check_password(NEW)


def test_administrator_accounts_are_made_on_the_command_line(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("admin_account", "shen_ji", "--role", roles.AUDIT_ADMIN, stdout=out)
    initial = out.getvalue().rsplit("：", 1)[1].strip()
    u = User.objects.get(username="shen_ji")
    assert roles.admin_groups_of(u) == [roles.AUDIT_ADMIN] and u.must_change_password and u.check_password(initial)
    c, r = _login("shen_ji", initial)
    assert c.get("/security/log/")["Location"].startswith("/security/password/")
    with pytest.raises(CommandError, match="已被使用"):
        call_command("admin_account", "shen_ji", "--role", roles.SYSTEM_ADMIN, stdout=StringIO())
    with pytest.raises(CommandError, match="没有管理员账号"):
        call_command("admin_account", "lin_tb", "--reset", stdout=StringIO())
    call_command("admin_account", "shen_ji", "--reset", stdout=out)
    assert not User.objects.get(username="shen_ji").check_password(initial)
    assert AuditEntry.objects.filter(action="admin", actor="命令行", target=f"user:{u.pk}").count() == 2


def test_the_logs_day_filter_reads_chinese_dates_and_says_when_it_cannot(world, admins):
    c = client_for(admins["aud"])
    page = c.get("/security/log/", {"day": "2026年6月30日"}).content.decode()
    assert 'id="f-day" name="day" value="2026年6月30日"' in page and 'id="f-day-error"' not in page
    page = c.get("/security/log/", {"day": "上周"}).content.decode()
    assert '<span class="field-error" id="f-day-error" role="alert">读不出日期' in page
    assert 'value="上周"' in page and 'type="date"' not in page
