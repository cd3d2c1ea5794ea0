"""Writing, checking and exporting the audit log.

`record(...)` is the one way in: called by the web services inside the transaction of the change
they make (so a change and its entry are committed or rolled back together), and by the login
signals and the refusal middleware for security events.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jixiao import integrity
from jixiao.web.security import context
from jixiao.web.security.models import ACTIONS, AuditEntry, ChainHead, Result

GENESIS = "0" * 64

def _key() -> bytes:
    key = getattr(settings, "JIXIAO_AUDIT_KEY", "") or ("jixiao-audit:" + settings.SECRET_KEY)
    return key.encode("utf-8")


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds")


def _now() -> datetime:
    # Milliseconds: what every database keeps and Django's JSON serialiser writes (backups), so the
    # sealed time is the stored time everywhere.
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def seal_of(e: AuditEntry, prev: str, key: bytes | None = None) -> str:
    """The seal of entry `e` following a chain whose last seal is `prev`."""
    payload = integrity.canonical_json([e.seq, _stamp(e.at), e.actor, e.actor_id, e.role, e.ip, e.action, e.target,
                                        e.path, e.old, e.new, e.result, e.detail])
    return integrity.hmac_sm3(key or _key(), prev.encode("ascii") + b"\n" + payload)


def copy(e: AuditEntry, seq: int) -> AuditEntry:
    c = AuditEntry(**{f.attname: getattr(e, f.attname) for f in AuditEntry._meta.concrete_fields})
    c.seq = seq
    return c


def _head_for_update() -> ChainHead:
    # The UPDATE takes the row's write lock first (PostgreSQL row lock, SQLite's write lock), so two
    # writers never read the same head; the second waits for the first to commit.
    if not ChainHead.objects.filter(pk=1).update(seq=F("seq")):
        ChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "seal": GENESIS})
    return ChainHead.objects.select_for_update().get(pk=1)


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": "", "actor_id": None, "role": ""}
    return {"actor": actor.get_username(), "actor_id": actor.pk, "role": getattr(actor, "role", "") or ""}


def _entry(ctx, action: str, *, actor=None, target: str = "", path: str = "", old=None, new=None,
           result: str = Result.OK, detail: str = "", actor_name: str = "") -> AuditEntry:
    """An entry not yet numbered or sealed (the slow part — JSON, actor — done before the head is taken)."""
    if actor is None and ctx is not None:
        actor = ctx.user
    fields = _actor_fields(actor)
    if actor_name and not fields["actor"]:
        fields["actor"] = actor_name[:150]
    return AuditEntry(ip=(ctx.ip if ctx else "")[:64], action=action, target=target[:200], path=path[:300],
                      old=_json(old), new=_json(new), result=result, detail=detail, **fields)


def _append(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Number, seal and store entries at the end of the chain, in one short hold of its head."""
    key = _key()
    with transaction.atomic():
        head = _head_for_update()
        seq, prev = head.seq, head.seal
        for e in entries:
            seq += 1
            e.seq, e.at, e.prev = seq, _now(), prev
            e.seal = prev = seal_of(e, prev, key)
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            AuditEntry.objects.bulk_create(entries)
        ChainHead.objects.filter(pk=1).update(seq=seq, seal=prev)
    return entries


def record(action: str, *, actor=None, target: str = "", path: str = "", old=None, new=None,
           result: str = Result.OK, detail: str = "", actor_name: str = "") -> AuditEntry:
    """Append one entry. `actor` defaults to the request's user; the address is the request's."""
    e = _entry(context.current(), action, actor=actor, target=target, path=path, old=old, new=new, result=result,
               detail=detail, actor_name=actor_name)
    return _append([e])[0]


def record_field_edits(edits: Iterable, actor=None) -> list:
    """One entry per FieldEdit (path, old, new), in the caller's transaction, appended together: the
    chain's head (every writer's lock until commit) is taken once, not once per field — an edit that
    moves a total records a dozen computed fields. Returns the edits."""
    edits = list(edits)
    ctx = context.current()
    entries = [_entry(ctx, fe.kind, actor=actor or fe.user, target=f"package:{fe.package_id}", path=fe.path, old=fe.old,
                      new=fe.new, detail=f"草稿第{fe.version}版") for fe in edits]
    if entries:
        _append(entries)
    return edits


# --- verification ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    seq: int  # the entry concerned (for a removal: the number that is missing)
    kind: str  # altered | removed | inserted | head
    message: str


