"""The 主管部门 tier (issue 22), through the pages as its people use them: three units send to their
department; the department reviews (comments on a field, returns one, approves the rest after the
fix), builds its package from theirs, sends it up with theirs attached; the bureau sees the
departments with their units nested, returns one unit, and accepts. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from html import unescape as html_unescape

import pytest

from jixiao.web import versions
from jixiao.web.models import DepartmentAttachment, DepartmentDecision, Package, Status
from jixiao.web.review import tier
from jixiao.web.security.models import AuditEntry

from . import dept_world
from .conftest import client_for, post_edit, text_of
from .dept_world import latest, send_to_department


@pytest.fixture
def dept(db):
    return dept_world.build()


def _status(member) -> str:
    return Package.objects.get(pk=member["package"].pk).status


def _approve_by_page(member) -> None:
    """The unit head approves on the unit's review page (the same page as without a department)."""
    package = member["package"]
    package.refresh_from_db()
    versions.submit(package_id=package.pk, user=member["preparer"], version=package.version)
    r = client_for(member["head"]).post(f"/p/{package.pk}/review/", {"action": "approve", "opinion": "同意报送。"})
    assert r.status_code == 302


def test_a_units_approval_goes_to_its_department_not_the_bureau(dept):
    unit = dept["units"][0]
    _approve_by_page(unit)
    assert _status(unit) == Status.DEPT_REVIEW
    sub = unit["package"].submissions.order_by("-number").first()
    assert sub.note == "单位负责人审核通过并报送主管部门"
    html = client_for(dept["performance"]).get(f"/b/t/{dept['task'].pk}/").content.decode()
    assert "主管部门审核中" in text_of(html, "tier-table")
    # the bureau cannot decide on it: it is the department's to review first
    r = client_for(dept["performance"]).post(f"/b/p/{unit['package'].pk}/decide",
                                             {"version": latest(unit["package"]), "action": "accept", "opinion": "同意。"})
    assert _status(unit) == Status.DEPT_REVIEW and r.status_code in (302, 409)


def test_a_unit_without_a_reviewing_department_still_sends_to_the_bureau(dept):
    send_to_department(dept["outsider"])
    assert _status(dept["outsider"]) == Status.SUBMITTED


def test_the_department_sees_its_units_once_their_heads_approved(dept):
    first, second = dept["units"][:2]
    send_to_department(first)
    c = client_for(dept["dept"]["head"])
    html = c.get(f"/p/{dept['dept']['package'].pk}/units/").content.decode()
    rows = text_of(html, "dept-units")
    assert "主管部门审核中" in rows and "第2版" in rows and "单位负责人审核通过后可查看" in rows
    assert c.get(f"/p/{dept['dept']['package'].pk}/units/{first['package'].pk}/").status_code == 200
    # a unit not yet sent is not the department's to read
    assert c.get(f"/p/{dept['dept']['package'].pk}/units/{second['package'].pk}/").status_code == 404
    # nor a unit of another department (or none)
    send_to_department(dept["outsider"])
    assert c.get(f"/p/{dept['dept']['package'].pk}/units/{dept['outsider']['package'].pk}/").status_code == 404
    # the department's people never open a unit's workspace (its draft)
    assert c.get(f"/p/{first['package'].pk}/f/cover/").status_code == 404


def test_a_subordinate_sees_neither_its_siblings_nor_the_departments_pages(dept):
    for member in dept["units"]:
        send_to_department(member)
    first, sibling = dept["units"][:2]
    d = dept["dept"]["package"].pk
    for who in ("preparer", "head"):
        c = client_for(first[who])
        for url in (f"/p/{d}/units/", f"/p/{d}/units/{sibling['package'].pk}/", f"/p/{d}/rollup/", f"/p/{d}/",
                    f"/p/{sibling['package'].pk}/", f"/p/{first['package'].pk}/units/{sibling['package'].pk}/",
                    f"/p/{first['package'].pk}/units/", f"/p/{first['package'].pk}/rollup/"):
            assert c.get(url).status_code == 404, (who, url)
        r = c.post(f"/p/{d}/units/{sibling['package'].pk}/", {"action": "approve", "version": latest(sibling["package"])})
        assert r.status_code == 404
    assert _status(sibling) == Status.DEPT_REVIEW


