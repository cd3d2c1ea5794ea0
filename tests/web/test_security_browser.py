"""The administrators' pages in a real browser (Playwright driving /usr/bin/chromium): the system
administrator creates an account, its owner must change the initial password before anything else,
the security administrator's policy page, the audit administrator's log. A screenshot of each step
goes to out/screens-security/."""

from __future__ import annotations

import re

from .conftest import BROWSER, OUT, PASSWORD, new_page

SCREENS = OUT / "screens-security"

pytestmark = BROWSER



def test_accounts_initial_passwords_and_the_log(transactional_db, world, browser):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from playwright.sync_api import expect

    from jixiao.web.models import User
    from jixiao.web.security import roles

    for name, group in (("xitong", roles.SYSTEM_ADMIN), ("anquan", roles.SECURITY_ADMIN), ("shenji", roles.AUDIT_ADMIN)):
        User.objects.create(username=name, display_name=group, password=make_password(PASSWORD)).groups.add(
            Group.objects.get(name=group))
    b, base = browser
    n = [0]

    def session():
        return new_page(b, (1280, 800))

    def shot(page, name: str) -> None:
        n[0] += 1
        page.screenshot(path=str(SCREENS / f"{n[0]:02d}-{name}.png"), full_page=True)

    def login(page, username: str, password: str) -> None:
        page.goto(base + "/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button:has-text('登录')")

    # the system administrator: the accounts, a form with problems, a new account
    sysadmin = session()
    login(sysadmin, "xitong", PASSWORD)
    sysadmin.wait_for_url(base + "/security/users/")
    expect(sysadmin.locator("table.data")).to_contain_text("lin_tb")
    shot(sysadmin, "users")
    sysadmin.click("a:has-text('建立账号')")
    sysadmin.fill("#u-username", "lin_tb")
    sysadmin.select_option("#u-role", "preparer")
    sysadmin.click("button:has-text('建立账号')")
    expect(sysadmin.locator(".error-summary")).to_contain_text("已被使用")
    expect(sysadmin.locator(".error-summary")).to_contain_text("须属于一个预算单位")
    shot(sysadmin, "new-account-errors")
    sysadmin.fill("#u-username", "lin_xin")
    sysadmin.fill("#u-display_name", "林新人")
    sysadmin.select_option("#u-unit", str(world["package"].unit_id))
    sysadmin.click("button:has-text('建立账号')")
    initial = sysadmin.locator("#initial-password").inner_text()
    assert re.fullmatch(r"\S{14}", initial)
    shot(sysadmin, "initial-password")
    sysadmin.goto(base + f"/security/users/{User.objects.get(username='lin_xin').pk}/")
    shot(sysadmin, "account")

    # its owner: the initial password must be changed first
    owner = session()
    login(owner, "lin_xin", initial)
    owner.wait_for_url(re.compile(r".*/security/password/.*"))
    owner.goto(base + f"/p/{world['package'].pk}/f/cover/")
    expect(owner).to_have_url(re.compile(r".*/security/password/.*"))
    owner.fill("#pw-current", initial)
    owner.fill("#pw-new", "abc12345")
    owner.fill("#pw-again", "abc12345")
    owner.click("button:has-text('修改密码')")
    expect(owner.locator(".error-summary")).to_contain_text("密码太短")
    shot(owner, "forced-change-errors")
    owner.fill("#pw-current", initial)
    owner.fill("#pw-new", "Kp7#vR2@mQ9x-新")
    owner.fill("#pw-again", "Kp7#vR2@mQ9x-新")
    owner.click("button:has-text('修改密码')")
    expect(owner.locator("main h1")).not_to_have_text("修改密码")
    expect(owner.locator(".flash")).to_contain_text("密码已修改")
    shot(owner, "after-change")

    # the security administrator: the policy in force; the audit administrator: the log
    security = session()
    login(security, "anquan", PASSWORD)
    security.wait_for_url(base + "/security/accounts/")
    expect(security.locator("table.data").first).to_contain_text("连续 5 次失败锁定 15 分钟")
    shot(security, "security-policy")
    audit = session()
    login(audit, "shenji", PASSWORD)
    audit.wait_for_url(base + "/security/log/")
    expect(audit.locator("table.data")).to_contain_text("修改密码")
    expect(audit.locator("table.data")).to_contain_text("管理操作")
    shot(audit, "audit-log")
