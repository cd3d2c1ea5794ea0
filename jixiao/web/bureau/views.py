"""The bureau's pages: tasks, the dashboard of a task, the review of a package, 抽评, 部门汇总,
结果应用, publication. Thin: reads through `review.selectors`, writes through `review.services`."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_POST

from jixiao import services
from jixiao.core.profiles import available_profiles
from jixiao.web import access, version_status, versions
from jixiao.web.bureau import refusals
from jixiao.web.dates import DateUnreadable, read_date
from jixiao.web.drafts import computation
from jixiao.web.field_names import field_name
from jixiao.web.jobs import batch_audit as batch_audit_job
from jixiao.web.jobs.status import status_of
from jixiao.web.models import BatchJob, Status, Unit
from jixiao.web.models.tier import deadline_for
from jixiao.web.review import export, imports, selectors, tier
from jixiao.web.review import services as bureau_services
from jixiao.web.review import targets as approved_targets
from jixiao.web.targets import approved_for
from jixiao.web.versions import ActionError

DASHBOARD_WARNINGS = 30  # the rest on the 一体化 page
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def _bureau_only(request: HttpRequest) -> None:
    if not selectors.is_bureau(request.user):
        raise Http404(access.NOT_FOUND)


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", "-1"))
    except ValueError:
        return -1


# --- tasks and the dashboard ---------------------------------------------------------------------


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    _bureau_only(request)
    return render(request, "web/bureau/tasks.html", {"tasks": selectors.tasks_with_unit_counts(request.user)})


@login_required
@require_GET
def dashboard(request: HttpRequest, task: int) -> HttpResponse:
    t = selectors.task_for(request.user, task)
    query = selectors.DashboardQuery.from_get(request.GET)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    imports.refresh_checks(t)  # the 一体化 flags of packages changed since they were counted
    approved_targets.refresh_checks(t)  # and the approved targets' flags
    result = selectors.dashboard(t, query, page=page)
    ctx = {"task": t, "query": query, "result": result, "rows": [r.cells() for r in result.rows],
           "statuses": selectors.STATUS_ORDER, "status_labels": dict(Status.choices),
           "may_spot": selectors.may_run_spot_check(request.user)}
    if request.htmx and request.htmx.target == "dash-table":
        return render(request, "web/bureau/_dashboard_table.html", ctx)
    ctx["missing"] = missing = list(selectors.units_without_package(t))
    c = selectors.charts(t, missing=len(missing))
    ctx["open_rectifications"] = selectors.open_rectifications(t)
    ctx["panel"] = imports.panel(t, limit=DASHBOARD_WARNINGS)
    ctx["tiers"] = tier.tier_rows(t, request.user)  # departments with their units nested (issue 22)
    ctx |= {"charts": {"histogram": c.histogram, "scatter": c.scatter, "funnel": c.funnel}, "counts": c.counts}
    return render(request, "web/bureau/dashboard.html", ctx)


@login_required
@require_GET
def dashboard_xlsx(request: HttpRequest, task: int) -> HttpResponse:
    t = selectors.task_for(request.user, task)
    imports.refresh_checks(t)
    approved_targets.refresh_checks(t)
    rows = selectors.dashboard(t, selectors.DashboardQuery.from_get(request.GET), size=None).rows
    diffs = imports.difference_counts(t)
    # 截止日期: the date each row is held to (its 主管部门 tier's, else the task's), which the page shows
    # under a tier row's days and in its crumbs for the rest — a sheet has no crumbs, so every row says it.
    header = ["预算编码", "单位名称", "主管部门", "状态", "期限", "截止日期", "总分", "等次", "执行率（%）", "得分高于执行率", "错误", "警告", "最后修改",
              "与一体化不一致（处）", "与批复目标不一致（处）"]
    data = [[r.package.unit.budget_code, r.package.unit.name, r.package.unit.supervisor, r.status_label, r.days_text,
             f"{r.deadline:%Y-%m-%d}", r.total, r.grade or None, _two_places(r.rate_percent), r.outruns,
             r.package.errors, r.package.warnings, localtime(r.package.updated_at).strftime("%Y-%m-%d %H:%M"),
             diffs.get(r.package.pk), r.package.target_diff or None]
            for r in rows]
    return _xlsx(export.workbook("自评情况", header, data), f"{t.year}年自评情况.xlsx")


def _two_places(percent):
    """A percentage as the page prints it: two decimals, half-up (Python's round() would round half-even)."""
    return None if percent is None else Decimal(percent).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- the review of a package --------------------------------------------------------------------


@login_required
@require_GET
def package(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's package as the bureau reads it: the latest version sent (read-only), its findings,
    the unit's stated figures beside the engine's, the comments and decisions so far."""
    return _package_page(request, pk)


def _package_page(request: HttpRequest, pk: int, *, typed=None, refused=None, status: int = 200) -> HttpResponse:
    """The package page; after a refused form, with what was typed back in its fields (`typed`, the
    POST) and the message beside the field it concerns (`refused`: field → message)."""
    p = selectors.package_for(request.user, pk)
    sub = versions.latest_sent(p)
    # A draft is the unit's working copy: the bureau reads only what the unit head sent.
    doc = sub.content if sub is not None else {}
    deadline = deadline_for(p)  # its 主管部门 tier's for a department or a unit under one, else the task's
    comp = (computation.compute(doc, deadline=deadline, targets=approved_for(p)) if doc
            else computation.Computation(doc={}))
    labels = computation.field_labels(doc, comp.layouts) if doc else {}
    ctx = {"package": p, "sub": sub, "comp": comp, "deadline": deadline, "groups": computation.findings_by_form(comp) if doc else [],
           "figures": selectors.stated_beside_computed(comp.report) if comp.report else [],
           "comments": [(c, field_name(c.path, labels or computation.field_labels(p.draft or {})))
                        for c in p.comments.select_related("author", "submission")],
           "decisions": p.bureau_decisions.select_related("user", "submission", "result"),
           "versions": version_status.annotate(p, versions.versions_of(p)), "reviewable": p.status == Status.SUBMITTED and sub is not None,
           "tier": tier.package_tier(p),  # the 主管部门 it went through, or the units it carried (issue 22)
           "may_publish": selectors.may_run_spot_check(request.user) and p.status == Status.ACCEPTED,
           "today": timezone.localdate().isoformat(), "rectifications": p.rectifications.select_related("answered_by"),
           "opinions": (doc or {}).get("opinions") or [], "execution": imports.package_execution(p),
           "spot": selectors.package_spot(p), "may_spot": selectors.may_run_spot_check(request.user),
           "typed": typed or {}, "refused": refused or {}}
    return render(request, "web/bureau/package.html", ctx, status=status)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.package_for(request.user, pk)
    action, version = request.POST.get("action", ""), _version(request)
    try:
        if action == "comment":
            bureau_services.add_comment(package_id=p.pk, user=request.user, version=version, path=request.POST.get("path", ""),
                           text=request.POST.get("text", ""))
            messages.success(request, "已记录意见")
        elif action == "return":
            bureau_services.return_package(package_id=p.pk, user=request.user, version=version, reason=request.POST.get("reason", ""))
            messages.success(request, f"已退回{p.unit.name}修改")
        elif action == "accept":
            signed = _date(request.POST, "signed_on")
            d = bureau_services.accept(package_id=p.pk, user=request.user, version=version, opinion=request.POST.get("opinion", ""),
                          signer=request.POST.get("signer", ""), signed_on=signed)
            messages.success(request, f"已审核通过，财政部门意见写入第{d.result.number}版")
        elif action == "publish":
            bureau_services.publish(package_id=p.pk, user=request.user)
            messages.success(request, f"已公开{p.unit.name}的自评报告，公众可在“信息公开”中查看和下载")
        elif action == "rectify":
            bureau_services.send_rectification(package_id=p.pk, user=request.user, text=request.POST.get("text", ""),
                                  due=_date(request.POST, "due"))
            messages.success(request, "已发出整改通知")
        elif action == "close":
            notice = p.rectifications.filter(pk=request.POST.get("notice") or 0).first()
            if notice is None:
                raise ActionError("没有该整改通知")
            bureau_services.close_rectification(notice_id=notice.pk, user=request.user)
            messages.success(request, "已销号")
        else:
            raise ActionError("未知的操作")
    except DateUnreadable as exc:  # the form comes back as typed, the message beside the date
        return _package_page(request, pk, typed=request.POST, refused={exc.field: exc.message}, status=400)
    except ActionError as exc:
        messages.error(request, exc.message)
        return render(request, "web/message.html", {"text": exc.message}, status=exc.status) if exc.status == 403 \
            else redirect("web:bureau_package", pk=pk)
    return redirect(_back_to(request, pk))


def _back_to(request: HttpRequest, pk: int) -> str:
    """Where a decision returns: the form page it was made on (a comment clicked on a field), else the package."""
    package_page = reverse("web:bureau_package", kwargs={"pk": pk})
    forms_page = reverse("web:bureau_forms_cover", kwargs={"pk": pk})
    wanted = request.POST.get("next", "")
    return wanted if wanted.startswith(forms_page) and "//" not in wanted else package_page


def _date(data, field: str) -> date | None:
    """The date typed in `field` (None when empty; the service says whether one is required); one that
    cannot be read raises DateUnreadable naming its field."""
    try:
        return read_date(data.get(field, ""))
    except DateUnreadable as exc:
        exc.field = field
        raise


# --- 抽评 ------------------------------------------------------------------------------------------


@login_required
def spot(request: HttpRequest, task: int) -> HttpResponse:
    t, refused = refusals.performance_task(request, task, refusals.SPOT)
    if refused is not None:
        return refused
    if request.method == "POST":
        try:
            drawn = bureau_services.draw(task_id=t.pk, user=request.user)
            messages.success(request, f"已抽取{len(drawn)}个数据包")
        except ActionError as exc:
            messages.error(request, exc.message)
            if exc.status == 403:
                return render(request, "web/message.html", {"text": exc.message}, status=403)
        return redirect("web:bureau_spot", task=t.pk)
    sort = request.GET.get("sort", "rank")
    sort = sort if sort in selectors.SAMPLE_SORTS else "rank"
    sample = selectors.sample_rows(t, sort)  # each with its progress, 抽评总分 so far, 等次 and difference
    eligible = selectors.task_packages(t).filter(status__in=(Status.ACCEPTED, Status.PUBLISHED)).count()
    counts = {label: sum(r.progress_label == label for r in sample) for label in selectors.SpotProgress.LABELS.values()}
    return render(request, "web/bureau/spot.html", {"task": t, "sample": sample, "eligible": eligible, "sort": sort,
                                                     "counts": counts})


def _spot_of(request, task: int, spot_id: int):
    t = selectors.task_for(request.user, task)  # a 归口 user is refused by the caller (refusals.SPOT)
    try:
        return t, selectors.sample(t).get(pk=spot_id)
    except t.spot_checks.model.DoesNotExist:
        raise Http404(access.NOT_FOUND) from None


@login_required
def spot_score(request: HttpRequest, task: int, spot_id: int) -> HttpResponse:
    _t, refused = refusals.performance_task(request, task, refusals.SPOT)
    if refused is not None:
        return refused
    t, s = _spot_of(request, task, spot_id)
    status, entries, errors, error = 200, {}, {}, ""
    if request.method == "POST":
        keys = request.POST.getlist("key")
        entries = {k: (request.POST.get(f"score:{k}", ""), request.POST.get(f"note:{k}", "")) for k in keys}
        try:
            n = bureau_services.rescore(spot_id=s.pk, user=request.user, entries=entries)
            messages.success(request, f"已保存{n}项抽评得分")
            return redirect("web:bureau_spot_score", task=t.pk, spot_id=s.pk)
        except ActionError as exc:
            error, errors, status = exc.message, exc.fields, exc.status
    # what was typed comes back in every box (valid rows included), the message beside each wrong one
    sheet = selectors.spot_sheet(s)
    rows = [(ln, *(entries.get(ln.key) or _stored_entry(ln)), errors.get(ln.key, "")) for ln in sheet.lines]
    return render(request, "web/bureau/spot_score.html", {"task": t, "spot": s, "rows": rows, "error": error, "sheet": sheet,
                                                           "may_spot": selectors.may_run_spot_check(request.user)}, status=status)


def _stored_entry(line) -> tuple[str, str]:
    if line.bureau is None:
        return "", ""
    score = line.bureau.bureau_score
    return ("" if score is None else str(score)), line.bureau.note or ""


@login_required
@require_GET
def spot_xlsx(request: HttpRequest, task: int) -> HttpResponse:
    t, refused = refusals.performance_task(request, task, refusals.SPOT)
    if refused is not None:
        return refused
    header = ["序号", "预算编码", "单位名称", "抽取理由", "指标", "自评得分", "抽评得分", "差异", "说明", "评分人"]
    data = []
    for s in selectors.sample(t):
        scores = list(s.scores.select_related("user").order_by("id"))
        reasons = "；".join(s.reasons)
        if not scores:
            data.append([s.rank, s.package.unit.budget_code, s.package.unit.name, reasons, "（尚未评分）", None, None, None, "", ""])
        for sc in scores:
            data.append([s.rank, s.package.unit.budget_code, s.package.unit.name, reasons, sc.label, sc.self_score,
                         sc.bureau_score, sc.difference, sc.note, sc.user.name])
    summary = [[r.spot.rank, r.spot.package.unit.budget_code, r.spot.package.unit.name, r.progress_label,
                f"{r.rescored}/{r.lines}", r.spot.submission.total_score,
                *((r.result.total, r.result.grade, r.result.difference) if r.started and r.result else (None, None, None))]
               for r in selectors.sample_rows(t)]
    return _xlsx(export.workbook_of([
        ("抽评", header, data),  # the indicators re-scored, line by line (the sheet that opens)
        ("抽评汇总", ["序号", "预算编码", "单位名称", "评分进度", "已评/应评指标", "自评总分", "抽评总分", "抽评等次", "差异（抽评−自评）"],
         summary)]), f"{t.year}年抽评表.xlsx")


# --- 部门汇总 and 结果应用 -------------------------------------------------------------------------------


@login_required
@require_GET
def rollup(request: HttpRequest, task: int) -> HttpResponse:
    t = selectors.task_for(request.user, task)
    sups = list(selectors.supervisors(t))
    chosen = next((u for u in sups if str(u.pk) == request.GET.get("unit", "")), sups[0] if sups else None)
    r = selectors.rollup(t, chosen) if chosen is not None else None
    if r is not None and request.GET.get("format") == "xlsx":
        if r.result is None:
            raise Http404(r.error)
        header = ["项目", "汇总值", "单位", "公式", "各单位数值", "依据"]
        data = [[c.label, c.value if c.value is not None else c.text, c.unit, c.formula,
                 "；".join(f"{k}：{v}" for k, v in c.inputs.items()), c.rule] for c in r.result.values]
        return _xlsx(export.workbook("部门汇总", header, data), f"{t.year}年{chosen.name}部门汇总.xlsx")
    whole = chosen is not None and selectors.whole_department(t, chosen)
    sent = tier.department_rollup(t, chosen) if whole else None  # what the department sent (issue 22)
    rules = {c.rule for c in r.result.values} if r is not None and r.result is not None else set()
    return render(request, "web/bureau/rollup.html", {"task": t, "supervisors": sups, "chosen": chosen, "r": r,
                                                      "view": sent, "whole": whole,
                                                      # one rule for every line: said once, not on each line
                                                      "common_rule": next(iter(rules)) if len(rules) == 1 else ""})


@login_required
@require_GET
def results_use(request: HttpRequest, task: int) -> HttpResponse:
    t = selectors.task_for(request.user, task)
    rows = selectors.results_use(t)
    if request.GET.get("format") == "xlsx":
        header = ["预算编码", "单位名称", "总分", "等次", "依据", "自评总分", "自评等次", "结果应用"]
        data = [[r.package.unit.budget_code, r.package.unit.name, r.result.total, r.result.grade, r.result.source,
                 r.result.self_total, r.result.self_grade, r.consequence] for r in rows]
        return _xlsx(export.workbook("结果应用", header, data), f"{t.year}年结果应用.xlsx")
    return render(request, "web/bureau/results_use.html", {"task": t, "rows": rows,
                                                            "profile": services.profile(name=t.profile)})


# --- batch work -------------------------------------------------------------------------------------


@login_required
def batch(request: HttpRequest, task: int) -> HttpResponse:
    """The batch audit of every version sent: started here, run by the worker, progress polled."""
    t, refused = refusals.performance_task(request, task, refusals.BATCH)
    if refused is not None:
        return refused
    if request.method == "POST":
        try:
            batch_audit_job.start(task=t, user=request.user)
        except ActionError as exc:
            return render(request, "web/message.html", {"text": exc.message}, status=exc.status)
        messages.success(request, "已提交批量审核，后台处理中")
        return redirect("web:bureau_batch", task=t.pk)

    job, pdf_job = (t.batch_jobs.filter(kind=k).first() for k in (BatchJob.Kind.AUDIT, BatchJob.Kind.PDF))
    return render(request, "web/bureau/batch.html", {
        "task": t, "may_spot": selectors.may_run_spot_check(request.user),
        "audit_status": status_of(job, request.user), "pdf_status": status_of(pdf_job, request.user)})


# --- a new task --------------------------------------------------------------------------------------


@login_required
def new_task(request: HttpRequest) -> HttpResponse:
    _bureau_only(request)
    if not access.can_create_task(request.user):  # refused before the form, not after its submit
        return render(request, "web/message.html", {"text": "只有绩效评价股可以创建自评任务"}, status=403)
    # A profile by its title (its id is what the form sends); a 归口 user picks among its own units only.
    profiles = [(name, services.profile(name=name).title) for name in available_profiles()]
    units = access.scoped(Unit.objects.filter(bureau_id=request.user.bureau_id), request.user)
    ctx = {"profiles": profiles, "units": units.select_related("parent").order_by("budget_code"), "data": request.POST,
           "error": "", "errors": {}, "picked": set(request.POST.getlist("units"))}
    if request.method == "POST":
        try:
            listed = []
            upload = request.FILES.get("file")
            if upload is not None:
                listed = bureau_services.read_unit_list(upload.name, upload.read())
            year = int(request.POST.get("year", "0") or 0)
            t = bureau_services.create_task(user=request.user, title=request.POST.get("title", ""), year=year,
                               profile=request.POST.get("profile", ""), deadline=_date(request.POST, "deadline"),
                               unit_ids=[int(x) for x in request.POST.getlist("units") if x.isdigit()], listed=listed)
        except DateUnreadable as exc:
            ctx["error"], ctx["errors"] = exc.message, {"deadline": exc.message}
            return render(request, "web/bureau/new_task.html", ctx, status=400)
        except ValueError:
            ctx["error"] = "评价年度应为四位年份"
            ctx["errors"] = {"year": ctx["error"]}
            return render(request, "web/bureau/new_task.html", ctx, status=400)
        except ActionError as exc:  # every entry comes back, the message beside each wrong one
            ctx["error"], ctx["errors"] = exc.message, exc.fields
            return render(request, "web/bureau/new_task.html", ctx, status=exc.status)
        messages.success(request, f"已创建任务“{t.title}”，{t.units.count()}个参评单位")
        return redirect("web:bureau_dashboard", task=t.pk)
    return render(request, "web/bureau/new_task.html", ctx)