def test_the_department_returns_one_unit_with_a_comment_on_a_field_and_approves_it_after_the_fix(dept):
    first = dept["units"][0]
    send_to_department(first)
    d, p = dept["dept"]["package"].pk, first["package"].pk
    head = client_for(dept["dept"]["head"])
    page = f"/p/{d}/units/{p}/f/cover/"
    assert "意见" in head.get(page).content.decode()
    r = head.post(page, {"action": "comment", "path": "narrative.problems", "text": "问题分析过于简单，请补充。"})
    assert r.status_code == 302
    r = head.post(page, {"action": "return", "version": latest(first["package"]), "reason": "请按意见修改后重报。"})
    assert r.status_code == 302 and _status(first) == Status.RETURNED
    assert DepartmentDecision.objects.get(package_id=p).action == "return"
    # the unit's preparer sees the department's comment beside the field, and fixes it
    html = client_for(first["preparer"]).get(f"/p/{p}/f/cover/").content.decode()
    assert "问题分析过于简单，请补充。" in html and "请按意见修改后重报。" in html
    box = text_of(html, "return-comments")  # the speaker once: no 【主管部门】 tag after 主管部门
    assert "主管部门退回：请按意见修改后重报。" in box and "【" not in box
    assert post_edit(client_for(first["preparer"]), first["package"], "narrative.problems", "补充后的问题分析。").status_code == 200
    send_to_department(first)
    assert _status(first) == Status.DEPT_REVIEW
    r = head.post(page, {"action": "approve", "version": latest(first["package"]), "note": "同意。"})
    assert r.status_code == 302 and _status(first) == Status.DEPT_APPROVED
    assert list(AuditEntry.objects.filter(action__in=["dept_comment", "dept_return", "dept_approve"])
                .order_by("seq").values_list("action", flat=True)) == ["dept_comment", "dept_return", "dept_approve"]


def test_only_the_department_head_decides_and_the_preparer_comments(dept):
    first = dept["units"][0]
    send_to_department(first)
    page = f"/p/{dept['dept']['package'].pk}/units/{first['package'].pk}/"
    preparer = client_for(dept["dept"]["preparer"])
    assert preparer.post(page, {"action": "comment", "path": "", "text": "请核对。"}).status_code == 302
    r = preparer.post(page, {"action": "approve", "version": latest(first["package"])})
    assert r.status_code == 403 and _status(first) == Status.DEPT_REVIEW


def test_the_department_sends_its_package_up_only_with_all_its_units_approved(dept):
    members = dept["units"]
    for member in members:
        send_to_department(member)
    head = client_for(dept["dept"]["head"])
    d = dept["dept"]["package"]
    for member in members[:2]:
        tier.approve_unit(package_id=member["package"].pk, user=dept["dept"]["head"], version=latest(member["package"]))
    versions.submit(package_id=d.pk, user=dept["dept"]["preparer"], version=d.version)
    r = head.post(f"/p/{d.pk}/review/", {"action": "approve", "opinion": "同意报送。"}, follow=True)
    assert "下属单位尚未全部经本部门审核通过" in r.content.decode() and members[2]["unit"].name in r.content.decode()
    assert Package.objects.get(pk=d.pk).status == Status.IN_REVIEW
    tier.approve_unit(package_id=members[2]["package"].pk, user=dept["dept"]["head"], version=latest(members[2]["package"]))
    r = head.post(f"/p/{d.pk}/review/", {"action": "approve", "opinion": "同意报送。"})
    assert r.status_code == 302
    assert Package.objects.get(pk=d.pk).status == Status.SUBMITTED
    assert all(_status(m) == Status.SUBMITTED for m in members)
    sent = versions.latest_sent(Package.objects.get(pk=d.pk))
    attached = DepartmentAttachment.objects.filter(department_submission=sent)
    assert sorted(a.unit_submission.package_id for a in attached) == sorted(m["package"].pk for m in members)
    assert AuditEntry.objects.filter(action="dept_submit").count() == 1


