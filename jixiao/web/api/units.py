"""The unit's side: its packages (the draft), the engine's figures and findings, an edit, the
submission to the unit head, the versions, an import. Over `web/versions.py` as the pages are."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from jixiao.web import access, versions
from jixiao.web.api.common import ERRORS, FieldError, amount, answers, claimed_version, etag, figure_numbers, moment, percent
from jixiao.web.drafts import computation, fields
from jixiao.web.drafts.figures import kind_of
from jixiao.web.targets import approved_for
from jixiao.web.versions import ActionError

router = Router(tags=["单位：数据包"])


class Summary(Schema):
    id: int
    unit: str
    budget_code: str
    year: int
    task: str
    status: str
    status_label: str
    version: int
    total_score: str | None
    grade: str
    execution_rate: str | None  # in percent, two decimals: "48.00"
    errors: int
    warnings: int


class PackageOut(Summary):
    draft: dict[str, Any]


class Figure(Schema):
    key: str
    label: str
    value: str | None
    display: str
    unit: str
    formula: str
    inputs: dict[str, str]
    rule: str
    stated: str | None
    agrees: bool | None
    kind: str


class FindingOut(Schema):
    rule: str
    severity: str
    message: str
    where: str
    form: str
    path: str


class EditIn(Schema):
    path: str
    value: str
    version: int


class EditOut(Schema):
    """An edit's answer; refused (409 stale, 422 a wrong value) it carries the one error shape too."""
    ok: bool
    version: int
    error: str = ""
    conflict: str = ""
    summary: Summary
    detail: str = ""
    errors: list[FieldError] = []


class VersionIn(Schema):
    version: int


class VersionOut(Schema):
    number: int
    state: str
    content_hash: str
    hash_algorithm: str
    created_by: str
    created_at: str
    total_score: str | None
    grade: str
    errors: int
    warnings: int
    profile: str
    profile_digest: str


class VersionContent(VersionOut):
    content: dict[str, Any]


class Problem(Schema):
    ok: bool
    message: str
    problems: list[str]
    detail: str = ""
    errors: list[FieldError] = []


def summary(p) -> Summary:
    return Summary(id=p.pk, unit=p.unit.name, budget_code=p.unit.budget_code, year=p.task.year, task=p.task.title,
                   status=p.status, status_label=p.get_status_display(), version=p.version, total_score=amount(p.total_score),
                   grade=p.grade, execution_rate=percent(p.execution_rate), errors=p.errors, warnings=p.warnings)


def version_dict(s) -> dict:
    return dict(number=s.number, state=s.state, content_hash=s.content_hash, hash_algorithm=s.hash_algorithm,
                created_by=s.created_by.name, created_at=moment(s.created_at), total_score=amount(s.total_score),
                grade=s.grade, errors=s.errors, warnings=s.warnings, profile=s.profile, profile_digest=s.profile_digest)


def figures_of(doc: dict, deadline=None) -> list[Figure]:
    comp = computation.compute(doc, deadline=deadline)
    if comp.report is None:
        raise HttpError(422, comp.error or "数据包无法计算")
    out = []
    for c in comp.report.all():
        d = figure_numbers(c.as_dict())
        out.append(Figure(key=d["key"], label=d["label"], value=d["value"], display=d["display"], unit=d["unit"],
                          formula=d["formula"], inputs=d["inputs"], rule=d["rule"], stated=d["stated"], agrees=d["agrees"],
                          kind=kind_of(c, comp.report)))
    return out


def findings_of(doc: dict, deadline=None, targets=None) -> list[FindingOut]:
    comp = computation.compute(doc, deadline=deadline, targets=targets)
    return [FindingOut(rule=f.rule, severity=f.severity, message=f.message, where=f.where, form=title, path=f.path)
            for title, _slug, items in computation.findings_by_form(comp) for f in items]


@router.get("/packages", response=answers(list[Summary]), summary="本人可见的数据包")
def list_packages(request):
    return [summary(p) for p in access.packages_for(request.auth)]


@router.get("/packages/{pk}", response=answers(PackageOut), summary="数据包（草稿，规范格式；响应头 `ETag` 为草稿的版本号）")
def get_package(request, pk: int, response: HttpResponse):
    p = access.package_for(request.auth, pk)
    response["ETag"] = etag(p.version)
    return PackageOut(**summary(p).dict(), draft=p.draft)


@router.get("/packages/{pk}/figures", response=answers(list[Figure]), summary="引擎计算的每个数字及其公式、输入和依据")
def figures(request, pk: int):
    return figures_of(access.package_for(request.auth, pk).draft)


