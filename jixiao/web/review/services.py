"""Writes of the bureau's side, each in one transaction: comment, return, accept (the 财政部门意见
written into a new immutable version), draw the 抽评 sample, record a re-score, publish.

A decision is made on a version: the caller names the version it read, and a decision on a version
that is no longer the latest one sent is refused (the unit may have sent a newer one meanwhile).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from jixiao import services
from jixiao.core.spot_check import draw_sample
from jixiao.web import access
from jixiao.web.drafts import fields
from jixiao.web.jobs.publication import render_publication
from jixiao.web.models import (
    BureauDecision,
    Comment,
    EvaluationTask,
    Package,
    Publication,
    Rectification,
    SpotCheck,
    SpotScore,
    Status,
    Submission,
    Unit,
    User,
)
from jixiao.web.models.tier import deadline_for
from jixiao.web.review.selectors import score_lines
from jixiao.web.versions import (
    BUREAU_OPINION_ROLE,
    SENT,
    ActionError,
    check_comment,
    latest_sent,
    log,
    package_target,
    sign_opinion,
    signed_opinion,
    snapshot,
    with_opinion,
)


def _under_review(package: Package, version: int) -> Submission:
    if package.status != Status.SUBMITTED:
        raise ActionError(f"数据包当前状态为“{package.get_status_display()}”，不在财政审核中", 409)
    sub = latest_sent(package)
    if sub is None:
        raise ActionError("没有报送财政的版本", 409)
    if sub.number != version:
        raise ActionError(f"单位已报送第{sub.number}版（您看到的是第{version}版），请刷新后审核最新版本", 409)
    return sub


def _check(user: User, package: Package | int) -> None:
    """A reviewer of the package's own bureau who may see its unit (a 归口业务科室 user: a unit of
    their department) — `access.can_review`."""
    if isinstance(package, int):
        package = Package.objects.select_related("task", "unit").filter(pk=package).first()
    if package is None or not access.can_review(user, package):
        raise ActionError("该单位不在您的审核范围内" if access.is_bureau_user(user) else "只有本财政局的审核人员可以审核", 403)


def add_comment(*, package_id: int, user: User, version: int, path: str, text: str) -> Comment:
    """A comment on one field (or the whole package) of the version under review; the unit sees it
    beside that field when the package comes back."""
    _check(user, package_id)
    check_comment(path, text)
    with transaction.atomic():
        package = Package.objects.select_for_update().get(pk=package_id)
        sub = _under_review(package, version)
        comment = Comment.objects.create(package=package, submission=sub, path=path, text=f"【财政】{text.strip()}", author=user)
        log("bureau_comment", actor=user, target=package_target(package), path=path, new=text.strip(),
            detail=f"第{sub.number}版")
        return comment


def return_package(*, package_id: int, user: User, version: int, reason: str) -> BureauDecision:
    """Back to the unit with the reason: its preparer edits the draft and sends it again."""
    _check(user, package_id)
    if not reason.strip():
        raise ActionError("退回时请写明原因")
    with transaction.atomic():
        package = Package.objects.select_for_update().get(pk=package_id)
        sub = _under_review(package, version)
        Comment.objects.create(package=package, submission=sub, path="", text=f"【财政退回】{reason.strip()}", author=user)
        decision = BureauDecision.objects.create(package=package, submission=sub, action=BureauDecision.Action.RETURN,
                                                 text=reason.strip(), user=user)
        package.status = Status.RETURNED
        package.save(update_fields=["status", "updated_at"])
        log("bureau_return", actor=user, target=package_target(package), path=f"submissions[{sub.number}]",
            old=Status.SUBMITTED, new=Status.RETURNED, detail=reason.strip())
        return decision


def accept(*, package_id: int, user: User, version: int, opinion: str, signer: str = "",
           signed_on: date | None = None) -> BureauDecision:
    """Accept the version and write the 财政部门意见 (text, signer, date) into the package: a new
    immutable version, hashed, which is the one published."""
    _check(user, package_id)
    if not opinion.strip():
        raise ActionError("请填写财政部门意见")
    signer = signer.strip() or user.name
    signed_on = signed_on or timezone.localdate()
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task").get(pk=package_id)
        sub = _under_review(package, version)
        entry = signed_opinion(BUREAU_OPINION_ROLE, opinion, signer, signed_on)
        doc = fields.put(sub.content, "opinions", with_opinion(sub.content, entry))
        result = snapshot(package, user, doc, "财政审核通过", Submission.State.APPROVED)
        result.decided_by, result.decided_at, result.decision_note = user, timezone.now(), "财政审核通过"
        result.save(update_fields=["decided_by", "decided_at", "decision_note"])
        sign_opinion(package, user, entry)
        package.status = Status.ACCEPTED
        package.save()
        log("accept", actor=user, target=package_target(package), path=f"submissions[{sub.number}]",
            old=Status.SUBMITTED, new=Status.ACCEPTED, detail=f"{opinion.strip()}（{signer}，第{result.number}版）")
        return BureauDecision.objects.create(package=package, submission=sub, action=BureauDecision.Action.ACCEPT,
                                             text=opinion.strip(), signer=signer, signed_on=signed_on, user=user, result=result)


# --- 抽评 ------------------------------------------------------------------------------------------


def draw(*, task_id: int, user: User) -> list[SpotCheck]:
    """Draw the task's 抽评 sample from its accepted packages, risk-ranked and sized by the profile.
    A sample already re-scored is kept (its scores stand); otherwise a new draw replaces it."""
    task = EvaluationTask.objects.get(pk=task_id)
    if not access.can_run_task(user, task):
        raise ActionError("只有本财政局的绩效评价股可以抽取抽评样本", 403)
    if SpotScore.objects.filter(spot_check__task=task).exists():
        raise ActionError("抽评已开始评分，不能重新抽取", 409)
    prof = services.profile(name=task.profile)
    packages = list(Package.objects.filter(task=task, status__in=(Status.ACCEPTED, Status.PUBLISHED)).select_related("unit"))
    if not packages:
        raise ActionError("本任务还没有财政审核通过的数据包，无法抽评", 409)
    candidates, sent_versions = [], {}
    for p in packages:
        sub = latest_sent(p)
        sent_versions[str(p.pk)] = sub
        first_sent = p.submissions.filter(state=Submission.State.APPROVED).order_by("number").first()
        late = max(0, (timezone.localtime(first_sent.created_at).date() - deadline_for(p).day).days) if first_sent else 0
        returns = p.submissions.filter(state=Submission.State.RETURNED).count() + p.bureau_decisions.filter(
            action=BureauDecision.Action.RETURN).count()
        try:
            pkg = services.from_canonical(data=sub.content, name=p.unit.name)
            candidates.append(services.spot_check_candidate(package=pkg, key=str(p.pk), days_late=late, returns=returns,
                                                     profile_name=prof))
        except services.ServiceError as exc:
            raise ActionError(f"{p.unit.name}的数据包无法读取：{exc.message}", 422) from None
    drawn = draw_sample(candidates, prof)
    by_pk = {str(p.pk): p for p in packages}
    with transaction.atomic():
        SpotCheck.objects.filter(task=task).delete()
        sample = [SpotCheck.objects.create(task=task, package=by_pk[d.candidate.key],
                                           submission=sent_versions[d.candidate.key], rank=i + 1, risk=d.risk,
                                           reasons=[r.text for r in d.reasons], drawn_by=user)
                  for i, d in enumerate(drawn)]
        log("spot_draw", actor=user, target=f"task:{task.pk}", new=[s.package.unit.budget_code for s in sample],
            detail=f"从{len(packages)}个财政审核通过的数据包中抽取{len(sample)}个")
        return sample


def rescore(*, spot_id: int, user: User, entries: dict[str, tuple[str, str]]) -> int:
    """Record the bureau's score of each indicator given (key → (score, note)); an empty score is
    skipped. Each score must lie in the range the rule allows (or 0 … the indicator's 分值).
    All or nothing: one bad entry stores none. Returns how many were stored."""
    spot = SpotCheck.objects.select_related("submission", "package", "task").get(pk=spot_id)
    if not access.can_run_task(user, spot.task):
        raise ActionError("只有本财政局的绩效评价股可以抽评评分", 403)
    lines = {ln.key: ln for ln in score_lines(spot)}
    unknown = set(entries) - set(lines)
    if unknown:
        raise ActionError("没有这个指标：" + "、".join(sorted(unknown)))
    ready, problems = [], {}
    for key, (raw, note) in entries.items():
        raw = raw.strip()
        if not raw:
            continue
        line = lines[key]
        value, problem = _spot_score(line, raw)
        if problem:
            problems[key] = problem
            continue
        ready.append((line, value, note.strip()[:300]))
    if problems:
        raise ActionError(f"有 {len(problems)} 项抽评得分填写有误，均未保存：" + "；".join(
            f"“{lines[k].label}”{m}" for k, m in problems.items()), 422, fields=problems)
    with transaction.atomic():
        for line, value, note in ready:
            SpotScore.objects.update_or_create(spot_check=spot, key=line.key, defaults={
                "label": f"{line.table} › {line.label}"[:300], "self_score": line.self_score, "bureau_score": value,
                "note": note, "user": user})
        if ready:
            log("spot_score", actor=user, target=package_target(spot.package_id), path=f"spot_checks[{spot.pk}]",
                new={line.key: str(value) for line, value, _ in ready}, detail=f"抽评评分{len(ready)}项")
    return len(ready)


def _spot_score(line, raw: str) -> tuple[Decimal | None, str]:
    """The bureau's score of one indicator read from its entry, or the message beside the box."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, f"“{raw}”不是数字"
    if not value.is_finite() or (line.allowed and not line.allowed[0] <= value <= line.allowed[1]):
        lo, hi = line.allowed or (0, "")
        return None, f"应在 {lo}–{hi} 分之间"
    return value.quantize(Decimal("0.01")), ""


# --- publication ---------------------------------------------------------------------------------------


def publish(*, package_id: int, user: User) -> Publication:
    """Make the accepted version public: its page per unit and year, the PDF, the open data."""
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task").get(pk=package_id)
        if not access.can_publish(user, package):
            raise ActionError("只有本财政局的绩效评价股可以公开", 403)
        if package.status != Status.ACCEPTED:
            raise ActionError(f"数据包当前状态为“{package.get_status_display()}”，只有财政审核通过的数据包可以公开", 409)
        sub = latest_sent(package)
        pub = Publication.objects.create(package=package, submission=sub, published_by=user)
        package.status = Status.PUBLISHED
        package.save(update_fields=["status", "updated_at"])
        log("publish", actor=user, target=package_target(package), path=f"submissions[{sub.number}]",
            old=Status.ACCEPTED, new=Status.PUBLISHED, detail=f"公开第{sub.number}版（{sub.content_hash[:16]}…）")

        transaction.on_commit(lambda: render_publication.enqueue(pub.pk))
    return pub


def sent_statuses() -> tuple[str, ...]:
    return tuple(SENT)


# --- 整改 --------------------------------------------------------------------------------------------


def send_rectification(*, package_id: int, user: User, text: str, due: date | None):
    _check(user, package_id)
    if not text.strip():
        raise ActionError("请写明整改要求")
    if due is None:
        raise ActionError("请填写整改期限")
    if due < timezone.localdate():
        raise ActionError("整改期限不能早于今天")
    package = Package.objects.get(pk=package_id)
    # a package the unit head returned before it ever reached the bureau is "returned" too: not the bureau's to rectify
    if (package.status not in SENT and package.status != Status.RETURNED) or latest_sent(package) is None:
        raise ActionError("单位尚未报送财政，不能发整改通知", 409)
    with transaction.atomic():
        notice = Rectification.objects.create(package=package, text=text.strip(), due=due, created_by=user)
        log("rectification", actor=user, target=package_target(package), path=f"rectifications[{notice.pk}]",
            new=notice.text, detail=f"整改期限 {due.isoformat()}")
    return notice


def close_rectification(*, notice_id: int, user: User):
    with transaction.atomic():
        n = Rectification.objects.select_for_update().get(pk=notice_id)
        _check(user, n.package_id)
        if not n.answered_at:
            raise ActionError("单位尚未答复，不能销号", 409)
        if n.closed_at:
            raise ActionError("该整改通知已销号", 409)
        n.closed_by, n.closed_at = user, timezone.now()
        n.save(update_fields=["closed_by", "closed_at"])
        log("rectification_close", actor=user, target=package_target(n.package_id), path=f"rectifications[{n.pk}]")
        return n


# --- tasks ---------------------------------------------------------------------------------------------


UNIT_COLUMNS = ("预算编码", "单位名称", "主管部门")


def read_unit_list(filename: str, data: bytes) -> list[tuple[str, str, str]]:
    """(预算编码, 单位名称, 主管部门) rows of a .csv (UTF-8, with or without BOM, or GB18030) or .xlsx
    whose first row names the columns. Problems are named by row; nothing is half-read."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "xlsx":
        try:  # size, zip bomb and XML bomb, before openpyxl builds anything
            services.check_workbook(data=data, filename=filename)
        except services.ServiceError as exc:
            raise ActionError(exc.message) from None
        try:
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file, said in words
            raise ActionError("无法读取该 .xlsx 文件") from None
        rows = [["" if v is None else str(v).strip() for v in r] for r in ws.iter_rows(values_only=True)]
    elif suffix == "csv":
        try:
            text = services.decode_csv(data=data)
        except services.ServiceError as exc:
            raise ActionError(exc.message) from None
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    else:
        raise ActionError("请上传 .csv 或 .xlsx 文件")
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ActionError("文件是空的")
    head = rows[0]
    missing = [c for c in UNIT_COLUMNS[:2] if c not in head]
    if missing:
        raise ActionError(f"第1行应为列名，缺少：{'、'.join(missing)}")
    idx = [head.index(c) if c in head else None for c in UNIT_COLUMNS]
    out, problems = [], []
    for n, r in enumerate(rows[1:], start=2):
        cell = [(r[i] if i is not None and i < len(r) else "") for i in idx]
        if not cell[0] or not cell[1]:
            problems.append(f"第{n}行缺少预算编码或单位名称")
            continue
        out.append((cell[0], cell[1], cell[2]))
    codes = [c for c, _, _ in out]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        problems.append(f"预算编码重复：{'、'.join(dup)}")
    if problems:
        raise ActionError("；".join(problems), 422)
    return out


def create_task(*, user: User, title: str, year: int, profile: str, deadline: date | None, unit_ids: list[int],
                listed: list[tuple[str, str, str]] = ()) -> EvaluationTask:
    """A year's task of the user's bureau with its units — picked from the tree, or listed in a file
    (a unit not yet known is created; its 主管部门 is linked when the bureau has it by name)."""

    if not access.can_create_task(user):
        raise ActionError("只有绩效评价股可以创建自评任务", 403)
    problems = {}
    if not title.strip():
        problems["title"] = "请填写任务名称"
    if not 2000 <= year <= 2100:
        problems["year"] = "评价年度应为四位年份"
    try:
        services.profile(name=profile)
    except services.ServiceError:
        problems["profile"] = f"没有评分方案“{profile}”"
    if deadline is None:
        problems["deadline"] = "请填写报送截止日期"
    if problems:
        raise ActionError("；".join(problems.values()), fields=problems)
    with transaction.atomic():
        if EvaluationTask.objects.filter(bureau_id=user.bureau_id, year=year, title=title.strip()).exists():
            raise ActionError("同一年度已有同名任务", 409)
        task = EvaluationTask.objects.create(bureau_id=user.bureau_id, year=year, title=title.strip(), profile=profile,
                                             deadline=deadline)
        units = list(Unit.objects.filter(bureau_id=user.bureau_id, pk__in=unit_ids))
        by_name = {u.name: u for u in Unit.objects.filter(bureau_id=user.bureau_id)}
        for code, name, supervisor in listed:
            u, _ = Unit.objects.get_or_create(bureau_id=user.bureau_id, budget_code=code, defaults={"name": name})
            parent = by_name.get(supervisor) if supervisor else None
            if parent is not None and parent.pk != u.pk and u.parent_id is None:
                u.parent = parent
                u.save(update_fields=["parent"])
            elif supervisor and parent is None and not u.supervisor_name and u.parent_id is None:
                u.supervisor_name = supervisor
                u.save(update_fields=["supervisor_name"])
            units.append(u)
        if not units:
            raise ActionError("请选择参评单位，或上传单位名单", fields={"units": "请选择参评单位，或上传单位名单"})
        task.units.add(*units)
        Package.objects.bulk_create([Package(task=task, unit=u) for u in {u.pk: u for u in units}.values()])
        log("task_create", actor=user, target=f"task:{task.pk}", new={"title": task.title, "year": year, "profile": profile},
            detail=f"{len({u.pk for u in units})}个参评单位")
        return task


def change_deadline(*, task_id: int, user: User, deadline: date | None) -> EvaluationTask:
    """Move a task's 报送截止日期 (the 绩效评价股 of its bureau); the dashboard's 逾期 counts follow."""
    with transaction.atomic():
        task = EvaluationTask.objects.select_for_update().get(pk=task_id)
        if not access.can_run_task(user, task):
            raise ActionError("只有本财政局的绩效评价股可以修改报送截止日期", 403)
        if deadline is None:
            raise ActionError("请填写报送截止日期", fields={"deadline": "请填写报送截止日期"})
        old, task.deadline = task.deadline, deadline
        task.save(update_fields=["deadline"])
        log("task_deadline", actor=user, target=f"task:{task.pk}", old=old.isoformat() if old else "", new=deadline.isoformat(),
            detail="修改报送截止日期")
    return task
