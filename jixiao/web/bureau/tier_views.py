"""The bureau's page of the 主管部门 tier (issue 22): which departments of a task review their units
first and by when (the bureau sets each department's deadline), with every tier's status. Thin:
reads and writes through `review.tier`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jixiao.web import access
from jixiao.web.dates import DateUnreadable, read_date
from jixiao.web.review import selectors, tier
from jixiao.web.versions import ActionError


@login_required
def tiers(request: HttpRequest, task: int) -> HttpResponse:
    t = selectors.task_for(request.user, task)
    errors, typed = {}, {}
    if request.method == "POST":
        unit = request.POST.get("department", "")
        raw = request.POST.get("deadline", "").strip()
        try:
            try:
                chosen = read_date(raw, required=True)
            except DateUnreadable as exc:
                raise ActionError(exc.message, fields={"deadline": exc.message}) from None
            tier.set_tier(task_id=t.pk, department_id=int(unit) if unit.isdigit() else 0, user=request.user,
                          deadline=chosen)
            messages.success(request, "已设定主管部门的截止日期：其下属单位先报送主管部门审核")
            return redirect("web:bureau_tiers", task=t.pk)
        except ActionError as exc:
            if exc.status in (403, 404):
                return render(request, "web/message.html", {"text": exc.message}, status=exc.status)
            errors[unit] = exc.fields.get("deadline") or exc.message
            typed[unit] = raw
    departments = [(u, led, errors.get(str(u.pk), ""), typed.get(str(u.pk), ""))
                   for u, led in tier.tiers_for_bureau(t) if access.can_see_unit(request.user, u)]
    return render(request, "web/bureau/tiers.html", {
        "task": t, "departments": departments, "rows": tier.tier_rows(t, request.user),
        "may_set": access.can_set_tier(request.user, t)}, status=422 if errors else 200)
