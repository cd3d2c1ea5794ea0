"""The Redis/RQ backend of the Tasks API (many workers on many machines): the same PDF job, queued
in Redis and run by `jixiao worker` under JIXIAO_TASKS=rq. Runs where Redis answers at 127.0.0.1:6379."""

import os
import shutil
import socket
import subprocess
import sys
import textwrap

import pytest


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(not _redis_up(), reason="Redis is not running at 127.0.0.1:6379"),
    pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None, reason="no LibreOffice"),
]

SCRIPT = textwrap.dedent('''
    import django, os
    django.setup()
    from datetime import date
    from django.core.management import call_command
    from jixiao.web.models import Bureau, EvaluationTask, Package, RenderJob, Role, Unit, User
    from jixiao.web.jobs.render import render_pdf
    from tests.web.conftest import canonical
    call_command("migrate", verbosity=0)
    b = Bureau.objects.create(name="某县财政局", region_code="430001")
    u = Unit.objects.create(bureau=b, name="某县林业局", budget_code="301001")
    t = EvaluationTask.objects.create(bureau=b, year=2023, title="自评", profile="national-2020", deadline=date(2024, 6, 30))
    user = User.objects.create(username="tb", role=Role.PREPARER, unit=u)
    p = Package.objects.create(task=t, unit=u, draft=canonical(), version=1)
    job = RenderJob.objects.create(package=p, requested_by=user)
    render_pdf.enqueue(job.pk)
    job.refresh_from_db()
    assert job.state == "queued", job.state
    call_command("rqworker", "default", burst=True, job_class="django_tasks_rq.backend.Job", verbosity=0)
    job.refresh_from_db()
    print("STATE", job.state, job.progress, job.error)
''')


def test_the_pdf_job_runs_through_redis(tmp_path):
    env = {**os.environ, "JIXIAO_TASKS": "rq", "REDIS_URL": "redis://127.0.0.1:6379/14",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'rq.sqlite3'}", "JIXIAO_VAR": str(tmp_path / "var"),
           "DJANGO_SETTINGS_MODULE": "jixiao.web.settings"}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=root, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "STATE done 100" in r.stdout, r.stdout + r.stderr[-2000:]
