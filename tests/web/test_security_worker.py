"""A worker killed (SIGKILL) in the middle of a PDF job: no half-written PDF where the pages look;
the next worker marks the job failed with a Chinese message and clears its temporary folder.

Real processes on a temporary SQLite file: `jixiao worker` renders with LibreOffice; the test kills
its process group while the job is running."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.web.settings"
django.setup()
from datetime import date
from django.core.management import call_command
call_command("migrate", verbosity=0)
from jixiao.web.models import Bureau, EvaluationTask, Package, RenderJob, Role, Status, Unit, User
from jixiao.web.jobs.render import render_pdf
from tests.web.conftest import canonical
b = Bureau.objects.create(name="某县财政局", region_code="430000")
u = Unit.objects.create(bureau=b, name="某县林业局", budget_code="301001")
t = EvaluationTask.objects.create(bureau=b, year=2023, title="2023年度自评", profile="national-2020", deadline=date(2024, 6, 30))
p = Package.objects.create(task=t, unit=u, draft=canonical(), version=1, status=Status.DRAFT)
user = User.objects.create(username="lin_tb", role=Role.PREPARER, unit=u)
job = RenderJob.objects.create(package=p, requested_by=user, version=1)
render_pdf.enqueue(job.pk)
print(job.pk)
"""


def _env(var: Path, **extra) -> dict:
    """A worker's environment on its own SQLite file under `var` (made here: loading the settings
    writes nothing, and these scripts migrate with Django's command, not through `jixiao`)."""
    var.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "DATABASE_URL", "DJANGO_"))}
    return env | {"JIXIAO_VAR": str(var), "PYTHONPATH": str(ROOT)} | extra


def _job(db: Path, pk: int) -> tuple[str, int, str, str]:
    with sqlite3.connect(db, timeout=20) as c:
        return c.execute("SELECT state, progress, error, file FROM web_renderjob WHERE id = ?", (pk,)).fetchone()


@pytest.mark.skipif(not Path("/usr/bin/soffice").exists() and not Path("/usr/bin/libreoffice").exists(),
                    reason="LibreOffice 未安装")
def test_a_killed_worker_leaves_no_half_written_pdf(tmp_path):
    var = tmp_path / "var"
    r = subprocess.run([sys.executable, "-c", SETUP], env=_env(var), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    pk = int(r.stdout.strip().splitlines()[-1])
    db = var / "jixiao.sqlite3"
    worker = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "worker"], env=_env(var), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            state, progress, _, _ = _job(db, pk)
            pdf_dir = var / "files" / "pdf"
            # writing the .docx / converting with LibreOffice, with its temporary folder there to be left behind
            # (killed before the folder exists, there would be nothing to prove the clean-up on)
            if state == "running" and progress >= 20 and pdf_dir.is_dir() and any(p.is_dir() for p in pdf_dir.iterdir()):
                break
            assert state in ("queued", "running"), state
            time.sleep(0.05)
        else:
            pytest.fail("the job did not start")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and the LibreOffice it started
        worker.wait(30)
    state, _, _, file = _job(db, pk)
    final = var / "files" / "pdf" / f"job-{pk}.pdf"
    assert state == "running" and file == "" and not final.exists()
    left = [p for p in (var / "files" / "pdf").iterdir() if p.is_dir()]
    # the next worker: the job is marked failed, the temporary folder goes
    r = subprocess.run([sys.executable, "-m", "jixiao.cli", "worker", "--once"], env=_env(var, JIXIAO_JOB_STALE_SECONDS="0"),
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "已将 1 个中断的后台任务标记为失败或重新排队" in r.stdout
    state, _, error, file = _job(db, pk)
    assert state == "failed" and "生成中断" in error and file == "" and not final.exists()
    assert left and not any(p.exists() for p in left)
