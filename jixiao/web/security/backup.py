"""`jixiao backup FILE` / `jixiao restore FILE`: the whole database (any engine) and the uploaded and
generated files in one zip, with an SM3 manifest; restore only into an empty database, and check
after loading that every content hash and the audit chain are intact.

The data go through Django's serialiser (natural keys), so a backup made on SQLite restores on
PostgreSQL and the other way round.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import management
from django.db import transaction
from django.utils import timezone

from jixiao import integrity
from jixiao.web.models import Bureau, Package, User
from jixiao.web.security import audit
from jixiao.web.security.documents import hashed_models
from jixiao.web.security.models import AuditEntry, ChainHead
from jixiao.web.versions import content_bytes

FORMAT = "jixiao-backup/1"
# Rebuilt by `migrate` (content types, permissions), or transient (sessions, the job queue).
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "django_tasks_database"]


class BackupError(Exception):
    pass


@dataclass
class RestoreReport:
    objects: int
    files: int
    hashes_checked: int
    hashes_bad: list[str]
    log_entries: int
    log_problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.hashes_bad and not self.log_problems


def _exclude() -> list[str]:
    labels = {a.label for a in apps.get_app_configs()}
    return [e for e in EXCLUDE if e.split(".")[0] in labels]


def backup(target: Path) -> dict:
    """Write the backup; returns its manifest. Written next to `target` and renamed, so a failed
    backup never leaves a half-written file under the name."""
    buf = io.StringIO()
    management.call_command("dumpdata", natural_foreign=True, natural_primary=True, exclude=_exclude(), format="json",
                            indent=None, stdout=buf)
    data = buf.getvalue().encode("utf-8")
    media = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in media.rglob("*") if p.is_file() and "tmp" not in p.relative_to(media).parts) if media.exists() else []

    head = ChainHead.objects.filter(pk=1).first()
    manifest = {
        "format": FORMAT, "created_at": timezone.now().isoformat(), "engine": settings.DATABASES["default"]["ENGINE"],
        "data": {"name": "data.json", "sm3": integrity.sm3(data), "objects": len(json.loads(data))},
        "files": {str(p.relative_to(media)): integrity.sm3_file(p) for p in files},
        "audit_head": {"seq": head.seq, "seal": head.seal} if head else None,
    }
    tmp = target.with_name(target.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        z.writestr("data.json", data)
        for p in files:
            z.write(p, "files/" + str(p.relative_to(media)))
    os.replace(tmp, target)
    return manifest


def _read(source: Path) -> tuple[dict, bytes, zipfile.ZipFile]:
    try:
        z = zipfile.ZipFile(source)
        manifest = json.loads(z.read("manifest.json"))
        data = z.read("data.json")
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BackupError(f"不是有效的 jixiao 备份文件：{exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式不符：{manifest.get('format')}（应为 {FORMAT}）")
    if not integrity.same(integrity.sm3(data), manifest["data"]["sm3"]):
        raise BackupError("备份文件已损坏：数据部分的 SM3 摘要与清单不符")
    for name, digest in manifest["files"].items():
        try:
            content = z.read("files/" + name)
        except KeyError:
            raise BackupError(f"备份文件不完整：缺少文件 {name}") from None
        if not integrity.same(integrity.sm3(content), digest):
            raise BackupError(f"备份文件已损坏：{name} 的 SM3 摘要与清单不符")
    return manifest, data, z


def _is_empty() -> bool:
    return not (Bureau.objects.exists() or Package.objects.exists() or User.objects.exists() or AuditEntry.objects.exists())


def restore(source: Path) -> RestoreReport:
    """Load a backup into this (migrated, empty) database and its files into MEDIA_ROOT, then check."""
    manifest, data, z = _read(source)
    if not _is_empty():
        raise BackupError("目标数据库不是空的：恢复只能在新建的空数据库上进行，以免覆盖现有数据")
    media = Path(settings.MEDIA_ROOT)
    tmp = Path(settings.VAR_DIR) / f"restore-{os.getpid()}.json"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_bytes(data)
    try:
        with transaction.atomic():
            management.call_command("loaddata", str(tmp), verbosity=0)
    finally:
        tmp.unlink(missing_ok=True)
    for name in manifest["files"]:
        dest = (media / name).resolve()
        if media.resolve() not in dest.parents:
            raise BackupError(f"备份中的文件路径不安全：{name}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(z.read("files/" + name))
    return check(manifest["data"]["objects"], len(manifest["files"]))


def check(objects: int = 0, files: int = 0) -> RestoreReport:
    """Every content hash recomputed from its content; the audit chain verified."""

    checked, bad = 0, []
    for model in hashed_models():
        if not any(f.name == "content" for f in model._meta.get_fields()):
            continue
        for obj in model.objects.all().iterator():
            checked += 1
            if getattr(obj, "hash_algorithm", "SM3") == "SM3" and not integrity.same(integrity.sm3(content_bytes(obj.content)),
                                                                                      obj.content_hash):
                bad.append(f"{model._meta.verbose_name} {obj.pk}")
    v = audit.verify()
    return RestoreReport(objects, files, checked, bad, v.entries, [p.message for p in v.problems])