@router.get("/packages/{pk}/findings", response=answers(list[FindingOut]), summary="审核发现，按表分组")
def findings(request, pk: int):
    package = access.package_for(request.auth, pk)
    return findings_of(package.draft, targets=approved_for(package))  # compared with the unit's approved targets


@router.post("/packages/{pk}/edits", response={200: EditOut, 409: EditOut, 422: EditOut, **{k: v for k, v in ERRORS.items() if k not in (409, 422)}},
             summary="修改一个字段（乐观并发：带上版本号，或请求头 `If-Match`）")
def post_edit(request, pk: int, body: EditIn):
    p = access.package_for(request.auth, pk)
    version = claimed_version(request, body.version, p.version, lambda v: versions.stale_refusal(p, v, [body.path]) or
                              f"保存失败：数据包当前为第{p.version}版（您看到的是第{v}版）")
    r = versions.apply_edit(package_id=p.pk, user=request.auth, path=body.path, raw=body.value, version=version)
    status = 200 if r.ok else (409 if r.conflict else 422)
    problem = r.conflict or r.error
    errors = [FieldError(field="path", message=problem)] if problem else []
    return Status(status, EditOut(ok=r.ok, version=r.package.version, error=r.error, conflict=r.conflict,
                                  summary=summary(r.package), detail=problem, errors=errors))


@router.post("/packages/{pk}/submit", response=answers(VersionOut), summary="提交单位负责人审核")
def post_submit(request, pk: int, body: VersionIn):
    p = access.package_for(request.auth, pk)
    version = claimed_version(request, body.version, p.version, lambda v: versions.stale_refusal(p, v, None, "提交") or
                              f"提交失败：数据包当前为第{p.version}版（您看到的是第{v}版）")
    return version_dict(versions.submit(package_id=p.pk, user=request.auth, version=version))


class OpinionIn(Schema):
    opinion: str


class UnitReturnIn(Schema):
    note: str = ""
    comments: list[dict[str, str]] = []  # [{"path": 字段, "text": 意见}]


@router.post("/packages/{pk}/approve", response=answers(VersionOut), summary="单位负责人审核通过并报送财政（写入部门意见）")
def post_approve(request, pk: int, body: OpinionIn):
    p = access.package_for(request.auth, pk)
    sub = versions.approve(package_id=p.pk, user=request.auth, opinion=body.opinion)
    return version_dict(versions.versions_of(p).select_related("created_by").get(pk=sub.pk))


@router.post("/packages/{pk}/return", response=answers(VersionOut), summary="单位负责人退回填报人修改")
def post_unit_return(request, pk: int, body: UnitReturnIn):
    p = access.package_for(request.auth, pk)
    comments = [(c.get("path", "").strip(), c.get("text", "")) for c in body.comments]
    for path, _ in comments:
        try:
            if path:
                fields.split_path(path)
        except fields.PathError as exc:
            raise ActionError(str(exc), 422, {"comments": str(exc)}) from None
    sub = versions.return_package(package_id=p.pk, user=request.auth, note=body.note, comments=comments)
    return version_dict(versions.versions_of(p).select_related("created_by").get(pk=sub.pk))


@router.get("/packages/{pk}/versions", response=answers(list[VersionOut]), summary="已提交的版本")
def list_versions(request, pk: int):
    p = access.package_for(request.auth, pk)
    return [version_dict(s) for s in versions.versions_of(p)]


@router.get("/packages/{pk}/versions/{number}", response=answers(VersionContent), summary="一个版本的内容（响应头 `ETag` 为版本序号）")
def get_version(request, pk: int, number: int, response: HttpResponse):
    p = access.package_for(request.auth, pk)
    s = p.submissions.filter(number=number).select_related("created_by").first()
    if s is None:
        raise Http404("没有该版本")
    response["ETag"] = etag(s.number)
    return VersionContent(**version_dict(s), content=s.content)


@router.post("/packages/{pk}/import", response={200: Problem, 422: Problem, **{k: v for k, v in ERRORS.items() if k != 422}},
             summary="从自评表、报告或文本导入草稿")
def post_import(request, pk: int, file: File[UploadedFile], version: Form[int]):
    p = access.package_for(request.auth, pk)
    r = versions.import_draft(package_id=p.pk, user=request.auth, filename=file.name or "", data=file.read(), version=version)
    detail = "" if r.ok else r.message
    return Status(200 if r.ok else 422, Problem(ok=r.ok, message=r.message, problems=r.problems, detail=detail,
                                                errors=[FieldError(field="file", message=x) for x in r.problems]))
