"""A worker killed (SIGKILL) in the middle of the bureau's batch PDF: no zip where the page looks;
the next worker marks the job failed and clears the temporary folder.

Real processes on a temporary SQLite file, as tests/web/test_security_worker.py does for one PDF."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_security_worker import ROOT, _env

SETUP = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.web.settings"
django.setup()
from datetime import date
from django.core.management import call_command
call_command("migrate", verbosity=0)
from jixiao.web.models import BatchJob, Bureau, EvaluationTask, Package, Role, Status, Submission, Unit, User
from jixiao.web.jobs.batch_pdf import batch_pdf
from tests.web.conftest import canonical
b = Bureau.objects.create(name="某县财政局", region_code="430000")
t = EvaluationTask.objects.create(bureau=b, year=2023, title="2023年度自评", profile="national-2020", deadline=date(2024, 6, 30))
user = User.objects.create(username="czj", role=Role.BUREAU_PERFORMANCE, bureau=b)
doc = canonical()
for i in range(12):  # enough for three LibreOffice runs: the kill lands while one is converting
    u = Unit.objects.create(bureau=b, name=f"某县单位{i:02d}", budget_code=f"3010{i:02d}")
    p = Package.objects.create(task=t, unit=u, draft=doc, version=1, status=Status.ACCEPTED)
    Submission.objects.create(package=p, number=1, content=doc, content_hash=f"{i:064d}", hash_algorithm="SM3",
                              created_by=user, profile="national-2020", state=Submission.State.APPROVED)
job = BatchJob.objects.create(task=t, kind=BatchJob.Kind.PDF, requested_by=user)
batch_pdf.enqueue(job.pk)
print(job.pk)
"""


def _job(db: Path, pk: int) -> tuple[str, int, str, str]:
    with sqlite3.connect(db, timeout=20) as c:
        return c.execute("SELECT state, done, error, file FROM web_batchjob WHERE id = ?", (pk,)).fetchone()


@pytest.mark.skipif(not Path("/usr/bin/soffice").exists() and not Path("/usr/bin/libreoffice").exists(),
                    reason="LibreOffice 未安装")
def test_a_killed_worker_leaves_no_half_written_zip(tmp_path):
    var = tmp_path / "var"
    r = subprocess.run([sys.executable, "-c", SETUP], env=_env(var), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    pk = int(r.stdout.strip().splitlines()[-1])
    db = var / "jixiao.sqlite3"
    tmp_root, out_dir = var / "files" / "pdf", var / "files" / "batch"
    worker = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "worker"], env=_env(var), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            state, done, _, _ = _job(db, pk)
            # past the first LibreOffice run (PDFs in the temporary folder), not yet zipped
            if state == "running" and done >= 5 and tmp_root.is_dir() and any(p.is_dir() for p in tmp_root.iterdir()):
                break
            assert state in ("queued", "running"), state
            time.sleep(0.05)
        else:
            pytest.fail("the job did not get going")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and the LibreOffice it started
        worker.wait(30)
    state, _, _, file = _job(db, pk)
    assert state == "running" and file == ""
    assert not out_dir.exists() or not any(out_dir.iterdir())  # no zip, whole or half, where the page looks
    left = [p for p in tmp_root.iterdir() if p.is_dir()]
    assert left and any(left[0].rglob("*.pdf"))  # what was made so far stays in the temporary folder only
    r = subprocess.run([sys.executable, "-m", "jixiao.cli", "worker", "--once"], env=_env(var, JIXIAO_JOB_TIMEOUT="0"),
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    state, _, error, file = _job(db, pk)
    assert state == "failed" and "中断" in error and file == ""
    assert not any(p.exists() for p in left)
    assert not out_dir.exists() or not any(out_dir.iterdir())
