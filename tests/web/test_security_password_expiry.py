"""Password expiry (等保 8.1.4.1 a) 定期更换): past JIXIAO_PASSWORD_MAX_AGE_DAYS since its owner last
changed it, a password must be changed before anything else, as an initial password must."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jixiao.web.models import User
from jixiao.web.security import settings as security_settings
from jixiao.web.security.models import AuditEntry

from .conftest import PASSWORD, api_token, client_for
from .test_security_admin import NEW, _admin, _login


def _age(user: User, days: int) -> None:
    user.password_changed_at = timezone.now() - timedelta(days=days)
    user.save(update_fields=["password_changed_at"])


def test_an_expired_password_must_be_changed_and_then_the_user_is_free(world, settings):
    settings.JIXIAO_PASSWORD_MAX_AGE_DAYS = 90
    user = world["preparer"]
    _age(user, 91)
    c, r = _login("lin_tb", PASSWORD)
    assert r.status_code == 302
    for path in ("/", f"/p/{world['package'].pk}/f/cover/"):
        r = c.get(path)
        assert r.status_code == 302 and r["Location"].startswith("/security/password/"), path
    page = c.get("/security/password/").content.decode()
    assert "口令已超过90天未更换，请修改后继续" in page and "初始密码" not in page
    r = c.post("/security/password/", {"current": PASSWORD, "new": NEW, "again": NEW, "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    user.refresh_from_db()
    assert user.check_password(NEW) and timezone.now() - user.password_changed_at < timedelta(minutes=1)
    assert c.get("/").status_code == 200 and c.get(f"/p/{world['package'].pk}/f/cover/").status_code == 200
    e = AuditEntry.objects.filter(action="password_change", target=f"user:{user.pk}", result="ok").get()
    assert "已过期" in e.detail and "90" in e.detail


def test_a_password_younger_than_the_limit_is_free(world, settings):
    settings.JIXIAO_PASSWORD_MAX_AGE_DAYS = 90
    _age(world["preparer"], 89)
    c = client_for(world["preparer"])
    assert c.get("/").status_code == 200
    assert "口令已超过" not in c.get("/security/password/").content.decode()


def test_with_the_setting_at_zero_passwords_never_expire(world, settings):
    settings.JIXIAO_PASSWORD_MAX_AGE_DAYS = 0
    _age(world["preparer"], 3650)
    assert client_for(world["preparer"]).get("/").status_code == 200


def test_a_null_change_date_does_not_lock_anyone_out(world, settings):
    settings.JIXIAO_PASSWORD_MAX_AGE_DAYS = 1
    User.objects.filter(pk=world["preparer"].pk).update(password_changed_at=None)
    assert client_for(User.objects.get(pk=world["preparer"].pk)).get("/").status_code == 200


def test_a_new_account_starts_its_period_at_creation(db):
    u = User.objects.create(username="fresh")
    assert timezone.now() - u.password_changed_at < timedelta(minutes=1)


def test_the_api_refuses_an_expired_password_in_chinese(world, settings):
    settings.JIXIAO_PASSWORD_MAX_AGE_DAYS = 30
    user = world["preparer"]
    token = api_token(user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/packages").status_code == 200
    _age(user, 31)
    r = api.get("/api/v1/packages")
    assert r.status_code == 403 and r.json()["detail"] == "口令已超过30天未更换，请修改后继续"
    r = client_for(user).get("/api/v1/packages")  # the session's way in is refused the same
    assert r.status_code == 403 and "口令已超过30天未更换" in r.json()["detail"]
    assert AuditEntry.objects.filter(action="refused", detail__contains="口令已超过30天").count() == 2


def test_the_security_policy_page_shows_the_max_age(world, settings):
    from jixiao.web.security import roles

    c = client_for(_admin("admin_sec", roles.SECURITY_ADMIN))
    settings.JIXIAO_PASSWORD_MAX_AGE_DAYS = 90
    html = c.get("/security/accounts/").content.decode()
    assert "口令定期更换" in html and "超过 90 天未更换须修改" in html
    settings.JIXIAO_PASSWORD_MAX_AGE_DAYS = 0
    html = c.get("/security/accounts/").content.decode()
    assert "本环境未要求" in html and "超过 90 天" not in html


def _applied(env: dict) -> dict:
    ns = {"INSTALLED_APPS": [], "MIDDLEWARE": []}
    security_settings.apply(ns, env)
    return ns


PRODUCTION = {"JIXIAO_ENV": "production", "JIXIAO_SECRET_KEY": "k9P" * 20 + "-Xq7_vT2wLm",
              "JIXIAO_ALLOWED_HOSTS": "jixiao.czj.example.gov.cn", "DATABASE_URL": "postgres://jixiao@127.0.0.1:5432/jixiao"}


def test_the_setting_defaults_to_90_days_in_production_and_off_elsewhere():
    from django.core.exceptions import ImproperlyConfigured

    assert _applied(PRODUCTION)["JIXIAO_PASSWORD_MAX_AGE_DAYS"] == 90
    assert _applied({})["JIXIAO_PASSWORD_MAX_AGE_DAYS"] == 0
    assert _applied(PRODUCTION | {"JIXIAO_PASSWORD_MAX_AGE_DAYS": "180"})["JIXIAO_PASSWORD_MAX_AGE_DAYS"] == 180
    assert _applied(PRODUCTION | {"JIXIAO_PASSWORD_MAX_AGE_DAYS": "0"})["JIXIAO_PASSWORD_MAX_AGE_DAYS"] == 0
    assert _applied({"JIXIAO_PASSWORD_MAX_AGE_DAYS": "60"})["JIXIAO_PASSWORD_MAX_AGE_DAYS"] == 60
    for bad in ("九十", "-1", "1.5"):
        with pytest.raises(ImproperlyConfigured, match="JIXIAO_PASSWORD_MAX_AGE_DAYS 须为不小于 0 的整数"):
            _applied({"JIXIAO_PASSWORD_MAX_AGE_DAYS": bad})
