"""The audit chain's head, anchored outside the database.

Inside the database, the chain finds an entry changed, removed or inserted, and `ChainHead` finds the
newest entries removed — unless whoever removed them also moved the head back, or removed everything
(rows and head), or emptied the table with TRUNCATE. Those leave a chain that is whole, only shorter.
So every committed append also writes one line to a file outside the database
(JIXIAO_AUDIT_ANCHOR, default `audit-anchor.log` under JIXIAO_VAR; make it append-only with
`chattr +a`, or put it where the database's owner cannot write, such as a log server's mount):

    <seq> <seal> <mac>

`mac` is HMAC-SM3 under the audit key over the number and the seal, so a line cannot be made up
without the key. verify-log compares: the newest number the anchor saw must still be in the
database with the same seal. Lines are written after commit (a rolled-back change never reaches the
file); one line is short enough for the kernel to append it whole, whichever process writes it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from jixiao import integrity


@dataclass(frozen=True)
class Mark:
    seq: int
    seal: str


def anchor_path() -> Path:
    configured = getattr(settings, "JIXIAO_AUDIT_ANCHOR", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit-anchor.log"


def _mac(key: bytes, seq: int, seal: str) -> str:
    return integrity.hmac_sm3(key, f"jixiao-anchor\n{seq}\n{seal}".encode("ascii"))


def append(key: bytes, seq: int, seal: str) -> None:
    """Add the chain's new head to the anchor file (called once the entries are committed)."""
    path = anchor_path()
    line = f"{seq} {seal} {_mac(key, seq, seal)}\n".encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError:
        # The change is committed and sealed in the database; a missing anchor line only makes the
        # anchor older than the chain, which verify-log accepts (it checks the anchor's last mark).
        pass


@dataclass(frozen=True)
class AnchorReading:
    exists: bool
    last: Mark | None  # the highest-numbered valid line
    bad_lines: list[int]  # line numbers (1-based) whose MAC does not match


def read(key: bytes) -> AnchorReading:
    path = anchor_path()
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return AnchorReading(False, None, [])
    except OSError:
        return AnchorReading(True, None, [0])
    last, bad = None, []
    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[0].isdigit() or not integrity.same(_mac(key, int(parts[0]), parts[1]), parts[2]):
            bad.append(number)
            continue
        mark = Mark(int(parts[0]), parts[1])
        if last is None or mark.seq > last.seq:
            last = mark
    return AnchorReading(True, last, bad)
