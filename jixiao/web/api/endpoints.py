"""The JSON API (/api/v1/), over the same selectors and services as the pages.

django-ninja: the request and response types are pydantic schemas, and the OpenAPI document at
/api/v1/openapi.json is generated from those same types, so the schema cannot drift from the code
(DRF needs a separate schema generator that infers types from serializers). Authentication: a
bearer token (`jixiao manage api_token USER`) or the browser session (with its CSRF token).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import File, Form, NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.files import UploadedFile
from ninja.security import HttpBearer, SessionAuth

from jixiao.core.numbers import fmt_percent
from jixiao.web import access, versions
from jixiao.web.api import targets
from jixiao.web.drafts import computation
from jixiao.web.drafts.figures import kind_of
from jixiao.web.security import tokens
from jixiao.web.security.context import note_refusal
from jixiao.web.security.middleware import password_change_required


class TokenAuth(HttpBearer):
    """A bearer token (security/tokens.py): unknown, revoked or expired → 401; a read-only token
    writing, or a bureau account's token without its second factor → 403 with the reason."""

    def authenticate(self, request: HttpRequest, token: str):

        record = tokens.find(token)
        why = tokens.refusal(record, request.method)
        if why and (record is None or why in tokens.NOT_AUTHENTICATED):
            return None
        if not why:
            why = password_change_required(record.user)  # an initial or expired password is changed on the web first
        if why:
            note_refusal(why)  # the refused-access entry names the reason
            raise HttpError(403, why)
        tokens.mark_used(record)
        request.user = record.user
        return record.user


# No interactive docs page: ninja's loads Swagger UI from a CDN, which an intranet cannot reach.
api = NinjaAPI(title="jixiao 绩效自评 API", version="1", urls_namespace="api-v1", auth=[TokenAuth(), SessionAuth()],
               docs_url=None)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "没有找到该数据包，或您无权查看"}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": "未登录或令牌无效：请先登录，或在请求头 Authorization 中提供有效的 API 令牌"},
                               status=401)


# The request's parameters by the names a caller reads in the documentation, for the messages.
PARAMETER_NAMES = {"version": "版本号（version）", "path": "字段（path）", "value": "值（value）", "file": "文件（file）",
                   "pk": "数据包编号", "number": "版本序号", "body": "请求体"}
PROBLEMS = {"missing": "缺少{name}", "int_parsing": "{name}应为整数", "int_type": "{name}应为整数",
            "string_type": "{name}应为文本", "json_invalid": "请求体不是有效的 JSON"}


def validation_problem(error: dict) -> str:
    """One pydantic error as a Chinese sentence: '缺少版本号（version）'."""
    names = [str(part) for part in error.get("loc", ()) if str(part) not in ("body", "form", "query", "path", "file")]
    name = PARAMETER_NAMES.get(names[-1], "参数") if names else "请求"
    return PROBLEMS.get(error.get("type", ""), "{name}的值不合要求").format(name=name)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    problems = [validation_problem(e) for e in exc.errors]
    return api.create_response(request, {"detail": "请求参数有误：" + "；".join(problems), "problems": problems}, status=422)