def test_the_bureau_sees_departments_with_units_nested_returns_one_unit_and_accepts(dept):
    members = dept["units"]
    for member in members:
        send_to_department(member)
        tier.approve_unit(package_id=member["package"].pk, user=dept["dept"]["head"], version=latest(member["package"]))
    d = dept["dept"]["package"]
    d.refresh_from_db()
    versions.submit(package_id=d.pk, user=dept["dept"]["preparer"], version=d.version)
    versions.approve(package_id=d.pk, user=dept["dept"]["head"], opinion="同意报送。")
    bureau = client_for(dept["performance"])
    # 部门汇总 reads the roll-up the department sent (its units' attached versions)
    html = bureau.get(f"/b/t/{dept['task'].pk}/rollup/?unit={dept['dept']['unit'].pk}").content.decode()
    sent_rollup = text_of(html, "dept-rollup")
    assert all(f"{m['unit'].name}（第{latest(m['package'])}版）" in sent_rollup for m in members)
    carried = text_of(bureau.get(f"/b/p/{d.pk}/").content.decode(), "b-tier")
    assert "随附下属单位的数据包 3 个" in carried and all(m["unit"].name in carried for m in members)
    through = text_of(bureau.get(f"/b/p/{members[0]['package'].pk}/").content.decode(), "b-tier")
    assert f"经主管部门{dept['dept']['unit'].name}审核：审核通过第" in through
    html = bureau.get(f"/b/t/{dept['task'].pk}/").content.decode()
    table = text_of(html, "tier-table")
    assert table.index(dept["dept"]["unit"].name) < table.index(members[0]["unit"].name)
    assert table.count("已报送") == 4 and "3/3" in table
    assert html.count('class="tier-unit"') == 3
    # the bureau's return targets one unit: the department's package stays with the bureau
    second = members[1]["package"]
    r = bureau.post(f"/b/p/{second.pk}/decide", {"version": latest(second), "action": "return", "reason": "请补充佐证。"})
    assert r.status_code == 302 and _status(members[1]) == Status.RETURNED
    assert Package.objects.get(pk=d.pk).status == Status.SUBMITTED
    send_to_department(members[1])
    assert _status(members[1]) == Status.DEPT_REVIEW
    tier.approve_unit(package_id=second.pk, user=dept["dept"]["head"], version=latest(second))
    assert _status(members[1]) == Status.SUBMITTED  # the department's package is with the bureau: it joins it
    assert DepartmentAttachment.objects.filter(unit_submission__package=second).count() == 2
    for package in [d, *(m["package"] for m in members)]:
        r = bureau.post(f"/b/p/{package.pk}/decide", {"version": latest(package), "action": "accept", "opinion": "同意。"})
        assert r.status_code == 302
    assert Package.objects.get(pk=d.pk).status == Status.ACCEPTED
    assert all(_status(m) == Status.ACCEPTED for m in members)
    # after the accept (a new version of the department's package) the page still lists what it carried
    carried = text_of(bureau.get(f"/b/p/{d.pk}/").content.decode(), "b-tier")
    assert "随附下属单位的数据包 3 个" in carried and f"{members[1]['unit'].name}（第{latest(second) - 1}版）" in carried
    assert members[2]["unit"].name in text_of(bureau.get(f"/b/t/{dept['task'].pk}/rollup/?unit={dept['dept']['unit'].pk}")
                                              .content.decode(), "dept-rollup")


def test_the_bureau_can_return_the_department_itself(dept):
    for member in dept["units"]:
        send_to_department(member)
        tier.approve_unit(package_id=member["package"].pk, user=dept["dept"]["head"], version=latest(member["package"]))
    d = dept["dept"]["package"]
    d.refresh_from_db()
    versions.submit(package_id=d.pk, user=dept["dept"]["preparer"], version=d.version)
    versions.approve(package_id=d.pk, user=dept["dept"]["head"], opinion="同意报送。")
    r = client_for(dept["performance"]).post(f"/b/p/{d.pk}/decide", {"version": latest(d), "action": "return",
                                                                      "reason": "部门汇总有误。"})
    assert r.status_code == 302
    assert Package.objects.get(pk=d.pk).status == Status.RETURNED
    assert all(_status(m) == Status.SUBMITTED for m in dept["units"])  # the units stay with the bureau
    d.refresh_from_db()
    versions.submit(package_id=d.pk, user=dept["dept"]["preparer"], version=d.version)
    versions.approve(package_id=d.pk, user=dept["dept"]["head"], opinion="已更正。")  # its units already sent: allowed
    assert Package.objects.get(pk=d.pk).status == Status.SUBMITTED


