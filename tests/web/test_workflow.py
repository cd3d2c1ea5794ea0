"""Submit, review, return with a comment on a field, resubmit, approve; versions and their diff."""

from jixiao.web.models import ImmutableError, Status, Submission
from jixiao.web.versions import content_hash

from .conftest import client_for, post_edit, text_of


def _submit(c, pkg):
    pkg.refresh_from_db()
    return c.post(f"/p/{pkg.pk}/submit", {"version": pkg.version}, follow=True)


def test_the_unit_story_from_draft_to_the_bureau(world):
    pkg = world["package"]
    prep, head = client_for(world["preparer"]), client_for(world["head"])
    post_edit(prep, pkg, "projects[0].indicators[0].actual", "700亩")
    r = _submit(prep, pkg)
    assert "已提交第1版" in r.content.decode()
    pkg.refresh_from_db()
    assert pkg.status == Status.IN_REVIEW
    # the draft is locked while the head reviews
    assert post_edit(prep, pkg, "unit.contact", "李四").status_code == 409

    # the head reads the same pages read-only, with the findings, and comments on one field
    page = head.get(f"/p/{pkg.pk}/review/project-0/").content.decode()
    assert "审核第1版" in page and 'id="findings"' in page and 'hx-post' not in page.split('id="findings"')[0].split("ws-form")[1]
    head.post(f"/p/{pkg.pk}/review/project-0/", {"action": "comment", "path": "projects[0].indicators[0].actual",
                                                 "text": "完成面积与验收报告不符，请核实。"})
    r = head.post(f"/p/{pkg.pk}/review/", {"action": "return", "note": ""}, follow=True)
    assert "已退回" in r.content.decode()
    pkg.refresh_from_db()
    assert pkg.status == Status.RETURNED

    # the preparer sees the comment beside the field, fixes it, resubmits
    page = prep.get(f"/p/{pkg.pk}/f/project-0/").content.decode()
    assert "完成面积与验收报告不符，请核实。" in page
    post_edit(prep, pkg, "projects[0].indicators[0].actual", "800亩")
    _submit(prep, pkg)

    # the head approves with the unit's opinion: a new version holding it, sent to the bureau
    r = head.post(f"/p/{pkg.pk}/review/", {"action": "approve", "opinion": "情况属实，同意报送。"}, follow=True)
    assert "报送财政" in r.content.decode()
    pkg.refresh_from_db()
    assert pkg.status == Status.SUBMITTED
    versions = list(pkg.submissions.order_by("number"))
    assert [v.state for v in versions] == ["returned", "approved", "approved"]
    final = versions[-1]
    opinion = next(o for o in final.content["opinions"] if o["role"] == "部门（单位）")
    assert opinion["text"] == "情况属实，同意报送。" and opinion["signer"] == "林负责" and opinion["date"]
    assert (final.hash_algorithm, final.content_hash) == content_hash(final.content)
    assert final.total_score is not None and final.grade and final.profile == "national-2020"

    # compare two versions field by field, with the forms' Chinese labels
    html = prep.get(f"/p/{pkg.pk}/compare/", {"a": 1, "b": 3}).content.decode()
    assert "补助面积·实际完成值" in html and "700亩" in html and "800亩" in html
    assert "部门（单位）意见" in html


def test_a_submitted_version_is_immutable(world):
    pkg = world["package"]
    _submit(client_for(world["preparer"]), pkg)
    sub = Submission.objects.get(package=pkg)
    sub.content = {"tampered": True}
    try:
        sub.save()
    except ImmutableError:
        pass
    else:
        raise AssertionError("a submitted version was changed")
    try:
        sub.delete()
    except ImmutableError:
        pass
    else:
        raise AssertionError("a submitted version was deleted")
    sub.refresh_from_db()
    assert "tampered" not in sub.content


def test_a_return_needs_a_reason(world):
    pkg = world["package"]
    _submit(client_for(world["preparer"]), pkg)
    r = client_for(world["head"]).post(f"/p/{pkg.pk}/review/", {"action": "return", "note": ""}, follow=True)
    assert "退回时请写明原因" in r.content.decode()
    pkg.refresh_from_db()
    assert pkg.status == Status.IN_REVIEW


def test_the_hash_is_sm3_of_the_sorted_content():
    algo, digest = content_hash({"乙": 1, "甲": [1, 2]})
    assert (algo, len(digest)) in (("SM3", 64), ("SHA256", 64))
    assert content_hash({"甲": [1, 2], "乙": 1}) == (algo, digest)
    if algo == "SM3":  # GB/T 32905 test vector: SM3("abc")
        from cryptography.hazmat.primitives import hashes

        h = hashes.Hash(hashes.SM3())
        h.update(b"abc")
        assert h.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_the_versions_page_lists_hashes_and_comments(world):
    pkg = world["package"]
    _submit(client_for(world["preparer"]), pkg)
    html = client_for(world["head"]).get(f"/p/{pkg.pk}/versions/").content.decode()
    sub = pkg.submissions.get()
    assert sub.content_hash[:16] in html and "待单位审核" in text_of(html, "main")
