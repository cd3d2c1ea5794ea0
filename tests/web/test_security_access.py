"""The security pages × every role: who may open them. The test fails when the security app gets a
URL without a row here (the same rule as tests/web/test_access.py for the unit pages)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import get_resolver

from jixiao.web.security import roles

from .conftest import PASSWORD, client_for

# name → (path, who may open it). Everyone else gets a 404 (existence not disclosed).
PAGES = {
    "otp": ("/security/otp/", {"preparer", "head", "bureau", "sys", "sec", "aud"}),  # one's own second factor
    "log": ("/security/log/", {"aud"}),
    "log_export": ("/security/log/export/csv", {"aud"}),
    "accounts": ("/security/accounts/", {"sec"}),
}
WHO = ["preparer", "head", "bureau", "sys", "sec", "aud"]


def test_every_security_url_has_a_row():
    names = {p.name for p in get_resolver("jixiao.web.security.urls").url_patterns}
    assert names == set(PAGES)


@pytest.fixture
def people(world):
    from django.contrib.auth.models import Group

    from jixiao.web.models import User

    out = {k: world[k] for k in ("preparer", "head", "bureau")}
    for key, group in (("sys", roles.SYSTEM_ADMIN), ("sec", roles.SECURITY_ADMIN), ("aud", roles.AUDIT_ADMIN)):
        out[key] = User.objects.create(username=f"admin_{key}", password=make_password(PASSWORD))
        out[key].groups.add(Group.objects.get(name=group))
    return out


@pytest.mark.parametrize("name", sorted(PAGES))
def test_security_pages_by_role(people, name):
    from django.test import Client

    path, allowed = PAGES[name]
    r = Client().get(path)
    assert r.status_code == 302 and "/login/" in r["Location"]  # anonymous
    for who in WHO:
        r = client_for(people[who]).get(path)
        assert r.status_code == (200 if who in allowed else 404), (who, name, r.status_code)
