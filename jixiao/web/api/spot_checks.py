"""抽评: the sample of a task (draw, list), a sampled package's sheet (every indicator with the
unit's self-score and the bureau's), and the re-score — over `review.services` as the pages are."""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Schema

from jixiao.web.api.common import amount, answers
from jixiao.web.models import SpotCheck
from jixiao.web.review import performance_work, selectors
from jixiao.web.review import services as review_services

router = Router(tags=["财政局：抽评"])


class SpotOut(Schema):
    id: int
    rank: int
    package: int
    unit: str
    budget_code: str
    version: int
    risk: str
    reasons: list[str]
    scored: int


class SheetLine(Schema):
    key: str
    table: str
    label: str
    weight: str | None
    self_score: str | None
    allowed_from: str | None
    allowed_to: str | None
    bureau_score: str | None
    difference: str | None
    note: str


class Sheet(Schema):
    spot: SpotOut
    lines: list[SheetLine]


class ScoreIn(Schema):
    key: str
    score: str
    note: str = ""


class ScoresIn(Schema):
    scores: list[ScoreIn]


class ScoresOut(Schema):
    saved: int
    sheet: Sheet


def spot_out(s) -> SpotOut:
    return SpotOut(id=s.pk, rank=s.rank, package=s.package_id, unit=s.package.unit.name, budget_code=s.package.unit.budget_code,
                   version=s.submission.number, risk=amount(s.risk), reasons=list(s.reasons),
                   scored=s.scored if hasattr(s, "scored") else s.scores.count())  # `sample` counts them in its query


def _line(ln) -> SheetLine:
    b = ln.bureau
    lo, hi = ln.allowed or (None, None)
    return SheetLine(key=ln.key, table=ln.table, label=ln.label, weight=amount(ln.weight), self_score=amount(ln.self_score),
                     allowed_from=amount(lo), allowed_to=amount(hi), bureau_score=amount(b.bureau_score) if b else None,
                     difference=amount(b.difference) if b else None, note=b.note if b else "")


def _spot(request, spot: int) -> SpotCheck:
    s = SpotCheck.objects.filter(pk=spot).values_list("task_id", flat=True).first()
    if s is None:
        raise Http404("没有该抽评样本")
    t = selectors.task_for(request.auth, s)
    performance_work.require(request.auth, performance_work.SPOT)
    found = selectors.sample(t).filter(pk=spot).first()
    if found is None:
        raise Http404("没有该抽评样本")
    return found


def sheet_of(s: SpotCheck) -> Sheet:
    return Sheet(spot=spot_out(s), lines=[_line(ln) for ln in selectors.score_lines(s)])


@router.get("/tasks/{task}/spot-checks", response=answers(list[SpotOut]), summary="抽评样本")
def list_sample(request, task: int):
    t = selectors.task_for(request.auth, task)
    performance_work.require(request.auth, performance_work.SPOT)
    return [spot_out(s) for s in selectors.sample(t)]


@router.post("/tasks/{task}/spot-checks", response=answers(list[SpotOut], ok=201), summary="抽取抽评样本（按风险排序；绩效评价股）")
def draw(request, task: int):
    t = selectors.task_for(request.auth, task)
    review_services.draw(task_id=t.pk, user=request.auth)
    return 201, [spot_out(s) for s in selectors.sample(t)]


@router.get("/spot-checks/{spot}", response=answers(Sheet), summary="抽评表：每个指标的自评得分与抽评得分")
def sheet(request, spot: int):
    return sheet_of(_spot(request, spot))


@router.put("/spot-checks/{spot}/scores", response=answers(ScoresOut), summary="抽评评分（全部或全不保存）")
def rescore(request, spot: int, body: ScoresIn):
    s = _spot(request, spot)
    n = review_services.rescore(spot_id=s.pk, user=request.auth, entries={e.key: (e.score, e.note) for e in body.scores})
    return ScoresOut(saved=n, sheet=sheet_of(_spot(request, spot)))
