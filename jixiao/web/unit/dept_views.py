"""The 主管部门's pages (issue 22) — a department is a unit, so they are the unit's side: its
subordinate units with their status and its deadline for them, the review of a unit's sent version
(read-only forms, comments on fields, return, approve into the department), and the department's
roll-up. Reads and writes through `access` and `review.tier`; another unit's people get 404."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from jixiao.web import access, versions
from jixiao.web.dates import DateUnreadable, read_date
from jixiao.web.drafts import computation, layout
from jixiao.web.drafts.cells import Ctx
from jixiao.web.drafts.present import place_findings, present
from jixiao.web.models import Status
from jixiao.web.models.tier import deadline_for
from jixiao.web.review import tier
from jixiao.web.review.trace import version_trace
from jixiao.web.targets import approved_for
from jixiao.web.versions import ActionError

# --- the department's units ------------------------------------------------------------------------


@login_required
def units(request: HttpRequest, pk: int) -> HttpResponse:
    """The department's subordinate units in the task: status of each, the decisions, the deadlines."""
    department = access.department_package_for(request.user, pk)
    errors = {}
    if request.method == "POST":
        try:
            chosen = read_date(request.POST.get("units_deadline", ""), required=True)
        except DateUnreadable as exc:
            errors["units_deadline"] = exc.message
        else:
            try:
                tier.set_units_deadline(package_id=department.pk, user=request.user, deadline=chosen)
                messages.success(request, "已设定下属单位的截止日期")
                return redirect("web:dept_units", pk=pk)
            except ActionError as exc:
                if exc.status == 403:
                    return render(request, "web/message.html", {"text": exc.message}, status=403)
                errors = exc.fields or {"units_deadline": exc.message}
    led = access.tier_led_by(department)
    return render(request, "web/unit/dept_units.html", {
        "package": department, "tier": led, "lines": tier.unit_lines(department), "errors": errors,
        "typed": request.POST.get("units_deadline", "") if errors else "",
        "may_set": access.can_set_units_deadline(request.user, led),
        "ready": all(line.package is not None and line.package.status in (Status.DEPT_APPROVED, *versions.SENT)
                     for line in tier.unit_lines(department)),
    }, status=422 if errors else 200)


# --- the review of a unit's version ---------------------------------------------------------------------


@dataclass
class DeptCtx(Ctx):
    """Cells of the department's read-only view: their trace buttons ask about the version shown."""

    department_pk: int = 0

    def trace_url(self, path: str) -> str:
        return (reverse("web:dept_unit_trace", kwargs={"pk": self.department_pk, "sub": self.package_pk})
                + f"?path={quote(path, safe='')}")


def _decide(request: HttpRequest, package) -> str:
    """One decision posted on the unit's version; returns the message to show."""
    action = request.POST.get("action", "")
    try:
        version = int(request.POST.get("version", "-1"))
    except ValueError:
        version = -1
    if action == "comment":
        tier.comment(package_id=package.pk, user=request.user, path=request.POST.get("path", ""),
                     text=request.POST.get("text", ""))
        return "已记录意见"
    if action == "return":
        tier.return_unit(package_id=package.pk, user=request.user, version=version, reason=request.POST.get("reason", ""))
        return "已退回下属单位修改"
    if action == "approve":
        tier.approve_unit(package_id=package.pk, user=request.user, version=version, note=request.POST.get("note", ""))
        return "已审核通过，纳入本部门报送"
    raise ActionError("未知的操作")


@login_required
def unit_review(request: HttpRequest, pk: int, sub: int, slug: str = "cover") -> HttpResponse:
    """A subordinate unit's latest sent version, laid out as its forms, read-only, with the findings;
    the department comments on fields, returns it, or approves it into the department."""
    department, package = access.subordinate_for(request.user, pk, sub)
    here = reverse("web:dept_unit_form", kwargs={"pk": pk, "sub": sub, "slug": slug})
    if request.method == "POST":
        try:
            messages.success(request, _decide(request, package))
        except ActionError as exc:
            if exc.status == 403:
                return render(request, "web/message.html", {"text": exc.message}, status=403)
            messages.error(request, exc.message)
        return redirect(here)
    version = versions.latest_sent(package)
    comp = computation.compute(version.content, deadline=deadline_for(package), targets=approved_for(package))
    layouts = comp.layouts or layout.Layouts(version.content)
    form = layouts.build(slug)
    if form is None:
        raise Http404("没有这张表")
    groups = computation.findings_by_form(comp)
    blocks = present(form, comp, editable=False, rejected={}, comments=versions.comments_by_path(package))
    unplaced = place_findings(blocks, groups, slug)  # beside their fields, as the bureau's forms show them
    under_review = package.status == Status.DEPT_REVIEW
    ctx = DeptCtx(package.pk, slug, review=under_review and access.can_comment_subordinate(request.user, package),
                  department_pk=department.pk)
    return render(request, "web/unit/dept_review.html", {
        "department": department, "package": package, "sub": version, "comp": comp, "form": form, "slug": slug,
        "forms": layouts.index(), "groups": groups, "cellctx": ctx, "blocks": blocks, "unplaced": unplaced,
        "under_review": under_review, "may_decide": under_review and access.can_review_subordinate(request.user, package),
        "commentable": ctx.review, "decisions": package.department_decisions.select_related("user", "submission"),
    })


@login_required
@require_GET
def unit_trace(request: HttpRequest, pk: int, sub: int) -> HttpResponse:
    """How a figure of the unit's version shown was reached."""
    department, package = access.subordinate_for(request.user, pk, sub)
    version = versions.latest_sent(package)
    return version_trace(request, package, version.content,
                         lambda slug: reverse("web:dept_unit_form", kwargs={"pk": pk, "sub": sub, "slug": slug}))


# --- the department's roll-up ---------------------------------------------------------------------------


@login_required
def rollup(request: HttpRequest, pk: int) -> HttpResponse:
    """The department's package built from its units' approved versions: the figures with their
    traces and each unit's contribution; its preparer rebuilds it (the change is shown)."""
    department = access.department_package_for(request.user, pk)
    change = None
    if request.method == "POST":
        try:
            change = tier.rebuild(package_id=department.pk, user=request.user)
            messages.success(request, "已按下属单位审核通过的版本重新汇总")
        except ActionError as exc:
            if exc.status == 403:
                return render(request, "web/message.html", {"text": exc.message}, status=403)
            messages.error(request, exc.message)
        department.refresh_from_db()
    return render(request, "web/unit/dept_rollup.html", {
        "package": department, "view": tier.rollup_view(department), "change": change,
        "included": tier.approved_versions(department),
        "may_rebuild": department.editable and access.can_edit_package(request.user, department),
    })
