"""The API's approved performance targets (批复绩效目标, issue 20): the bureau imports a task's
一体化 export, lists a unit's targets, and reads a package's differences from them — over the same
service as the bureau's page (`review.targets`)."""

from __future__ import annotations

from django.http import Http404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from jixiao.web import access
from jixiao.web.api.common import Error, FieldError, answers
from jixiao.web.review import selectors
from jixiao.web.review import targets as approved_targets
from jixiao.web.review.imports import ImportProblems
from jixiao.web.targets import as_core

router = Router(tags=["批复绩效目标"])


class ImportOut(Schema):
    filename: str
    rows: int
    refused: list[str]
    units: int
    flagged: int




class TargetOut(Schema):
    row: int
    code: str
    project: str
    level1: str
    level2: str
    name: str
    value: str
    direction: str
    figure: str | None
    unit: str
    weight: str | None
    year: int | None


class DifferenceOut(Schema):
    rule: str
    severity: str
    message: str
    where: str
    path: str
    stated: str
    expected: str


@router.post("/tasks/{task}/import", response=answers(ImportOut),
             summary="导入一个任务的批复绩效目标（一体化导出的 .csv 或 .xlsx）")
def import_targets(request, task: int, file: File[UploadedFile]):
    t = selectors.task_for(request.auth, task)
    try:
        imp = approved_targets.import_targets(task_id=t.pk, user=request.auth, filename=file.name or "", data=file.read())
    except ImportProblems as exc:
        # each refused row is an error of the file field, in the API's one refusal shape
        return Status(exc.status, Error(detail=exc.message, errors=[FieldError(field="file", message=m) for m in exc.problems]))
    return ImportOut(filename=imp.filename, rows=imp.rows, refused=imp.refused,
                     units=imp.targets.values("unit").distinct().count(), flagged=approved_targets.flagged_count(t))


@router.get("/tasks/{task}/units/{code}", response=answers(list[TargetOut]), summary="一个单位的批复绩效目标")
def unit_targets(request, task: int, code: str):
    t = selectors.task_for(request.auth, task)
    unit = approved_targets.visible_unit(t, code)
    if unit is None:
        raise Http404
    rows = approved_targets.targets_of(t, unit).order_by("row")
    return approved_targets.as_rows(as_core(rows, t))


@router.get("/packages/{pk}/differences", response=answers(list[DifferenceOut]), summary="数据包与批复绩效目标的差异")
def differences(request, pk: int):
    user = request.auth
    p = selectors.package_for(user, pk) if access.is_bureau_user(user) else access.package_for(user, pk)
    return [DifferenceOut(rule=f.rule, severity=f.severity, message=f.message, where=f.location.describe(),
                          path=f.location.path, stated=f.stated, expected=f.expected)
            for f in approved_targets.differences(p)]
