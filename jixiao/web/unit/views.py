"""Pages and htmx fragments. Thin: access and reads through `selectors`, writes through `services`."""

from __future__ import annotations

import json
import mimetypes
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jixiao import services
from jixiao.web import access, version_status, versions
from jixiao.web.drafts import computation, fields, figures, layout, stated
from jixiao.web.drafts.cells import Ctx
from jixiao.web.drafts.present import attach_differing_findings, figure_cells, present
from jixiao.web.field_names import field_name
from jixiao.web.jobs import status as job_status
from jixiao.web.jobs.render import render_pdf
from jixiao.web.models import RenderJob, Role, Status
from jixiao.web.models.tier import deadline_for
from jixiao.web.review import trace as review_trace
from jixiao.web.targets import approved_for
from jixiao.web.unit import selectors as unit_selectors
from jixiao.web.unit import services as unit_services
from jixiao.web.versions import ActionError

# --- the workspace -----------------------------------------------------------------------------


def _rejected(request: HttpRequest, package_id: int) -> dict:
    return request.session.get(f"rejected:{package_id}", {})


def _remember(request: HttpRequest, package_id: int, path: str, raw: str | None, error: str = "") -> None:
    """Entries the server refused are kept in the session and shown again with their message, so
    nothing the preparer typed is lost; an accepted entry clears its record."""
    key = f"rejected:{package_id}"
    rej = dict(request.session.get(key, {}))
    if raw is None:
        if path not in rej:
            return
        rej.pop(path, None)
    else:
        rej[path] = [raw, error]
    request.session[key] = rej


def _context(request, package, slug: str, comp=None, read_only: bool | None = None) -> dict:
    doc = package.draft
    deadline = deadline_for(package)  # its 主管部门's date for a unit under one: the crumbs and the audit say the same
    comp = comp or computation.compute(doc, deadline=deadline, targets=approved_for(package))
    form = comp.layouts.build(slug) if comp.layouts else layout.build(doc, slug)
    if form is None:
        raise Http404("没有这张表")
    editable = package.editable and access.can_edit_package(request.user, package) if read_only is None else not read_only
    rejected = {p: tuple(v) for p, v in _rejected(request, package.pk).items()} if editable else {}
    comments = versions.comments_by_path(package)
    blocks = present(form, comp, editable=editable, rejected=rejected, comments=comments)
    groups = computation.findings_by_form(comp)
    attach_differing_findings(blocks, groups, slug)
    return {
        "package": package, "deadline": deadline, "form": form, "forms": comp.layouts.index() if comp.layouts else layout.form_index(doc), "slug": slug, "blocks": blocks, "comp": comp,
        "editable": editable, "groups": groups, "rejected": rejected,
        "differing": len(stated.differing(doc, comp.report, comp.layouts)) if editable and comp.report else 0,
        "rejected_labels": _labels_for(form, rejected), "refs": comp.refs,
        "general_comments": comments.get("", []), "is_head": request.user.role == Role.UNIT_HEAD,
        "field_comments": _field_comments(package, comp.layouts or layout.Layouts(doc))
        if len(comments) > ("" in comments) else [],
        "prose_paths": figures.PROSE_PATHS,
        "form_base": f"/p/{package.pk}/{'review' if read_only else 'f'}/",
        "cellctx": Ctx(package.pk, slug, review=bool(read_only) and request.user.role == Role.UNIT_HEAD,
                       version=package.version, reading=bool(read_only)),
    }


def _field_comments(package, layouts: layout.Layouts) -> list[tuple[str, str, str, object]]:
    """The open comments on fields: (label, form slug, element id, comment), in the forms' order."""
    labels = computation.field_labels({}, layouts)
    homes = computation.form_of_path(layouts)
    order = {path: i for i, path in enumerate(homes)}
    found = list(package.comments.filter(resolved=False).exclude(path="").select_related("author"))
    found.sort(key=lambda c: (order.get(c.path, len(order)), c.pk))
    return [(field_name(c.path, labels), homes.get(c.path, "cover"), figures.dom_id("f", c.path), c) for c in found]


def _labels_for(form: layout.Form, rejected: dict) -> list[tuple[str, str, str]]:
    labels = {c.path: c.label for c in form.cells() if c.path}
    return [(figures.dom_id("f", p), labels.get(p, p), err) for p, (_, err) in rejected.items() if p in labels]


@login_required
def package_home(request: HttpRequest, pk: int) -> HttpResponse:
    package = access.package_for(request.user, pk)
    if _awaiting_review(request.user, package):  # the head comes to review the version sent, not to read the draft
        return redirect("web:review", pk=pk)
    return redirect("web:form", pk=pk, slug="cover")


