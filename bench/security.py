"""Benchmark: the cost of the audit log and the speed of its checks.

- record: appending one entry (HMAC-SM3 over the previous seal, the chain head locked), per entry;
- verify: checking the whole chain, entries per second;
- backup and restore check: `jixiao backup` of the database with N entries.

    .venv/bin/python bench/security.py            # SQLite in a temporary folder, 5,000 entries
    .venv/bin/python bench/security.py --pg       # PostgreSQL (DATABASE_URL or postgres://127.0.0.1:5432/test)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5000)
    ap.add_argument("--pg", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="jixiao-bench-security-")
    os.environ["JIXIAO_VAR"] = tmp
    if args.pg:
        os.environ.setdefault("DATABASE_URL", "postgres://127.0.0.1:5432/test")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.web.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jixiao.web.security import audit
    from jixiao.web.security.backup import backup
    from jixiao.web.security.models import AuditEntry

    start_seq = AuditEntry.objects.count()
    t0 = time.perf_counter()
    for i in range(args.n):
        audit.record("edit", target="package:1", path=f"projects[0].indicators[{i % 9}].actual", old=f"{i}%", new=f"{i + 1}%",
                     actor_name="bench")
    t1 = time.perf_counter()
    v = audit.verify()
    t2 = time.perf_counter()
    assert v.ok, v.first
    path = Path(tmp) / "backup.zip"
    backup(path)
    t3 = time.perf_counter()
    print(f"RESULT audit_record_ms={(t1 - t0) / args.n * 1000:.3f} ms")
    print(f"RESULT audit_verify_rate={v.entries / (t2 - t1):.0f} entries/s")
    print(f"RESULT audit_verify_total_s={t2 - t1:.2f} s ({v.entries} entries, {start_seq} before)")
    print(f"RESULT backup_s={t3 - t2:.2f} s ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
