"""Where each version of a package stands, in the words the unit and the bureau use: one status per
version, not the stored state alone (which says 已报送财政 of both the preparer's version the head
approved and the version the head's opinion made). Read by the unit's versions page and the
bureau's package page alike.

A version is one of: the preparer's, handed to the unit head (待单位审核 / 单位负责人已退回 /
单位负责人审核通过 — sent on as the next version); a version sent to the bureau (by the head, or
imported by the bureau from outside the system), which the bureau returned, accepted, has in review,
or which a later sent version superseded; or the version the bureau's acceptance wrote its opinion
into (财政审核通过, 已公开 once published).
"""

from __future__ import annotations

from jixiao.web.models import Package, Publication, Status, Submission


def version_statuses(package: Package, subs: list[Submission]) -> dict[int, str]:
    """{version number: its status} for `subs` (versions of `package`)."""
    decisions = {d.submission_id: d for d in package.bureau_decisions.all()}
    # a unit under a reviewing 主管部门 sends there first; the department's decision on a version is its status
    by_department = {d.submission_id: d for d in package.department_decisions.all()}
    results = {d.result_id for d in decisions.values() if d.result_id}
    published = Publication.objects.filter(package=package).values_list("submission_id", flat=True).first()
    ordered = sorted(subs, key=lambda s: s.number)
    sent = [s.number for s in ordered if _is_sent(s) or s.pk in results]
    latest = max(sent, default=None)
    out = {}
    for i, s in enumerate(ordered):
        later = ordered[i + 1].number if i + 1 < len(ordered) else None
        out[s.number] = (_department_status(by_department[s.pk]) if s.pk in by_department and s.pk not in decisions
                         else _status(s, package, decisions.get(s.pk), s.pk in results, s.pk == published, latest, later,
                                      bool(by_department)))
    return out


def annotate(package: Package, subs) -> list[Submission]:
    """`subs` as a list, each with `status_label` set."""
    subs = list(subs)
    labels = version_statuses(package, subs)
    for s in subs:
        s.status_label = labels[s.number]
    return subs


def _is_sent(s: Submission) -> bool:
    """Sent to the bureau: approved, and not the preparer's version the head approved (that one is
    sent on as the head's next version, carrying the unit's opinion)."""
    return s.state == Submission.State.APPROVED and not _head_approved_preparers(s)


def _head_approved_preparers(s: Submission) -> bool:
    return s.state == Submission.State.APPROVED and s.decided_by_id is not None and s.decided_by_id != s.created_by_id


def _department_status(decision) -> str:
    return "主管部门已退回" if decision.action == decision.Action.RETURN else "主管部门审核通过"


def _status(s: Submission, package: Package, decision, is_result: bool, is_published: bool, latest: int | None,
            later: int | None, under_department: bool = False) -> str:
    to_department = under_department or package.status in (Status.DEPT_REVIEW, Status.DEPT_APPROVED)
    receiver = "主管部门" if to_department else "财政"
    if is_result:
        return "财政审核通过，已公开" if is_published else "财政审核通过（含财政部门意见）"
    if decision is not None:
        if decision.action == decision.Action.RETURN:
            return "财政已退回"
        return f"财政审核通过，意见写入第{decision.result.number}版" if decision.result_id else "财政审核通过"
    if s.state == Submission.State.RETURNED:
        return "单位负责人已退回"
    if s.state == Submission.State.PENDING:
        return "待单位审核" if package.status == Status.IN_REVIEW and later is None else "未经审核，已被后续版本取代"
    if _head_approved_preparers(s):
        return f"单位负责人审核通过，作为第{later}版报送{receiver}" if later else "单位负责人审核通过"
    prefix = "外部导入的报送版本，" if s.origin else ""
    if s.number != latest:
        return f"{prefix}已被第{latest}版取代"
    if package.status == Status.DEPT_REVIEW:
        return f"{prefix}已报送主管部门，主管部门审核中"
    if package.status == Status.SUBMITTED:
        return f"{prefix}已报送财政，财政审核中"
    return f"{prefix}已报送{receiver}"
