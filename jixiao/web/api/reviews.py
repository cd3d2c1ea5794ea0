"""The bureau's review of a package: the latest version the unit sent (ETag: its number), its
versions, findings and figures, the decisions (comment, return, accept with the 财政部门意见) and
the 整改 notices — over `review.services` as the pages are. A decision names the version it was
made on (the body's `version`, or If-Match); a newer one sent meanwhile refuses it with both."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpResponse
from ninja import Router, Schema

from jixiao.web import versions
from jixiao.web.api.common import amount, answers, claimed_version, day, etag, figure_numbers, moment, percent
from jixiao.web.api.units import Figure, FindingOut, VersionContent, VersionOut, figures_of, findings_of, version_dict
from jixiao.web.drafts import computation
from jixiao.web.models import Rectification, Status, Submission
from jixiao.web.models.tier import deadline_for
from jixiao.web.review import imports, selectors
from jixiao.web.review import services as review_services
from jixiao.web.targets import approved_for
from jixiao.web.versions import ActionError

router = Router(tags=["财政局：审核"])


class ReviewOut(Schema):
    id: int
    task: int
    unit: str
    budget_code: str
    status: str
    status_label: str
    version: int | None  # the latest version sent to the bureau; decisions name it
    total_score: str | None
    grade: str
    execution_rate: str | None
    errors: int
    warnings: int
    reviewable: bool
    execution_differences: int
    content: dict[str, Any] | None


class StatedFigure(Schema):
    key: str
    label: str
    stated: str | None  # numbers as the API writes them (common.figure_numbers), in `unit`
    computed: str | None
    unit: str
    stated_display: str  # as the bureau's page shows them
    computed_display: str
    kind: str
    agrees: bool | None
    judged: bool


class CommentIn(Schema):
    version: int | None = None
    path: str = ""
    text: str


class CommentOut(Schema):
    id: int
    version: int | None
    path: str
    text: str
    author: str
    created_at: str


class ReturnIn(Schema):
    version: int | None = None
    reason: str


class AcceptIn(Schema):
    version: int | None = None
    opinion: str
    signer: str = ""
    signed_on: date | None = None


class DecisionOut(Schema):
    id: int
    action: str
    action_label: str
    version: int
    text: str
    signer: str
    signed_on: str | None
    user: str
    at: str
    result_version: int | None


class RectificationIn(Schema):
    text: str
    due: date | None = None


class RectificationOut(Schema):
    id: int
    package: int
    unit: str
    text: str
    due: str
    state: str
    answer: str
    created_at: str


def _sent(p):
    sub = versions.latest_sent(p)
    if sub is None:
        raise Http404("单位尚未报送财政，没有可查看的版本")
    return sub


def _stale(p, current: int):
    return lambda v: f"单位已报送第{current}版（您看到的是第{v}版），请刷新后审核最新版本"


def _version_for(request, p, body_version: int | None) -> int:
    sub = versions.latest_sent(p)
    current = sub.number if sub is not None else 0
    return claimed_version(request, body_version, current, _stale(p, current))


def decision_out(d) -> DecisionOut:
    return DecisionOut(id=d.pk, action=d.action, action_label=d.get_action_display(), version=d.submission.number, text=d.text,
                       signer=d.signer, signed_on=day(d.signed_on), user=d.user.name, at=moment(d.at),
                       result_version=d.result.number if d.result_id else None)


def rectification_out(n) -> RectificationOut:
    return RectificationOut(id=n.pk, package=n.package_id, unit=n.package.unit.name, text=n.text, due=n.due.isoformat(),
                            state=n.state, answer=n.answer, created_at=moment(n.created_at))


@router.get("/reviews/{pk}", response=answers(ReviewOut), summary="财政审核的数据包：单位最新报送的版本（响应头 `ETag` 为其版本序号）")
def get_review(request, pk: int, response: HttpResponse):
    p = selectors.package_for(request.auth, pk)
    sub = versions.latest_sent(p)
    if sub is not None:
        response["ETag"] = etag(sub.number)
    execution = imports.package_execution(p)
    return ReviewOut(id=p.pk, task=p.task_id, unit=p.unit.name, budget_code=p.unit.budget_code, status=p.status,
                     status_label=p.get_status_display(), version=sub.number if sub else None, total_score=amount(p.total_score),
                     grade=p.grade, execution_rate=percent(p.execution_rate), errors=p.errors, warnings=p.warnings,
                     reviewable=p.status == Status.SUBMITTED and sub is not None,
                     execution_differences=len(execution.differences),
                     content=sub.content if sub else None)


@router.get("/reviews/{pk}/versions", response=answers(list[VersionOut]), summary="单位报送财政的各版本")
def review_versions(request, pk: int):
    p = selectors.package_for(request.auth, pk)
    return [version_dict(s) for s in versions.versions_of(p).filter(state=Submission.State.APPROVED)]


@router.get("/reviews/{pk}/versions/{number}", response=answers(VersionContent), summary="报送财政的一个版本（响应头 `ETag` 为版本序号）")
def review_version(request, pk: int, number: int, response: HttpResponse):
    p = selectors.package_for(request.auth, pk)
    s = versions.versions_of(p).filter(number=number, state=Submission.State.APPROVED).first()
    if s is None:
        raise Http404("没有该版本")
    response["ETag"] = etag(s.number)
    return VersionContent(**version_dict(s), content=s.content)


@router.get("/reviews/{pk}/findings", response=answers(list[FindingOut]), summary="所报送版本的审核发现")
def review_findings(request, pk: int):
    p = selectors.package_for(request.auth, pk)
    return findings_of(_sent(p).content, deadline=deadline_for(p), targets=approved_for(p))


@router.get("/reviews/{pk}/figures", response=answers(list[Figure]), summary="所报送版本的每个数字（公式、输入、依据）")
def review_figures(request, pk: int):
    p = selectors.package_for(request.auth, pk)
    return figures_of(_sent(p).content, deadline=deadline_for(p))


@router.get("/reviews/{pk}/stated", response=answers(list[StatedFigure]), summary="单位填报数与引擎计算数对照（不一致者在前）")
def review_stated(request, pk: int):
    p = selectors.package_for(request.auth, pk)
    comp = computation.compute(_sent(p).content, deadline=deadline_for(p))
    if comp.report is None:
        raise ActionError(comp.error or "数据包无法计算", 422)
    return [_stated(r) for r in selectors.stated_beside_computed(comp.report)]


def _stated(row) -> StatedFigure:
    """One row of the page's 填报数与计算数 table with its numbers as every figure of the API: amounts and
    scores two decimals, a rate in percent with two decimals and unit "%"; a text (a grade) as written."""
    d = figure_numbers(row.figure.as_dict())
    computed = d["value"] if d["value"] is not None else (row.figure.text or None)  # a text figure: its words
    return StatedFigure(key=d["key"], label=row.label, stated=d["stated"], computed=computed, unit=d["unit"],
                        stated_display=row.stated, computed_display=row.computed, kind=row.kind, agrees=row.agrees,
                        judged=row.judged)


@router.get("/reviews/{pk}/comments", response=answers(list[CommentOut]), summary="意见")
def review_comments(request, pk: int):
    p = selectors.package_for(request.auth, pk)
    return [_comment(c) for c in p.comments.select_related("author", "submission")]


def _comment(c) -> CommentOut:
    return CommentOut(id=c.pk, version=c.submission.number if c.submission_id else None, path=c.path, text=c.text,
                      author=c.author.name, created_at=moment(c.created_at))


@router.post("/reviews/{pk}/comments", response=answers(CommentOut, ok=201), summary="对所审版本写意见（整体或某字段）")
def post_comment(request, pk: int, body: CommentIn):
    p = selectors.package_for(request.auth, pk)
    c = review_services.add_comment(package_id=p.pk, user=request.auth, version=_version_for(request, p, body.version),
                                    path=body.path, text=body.text)
    return 201, _comment(c)


@router.get("/reviews/{pk}/decisions", response=answers(list[DecisionOut]), summary="财政审核决定")
def review_decisions(request, pk: int):
    p = selectors.package_for(request.auth, pk)
    return [decision_out(d) for d in p.bureau_decisions.select_related("user", "submission", "result")]


@router.post("/reviews/{pk}/return", response=answers(DecisionOut), summary="退回单位修改（写明原因）")
def post_return(request, pk: int, body: ReturnIn):
    p = selectors.package_for(request.auth, pk)
    d = review_services.return_package(package_id=p.pk, user=request.auth, version=_version_for(request, p, body.version),
                                       reason=body.reason)
    return decision_out(d)


@router.post("/reviews/{pk}/accept", response=answers(DecisionOut), summary="审核通过：财政部门意见写入新版本")
def post_accept(request, pk: int, body: AcceptIn):
    p = selectors.package_for(request.auth, pk)
    d = review_services.accept(package_id=p.pk, user=request.auth, version=_version_for(request, p, body.version),
                               opinion=body.opinion, signer=body.signer, signed_on=body.signed_on)
    return decision_out(d)


@router.post("/reviews/{pk}/rectifications", response=answers(RectificationOut, ok=201), summary="发出整改通知")
def post_rectification(request, pk: int, body: RectificationIn):
    p = selectors.package_for(request.auth, pk)
    n = review_services.send_rectification(package_id=p.pk, user=request.auth, text=body.text, due=body.due)
    n.package = p
    return 201, rectification_out(n)


@router.get("/tasks/{task}/rectifications", response=answers(list[RectificationOut]), summary="未销号的整改通知")
def open_rectifications(request, task: int):
    t = selectors.task_for(request.auth, task)
    return [rectification_out(n) for n in selectors.open_rectifications(t)]


@router.post("/rectifications/{notice}/close", response=answers(RectificationOut), summary="整改销号")
def close_rectification(request, notice: int):
    n = Rectification.objects.select_related("package").filter(pk=notice).first()
    if n is None:
        raise Http404("没有该整改通知")
    selectors.package_for(request.auth, n.package_id)  # another bureau's notice is not found
    n = review_services.close_rectification(notice_id=n.pk, user=request.auth)
    return rectification_out(Rectification.objects.select_related("package__unit").get(pk=n.pk))