def _awaiting_review(user, package):
    """The version this unit head has to review now, if any."""
    if package.status != Status.IN_REVIEW or not access.can_review_unit(user, package):
        return None
    return package.submissions.filter(state="pending").order_by("-number").first()


@login_required
@require_GET
def form_page(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    package = access.package_for(request.user, pk)
    ctx = _context(request, package, slug)
    ctx["awaiting"] = _awaiting_review(request.user, package)  # offered as a button beside the forms
    ctx["leads_units"] = access.is_department_user(request.user, package)  # a 主管部门: its units one click away
    if not ctx["editable"] and request.user.role == Role.PREPARER:  # why the preparer's forms are read-only now
        ctx["locked_by"] = package.submissions.order_by("-number").first()
    return render(request, "web/workspace.html", ctx)


@login_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One field posted: store it if it reads, recompute, answer with every dependent fragment (oob)."""
    package = access.package_for(request.user, pk)
    path = request.POST.get("path", "")
    raw = request.POST.get("value", "")
    try:
        slug = request.POST.get("form", "") or layout.slug_for_path(package.draft, path)
    except fields.PathError as exc:  # a hand-made request with a bad path: a 400, not a server error
        return _message(request, f"字段路径无效：{exc}", 400)
    try:  # the version this field was last seen at (`seen`, kept per field by app.js), else the page's
        version = int(request.POST.get("seen") or request.POST.get("version", "-1"))
    except ValueError:
        version = -1
    try:
        result = versions.apply_edit(package_id=package.pk, user=request.user, path=path, raw=raw, version=version)
    except versions.ActionError as exc:
        return _message(request, exc.message, exc.status)
    package = result.package
    if result.ok:
        _remember(request, package.pk, path, None)
    elif result.error:
        _remember(request, package.pk, path, raw, result.error)
    ctx = _context(request, package, slug, comp=result.comp)
    ctx.update({"result": result, "err_id": figures.dom_id("err", path), "field_id": figures.dom_id("f", path),
                "swapped": figure_cells(ctx["blocks"]),
                # the conflict's "keep mine": the same entry again, on the version the response brings
                "retry_vals": json.dumps({"path": path, "value": raw, "form": slug}, ensure_ascii=False)})
    status = 200 if result.ok else (409 if result.conflict else 422)
    response = render(request, "web/edit_response.html", ctx, status=status)
    if result.ok:  # the field now holds what this page sent, as of this version (app.js notes it)
        response["X-Draft-Version"] = str(package.version)
        response["X-Draft-Field"] = quote(figures.dom_id("f", path))
    return response


def _message(request, text: str, status: int) -> HttpResponse:
    if request.htmx:
        return render(request, "web/message_oob.html", {"text": text}, status=status)
    return render(request, "web/message.html", {"text": text}, status=status)


@login_required
@require_POST
def structure(request: HttpRequest, pk: int) -> HttpResponse:
    package = access.package_for(request.user, pk)
    op, path = request.POST.get("op", ""), request.POST.get("path", "")
    slug = request.POST.get("form", "")
    if not re.fullmatch(r"[\w-]{1,40}", slug):  # a hand-made request: back to the cover, not a server error
        slug = "cover"
    try:
        version = int(request.POST.get("version", "-1"))
        versions.change_structure(package_id=package.pk, user=request.user, op=op, path=path, version=version)
    except versions.ActionError as exc:
        if exc.status == 403:  # a refusal is an HTTP refusal, not a message on the next page
            return _message(request, exc.message, 403)
        messages.error(request, exc.message)
        return redirect("web:form", pk=pk, slug=slug)
    except ValueError:
        messages.error(request, "请求无效")
        return redirect("web:form", pk=pk, slug=slug)
    package.refresh_from_db()
    if op == "add" and path == "projects":
        slug = f"project-{len(package.draft.get('projects') or []) - 1}"
    elif path.startswith("projects[") and op == "remove" and "." not in path:  # the whole project's table went
        slug = "annex3"
    elif path.startswith("projects[") and op in ("up", "down") and path.count(".") == 0:
        i = int(fields.split_path(path)[1]) + (-1 if op == "up" else 1)
        slug = f"project-{max(0, min(i, len(package.draft.get('projects') or []) - 1))}"
    elif op == "declare":
        slug = path
    messages.success(request, "已保存表格调整")
    return redirect("web:form", pk=pk, slug=slug)


@login_required
@require_GET
def trace(request: HttpRequest, pk: int) -> HttpResponse:
    package = access.package_for(request.user, pk)
    # From the review's pages: the version under review, and links that keep the reader on those pages.
    on_review = request.GET.get("on") == "review"
    pending = package.submissions.filter(state="pending").order_by("-number").first() if on_review else None
    doc = pending.content if pending else package.draft
    page = "web:review_form" if on_review else "web:form"
    return review_trace.version_trace(request, package, doc,
                                      lambda slug: reverse(page, kwargs={"pk": pk, "slug": slug}))


# --- export (the import, a merge with a preview: draft_views.py) -----------------------------------


def _export_doc(package) -> dict:
    comp = computation.compute(package.draft)
    return figures.resolve_document(package.draft, comp.report)


@login_required
@require_GET
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    package = access.package_for(request.user, pk)
    doc = _export_doc(package)
    base = f"{package.unit.budget_code}-{package.task.year}"
    if fmt == "json":
        resp = HttpResponse(json.dumps(doc, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{base}.json"'
        return resp
    if fmt not in ("docx", "xlsx"):
        raise Http404("不支持的格式")
    # Rendered into a temporary folder that is gone when the response leaves: no copy of a unit's
    # package stays on disk (the files are a few hundred KB).
    with tempfile.TemporaryDirectory(dir=_files_dir("tmp")) as tmp:
        try:
            result = services.render(package=services.from_canonical(data=doc, name=base), outdir=tmp, charts=False)
        except services.ServiceError as exc:
            return _message(request, f"导出失败：{exc.message}", 422)
        data = (result.docx if fmt == "docx" else result.xlsx).read_bytes()
    resp = HttpResponse(data, content_type=mimetypes.types_map.get(f".{fmt}", "application/octet-stream"))
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{base}.{fmt}"
    return resp


def _files_dir(sub: str) -> Path:
    p = Path(settings.MEDIA_ROOT) / sub
    p.mkdir(parents=True, exist_ok=True)
    return p


@login_required
@require_POST
def pdf_start(request: HttpRequest, pk: int) -> HttpResponse:
    package = access.package_for(request.user, pk)
    job = RenderJob.objects.create(package=package, requested_by=request.user, version=package.version)
    render_pdf.enqueue(job.pk)
    return job_status.respond(request, job)


@login_required
@require_GET
def pdf_status(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    package = access.package_for(request.user, pk)
    return job_status.respond(request, job_status.find(package.render_jobs.all(), job))


@login_required
@require_GET
def pdf_download(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    package = access.package_for(request.user, pk)
    try:
        j = package.render_jobs.get(pk=job, state=RenderJob.State.DONE)
    except RenderJob.DoesNotExist:
        raise Http404("PDF 尚未生成") from None
    path = Path(settings.MEDIA_ROOT) / j.file
    if not path.is_file():
        raise Http404("PDF 文件不存在")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"{package.unit.budget_code}-{package.task.year}.pdf",
                        content_type="application/pdf")


# --- submit and review ---------------------------------------------------------------------------


def _posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", "-1"))
    except ValueError:  # "abc": no version this package had (the services answer with a conflict)
        return -1


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    package = access.package_for(request.user, pk)
    try:
        sub = versions.submit(package_id=package.pk, user=request.user, version=_posted_version(request))
    except versions.ActionError as exc:
        if exc.status == 403:
            return _message(request, exc.message, 403)
        messages.error(request, exc.message)
        return redirect("web:form", pk=pk, slug=request.POST.get("form", "cover"))
    except ValueError:
        messages.error(request, "请求无效")
        return redirect("web:form", pk=pk, slug="cover")
    messages.success(request, f"已提交第{sub.number}版，等待单位负责人审核")
    return redirect("web:versions", pk=pk)


@login_required
def review(request: HttpRequest, pk: int, slug: str = "cover") -> HttpResponse:
    """The unit head reads the pending version: the same pages, read-only, with the findings; comments
    on fields; approves with the unit's opinion or returns."""
    package = access.package_for(request.user, pk)
    if request.method == "POST":
        access.require(access.can_review_unit(request.user, package))
        action = request.POST.get("action")
        try:
            if action == "comment":
                versions.add_comment(package_id=package.pk, user=request.user, path=request.POST.get("path", ""),
                              text=request.POST.get("text", ""))
                messages.success(request, "已记录意见")
                return redirect(reverse("web:review_form", kwargs={"pk": pk, "slug": slug}) + "#" + figures.dom_id("f", request.POST.get("path", "")))
            if action == "return":
                versions.return_package(package_id=package.pk, user=request.user, note=request.POST.get("note", ""), comments=[])
                messages.success(request, "已退回填报人修改")
            elif action == "approve":
                sub = versions.approve(package_id=package.pk, user=request.user, opinion=request.POST.get("opinion", ""))
                to = "报送主管部门" if access.tier_of(package) else "报送财政"
                messages.success(request, f"已审核通过，第{sub.number}版{to}")
            else:
                raise versions.ActionError("未知的操作")
        except versions.ActionError as exc:
            messages.error(request, exc.message)
            return redirect("web:review_form", pk=pk, slug=slug)
        return redirect("web:versions", pk=pk)
    pending = package.submissions.filter(state="pending").order_by("-number").first()
    doc = pending.content if pending else package.draft
    view_pkg = _Shown(package, doc)
    ctx = _context(request, view_pkg, slug, read_only=True)
    ctx.update({"review": True, "pending": pending, "package": package,
                "to_department": access.tier_of(package) is not None})  # issue 22: where the approval sends it
    return render(request, "web/workspace.html", ctx)


EDITS_PER_PAGE = 50


class _Shown:
    """A package shown with another content (a version under review) without touching the draft."""

    def __init__(self, package, doc: dict):
        self._p = package
        self.draft = doc

    def __getattr__(self, name):
        return getattr(self._p, name)


@login_required
@require_GET
def version_list(request: HttpRequest, pk: int) -> HttpResponse:
    package = access.package_for(request.user, pk)
    labels = computation.field_labels(package.draft)
    comments = [(c, field_name(c.path, labels)) for c in package.comments.select_related("author", "submission")]
    change_log = package.edits.select_related("user").order_by("-version", "-id")  # the whole log, a page at a time
    edits = Paginator(change_log, EDITS_PER_PAGE).get_page(request.GET.get("page"))
    chart = [{"version": f"第{v.number}版", "total": None if v.total_score is None else float(v.total_score)}
             for v in versions.versions_of(package).order_by("number")]
    parsed = stated.read_and_score(package.draft) if package.draft else None
    differing = [(labels.get(d.path, ""), d.stated_shown, d.computed_shown)
                 for d in stated.differing(package.draft, parsed[1])] if parsed else []
    sent = version_status.annotate(package, versions.versions_of(package))
    return render(request, "web/versions.html", {"package": package, "versions": sent, "edits": edits,
                                                 "edit_rows": [(e, field_name(e.path, labels), computation.printed_entry(e.path, e.old),
                                                                computation.printed_entry(e.path, e.new)) for e in edits],
                                                 "comments": comments, "chart": chart, "differing": differing})


@login_required
@require_GET
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    package = access.package_for(request.user, pk)
    subs = {s.number: s for s in package.submissions.all()}

    def content(n: str):
        if n in ("", "draft", "0"):
            return package.draft, "当前草稿"
        try:
            s = subs[int(n)]
        except (ValueError, KeyError):
            raise Http404("没有该版本") from None
        return s.content, f"第{s.number}版"

    # Opened without a choice: the last version sent against the draft (not the draft against itself).
    first = request.GET.get("a") or (str(max(subs)) if subs else "draft")
    a, la = content(first)
    b, lb = content(request.GET.get("b", "draft"))
    rows = computation.diff(a, b)
    return render(request, "web/compare.html", {"package": package, "rows": rows, "la": la, "lb": lb,
                                                "versions": versions.versions_of(package), "a": first,
                                                "b": request.GET.get("b", "draft")})


STATUS_LABELS = dict(Status.choices)


# --- 整改: the unit's side ---------------------------------------------------------------------------


@login_required
def rectifications(request: HttpRequest) -> HttpResponse:
    """A unit's 整改 notices, each answered here."""
    if not access.is_unit_user(request.user):  # a unit's page: the bureau sees notices on its packages' pages
        raise Http404(access.NOT_FOUND)
    notices = unit_selectors.rectifications_for_unit(request.user)
    if request.method == "POST":
        n = notices.filter(pk=request.POST.get("notice") or 0).first()
        if n is None:
            raise Http404(access.NOT_FOUND)
        try:
            unit_services.answer_rectification(notice_id=n.pk, user=request.user, answer=request.POST.get("answer", ""))
            messages.success(request, "已答复整改情况")
        except ActionError as exc:
            messages.error(request, exc.message)
        return redirect("web:rectifications")
    return render(request, "web/unit/rectifications.html", {"notices": notices})