@api.exception_handler(versions.ActionError)
def _refused(request, exc: versions.ActionError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


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
    execution_rate: str | None
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
    ok: bool
    version: int
    error: str = ""
    conflict: str = ""
    summary: Summary


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


def _s(v) -> str | None:
    return None if v is None else format(v, "f")


def _rate(ratio) -> str | None:
    """The execution rate as the forms print it: '48.00%' (two decimals, half-up)."""
    return None if ratio is None else fmt_percent(ratio)


def _summary(p) -> Summary:
    return Summary(id=p.pk, unit=p.unit.name, budget_code=p.unit.budget_code, year=p.task.year, task=p.task.title,
                   status=p.status, status_label=p.get_status_display(), version=p.version, total_score=_s(p.total_score),
                   grade=p.grade, execution_rate=_rate(p.execution_rate), errors=p.errors, warnings=p.warnings)


def _version(s) -> dict:
    return dict(number=s.number, state=s.state, content_hash=s.content_hash, hash_algorithm=s.hash_algorithm,
                created_by=s.created_by.name, created_at=s.created_at.isoformat(), total_score=_s(s.total_score),
                grade=s.grade, errors=s.errors, warnings=s.warnings, profile=s.profile, profile_digest=s.profile_digest)


@api.get("/packages", response=list[Summary], summary="本人可见的数据包")
def list_packages(request):
    return [_summary(p) for p in access.packages_for(request.auth)]


@api.get("/packages/{pk}", response=PackageOut, summary="数据包（草稿，规范格式）")
def get_package(request, pk: int):
    p = access.package_for(request.auth, pk)
    return PackageOut(**_summary(p).dict(), draft=p.draft)


@api.get("/packages/{pk}/figures", response=list[Figure], summary="引擎计算的每个数字及其公式、输入和依据")
def figures(request, pk: int):
    p = access.package_for(request.auth, pk)
    comp = computation.compute(p.draft)
    if comp.report is None:
        raise HttpError(422, comp.error)
    out = []
    for c in comp.report.all():
        d = c.as_dict()
        out.append(Figure(key=d["key"], label=d["label"], value=d["value"], display=d["display"], unit=d["unit"],
                          formula=d["formula"], inputs=d["inputs"], rule=d["rule"], stated=d["stated"], agrees=d["agrees"],
                          kind=kind_of(c, comp.report)))
    return out


@api.get("/packages/{pk}/findings", response=list[FindingOut], summary="审核发现，按表分组")
def findings(request, pk: int):
    p = access.package_for(request.auth, pk)
    comp = computation.compute(p.draft)
    return [FindingOut(rule=f.rule, severity=f.severity, message=f.message, where=f.where, form=title, path=f.path)
            for title, _slug, items in computation.findings_by_form(comp) for f in items]


@api.post("/packages/{pk}/edits", response={200: EditOut, 409: EditOut, 422: EditOut}, summary="修改一个字段（乐观并发：带上版本号）")
def post_edit(request, pk: int, body: EditIn):
    p = access.package_for(request.auth, pk)
    r = versions.apply_edit(package_id=p.pk, user=request.auth, path=body.path, raw=body.value, version=body.version)
    status = 200 if r.ok else (409 if r.conflict else 422)
    return Status(status, EditOut(ok=r.ok, version=r.package.version, error=r.error, conflict=r.conflict, summary=_summary(r.package)))


@api.post("/packages/{pk}/submit", response=VersionOut, summary="提交单位负责人审核")
def post_submit(request, pk: int, body: VersionIn):
    p = access.package_for(request.auth, pk)
    return _version(versions.submit(package_id=p.pk, user=request.auth, version=body.version))


@api.get("/packages/{pk}/versions", response=list[VersionOut], summary="已提交的版本")
def list_versions(request, pk: int):
    p = access.package_for(request.auth, pk)
    return [_version(s) for s in versions.versions_of(p)]


@api.get("/packages/{pk}/versions/{number}", response=VersionContent, summary="一个版本的内容")
def get_version(request, pk: int, number: int):
    p = access.package_for(request.auth, pk)
    s = p.submissions.filter(number=number).select_related("created_by").first()
    if s is None:
        raise Http404
    return VersionContent(**_version(s), content=s.content)


@api.post("/packages/{pk}/import", response={200: Problem, 422: Problem}, summary="从自评表、报告或文本导入草稿")
def post_import(request, pk: int, file: File[UploadedFile], version: Form[int]):
    p = access.package_for(request.auth, pk)
    r = versions.import_draft(package_id=p.pk, user=request.auth, filename=file.name or "", data=file.read(), version=version)
    return Status(200 if r.ok else 422, Problem(ok=r.ok, message=r.message, problems=r.problems))


api.add_router("/targets/", targets.router)  # issue 20: approved performance targets
