"""Audit as a service: `POST /api/v1/audit` with one file or a zip answers the same JSON as
`jixiao audit --format json` on it (coverage included); a large input is queued and answered
`202` with the URL to poll. A unit's or the bureau's account may audit (not an administrator): nothing is stored but the job."""

from __future__ import annotations

from django.http import Http404
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from jixiao.web import access
from jixiao.web.api.common import answers
from jixiao.web.jobs import api_audit
from jixiao.web.models import AuditJob
from jixiao.web.versions import ActionError

router = Router(tags=["审核服务"])


class AuditResult(Schema):
    """As `jixiao audit --format json` prints it: one entry per document, findings and summary with coverage."""
    documents: list[dict]


class AuditJobOut(Schema):
    id: int
    filename: str
    state: str
    state_label: str
    done: int
    total: int
    error: str
    status_url: str
    result: AuditResult | None


def job_out(j: AuditJob) -> AuditJobOut:
    return AuditJobOut(id=j.pk, filename=j.filename, state=j.state, state_label=j.get_state_display(), done=j.done,
                       total=j.total, error=j.error, status_url=f"/api/v1/audit/jobs/{j.pk}",
                       result=AuditResult(**j.result) if j.result else None)


@router.post("/audit", response={**answers(AuditResult, 415), 202: AuditJobOut},
             summary="审核一份文件或一个 .zip 压缩包（结果与命令行 `jixiao audit --format json` 相同；大的文件转入后台，返回查询地址）")
def audit(request, file: File[UploadedFile]):
    if not (access.is_unit_user(request.auth) or access.is_bureau_user(request.auth)):
        raise ActionError("审核服务供单位和财政部门的业务账号使用，管理员账号不能使用", 403)
    data = file.read()
    name = file.name or ""
    kind = api_audit.check_upload(name, data)
    if api_audit.runs_as_job(kind, data):
        return 202, job_out(api_audit.start(user=request.auth, filename=name, data=data))
    return 200, AuditResult(**api_audit.audit_upload(name, data))


@router.get("/audit/jobs/{job}", response=answers(AuditJobOut), summary="后台审核的进度和结果")
def audit_job(request, job: int):
    j = AuditJob.objects.filter(pk=job, requested_by=request.auth).first()
    if j is None:
        raise Http404("没有该审核作业")
    return job_out(j)
