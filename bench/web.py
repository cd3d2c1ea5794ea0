"""Benchmark: the web workspace on the example package.

- edit round trip: post one field and get the recomputed fragments back (the same request the page
  makes through htmx: read the typed entry, check the version, validate with the core, set the
  computed figures, score, audit, store the draft and the field edits, render every dependent
  fragment of the form), p50 / p95 over N edits to indicator actuals, judged scores and amounts;
- page load of each form of the package (p50 over a few loads each);
- where the time goes: a cProfile of a share of the edits, summed by layer;
- the bureau's dashboard of a task with 2,000 units / 20,000 projects (bench/web_bureau.py: p95 of the
  page and its sorted / filtered variants), and the batch audit of 2,000 sent packages through a
  worker process against the single-process bench/audit.py figure (bench/web_batch.py).

In process, through Django's test client (no sockets: the figures are the application's own time).

    .venv/bin/python bench/web.py                 # PostgreSQL (DATABASE_URL or postgres://127.0.0.1:5432/test), 500 edits
    .venv/bin/python bench/web.py --quick         # SQLite in a temporary folder, 60 edits: under a minute
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"


def setup_django(args) -> None:
    """The Django set-up the bureau benches share: the database (`--db` used as given, else one of
    the bench's own), a var folder of their own, the settings, any host, migrated."""
    os.environ["DATABASE_URL"] = args.db or _database(args)
    os.environ.setdefault("JIXIAO_VAR", tempfile.mkdtemp(prefix="jixiao-bench-var-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.web.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0, interactive=False)


def _database(args) -> str:
    if args.quick and not args.db:
        return f"sqlite:///{tempfile.mkdtemp(prefix='jixiao-bench-')}/bench.sqlite3"
    url = args.db or os.environ.get("DATABASE_URL") or "postgres://127.0.0.1:5432/test"
    if url.startswith("postgres"):
        # A database of its own, so the bench never touches the one the tests use.
        import psycopg

        base, _, name = url.rpartition("/")
        bench_db = os.environ.get("JIXIAO_BENCH_DB", "jixiao_bench")  # helpers sharing a server: one each
        if not bench_db.replace("_", "").isalnum():
            raise SystemExit("JIXIAO_BENCH_DB 只能含字母、数字和下划线")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")
            conn.execute(f"CREATE DATABASE {bench_db}")
        return f"{base}/{bench_db}"
    return url


def _setup():
    from datetime import date

    from django.core.management import call_command

    from jixiao import services
    from jixiao.web.drafts import fields
    from jixiao.web.models import Bureau, EvaluationTask, Package, Role, Status, Unit, User

    call_command("migrate", verbosity=0, interactive=False)
    bureau = Bureau.objects.create(name="基准测试财政局", region_code="999999")
    unit = Unit.objects.create(bureau=bureau, name="基准测试单位", budget_code="999001")
    task = EvaluationTask.objects.create(bureau=bureau, year=2022, title="基准", profile="xiangxi-2022",
                                         deadline=date(2023, 6, 30))
    user = User.objects.create(username="bench", role=Role.PREPARER, unit=unit)
    doc = fields.jsonable(services.to_canonical(package=services.read(path=EXAMPLE)))
    pkg = Package.objects.create(task=task, unit=unit, draft=doc, version=1, status=Status.DRAFT)
    return user, pkg


def _edits(n: int, start: int = 0):
    """Realistic edits on 附件4 公务接待拨款: actuals, judged scores, amounts — values that change."""
    fields = [
        ("projects[0].indicators[0].actual", lambda k: f"{300 + k % 90}批次"),
        ("projects[0].indicators[0].score", lambda k: f"{8 + (k % 20) / 10}"),
        ("projects[0].indicators[1].actual", lambda k: f"{1400 + k % 300}人次"),
        ("projects[0].funds[0].executed", lambda k: f"{3 + (k % 50) / 100:.2f}"),
        ("projects[0].indicators[3].reason", lambda k: f"按计划完成（第{k}次修改）"),
    ]
    for k in range(start, start + n):
        path, value = fields[k % len(fields)]
        yield path, value(k // len(fields))  # each field's value changes on each of its turns


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="SQLite, 60 edits (under a minute)")
    ap.add_argument("--edits", type=int, help="number of edits (default 500, quick 60)")
    ap.add_argument("--db", help="DATABASE_URL (default: PostgreSQL at 127.0.0.1:5432)")
    ap.add_argument("--no-profile", action="store_true")
    args = ap.parse_args(argv)
    n = args.edits or (60 if args.quick else 500)

    os.environ["DATABASE_URL"] = _database(args)
    os.environ.setdefault("JIXIAO_VAR", tempfile.mkdtemp(prefix="jixiao-bench-var-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.web.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    user, pkg = _setup()
    client = Client()
    client.force_login(user)
    engine = connection.vendor
    print(f"数据库：{engine}；示例数据包：{EXAMPLE.name}；{n} 次修改", file=sys.stderr)

    cpu: list[float] = []

    def edit(path: str, value: str) -> float:
        pkg.refresh_from_db(fields=["version"])
        t, c = time.perf_counter(), time.process_time()
        r = client.post(f"/p/{pkg.pk}/edit", {"path": path, "value": value, "version": pkg.version, "form": "project-0"},
                        HTTP_HX_REQUEST="true")
        dt = (time.perf_counter() - t) * 1000
        cpu.append((time.process_time() - c) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"edit {path}={value!r} failed: {r.status_code} {r.content[:300]!r}")
        return dt

    for path, value in list(_edits(5, start=5 * 1000)):  # warm-up: imports, template loading, first compute
        edit(path, value)
    cpu.clear()
    times = [edit(p, v) for p, v in _edits(n)]
    print(f"RESULT edit_roundtrip_p50_ms={statistics.median(times):.1f} ms")
    print(f"RESULT edit_roundtrip_p95_ms={_pct(times, 0.95):.1f} ms")
    print(f"RESULT edit_roundtrip_max_ms={max(times):.1f} ms")
    # The application's own CPU time per edit: on a shared, loaded machine the wall-clock figures
    # above include waiting for a core; this one does not (the database server's time is not in it).
    print(f"RESULT edit_roundtrip_cpu_p50_ms={statistics.median(cpu):.1f} ms")
    print(f"RESULT edit_roundtrip_cpu_p95_ms={_pct(cpu, 0.95):.1f} ms")
    print(f"负载：{os.getloadavg()[0]:.1f}（{os.cpu_count()} 核）", file=sys.stderr)

    from jixiao.web.drafts import layout

    pkg.refresh_from_db()
    loads = 3 if args.quick else 10
    for slug, _title in layout.form_index(pkg.draft):
        ts = []
        for _ in range(loads):
            t = time.perf_counter()
            r = client.get(f"/p/{pkg.pk}/f/{slug}/")
            ts.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, slug
        print(f"RESULT page_{slug.replace('-', '_')}_p50_ms={statistics.median(ts):.1f} ms")

    import web_bureau  # the bureau's dashboard of a task with many units (issue 11)

    web_bureau.run(300 if args.quick else 2000, 3 if args.quick else 10)
    import web_batch  # the batch audit of a task's packages through the worker, against bench/audit.py

    web_batch.run(200 if args.quick else 2000, single_docs=100 if args.quick else 1000)
    if not args.no_profile:
        _profile(edit, min(100, n))
    return 0


_LAYERS = [
    ("核心：读入规范数据包（from_canonical）", "jixiao/services.py", "from_canonical"),
    ("核心：计分（score）", "jixiao/services.py", "score"),
    ("核心：审核（audit）", "jixiao/services.py", "audit"),
    ("Web：写入计算值（apply_figures，含其中的读入与计分）", "jixiao/web/versions.py", "apply_figures"),
    ("Web：表单布局与单元格（layout / present）", "jixiao/web/drafts/present.py", "present"),
    ("Web：审核发现按表分组（findings_by_form）", "jixiao/web/drafts/computation.py", "findings_by_form"),
    ("Django 模板渲染", "django/template/base.py", "render"),
    ("数据库（SQL 执行）", "django/db/backends/utils.py", "_execute"),
]


def _profile(edit, n: int) -> None:
    prof = cProfile.Profile()
    prof.enable()
    t = time.perf_counter()
    for path, value in _edits(n, start=5 * 2000):
        edit(path, value)
    wall = time.perf_counter() - t
    prof.disable()
    stats = pstats.Stats(prof)
    print(f"\n每次修改耗时的去向（cProfile，{n} 次修改；累计时间，层次之间有包含关系）：")
    for label, file, func in _LAYERS:
        cum = sum(v[3] for k, v in stats.stats.items() if k[0].endswith(file) and k[2] == func)  # type: ignore[attr-defined]
        print(f"  {label:<46} {cum / n * 1000:7.1f} ms/次  {cum / wall * 100:5.1f}%")


if __name__ == "__main__":
    sys.exit(main())
