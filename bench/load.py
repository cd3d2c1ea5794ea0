"""Load test: many people at once on the real server, PostgreSQL, 2,000 units (issue 12, "Load").

    .venv/bin/python bench/load.py                # 50 users for 5 minutes (after a 30 s warm-up)
    .venv/bin/python bench/load.py --quick        # 10 users for 30 s (after 10 s), 300 units
    .venv/bin/python bench/load.py --users 20 --duration 120 --units 2000

What it does, all on 127.0.0.1 and bounded in time:

1. (Re)creates its own PostgreSQL database (`jixiao_load`, next to DATABASE_URL's or on the local
   server), migrates it and seeds a bureau with N units in one task (bench/web_bureau.py's data: each
   draft the example with 10 projects), a preparer and a head per unit (a second preparer for the
   units being edited, so that two people edit one package at once), a pending version for the
   units in review, what each sent version holds, and bureau users with a TOTP device.
2. Starts the real server as a separate process with the production settings (JIXIAO_ENV=production:
   secure cookies, HTTPS-only, CSP, TOTP for bureau roles): gunicorn, `--workers` processes of
   `--threads` threads. The load generator plays the TLS reverse proxy a deployment has in front
   (X-Forwarded-Proto/For), so nothing of the security is switched off.
3. Runs locust headless, in a child process (gevent stays out of this one), with three kinds of user:
   - preparers (3 in 5): log in, open a form of their package, edit its fields through the same
     endpoint the page posts to (`/p/<pk>/edit` with the version the page showed, as htmx does); a
     409 (someone else changed that field) is handled as a person would: re-read the page, then
     either enter one's value again on the version now shown or leave the colleague's (half each);
   - heads (1 in 5): log in as the head of a unit whose package waits for review, read it, approve it
     with the unit's opinion, read the versions, log out; then the next unit;
   - bureau users (1 in 5): log in with password and TOTP code (computed from the device's secret),
     open the task dashboard in sorted, filtered and searched variants (whole page and the htmx
     table), and open units' packages.
4. Afterwards checks in the database that nothing was lost: every edit the server accepted is the
   field's value at the version it answered, no accepted edit was overwritten by one made without
   seeing it, every field's final value is its last recorded change, every approval is in place, and
   the audit chain is whole.

Prints `RESULT name=value unit` lines: requests per second, p50/p95 per page type, 5xx count, lost
updates, the server's memory (RSS of the gunicorn processes summed) after the warm-up and at the end
and their ratio. Targets: 0 5xx, 0 lost updates, memory end within 20 % of start.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
DB_NAME = "jixiao_load"
PASSWORD = "Load-test-密码-2026"  # the seeded users' password (a throw-away database)
EDIT_FORMS = ("project-0", "project-1")  # the forms preparers work on (overlapping: conflicts happen)

# --- arguments -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10 users, 30 s after a 10 s warm-up, 300 units")
    ap.add_argument("--users", type=int, help="simulated users (default 50; quick 10)")
    ap.add_argument("--duration", type=float, help="measured seconds after the warm-up (default 300; quick 30)")
    ap.add_argument("--warmup", type=float, help="seconds of load before measuring (default 30; quick 10)")
    ap.add_argument("--units", type=int, help="units in the task (default 2000; quick 300)")
    ap.add_argument("--db", help="a PostgreSQL URL whose server to use (default DATABASE_URL or postgres://127.0.0.1:5432/)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2: two cores)")
    ap.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards (default: drop it)")
    ap.add_argument("--child", help=argparse.SUPPRESS)  # internal: run the locust side, write results here
    args = ap.parse_args(argv)
    q = args.quick
    args.users = args.users or (10 if q else 50)
    args.duration = args.duration if args.duration is not None else (30.0 if q else 300.0)
    args.warmup = args.warmup if args.warmup is not None else (10.0 if q else 30.0)
    args.units = args.units or (300 if q else 2000)
    if args.users < 3:
        ap.error("--users：至少 3 个（填报人、负责人、财政局用户各至少 1 个）")
    if args.duration <= 0 or args.warmup < 0:
        ap.error("--duration 必须大于 0，--warmup 不能为负")
    if args.units < 12:
        ap.error("--units：至少 12 个单位")
    if args.workers < 1 or args.threads < 1:
        ap.error("--workers 与 --threads 至少为 1")
    return args


def mix(users: int) -> dict[str, int]:
    """How many of each kind: 3 preparers in 5 (an even number, in pairs on one package), 1 head and 1
    bureau user in 5, at least one of each."""
    bureau = max(1, round(users / 5))
    heads = max(1, round(users / 5))
    preparers = users - bureau - heads
    return {"preparer": preparers, "head": heads, "bureau": bureau}


def totp(key_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1), what an authenticator app shows for the device's secret."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return f"{code:0{digits}d}"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else float("nan")


# --- the database --------------------------------------------------------------------------------


def server_url(args) -> str:
    url = args.db or os.environ.get("DATABASE_URL") or "postgres://127.0.0.1:5432/postgres"
    if not url.startswith("postgres"):
        raise SystemExit("错误：负载测试需要 PostgreSQL（--db postgres://主机:端口/库）")
    base, _, _ = url.rpartition("/")
    return base


def recreate_db(base: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return f"{base}/{DB_NAME}"


def drop_db(base: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def server_env(db_url: str, var: str, port: int) -> dict[str, str]:
    """The production settings, from the environment as a deployment sets them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "DJANGO_"))}
    env.update({
        "JIXIAO_ENV": "production",
        "JIXIAO_SECRET_KEY": os.environ.get("JIXIAO_LOAD_SECRET") or secrets.token_urlsafe(50),
        "JIXIAO_ALLOWED_HOSTS": "127.0.0.1",
        "JIXIAO_PROXY_COUNT": "1",  # the load generator plays the reverse proxy
        "DATABASE_URL": db_url,
        "JIXIAO_VAR": var,
        "DJANGO_SETTINGS_MODULE": "jixiao.web.settings",
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    })
    return env


