"""More of the bureau's pages: the batch PDF of a task (start, download), the package laid out as
the unit's forms but read-only (with the engine's figures, the stated ones beside them and the
findings beside the fields), and the assignment of units to the 归口业务科室. Thin: reads through
`review.selectors` / `review.departments`, writes through `jobs.batch_pdf` / `review.departments`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jixiao.web import access, versions
from jixiao.web.drafts import computation, layout
from jixiao.web.drafts.cells import Ctx
from jixiao.web.drafts.present import place_findings, present
from jixiao.web.jobs import batch_pdf as batch_pdf_job
from jixiao.web.models import UNIT_ROLES, BatchJob, Package, Status
from jixiao.web.models.tier import deadline_for
from jixiao.web.review import departments, selectors
from jixiao.web.review.trace import version_trace
from jixiao.web.targets import approved_for
from jixiao.web.versions import ActionError

# --- the batch PDF -------------------------------------------------------------------------------


@login_required
@require_POST
def batch_pdf(request: HttpRequest, task: int) -> HttpResponse:
    t = selectors.task_for(request.user, task)
    try:
        batch_pdf_job.start(task=t, user=request.user)
    except ActionError as exc:
        if exc.status == 403:
            return render(request, "web/message.html", {"text": exc.message}, status=403)
        messages.error(request, exc.message)
        return redirect("web:bureau_batch", task=t.pk)
    messages.success(request, "已提交批量生成 PDF，后台处理中")
    return redirect("web:bureau_batch", task=t.pk)


@login_required
@require_GET
def batch_pdf_download(request: HttpRequest, task: int, job: int) -> HttpResponse:
    """The .zip of a finished PDF batch: every accepted package of the task, so the 绩效评价股's only
    (a 归口业务科室 reads its own units' packages one by one)."""
    t = selectors.task_for(request.user, task)
    if not selectors.may_run_spot_check(request.user):
        raise Http404(access.NOT_FOUND)
    j = t.batch_jobs.filter(pk=job, kind=BatchJob.Kind.PDF, state=BatchJob.State.DONE).exclude(file="").first()
    path = Path(settings.MEDIA_ROOT) / j.file if j is not None else None
    if path is None or not path.is_file():
        raise Http404("压缩包尚未生成")
    resp = FileResponse(open(path, "rb"), content_type="application/zip")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(batch_pdf_job.zip_name(j))}"
    return resp


# --- the package, read-only, as the unit's forms -------------------------------------------------


def _readable(user, pk: int) -> Package:
    """The bureau (its own bureau; a 归口业务科室 its department's units) and the unit's own users."""
    if selectors.is_bureau(user):
        return selectors.package_for(user, pk)
    if user.role in UNIT_ROLES:
        return access.package_for(user, pk)
    raise Http404(access.NOT_FOUND)


class ReadCtx(Ctx):
    """Cells of the read-only view: their trace buttons ask the bureau's trace (of the version shown)."""

    def trace_url(self, path: str) -> str:
        return reverse("web:bureau_trace", kwargs={"pk": self.package_pk}) + f"?path={quote(path, safe='')}"


@login_required
@require_GET
def forms(request: HttpRequest, pk: int, slug: str = "cover") -> HttpResponse:
    """The latest version the unit sent to the bureau, laid out as the preparer's forms, every field
    read-only: the engine's figures with the unit's stated figure beside any that differs, the
    judged scores with the engine's reading, the audit's findings beside the fields they are about."""
    p = _readable(request.user, pk)
    sub = versions.latest_sent(p)
    if sub is None:
        return render(request, "web/message.html", {"text": "单位尚未报送财政，没有可查看的版本。"}, status=404)
    doc = sub.content
    comp = computation.compute(doc, deadline=deadline_for(p), targets=approved_for(p))
    layouts = comp.layouts or layout.Layouts(doc)
    form = layouts.build(slug)
    if form is None:
        raise Http404("没有这张表")
    groups = computation.findings_by_form(comp)
    blocks = present(form, comp, editable=False, rejected={}, comments=versions.comments_by_path(p))
    # A reviewer comments by clicking on the field (the 意见 button beside each) while the version waits.
    commentable = p.status == Status.SUBMITTED and access.can_review(request.user, p)
    unplaced = place_findings(blocks, groups, slug)  # beside their fields; the rest above the form
    return render(request, "web/bureau/forms.html", {
        "package": p, "sub": sub, "comp": comp, "form": form, "forms": layouts.index(), "slug": slug, "blocks": blocks,
        "groups": groups, "unplaced": unplaced, "cellctx": ReadCtx(p.pk, slug, review=commentable),
        "commentable": commentable,
        "back": reverse("web:bureau_package", kwargs={"pk": p.pk}) if selectors.is_bureau(request.user) else
        reverse("web:versions", kwargs={"pk": p.pk})})


@login_required
@require_GET
def trace(request: HttpRequest, pk: int) -> HttpResponse:
    """How a figure of the version shown was reached (the read-only view's trace buttons)."""
    p = _readable(request.user, pk)
    sub = versions.latest_sent(p)
    if sub is None:
        raise Http404(access.NOT_FOUND)
    return version_trace(request, p, sub.content,
                         lambda slug: reverse("web:bureau_forms", kwargs={"pk": pk, "slug": slug}))


# --- 归口业务科室: assigning units ---------------------------------------------------------------------


@login_required
def department_assignment(request: HttpRequest) -> HttpResponse:
    """A table of the bureau's units, each with a select of the 归口业务科室 (the 绩效评价股 assigns;
    a 归口 user reads which units are theirs)."""
    user = request.user
    if not selectors.is_bureau(user):
        raise Http404(access.NOT_FOUND)
    q = request.GET.get("q", "").strip()[:100]
    rows = departments.assignment_rows(user.bureau_id, q)
    if departments.limited(user):
        rows = [r for r in rows if user.department_id is not None and r.current == user.department_id]
    ctx = {"rows": rows, "departments": departments.departments_of(user.bureau_id), "q": q, "may_assign": departments.may_assign(user),
           "errors": [], "new_name": "", "new_error": ""}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "new":
                ctx["new_name"] = request.POST.get("name", "")
                d = departments.create_department(user=user, name=ctx["new_name"])
                messages.success(request, f"已添加科室“{d.name}”")
            else:
                choices = {}
                for key, value in request.POST.items():
                    if key.startswith("unit-"):
                        try:
                            choices[int(key[5:])] = value.strip()
                        except ValueError:
                            continue
                n = departments.assign(user=user, choices=choices)
                messages.success(request, f"已保存，{n}个单位的归口科室有变化")
            return redirect(reverse("web:bureau_departments") + (f"?q={quote(q)}" if q else ""))
        except ActionError as exc:
            status = exc.status
            if exc.status == 403:
                return render(request, "web/message.html", {"text": exc.message}, status=403)
            problems = getattr(exc, "problems", None)
            if problems is None:
                ctx["new_error"] = exc.message
            else:
                by_pk = {r.unit.pk: r for r in rows}
                for key, value in request.POST.items():
                    if key.startswith("unit-") and key[5:].isdigit() and int(key[5:]) in by_pk:
                        by_pk[int(key[5:])].posted = value
                for pk, why in problems.items():
                    if pk in by_pk:
                        by_pk[pk].error = why
                        ctx["errors"].append((f"unit-{pk}", f"{by_pk[pk].unit.name}：{why}"))
                    else:
                        ctx["errors"].append(("", why))
                ctx["summary"] = exc.message
    return render(request, "web/bureau/departments.html", ctx, status=status)