# --- deadlines per tier ---------------------------------------------------------------------------------


def test_the_bureau_sets_the_departments_deadline_never_after_the_tasks(dept):
    c = client_for(dept["performance"])
    url = f"/b/t/{dept['task'].pk}/tiers/"
    r = c.post(url, {"department": dept["dept"]["unit"].pk, "deadline": "2024-07-31"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "主管部门的截止日期不能晚于任务的报送截止日期（2024年6月30日）" in text_of(html, f"d-{dept['dept']['unit'].pk}-error")
    assert 'value="2024-07-31"' in html  # what was typed stays in the field
    assert c.post(url, {"department": dept["dept"]["unit"].pk, "deadline": "2024-06-10"}).status_code == 302
    dept["tier"].refresh_from_db()
    assert dept["tier"].deadline == date(2024, 6, 10)
    # a department's head cannot set it; the bureau's page is not theirs
    assert client_for(dept["dept"]["head"]).post(url, {"department": dept["dept"]["unit"].pk,
                                                       "deadline": "2024-06-01"}).status_code == 404


def test_the_department_sets_its_units_an_earlier_deadline_and_a_later_one_is_refused(dept):
    c = client_for(dept["dept"]["head"])
    url = f"/p/{dept['dept']['package'].pk}/units/"
    r = c.post(url, {"units_deadline": "2024-06-20"})
    assert r.status_code == 422
    assert "下属单位的截止日期不能晚于本部门的截止日期（2024年6月15日）" in text_of(r.content.decode(), "u-deadline-error")
    assert 'value="2024-06-20"' in r.content.decode()  # what was typed stays in the field
    assert c.post(url, {"units_deadline": "2024-05-31"}).status_code == 302
    dept["tier"].refresh_from_db()
    assert dept["tier"].units_deadline == date(2024, 5, 31)
    assert "2024年5月31日" in text_of(c.get(url).content.decode(), "units-deadline")
    assert client_for(dept["dept"]["preparer"]).post(url, {"units_deadline": "2024-05-01"}).status_code == 403


# --- the demo ----------------------------------------------------------------------------------------------


def test_the_demo_has_a_department_with_its_units_in_every_state_and_logins(db):
    from jixiao.web.demo import tier as demo_tier
    from jixiao.web.demo.units import load_demo
    from jixiao.web.models import DepartmentTier, User

    logins = load_demo()
    assert {u for u, _, _ in logins.users} >= set(demo_tier.LOGINS)
    led = DepartmentTier.objects.get(department__budget_code=demo_tier.DEPARTMENT[1])
    assert led.units_deadline < led.deadline <= led.task.deadline
    units = Package.objects.filter(task=led.task, unit__parent=led.department)
    assert units.count() >= 3
    assert {Status.NOT_STARTED, Status.DRAFT, Status.IN_REVIEW, Status.DEPT_REVIEW, Status.RETURNED,
            Status.DEPT_APPROVED} <= set(units.values_list("status", flat=True))
    head = User.objects.get(username="zhuguan_fz")
    department = Package.objects.get(task=led.task, unit=led.department)
    html = client_for(head).get(f"/p/{department.pk}/units/").content.decode()
    assert html.count("主管部门审核中") >= 2 and "主管部门审核通过" in html
    returned = units.get(status=Status.RETURNED)
    assert returned.comments.filter(text__startswith="【主管部门】", path="narrative.problems").exists()
    sub = User.objects.get(username="xiashu1_tb")
    assert client_for(sub).get(f"/p/{department.pk}/units/").status_code == 404


# --- the department's package from its units ----------------------------------------------------------------


def _rollup_tables(html: str) -> list[str]:
    import re

    return re.findall(r'<p class="caption">([^<]+)</p>', html)


def test_the_department_builds_its_package_from_its_approved_units_and_sees_what_a_new_version_changes(dept):
    from jixiao.web.models import FieldEdit

    members = dept["units"]
    for member in members:
        send_to_department(member)
    for member in members[:2]:
        tier.approve_unit(package_id=member["package"].pk, user=dept["dept"]["head"], version=latest(member["package"]))
    d = dept["dept"]["package"]
    c = client_for(dept["dept"]["preparer"])
    html = c.post(f"/p/{d.pk}/rollup/").content.decode()
    change = text_of(html, "rollup-change")
    assert "汇总了2个下属单位" in change and "草稿改动" in change
    tables = _rollup_tables(html)
    assert any("附件3" in t or "自评表" in t for t in tables) and any("收入" in t or "支出" in t for t in tables), tables
    trace = text_of(html, "main")
    assert members[0]["unit"].name in trace and members[1]["unit"].name in trace and members[2]["unit"].name not in trace
    assert FieldEdit.objects.filter(package=d, kind="rollup").exists()
    assert "rollup-pending" not in c.get(f"/p/{d.pk}/rollup/").content.decode()  # the draft is the roll-up
    # a third unit approved: the page shows what a roll-up now would change, and the roll-up does it
    tier.approve_unit(package_id=members[2]["package"].pk, user=dept["dept"]["head"], version=latest(members[2]["package"]))
    pending = text_of(c.get(f"/p/{d.pk}/rollup/").content.decode(), "rollup-pending")
    assert "现在重新汇总将改动" in pending
    html = c.post(f"/p/{d.pk}/rollup/").content.decode()
    assert "汇总了3个下属单位" in text_of(html, "rollup-change")
    assert members[2]["unit"].name in text_of(html, "main")
    # the department's head reads it; only its preparer rebuilds
    assert client_for(dept["dept"]["head"]).post(f"/p/{d.pk}/rollup/").status_code == 403
    d.refresh_from_db()
    assert d.draft["narrative"] == dept_world._doc(*dept_world.DEPARTMENT)["narrative"]  # its own narrative stays


def test_the_departments_own_forms_lead_to_its_units_and_roll_up(dept):
    pk = dept["dept"]["package"].pk
    for person in (dept["dept"]["preparer"], dept["dept"]["head"]):
        cover = client_for(person).get(f"/p/{pk}/f/cover/").content.decode()
        assert f'href="/p/{pk}/units/"' in cover and f'href="/p/{pk}/rollup/"' in cover
    unit = dept["units"][0]
    own = client_for(unit["preparer"]).get(f"/p/{unit['package'].pk}/f/cover/").content.decode()
    assert "/units/" not in own and "/rollup/" not in own  # a subordinate unit leads none


def test_the_department_sees_each_finding_beside_its_field_as_the_bureau_does(dept):
    """The department's read-only form of a unit's version places the audit's findings beside the fields
    they are about (drafts.present.place_findings, the bureau's forms' way), the rest above the form."""
    from jixiao.web.drafts import computation, fields
    from jixiao.web.models.tier import deadline_for

    member = dept["units"][0]
    package = member["package"]
    package.draft = fields.put(package.draft, "expenditure[0].total", "1550.78")  # stated unlike the engine's 500.00
    package.save(update_fields=["draft"])
    send_to_department(member)
    comp = computation.compute(versions.latest_sent(package).content, deadline=deadline_for(package))
    _title, slug, items = next(g for g in computation.findings_by_form(comp) if any(
        f.path == "expenditure[0].total" for f in g[2]))
    html = client_for(dept["dept"]["head"]).get(
        f"/p/{dept['dept']['package'].pk}/units/{package.pk}/f/{slug}/").content.decode()
    inline = [html_unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r'<p class="finding-inline[^"]*">(.*?)</p>', html)]
    above = text_of(html, "form-findings") if 'id="form-findings"' in html else ""
    wrong = next(f for f in items if f.path == "expenditure[0].total")
    assert any(wrong.message in text for text in inline), inline  # beside the figure it is about
    for f in items:  # every finding of the form: beside its field, or in the box above the form
        assert any(f.message in text for text in inline) or f.message in above, f.message


def test_the_department_heads_home_says_how_many_units_wait_for_its_review(dept):
    head, d = client_for(dept["dept"]["head"]), dept["dept"]["package"].pk
    box = text_of(head.get("/").content.decode(), f"dept-waiting-{d}")
    assert "没有待审核的下属单位" in box
    for member in dept["units"][:2]:
        send_to_department(member)
    html = head.get("/").content.decode()
    assert "待审核下属单位 2 个" in text_of(html, f"dept-waiting-{d}")
    assert f'<a href="/p/{d}/units/">待审核下属单位 2 个</a>' in html  # the number leads to the units page
