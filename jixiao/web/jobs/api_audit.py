"""Audit as a service: one uploaded file, or a zip of them, audited exactly as `jixiao audit
--format json` audits them (the same `audit.service` and `audit.report.render_json`, coverage
included). A small input is answered in the request; a large one (a zip of several documents, or a
file above `INLINE_BYTES`) runs here in the worker, its answer stored on the `AuditJob`."""

from __future__ import annotations

import io
import json
import tempfile
import time
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import OperationalError, transaction
from django_tasks import task as background_task

from jixiao.audit.report import render_json
from jixiao.audit.service import AUDITABLE_SUFFIXES, audit_path, failed
from jixiao.web.jobs import heartbeat
from jixiao.web.models import AuditJob, User
from jixiao.web.review.imports import check_zip, is_system_file, is_unsafe_path, member_name
from jixiao.web.versions import ActionError, log

INLINE_BYTES = 2 * 1024 * 1024  # above this, or a zip of more than one document: a job
MB = 1024 * 1024


def check_upload(filename: str, data: bytes) -> str:
    """The upload's kind ("zip" or the file's suffix) after the upload pages' limits; ActionError otherwise."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    suffix = PurePosixPath(name).suffix.lower()
    if not name or not data:
        raise ActionError("上传的文件是空的", 400, {"file": "上传的文件是空的"})
    limit = settings.JIXIAO_MAX_UPLOAD_BYTES
    if len(data) > limit:
        text = f"文件过大（{len(data) / MB:.1f} MB），上限 {limit // MB} MB"
        raise ActionError(text, 413, {"file": text})
    if suffix == ".zip":
        check_zip(data)  # size, members, zip bomb: as the package import checks it
        return "zip"
    if suffix not in AUDITABLE_SUFFIXES:
        text = f"不支持的文件类型“{suffix or name}”（支持 {'、'.join(AUDITABLE_SUFFIXES)} 及其 .zip 压缩包）"
        raise ActionError(text, 415, {"file": text})
    return suffix


def documents_in(data: bytes) -> int:
    """How many auditable documents a zip holds (what `jixiao audit` would find in its folder)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return sum(1 for m in zf.infolist() if not m.is_dir() and _auditable(member_name(m)))


def _auditable(name: str) -> bool:
    return not is_system_file(name) and PurePosixPath(name.replace("\\", "/")).suffix.lower() in AUDITABLE_SUFFIXES


def runs_as_job(kind: str, data: bytes) -> bool:
    return len(data) > INLINE_BYTES or (kind == "zip" and documents_in(data) > 1)


def audit_upload(filename: str, data: bytes, progress=None) -> dict:
    """The JSON `jixiao audit --format json` prints for this file (its name as given, no folder),
    or for each document of this zip (named by its path inside the zip, sorted as the CLI walks a folder)."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    with tempfile.TemporaryDirectory(prefix="jixiao-audit-") as tmp:
        folder = Path(tmp)
        if name.lower().endswith(".zip"):
            results = _audit_zip(data, folder, progress)
        else:
            target = folder / name
            target.write_bytes(data)
            result = audit_path(target)
            result.path = name
            results = [result]
        text = render_json(results).replace(str(folder) + "/", "")  # no server path in a reader's message
    return json.loads(text)


def _audit_zip(data: bytes, folder: Path, progress) -> list:
    results = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = sorted((m for m in zf.infolist() if not m.is_dir() and _auditable(member_name(m))),
                         key=lambda m: PurePosixPath(member_name(m)).parts)
        for i, m in enumerate(members):
            name = member_name(m)
            if is_unsafe_path(name) or m.flag_bits & 0x1:
                results.append(failed(name, "文件路径不安全或已加密，未审核"))
            else:
                results.append(_audit_member(zf, m, name, folder / f"{i:05d}"))
            if progress is not None:
                progress(i + 1, len(members))
    return results


def _audit_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, folder: Path):
    with zf.open(member) as src:
        data = src.read(member.file_size + 1)
    if len(data) > member.file_size:  # the header lied about the size
        return failed(name, "解压后的大小与压缩包记录不符，疑似压缩炸弹，未审核")
    folder.mkdir(parents=True)
    target = folder / PurePosixPath(name.replace("\\", "/")).name
    target.write_bytes(data)
    result = audit_path(target)
    result.path = name
    return result


def start(*, user: User, filename: str, data: bytes) -> AuditJob:
    """Keep the upload where the worker reads it (never served) and queue its audit."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()[:10]}"
    stored.write_bytes(data)
    with transaction.atomic():
        job = AuditJob.objects.create(requested_by=user, filename=PurePosixPath(filename.replace("\\", "/")).name[:200],
                                      source=str(stored.relative_to(settings.MEDIA_ROOT)))
        log("api_audit", actor=user, target=f"user:{user.pk}", path=f"audit_jobs[{job.pk}]", detail=f"已提交“{job.filename}”，后台审核")
        transaction.on_commit(lambda: run_audit.enqueue(job.pk))
    return job


def _save(job: AuditJob, **fields) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    for attempt in range(8):
        try:
            job.save(update_fields=list(fields))
            return
        except OperationalError:  # SQLite busy with a poll's session write: try again shortly
            if attempt == 7:
                raise
            time.sleep(0.05 * 2 ** attempt)


@background_task()
def run_audit(job_id: int) -> int:
    """The worker's side. Returns the documents audited (0 when the job ended otherwise)."""
    job = AuditJob.objects.get(pk=job_id)
    if job.state != AuditJob.State.QUEUED:  # a job runs once
        return 0
    stored = Path(settings.MEDIA_ROOT) / job.source
    try:
        with heartbeat.beating(job):
            heartbeat.begin(job)
            try:
                answer = audit_upload(job.filename, stored.read_bytes(), lambda d, t: _save(job, done=d, total=t))
            except Exception as exc:  # noqa: BLE001 - the job is marked failed with a message, never left running
                _save(job, state=AuditJob.State.FAILED, error=f"审核中断：{type(exc).__name__}")
                raise
            _save(job, state=AuditJob.State.DONE, result=answer, done=len(answer["documents"]), total=len(answer["documents"]))
            return len(answer["documents"])
    finally:
        stored.unlink(missing_ok=True)