@dataclass(frozen=True)
class Verification:
    entries: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def verify(entries: Iterable[AuditEntry] | None = None, head: ChainHead | None = None) -> Verification:
    """Walk the chain in order of sequence number and name every break: an entry whose seal does not
    match its content (altered), a missing number (removed), an entry that does not belong between
    its neighbours (inserted), a head that does not match the last entry (the newest removed)."""
    key = _key()
    rows = list(entries if entries is not None else AuditEntry.objects.order_by("seq").iterator(chunk_size=2000))
    if head is None and entries is None:
        head = ChainHead.objects.filter(pk=1).first()
    problems: list[Problem] = []
    prev_seal, expected = GENESIS, 1

    def fits(e: AuditEntry, seq: int, prev: str) -> bool:
        """Entry e's seal is right for number `seq` following the seal `prev`."""
        if not integrity.same(e.prev, prev):
            return False
        return integrity.same(seal_of(copy(e, seq), prev, key), e.seal)

    for i, e in enumerate(rows):
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if e.seq == expected and fits(e, e.seq, prev_seal):
            pass
        elif e.seq != expected and fits(e, expected, prev_seal):
            # intact, but renumbered: an entry was put in before it (reported there) or numbers were changed
            if not any(p.kind == "inserted" for p in problems):
                problems.append(Problem(e.seq, "altered", f"第 {e.seq} 条的序号被改动（原为第 {expected} 条）"))
            prev_seal, expected = e.seal, expected + 1
            continue
        elif nxt is not None and fits(nxt, expected, prev_seal):
            problems.append(Problem(e.seq, "inserted", f"第 {e.seq} 条是插入的：它前后两条原本相连"))
            continue
        elif fits(e, e.seq, e.prev):
            if e.seq > expected:
                what = f"第 {expected} 条" if e.seq == expected + 1 else f"第 {expected}–{e.seq - 1} 条"
            else:
                what = f"第 {e.seq} 条之前的记录"
            problems.append(Problem(min(expected, e.seq), "removed", f"{what}被删除或替换：第 {e.seq} 条与前一条不相连"))
        else:
            problems.append(Problem(e.seq, "altered", f"第 {e.seq} 条被修改：内容与封印不符"))
        prev_seal, expected = e.seal, e.seq + 1
    if head is not None:
        last = rows[-1] if rows else None
        if head.seq != (last.seq if last else 0) or not integrity.same(head.seal, last.seal if last else GENESIS):
            problems.append(Problem((last.seq + 1) if last else 1, "head",
                                    f"日志末尾缺失记录：链头记为第 {head.seq} 条，现存最后一条为第 {last.seq if last else 0} 条"))
    return Verification(len(rows), problems)


# --- export ----------------------------------------------------------------------------------------

EXPORT_FIELDS = ("seq", "at", "actor", "actor_id", "role", "ip", "action", "action_name", "target", "path", "old", "new",
                 "result", "detail", "prev", "seal")


def _row(e: AuditEntry) -> dict:
    return {"seq": e.seq, "at": _stamp(e.at), "actor": e.actor, "actor_id": e.actor_id, "role": e.role, "ip": e.ip,
            "action": e.action, "action_name": ACTIONS.get(e.action, e.action), "target": e.target, "path": e.path,
            "old": e.old, "new": e.new, "result": e.result, "detail": e.detail, "prev": e.prev, "seal": e.seal}


def export_rows(since: datetime | None = None) -> Iterator[dict]:
    qs = AuditEntry.objects.order_by("seq")
    if since is not None:
        qs = qs.filter(at__gte=since)
    for e in qs.iterator(chunk_size=2000):
        yield _row(e)


def export(fmt: str, out: io.TextIOBase, since: datetime | None = None) -> int:
    """Write the log as CSV (with a header, UTF-8) or JSON lines; returns the number of entries.
    Cells are written as text: an exported `=…` value is prefixed so a spreadsheet does not run it."""
    n = 0
    if fmt == "csv":
        w = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
        w.writeheader()
        for row in export_rows(since):
            w.writerow({k: _cell(v) for k, v in row.items()})
            n += 1
    elif fmt == "json":
        for row in export_rows(since):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    else:
        raise ValueError(f"不支持的格式：{fmt}（可选 csv、json）")
    return n


def _cell(v):
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def from_row(row: dict) -> AuditEntry:
    """An entry read back from a JSON export (to verify an exported copy)."""
    return AuditEntry(seq=int(row["seq"]), at=datetime.fromisoformat(row["at"]), actor=row["actor"], actor_id=row["actor_id"],
                      role=row["role"], ip=row["ip"], action=row["action"], target=row["target"], path=row["path"],
                      old=row["old"], new=row["new"], result=row["result"], detail=row["detail"], prev=row["prev"],
                      seal=row["seal"])