def seed(units: int, n: dict[str, int]) -> dict:
    """The data of the run (Django set up by the caller). Returns what the load generator needs."""
    sys.path.insert(0, str(BENCH))
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from web_bureau import build

    from jixiao.web import versions
    from jixiao.web.drafts import figures
    from jixiao.web.drafts.computation import compute
    from jixiao.web.models import Package, Role, Status, Submission, User

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    _, task = build(units)  # the dashboard bench's bureau, task, units and packages
    pw = make_password(PASSWORD)  # one Argon2 hash for everybody: seeding stays quick
    pkgs = list(Package.objects.filter(task=task).select_related("unit").order_by("unit__budget_code"))
    by_status: dict[str, list[Package]] = {}
    for p in pkgs:
        by_status.setdefault(p.status, []).append(p)
    drafts = by_status.get(Status.DRAFT, [])
    pairs = (n["preparer"] + 1) // 2
    edited = drafts[:pairs]
    users = []
    for p in pkgs:
        code = p.unit.budget_code
        users.append(User(username=f"tb{code}", display_name=f"填报{code}", role=Role.PREPARER, unit=p.unit, password=pw))
        users.append(User(username=f"fz{code}", display_name=f"负责{code}", role=Role.UNIT_HEAD, unit=p.unit, password=pw))
    for p in edited:
        code = p.unit.budget_code
        users.append(User(username=f"tb{code}b", display_name=f"填报{code}乙", role=Role.PREPARER, unit=p.unit, password=pw))
    bureau_users = [User(username=f"czj{k:02d}", display_name=f"财政局{k:02d}", role=Role.BUREAU_PERFORMANCE,
                         bureau=task.bureau, password=pw) for k in range(n["bureau"])]
    User.objects.bulk_create(users + bureau_users, batch_size=1000)
    keys = {}
    for u in User.objects.filter(username__in=[b.username for b in bureau_users]):
        key = secrets.token_hex(20)
        TOTPDevice.objects.create(user=u, name="动态口令", key=key, confirmed=True)
        keys[u.username] = key
    # What a sent version holds: the draft as submitted (references resolved), hashed. The drafts are
    # all the same document, so it is computed once.
    doc = pkgs[0].draft
    content = figures.resolve_document(doc, compute(doc).report)
    algo, digest = versions.content_hash(content)
    Submission.objects.filter(package__task=task).update(content=content, content_hash=digest, hash_algorithm=algo)
    head_of = {p.unit_id: f"fz{p.unit.budget_code}" for p in pkgs}
    creators = dict(User.objects.filter(role=Role.PREPARER, unit__in=[p.unit for p in by_status.get(Status.IN_REVIEW, [])])
                    .values_list("unit_id", "pk"))
    Submission.objects.bulk_create([
        Submission(package=p, number=1, content=content, content_hash=digest, hash_algorithm=algo,
                   created_by_id=creators[p.unit_id], profile=task.profile, note="填报人提交", state=Submission.State.PENDING)
        for p in by_status.get(Status.IN_REVIEW, [])], batch_size=200)
    print(f"建数：{units} 个单位、{len(users) + len(bureau_users)} 个账号，{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return {
        "task": task.pk,
        "edit": [[p.pk, [f"tb{p.unit.budget_code}", f"tb{p.unit.budget_code}b"]] for p in edited],
        "review": [[p.pk, head_of[p.unit_id]] for p in by_status.get(Status.IN_REVIEW, [])],
        "bureau": [[u, k] for u, k in keys.items()],
        "sent": [p.pk for p in pkgs if p.status in (Status.SUBMITTED, Status.ACCEPTED, Status.PUBLISHED)],
        "password": PASSWORD,
    }


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn) if gunicorn.exists() else "gunicorn", "jixiao.web.wsgi:application",
           "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "gthread",
           "--threads", str(threads), "--timeout", "120", "--graceful-timeout", "20",
           "--access-logfile", "-", "--access-logformat", '%(s)s %(m)s %(U)s %(M)sms',
           "--error-logfile", "-", "--forwarded-allow-ips", "127.0.0.1", "--no-control-socket"]
    out = open(log, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    proc._log = out  # type: ignore[attr-defined]
    import urllib.request

    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"错误：服务进程启动失败（见 {log}）：\n" + log.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200 and len(server_pids(proc.pid)) > workers:
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"错误：服务在 60 秒内没有就绪（见 {log}）")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    proc._log.close()  # type: ignore[attr-defined]


