"""部门汇总 (a 主管部门 with its subordinate units) and 结果应用 (each accepted package's grade and its
consequence) of a task — over `review.selectors` as the pages are."""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Schema

from jixiao.web.api.common import amount, answers, figure_numbers, percent
from jixiao.web.review import selectors
from jixiao.web.versions import ActionError

router = Router(tags=["财政局：汇总与结果应用"])


class Supervisor(Schema):
    id: int
    budget_code: str
    name: str
    subordinates: int


class RollupFigure(Schema):
    key: str
    label: str
    value: str | None
    display: str
    unit: str
    formula: str
    inputs: dict[str, str]
    rule: str


class RollupOut(Schema):
    supervisor: Supervisor
    included: list[str]
    left_out: list[dict[str, str]]
    figures: list[RollupFigure]


class UseOut(Schema):
    package: int
    budget_code: str
    unit: str
    total_score: str | None
    grade: str
    execution_rate: str | None
    consequence: str


def _supervisor(u) -> Supervisor:
    return Supervisor(id=u.pk, budget_code=u.budget_code, name=u.name, subordinates=getattr(u, "n", 0))


@router.get("/tasks/{task}/rollups", response=answers(list[Supervisor]), summary="可做部门汇总的主管部门")
def supervisors(request, task: int):
    t = selectors.task_for(request.auth, task)
    return [_supervisor(u) for u in selectors.supervisors(t)]


@router.get("/tasks/{task}/rollups/{unit}", response=answers(RollupOut), summary="一个主管部门的部门汇总（按已报送的版本）")
def rollup(request, task: int, unit: int):
    t = selectors.task_for(request.auth, task)
    chosen = selectors.supervisors(t).filter(pk=unit).first()
    if chosen is None:
        raise Http404("该单位不是本任务中的主管部门")
    r = selectors.rollup(t, chosen)
    if r.result is None:
        raise ActionError(r.error, 409)
    figures = [RollupFigure(**{k: d[k] for k in RollupFigure.model_fields}) for d in (figure_numbers(c.as_dict()) for c in r.result.values)]
    return RollupOut(supervisor=_supervisor(chosen), included=r.included,
                     left_out=[{"unit": u, "reason": why} for u, why in r.left_out], figures=figures)


@router.get("/tasks/{task}/results-use", response=answers(list[UseOut]), summary="结果应用：各审核通过数据包的等次及其应用")
def results_use(request, task: int):
    t = selectors.task_for(request.auth, task)
    return [UseOut(package=r.package.pk, budget_code=r.package.unit.budget_code, unit=r.package.unit.name,
                   total_score=amount(r.package.total_score), grade=r.package.grade,
                   execution_rate=percent(r.package.execution_rate), consequence=r.consequence)
            for r in selectors.results_use(t)]
