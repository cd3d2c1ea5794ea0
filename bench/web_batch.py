"""Benchmark: the bureau's batch audit of a task's packages through the worker, beside the
single-process `bench/audit.py` figure measured in the same run.

Called by bench/web.py; alone:

    .venv/bin/python bench/web_batch.py --packages 2000     # PostgreSQL (DATABASE_URL or the local test server)
    .venv/bin/python bench/web_batch.py --quick             # SQLite, 200 packages

Each package has a version sent to the bureau: the example package with its amounts perturbed
(seeded), so every version scores and audits to its own findings. The job is queued as the page
queues it and run by a real worker process (`jixiao worker --once`: the django-tasks database
backend, or rq when JIXIAO_TASKS=rq); the rate is the packages audited over the time from the job
starting to it being done (the worker's start-up is left out), for one worker. The single-process
figure audits the same number of seed-sized documents from disk, one after another in this
process (bench/audit.py's run_single).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"


def _perturbed(doc: dict, rng: random.Random) -> dict:
    """The example with every amount of its funds tables moved by up to ±15% (two decimals)."""
    import copy

    out = copy.deepcopy(doc)

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("initial", "annual", "executed") and isinstance(v, (str, int, float)) and str(v).replace(".", "", 1).isdigit():
                    node[k] = str((Decimal(str(v)) * Decimal(rng.randint(85, 115)) / 100).quantize(Decimal("0.01")))
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(out)
    return out


def build(n: int):
    """A bureau with one task of `n` units, each with a version sent to the bureau."""
    from jixiao import services
    from jixiao.web.drafts import fields
    from jixiao.web.models import Bureau, EvaluationTask, Package, Role, Status, Submission, Unit, User

    doc = fields.jsonable(services.to_canonical(package=services.read(path=EXAMPLE)))
    rng = random.Random(2022)
    bureau = Bureau.objects.create(name="批量审核基准财政局", region_code="777777")
    task = EvaluationTask.objects.create(bureau=bureau, year=2022, title="批量审核基准", profile="xiangxi-2022",
                                         deadline=date(2023, 6, 30))
    units = Unit.objects.bulk_create([Unit(bureau=bureau, name=f"基准单位{i:04d}", budget_code=f"7{i:05d}")
                                      for i in range(1, n + 1)], batch_size=500)
    task.units.add(*units)
    user = User.objects.create(username="bench-batch", role=Role.BUREAU_PERFORMANCE, bureau=bureau)
    pkgs = Package.objects.bulk_create([Package(task=task, unit=u, draft={}, version=1, status=Status.SUBMITTED)
                                        for u in units], batch_size=500)
    variants = [_perturbed(doc, rng) for _ in range(50)]  # 50 distinct versions, repeated over the units
    Submission.objects.bulk_create([
        Submission(package=p, number=1, content=variants[i % len(variants)], content_hash=f"{i:064d}", hash_algorithm="SM3",
                   created_by=user, profile="xiangxi-2022", state=Submission.State.APPROVED)
        for i, p in enumerate(pkgs)], batch_size=200)
    return user, task


def through_worker(task, user, timeout: float = 3600) -> tuple[float, int, int]:
    """Queue the batch audit, run one worker process until the queue is empty; (seconds from the
    job starting to it being done, packages audited, packages the core could not read)."""
    from django.db import transaction

    from jixiao.web.jobs.batch_audit import batch_audit
    from jixiao.web.models import BatchJob

    with transaction.atomic():
        job = BatchJob.objects.create(task=task, kind=BatchJob.Kind.AUDIT, requested_by=user)
        transaction.on_commit(lambda: batch_audit.enqueue(job.pk))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    worker = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "worker", "--once"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    started = finished = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            state = BatchJob.objects.filter(pk=job.pk).values_list("state", flat=True).get()
            now = time.perf_counter()
            if state == BatchJob.State.RUNNING and started is None:
                started = now
            if state in (BatchJob.State.DONE, BatchJob.State.FAILED):
                finished = now
                break
            if worker.poll() is not None and state == BatchJob.State.QUEUED:
                raise SystemExit(f"the worker exited without running the job: {worker.stderr.read()[-2000:]}")
            time.sleep(0.05)
        else:
            raise SystemExit("the batch audit did not finish in time")
    finally:
        worker.wait(600)
    job.refresh_from_db()
    if job.state != BatchJob.State.DONE:
        raise SystemExit(f"the batch audit failed: {job.error}")
    unreadable = sum(1 for r in job.results if r.get("error"))
    return finished - (started or finished), len(job.results), unreadable


def single_process(n: int) -> float:
    """bench/audit.py's single-process figure (documents per second, wall clock) over n documents."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import audit as A

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-audit-") as tmp:
        paths = A.write_corpus(Path(tmp), n)
        wall, _cpu, _per_doc, _errors, _unreadable = A.run_single(paths)
    return len(paths) / wall


def run(n: int, single_docs: int | None = None) -> None:
    t0 = time.perf_counter()
    user, task = build(n)
    print(f"批量审核基准：{n} 个已报送版本；建数 {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    seconds, audited, unreadable = through_worker(task, user)
    rate = audited / seconds if seconds else float("inf")
    print(f"批量审核（后台任务，1 个 worker）：{audited} 个，{seconds:.1f} s，{unreadable} 个无法读取", file=sys.stderr)
    single = single_process(single_docs or min(n, 1000))
    print(f"RESULT batch_audit_packages={audited}")
    print(f"RESULT batch_audit_pkgs_per_s_per_worker={rate:.1f} 1/s")
    print(f"RESULT single_process_audit_docs_per_s={single:.1f} 1/s")
    print(f"RESULT batch_audit_vs_single_ratio={rate / single:.2f} x")


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="SQLite, 200 packages")
    ap.add_argument("--packages", type=int)
    ap.add_argument("--db")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from web import setup_django

    setup_django(args)
    run(args.packages or (200 if args.quick else 2000))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
