"""`jixiao backup FILE` / `jixiao restore FILE`: the whole database (any engine) and the uploaded and
generated files in one zip, with an SM3 manifest; restore only into an empty database, and check
after loading that every content hash and the audit chain are intact.

The data go through Django's serialiser (natural keys), so a backup made on SQLite restores on
PostgreSQL and the other way round.

Consistent while people work (issue 19): the data are read from one snapshot — on SQLite a copy
taken with SQLite's online backup API, on PostgreSQL one REPEATABLE READ, READ ONLY transaction —
so the audit chain's head, the drafts and their edits are of the same moment. Keyed: the manifest
(which holds the SM3 of the data and of every file) is signed with HMAC-SM3 under a key that is
not in the backup (JIXIAO_BACKUP_KEY, else derived from the audit key or SECRET_KEY), so changing
the data and recomputing the digests is refused. Before anything is loaded, restore checks the
signature, every digest, the audit chain inside the data against the head of the manifest, and
that no draft is older than its own edits.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import management
from django.db import connection, connections, transaction
from django.utils import timezone

from jixiao import integrity
from jixiao.web.models import Bureau, Package, User
from jixiao.web.security import audit
from jixiao.web.security.documents import hashed_models
from jixiao.web.security.models import AuditEntry, ChainHead
from jixiao.web.versions import content_bytes

FORMAT = "jixiao-backup/2"
SNAPSHOT = "jixiao_backup_snapshot"  # the database alias of the SQLite copy a backup reads
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


def backup_key() -> bytes:
    """The key of the backups' signature: never written into a backup."""
    key = getattr(settings, "JIXIAO_BACKUP_KEY", "") or ("jixiao-backup:" + (getattr(settings, "JIXIAO_AUDIT_KEY", "")
                                                                              or settings.SECRET_KEY))
    return key.encode("utf-8")


def signature(manifest_bytes: bytes) -> str:
    return integrity.hmac_sm3(backup_key(), b"jixiao-backup-manifest\n" + manifest_bytes)


@contextlib.contextmanager
def snapshot() -> Iterator[str]:
    """The name of a database alias whose reads all see one moment of the data."""
    connection.ensure_connection()
    if connection.in_atomic_block:  # already inside one transaction (a caller's): its view is the snapshot
        yield "default"
        return
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="jixiao-backup-") as folder:
            copy = Path(folder) / "snapshot.sqlite3"
            target = sqlite3.connect(copy)
            try:
                connection.connection.backup(target)  # SQLite's online backup API: a consistent copy
            finally:
                target.close()
            connections.databases[SNAPSHOT] = {**connections.databases["default"], "NAME": str(copy), "OPTIONS": {},
                                               "TEST": {}}
            try:
                yield SNAPSHOT
            finally:
                connections[SNAPSHOT].close()
                del connections[SNAPSHOT]
                del connections.databases[SNAPSHOT]
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield "default"


def backup(target: Path) -> dict:
    """Write the backup; returns its manifest. Written next to `target` and renamed, so a failed
    backup never leaves a half-written file under the name."""
    buf = io.StringIO()
    with snapshot() as alias:
        management.call_command("dumpdata", natural_foreign=True, natural_primary=True, exclude=_exclude(), format="json",
                                indent=None, stdout=buf, database=alias)
        head = ChainHead.objects.using(alias).filter(pk=1).first()
    data = buf.getvalue().encode("utf-8")
    media = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in media.rglob("*") if p.is_file() and "tmp" not in p.relative_to(media).parts) if media.exists() else []
    manifest = {
        "format": FORMAT, "created_at": timezone.now().isoformat(), "engine": settings.DATABASES["default"]["ENGINE"],
        "data": {"name": "data.json", "sm3": integrity.sm3(data), "objects": len(json.loads(data))},
        "files": {str(p.relative_to(media)): integrity.sm3_file(p) for p in files},
        "audit_head": {"seq": head.seq, "seal": head.seal} if head else None,
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    tmp = target.with_name(target.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", manifest_bytes)
        z.writestr("manifest.sig", signature(manifest_bytes))
        z.writestr("data.json", data)
        for p in files:
            z.write(p, "files/" + str(p.relative_to(media)))
    os.replace(tmp, target)
    return manifest


def _read(source: Path) -> tuple[dict, bytes, zipfile.ZipFile]:
    try:
        z = zipfile.ZipFile(source)
        manifest_bytes = z.read("manifest.json")
        manifest = json.loads(manifest_bytes)
        data = z.read("data.json")
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BackupError(f"不是有效的 jixiao 备份文件：{_reason(exc)}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"备份格式不符：{found}（应为 {FORMAT}，带密钥签名的备份）")
    try:
        signed = z.read("manifest.sig").decode("ascii").strip()
    except (KeyError, UnicodeDecodeError):
        signed = ""
    if not integrity.is_hex_digest(signed) or not integrity.same(signature(manifest_bytes), signed):
        raise BackupError("备份的签名不符：清单被改动过，或备份不是用本系统的备份密钥（JIXIAO_BACKUP_KEY）制作的；未恢复任何数据")
    if not integrity.same(integrity.sm3(data), manifest["data"]["sm3"]):
        raise BackupError("备份文件已损坏：数据部分的 SM3 摘要与清单不符")
    for name, digest in manifest["files"].items():
        try:
            content = z.read("files/" + name)
        except KeyError:
            raise BackupError(f"备份文件不完整：缺少文件 {name}") from None
        if not integrity.same(integrity.sm3(content), digest):
            raise BackupError(f"备份文件已损坏：{name} 的 SM3 摘要与清单不符")
    _check_consistent(manifest, data)
    return manifest, data, z


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return "缺少清单或数据部分"
    if isinstance(exc, OSError):
        return exc.strerror or "无法读取"
    return "不是 zip 文件或内容无法解析"


def _check_consistent(manifest: dict, data: bytes) -> None:
    """The data of one moment: the audit chain in them is whole and ends at the manifest's head, and
    no draft is at a version older than its own recorded edits."""
    objects = json.loads(data)
    rows = sorted((o for o in objects if o.get("model") == "security.auditentry"), key=lambda o: o["fields"]["seq"])
    head = manifest.get("audit_head") or {"seq": 0, "seal": audit.GENESIS}
    entries = [audit.from_row({**o["fields"], "at": o["fields"]["at"].replace("Z", "+00:00")}) for o in rows]
    result = audit.verify(entries, head=ChainHead(seq=head["seq"], seal=head["seal"]))
    if not result.ok:
        raise BackupError(f"备份不一致，未恢复任何数据：审计日志{result.problems[0].message}")
    versions = {o["pk"]: o["fields"]["version"] for o in objects if o.get("model") == "web.package"}
    for o in objects:
        if o.get("model") == "web.fieldedit":
            package, version = o["fields"]["package"], o["fields"]["version"]
            if package in versions and version > versions[package]:
                raise BackupError(f"备份不一致，未恢复任何数据：一份草稿记为第 {versions[package]} 版，"
                                  f"而它的修改记录已到第 {version} 版（备份时数据仍在变化）")


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
    _anchor_restored(manifest.get("audit_head"))
    return check(manifest["data"]["objects"], len(manifest["files"]))


def _anchor_restored(head: dict | None) -> None:
    """Start the outside anchor at the restored head where it has none yet (a new installation)."""
    from jixiao.web.security import anchor, audit

    if head and head["seq"] and anchor.read(audit._key()).last is None:
        anchor.append(audit._key(), head["seq"], head["seal"])


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