def server_pids(master: int) -> list[int]:
    """The gunicorn master and its workers."""
    pids = [master]
    try:
        pids += [int(x) for x in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        pass
    return pids


def cpu_s(pids: list[int]) -> float:
    """CPU time (user + system) the processes have used, in seconds."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


# --- after the run: nothing lost -----------------------------------------------------------------


def check_nothing_lost(results: dict) -> dict:
    """Compare what the server acknowledged with the database (Django set up by the caller)."""
    from collections import defaultdict

    from jixiao.web.drafts import fields
    from jixiao.web.models import FieldEdit, Package, Status, Submission
    from jixiao.web.security import audit

    out = {"accepted_edits": 0, "lost_updates": 0, "blind_overwrites": 0, "final_mismatches": 0, "approvals": 0,
           "approvals_lost": 0, "problems": []}
    edits = results["edits"]  # [pk, path, raw, base_version, answered_version, username]
    out["accepted_edits"] = len(edits)
    pks = sorted({e[0] for e in edits})
    history: dict[tuple[int, str], list[tuple[int, object, str, str]]] = defaultdict(list)
    for pk, path, version, new, kind, who in (FieldEdit.objects.filter(package_id__in=pks).order_by("version", "id")
                                              .values_list("package_id", "path", "version", "new", "kind", "user__username")):
        history[(pk, path)].append((version, new, kind, who))
    # all packages were seeded with the same draft: an untouched one shows what the edited ones held
    seed_doc = Package.objects.filter(task_id=results["task"]).exclude(pk__in=pks).values_list("draft", flat=True).first()
    drafts = dict(Package.objects.filter(pk__in=pks).values_list("pk", "draft"))

    def value_at(pk: int, path: str, version: int):
        v = fields.get(seed_doc, path)
        for ver, new, _kind, _who in history[(pk, path)]:
            if ver <= version:
                v = new
        return v

    def problem(text: str) -> None:
        if len(out["problems"]) < 20:
            out["problems"].append(text)

    for pk, path, raw, base, answered, who in edits:
        value = fields.read_entry(fields.field_kind(path), raw).value
        if value_at(pk, path, answered) != value:
            out["lost_updates"] += 1
            problem(f"package {pk} {path}: accepted {raw!r} at version {answered}, "
                    f"the history has {value_at(pk, path, answered)!r}")
            continue
        # An edit that wrote the field (not one that found its value already there) must have seen the
        # field's previous change: made on a version at or after it, or agreeing with it. Otherwise the
        # previous value was overwritten by someone who never saw it.
        changes = history[(pk, path)]
        wrote = next((i for i, (ver, new, kind, by) in enumerate(changes)
                      if ver == answered and by == who and kind == "edit" and new == value), None)
        if wrote:  # (the field's first change has no earlier one to overwrite)
            prev_ver, prev_new, _kind, prev_by = changes[wrote - 1]
            if prev_ver > base and prev_new != value:
                out["blind_overwrites"] += 1
                problem(f"package {pk} {path}: {prev_new!r} (version {prev_ver}, {prev_by}) overwritten by {value!r} "
                        f"({who}, made on version {base})")
    by_path = {(e[0], e[1]) for e in edits}
    # every edited field's final value is its last recorded change
    for (pk, path) in by_path:
        last = history[(pk, path)][-1][1] if history[(pk, path)] else fields.get(seed_doc, path)
        if fields.get(drafts[pk], path) != last:
            out["final_mismatches"] += 1
            problem(f"package {pk} {path}: final {fields.get(drafts[pk], path)!r}, last recorded {last!r}")
    out["lost_updates"] += out["blind_overwrites"] + out["final_mismatches"]
    for pk, opinion in results["approvals"]:
        out["approvals"] += 1
        p = Package.objects.get(pk=pk)
        sub = Submission.objects.filter(package=p, state=Submission.State.APPROVED).order_by("-number").first()
        ops = [o for o in (sub.content.get("opinions") or []) if o.get("text") == opinion] if sub else []
        if p.status != Status.SUBMITTED or not ops:
            out["approvals_lost"] += 1
            problem(f"package {pk}: approval acknowledged, status {p.status}, opinion in the version: {bool(ops)}")
    v = audit.verify()
    out["audit_entries"], out["audit_ok"] = v.entries, v.ok
    if not v.ok:
        problem(f"audit chain: {v.first.message if v.first else ''}")
    return out


# --- the orchestrator --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        from load_users import run_child  # gevent (locust) only in the child process

        return run_child(args)
    import importlib.util

    missing = [m for m in ("locust", "gunicorn") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"错误：缺少 {'、'.join(missing)}：请先执行 .venv/bin/pip install -e '.[load]'（或 make bench-load）", file=sys.stderr)
        return 2
    n = mix(args.users)
    base = server_url(args)
    try:
        db_url = recreate_db(base)
    except Exception as exc:  # noqa: BLE001 - no server, no rights: say so, exit 2
        print(f"错误：无法创建数据库 {DB_NAME}：{exc}", file=sys.stderr)
        return 2
    var = tempfile.mkdtemp(prefix="jixiao-load-")
    port = args.port or free_port()
    env = server_env(db_url, var, port)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("JIXIAO_", "DJANGO_", "DATABASE_URL"))})
    import django

    django.setup()
    from django.db import connections

    setup = seed(args.units, n)
    connections.close_all()
    log = Path(var) / "server.log"
    proc = start_server(env, port, args.workers, args.threads, log)
    print(f"服务：gunicorn {args.workers} 个进程 × {args.threads} 个线程，http://127.0.0.1:{port}/（生产设置）；"
          f"用户：{n['preparer']} 填报人、{n['head']} 负责人、{n['bureau']} 财政局；预热 {args.warmup:.0f} s，测量 {args.duration:.0f} s",
          file=sys.stderr)
    result_file = Path(var) / "locust.json"
    setup_file = Path(var) / "setup.json"
    setup_file.write_text(json.dumps(setup | {"host": f"http://127.0.0.1:{port}", "mix": n}, ensure_ascii=False))
    samples: list[tuple[float, int]] = []
    loads: list[tuple[float, float]] = []
    cpu: list[tuple[float, float]] = []
    child = subprocess.Popen([sys.executable, __file__, "--child", str(result_file), "--users", str(args.users),
                              "--duration", str(args.duration), "--warmup", str(args.warmup), "--units", str(args.units)],
                             env=os.environ | {"JIXIAO_LOAD_SETUP": str(setup_file)}, cwd=ROOT)
    try:
        limit = time.time() + args.warmup + args.duration + 180  # bounded: the child stops its users itself
        while child.poll() is None:
            samples.append((time.time(), rss_kib(server_pids(proc.pid))))
            loads.append((time.time(), os.getloadavg()[0]))
            cpu.append((time.time(), cpu_s(server_pids(proc.pid))))
            if time.time() > limit:
                child.kill()
                print("错误：负载进程超时，已终止", file=sys.stderr)
                break
            time.sleep(1.0)
        time.sleep(2)  # the load is over: the server idle, with what it kept
        idle = rss_kib(server_pids(proc.pid))
    finally:
        if child.poll() is None:
            child.kill()
        stop_server(proc)
    if child.returncode != 0 or not result_file.exists():
        print(f"错误：负载进程失败（退出码 {child.returncode}）；服务日志：{log}", file=sys.stderr)
        return 1
    results = json.loads(result_file.read_text())
    checked = check_nothing_lost(results | {"task": setup["task"]})
    report(args, results, checked, samples, log, loads, idle, cpu)
    connections.close_all()
    if not args.keep:
        drop_db(base)
    ok = results["status_5xx"] == 0 and checked["lost_updates"] == 0 and checked["approvals_lost"] == 0 and checked["audit_ok"]
    return 0 if ok else 1


def rss_window(samples: list[tuple[float, int]], t0: float, t1: float) -> float:
    """The median RSS sampled between t0 and t1 (each login's Argon2 hash takes 100 MiB for a moment:
    one sample may catch it, the median of a window does not)."""
    inside = [kib for at, kib in samples if t0 <= at <= t1]
    return statistics.median(inside) if inside else float("nan")


def report(args, results: dict, checked: dict, samples: list[tuple[float, int]], log: Path,
           loads: list[tuple[float, float]], idle: int, cpu: list[tuple[float, float]]) -> None:
    window = results["measure_end"] - results["measure_start"]
    times: dict[str, list[float]] = results["times"]
    total = sum(len(v) for v in times.values())
    print(f"RESULT users={args.users}")
    print(f"RESULT measured_s={window:.0f} s")
    print(f"RESULT requests={total}")
    print(f"RESULT requests_per_s={total / window:.1f} req/s")
    # The server's own CPU per request (its workers' user + system time over the measured window):
    # unlike the wall-clock times below, it does not grow when other jobs take the cores.
    inside = [(at, c) for at, c in cpu if results["measure_start"] <= at <= results["measure_end"]]
    if len(inside) >= 2 and total:
        used, span = inside[-1][1] - inside[0][1], inside[-1][0] - inside[0][0]
        print(f"RESULT server_cpu_ms_per_request={used * 1000 / (total * span / window):.0f} ms")
        print(f"RESULT server_cpu_cores_used={used / span:.2f} cores")
    for name in sorted(times):
        v = times[name]
        if v:
            key = name.replace(" ", "_")
            print(f"RESULT {key}_count={len(v)}")
            print(f"RESULT {key}_p50_ms={statistics.median(v):.0f} ms")
            print(f"RESULT {key}_p95_ms={pct(v, 0.95):.0f} ms")
    print(f"RESULT status_5xx={results['status_5xx']}")
    print(f"RESULT request_failures={results['failures']}")
    server_errors = sum(1 for line in log.read_text(errors="replace").splitlines() if line.startswith(("Internal Server Error", "Traceback")))
    print(f"RESULT server_tracebacks={server_errors}")
    print(f"RESULT accepted_edits={checked['accepted_edits']}")
    print(f"RESULT edit_conflicts_409={results['conflicts']}")
    print(f"RESULT conflict_reentries_accepted={results['reentries']}")
    print(f"RESULT edit_rejected_422={results['rejected']}")
    print(f"RESULT lost_updates={checked['lost_updates']}")
    print(f"RESULT approvals={checked['approvals']}")
    print(f"RESULT approvals_lost={checked['approvals_lost']}")
    print(f"RESULT audit_chain_ok={int(checked['audit_ok'])}")
    ms, me = results["measure_start"], results["measure_end"]
    span = min(20.0, (me - ms) / 4)
    start, end = rss_window(samples, ms, ms + span), rss_window(samples, me - span, me)
    peak = max((kib for at, kib in samples if ms <= at <= me), default=0)
    print(f"RESULT server_rss_start_mib={start / 1024:.1f} MiB")
    print(f"RESULT server_rss_end_mib={end / 1024:.1f} MiB")
    print(f"RESULT server_rss_end_over_start={end / start if start else float('nan'):.3f}")
    print(f"RESULT server_rss_peak_mib={peak / 1024:.1f} MiB")
    print(f"RESULT server_rss_idle_after_mib={idle / 1024:.1f} MiB")
    for p in checked["problems"] + results["samples_5xx"] + results["failure_samples"] + results["rejected_samples"]:
        print(f"  问题：{p}", file=sys.stderr)
    during = [x for at, x in loads if results["measure_start"] <= at <= results["measure_end"]]
    # The machine's 1-minute load average while measuring (the load generator and PostgreSQL share
    # the cores with the server; other jobs on a shared machine too).
    print(f"RESULT load_average_mean={statistics.fmean(during) if during else float('nan'):.1f} ({os.cpu_count()} cores)")
    print(f"服务日志：{log}", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    sys.exit(main())
