"""API tokens (issue 19, finding 8): a name, an expiry, last use, a scope, revocation by the owner and
by the system administrator, audit entries; a bureau account gets a token only after its second
factor is set up, and its token never stands in for a second factor it no longer has."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jixiao.web.security import tokens
from jixiao.web.security.models import ApiToken, AuditEntry

from .conftest import client_for


def _api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _edit(token: str, pkg):
    return _api(token).post(f"/api/v1/packages/{pkg.pk}/edits", {"path": "unit.contact", "value": "林小填",
                                                                  "version": pkg.version}, content_type="application/json")


def _totp(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="手机", confirmed=True)


def test_a_token_has_a_name_an_expiry_and_its_last_use(world):
    issued = tokens.issue(user=world["preparer"], name="财务系统对接", scope="read", days=30)
    record = issued.record
    assert record.side == "unit" and record.scope == "read" and record.last_used_at is None
    assert timedelta(days=29) < record.expires_at - timezone.now() <= timedelta(days=30)
    assert _api(issued.token).get("/api/v1/packages").status_code == 200
    record.refresh_from_db()
    assert record.last_used_at is not None
    assert ApiToken.objects.filter(digest=tokens.digest_of(issued.token)).exists()
    assert not ApiToken.objects.filter(digest=issued.token).exists()  # only the digest is stored


@pytest.mark.parametrize("name, days, says", [("", 30, "名称"), ("x", 0, "有效期"), ("x", 366, "有效期"), ("x", "九十", "有效期")])
def test_bad_token_requests_are_refused_in_chinese(world, name, days, says):
    with pytest.raises(tokens.TokenError, match=says):
        tokens.issue(user=world["preparer"], name=name, days=days)


def test_a_read_only_token_cannot_write(world):
    read = tokens.issue(user=world["preparer"], name="只读", scope="read").token
    write = tokens.issue(user=world["preparer"], name="读写", scope="write").token
    pkg = world["package"]
    r = _edit(read, pkg)
    assert r.status_code == 403 and "只读令牌" in r.json()["detail"]
    assert _edit(write, pkg).status_code == 200


def test_an_expired_token_stops_working(world):
    issued = tokens.issue(user=world["preparer"], name="到期", days=1)
    ApiToken.objects.filter(pk=issued.record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(issued.token).get("/api/v1/packages").status_code == 401


def test_the_owner_revokes_on_the_token_page_and_it_is_logged(world):
    c = client_for(world["preparer"])
    r = c.post("/security/tokens/", {"name": "报表工具", "scope": "write", "days": "90"})
    assert r.status_code == 200
    token = r.context["issued"].token
    assert token in r.content.decode() and "只显示这一次" in r.content.decode()
    record = ApiToken.objects.get(name="报表工具")
    assert _api(token).get("/api/v1/packages").status_code == 200
    assert c.post(f"/security/tokens/{record.pk}/revoke").status_code == 302
    assert _api(token).get("/api/v1/packages").status_code == 401
    actions = list(AuditEntry.objects.filter(action__startswith="token_").values_list("action", "actor"))
    assert actions == [("token_issue", "lin_tb"), ("token_revoke", "lin_tb")]
    page = c.get("/security/tokens/").content.decode()
    assert "报表工具" in page and "已吊销" in page


def test_someone_else_cannot_revoke_but_the_system_administrator_can(world):
    from django.contrib.auth.models import Group

    from jixiao.web.models import User
    from jixiao.web.security.roles import SYSTEM_ADMIN, ensure_admin_groups

    issued = tokens.issue(user=world["preparer"], name="对接")
    other = client_for(world["other"])
    assert other.post(f"/security/tokens/{issued.record.pk}/revoke").status_code == 404
    assert issued.token and _api(issued.token).get("/api/v1/packages").status_code == 200
    ensure_admin_groups()
    admin = User.objects.create(username="xitong", display_name="系统管理员", password="!")
    admin.groups.add(Group.objects.get(name=SYSTEM_ADMIN))
    c = client_for(admin)
    assert "对接" in c.get("/security/tokens/").content.decode()
    assert c.post(f"/security/tokens/{issued.record.pk}/revoke").status_code == 302
    assert _api(issued.token).get("/api/v1/packages").status_code == 401
    assert AuditEntry.objects.filter(action="token_revoke", actor="xitong").exists()


def test_a_bureau_token_needs_the_second_factor_set_up(world):
    bureau = world["bureau"]
    with pytest.raises(tokens.TokenError, match="动态口令"):
        tokens.issue(user=bureau, name="看板")
    r = client_for(bureau).post("/security/tokens/", {"name": "看板", "scope": "read", "days": "30"})
    assert r.status_code == 403 and "动态口令" in r.content.decode()
    device = _totp(bureau)
    issued = tokens.issue(user=bureau, name="看板")
    assert issued.record.side == "bureau"
    assert _api(issued.token).get("/api/v1/packages").status_code == 200
    device.delete()  # the security administrator resets the lost device: the token no longer stands in for it
    r = _api(issued.token).get("/api/v1/packages")
    assert r.status_code in (401, 403)


def test_the_command_line_issues_a_named_token_with_an_expiry(world):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("api_token", "lin_tb", "--name", "夜间同步", "--days", "7", "--scope", "write", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    record = ApiToken.objects.get(name="夜间同步")
    assert record.scope == "write" and record.expires_at - timezone.now() <= timedelta(days=7)
    assert _api(token).get("/api/v1/packages").status_code == 200
    with pytest.raises(CommandError, match="名称"):
        call_command("api_token", "lin_tb", stdout=io.StringIO())  # a token without a name is refused
