"""Every background job kind survives a worker killed with SIGKILL mid-job: the next worker (started
again, as an administrator or systemd would) ends the job within a minute by its heartbeat —
failed with a Chinese message, or, for the publication's PDF, run again to the end — and nothing
is half-applied: no half-written file where a page looks, no unit imported while others are not.

Real processes on a temporary SQLite file, as tests/web/test_security_worker.py does; the heartbeat
is shortened (a beat every 0.5 s, stale after 3 s) so that each test takes seconds."""

from __future__ import annotations

import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from .test_security_worker import ROOT, _env

pytestmark = pytest.mark.skipif(not Path("/usr/bin/soffice").exists() and not Path("/usr/bin/libreoffice").exists(),
                                reason="LibreOffice 未安装")

UNITS = 8
HEARTBEAT = {"JIXIAO_JOB_BEAT_SECONDS": "0.5", "JIXIAO_JOB_STALE_SECONDS": "3"}
RECOVERY_BOUND = 60  # seconds from the worker's restart to the job's end

BASE = f"""
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.web.settings"
django.setup()
from datetime import date
from django.core.management import call_command
call_command("migrate", verbosity=0)
from jixiao.web.models import Bureau, EvaluationTask, Package, Role, Status, Submission, Unit, User
from tests.web.conftest import canonical
b = Bureau.objects.create(name="某县财政局", region_code="430000")
t = EvaluationTask.objects.create(bureau=b, year=2023, title="2023年度自评", profile="national-2020", deadline=date(2024, 6, 30))
user = User.objects.create(username="czj", role=Role.BUREAU_PERFORMANCE, bureau=b)
doc = canonical()
for i in range({UNITS}):  # accepted, each with its version sent: what the batch jobs and publication work on
    u = Unit.objects.create(bureau=b, name=f"某县单位{{i:02d}}", budget_code=f"3010{{i:02d}}")
    t.units.add(u)
    p = Package.objects.create(task=t, unit=u, draft=doc, version=1, status=Status.ACCEPTED)
    Submission.objects.create(package=p, number=1, content=doc, content_hash=f"{{i:064d}}", hash_algorithm="SM3",
                              created_by=user, profile="national-2020", state=Submission.State.APPROVED)
for i in range({UNITS}):  # no package in the system yet: what the outside import would submit
    t.units.add(Unit.objects.create(bureau=b, name=f"某县外部单位{{i:02d}}", budget_code=f"3020{{i:02d}}"))
"""

HEAD = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.web.settings"
django.setup()
from jixiao.web.models import BatchJob, EvaluationTask, Package, PackageImport, Publication, RenderJob, User
t = EvaluationTask.objects.get()
user = User.objects.get(username="czj")
package = Package.objects.filter(task=t).order_by("unit__budget_code").first()
"""

ENQUEUE = {
    "render": """
from jixiao.web.jobs.render import render_pdf
job = RenderJob.objects.create(package=package, requested_by=user, version=1)
render_pdf.enqueue(job.pk)
""",
    "batch_audit": """
from jixiao.web.jobs.batch_audit import batch_audit
job = BatchJob.objects.create(task=t, kind=BatchJob.Kind.AUDIT, requested_by=user)
batch_audit.enqueue(job.pk)
""",
    "batch_pdf": """
from jixiao.web.jobs.batch_pdf import batch_pdf
job = BatchJob.objects.create(task=t, kind=BatchJob.Kind.PDF, requested_by=user)
batch_pdf.enqueue(job.pk)
""",
    "import": """
import sys
from jixiao.web.review.imports import start_zip_import
job = start_zip_import(task_id=t.pk, user=user, filename="外部报送.zip", data=open(sys.argv[1], "rb").read())
""",
    "execution": """
import sys
from jixiao.web.review.imports import start_execution_import
job = start_execution_import(task_id=t.pk, user=user, filename="一体化.csv", data=open(sys.argv[1], "rb").read())
""",
    "publication": """
from jixiao.web.review.services import publish
job = publish(package_id=package.pk, user=user)
""",
}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A var folder with the data every kind works on, made once and copied by each test."""
    var = tmp_path_factory.mktemp("jobs-kill") / "var"
    r = subprocess.run([sys.executable, "-c", BASE], env=_env(var), cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    return var


@pytest.fixture(scope="module")
def outside_zip(tmp_path_factory) -> Path:
    """A zip of workbooks for the units without a package, as units outside the system send them."""
    from jixiao import services

    from .conftest import FIXTURE

    folder = tmp_path_factory.mktemp("outside")
    pkg = services.read(path=FIXTURE)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(UNITS):
            pkg.unit.name, pkg.unit.budget_code = f"某县外部单位{i:02d}", f"3020{i:02d}"
            xlsx = services.render(package=pkg, outdir=folder / str(i), charts=False).xlsx
            z.writestr(f"外部/{pkg.unit.name}.xlsx", xlsx.read_bytes())
    path = folder / "外部报送.zip"
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture(scope="module")
def execution_csv(tmp_path_factory) -> Path:
    """An 一体化 export large enough that its one transaction takes a moment: every unit, many
    projects, every month."""
    lines = ["预算编码,项目,全年预算数,全年执行数,截至月份"]
    codes = [f"3010{i:02d}" for i in range(UNITS)] + [f"3020{i:02d}" for i in range(UNITS)]
    for code in codes:
        for project in range(40):
            for month in range(1, 13):
                lines.append(f"{code},项目{project:02d},200,{month * 10},{month if month < 12 else ''}")
    path = tmp_path_factory.mktemp("execution") / "一体化.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


class Worker:
    """`jixiao worker` in its own process group (the LibreOffice it starts dies with it)."""

    def __init__(self, var: Path):
        self.process = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "worker"], env=_env(var, **HEARTBEAT),
                                        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)


def _row(db: Path, sql: str, *args) -> tuple:
    with sqlite3.connect(db, timeout=20) as connection:
        return connection.execute(sql, args).fetchone()


def _until(probe, seconds: float, what: str) -> float:
    """Poll the probe until it holds; returns the seconds it took."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if probe():
            return time.monotonic() - began
        time.sleep(0.05)
    pytest.fail(what)


def _temporary(var: Path, folder: str, kind: str) -> list[Path]:
    root = var / "files" / folder
    return [p for p in root.iterdir() if p.is_dir() and p.name.startswith(f"tmp-{kind}-")] if root.is_dir() else []


def _start(kind: str, migrated: Path, tmp_path: Path, *args: str) -> tuple[Path, Path, int]:
    var = tmp_path / "var"
    shutil.copytree(migrated, var)
    script = HEAD + ENQUEUE[kind] + "\nprint(job.pk)\n"
    r = subprocess.run([sys.executable, "-c", script, *args], env=_env(var), cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return var, var / "jixiao.sqlite3", int(r.stdout.strip().splitlines()[-1])


def _kill_when(var: Path, mid_job, what: str) -> None:
    worker = Worker(var)
    try:
        _until(mid_job, 120, what)
    finally:
        worker.kill()


def _recovered_by_a_new_worker(var: Path, ended, what: str) -> float:
    worker = Worker(var)
    try:
        return _until(ended, RECOVERY_BOUND, what)
    finally:
        worker.kill()


def test_a_killed_pdf_render_ends_failed_with_no_pdf(migrated, tmp_path):
    var, db, pk = _start("render", migrated, tmp_path)

    def state():
        return _row(db, "SELECT state, error, file FROM web_renderjob WHERE id = ?", pk)

    _kill_when(var, lambda: state()[0] == "running" and _temporary(var, "pdf", "render"), "the render did not start")
    assert state()[0] == "running"
    left = _temporary(var, "pdf", "render")
    _recovered_by_a_new_worker(var, lambda: state()[0] != "running" and not any(p.exists() for p in left),
                               "the render was not ended (and its folder removed) within a minute")
    status, error, file = state()
    assert status == "failed" and "中断" in error and file == ""
    assert not (var / "files" / "pdf" / f"job-{pk}.pdf").exists() and not any(p.exists() for p in left)


def test_a_killed_batch_audit_ends_failed(migrated, tmp_path):
    var, db, pk = _start("batch_audit", migrated, tmp_path)

    def state():
        return _row(db, "SELECT state, done, total, error FROM web_batchjob WHERE id = ?", pk)

    def mid_job() -> bool:  # running: on a quiet machine the eight audits pass in a blink, so any point of it
        status, done, total, _ = state()
        return status == "running" and done < total

    _kill_when(var, mid_job, "the batch audit did not get going")
    assert state()[0] == "running"
    _recovered_by_a_new_worker(var, lambda: state()[0] != "running", "the batch audit was not ended within a minute")
    status, done, total, error = state()
    assert status == "failed" and "中断" in error and done < total == UNITS


def test_a_killed_batch_pdf_ends_failed_with_no_zip(migrated, tmp_path):
    var, db, pk = _start("batch_pdf", migrated, tmp_path)

    def state():
        return _row(db, "SELECT state, error, file FROM web_batchjob WHERE id = ?", pk)

    _kill_when(var, lambda: state()[0] == "running" and _temporary(var, "pdf", "batch"), "the batch PDF did not start")
    left = _temporary(var, "pdf", "batch")
    _recovered_by_a_new_worker(var, lambda: state()[0] != "running" and not any(p.exists() for p in left),
                               "the batch PDF was not ended (and its folder removed) within a minute")
    status, error, file = state()
    assert status == "failed" and "中断" in error and file == ""
    out = var / "files" / "batch"
    assert not out.exists() or not any(out.iterdir())
    assert not any(p.exists() for p in left)


def test_a_killed_outside_import_ends_failed_with_no_unit_imported(migrated, outside_zip, tmp_path):
    var, db, pk = _start("import", migrated, tmp_path, str(outside_zip))

    def state():
        return _row(db, "SELECT state, done, total, error, source FROM web_packageimport WHERE id = ?", pk)

    def outside_packages() -> int:
        return _row(db, "SELECT COUNT(*) FROM web_package p JOIN web_unit u ON p.unit_id = u.id "
                        "WHERE u.budget_code LIKE '3020%'")[0]

    _kill_when(var, lambda: state()[0] == "running" and 2 <= state()[1] < state()[2], "the import did not get going")
    assert state()[0] == "running"
    upload = var / "files" / state()[4]
    _recovered_by_a_new_worker(var, lambda: state()[0] != "running" and not upload.exists(),
                               "the import was not ended (and its upload removed) within a minute")
    status, done, total, error, source = state()
    assert status == "failed" and "中断" in error and "未导入任何数据包" in error and total == UNITS
    assert outside_packages() == 0  # not one of the files read before the kill was stored
    assert _row(db, "SELECT COUNT(*) FROM web_submission WHERE origin LIKE '外部导入%'")[0] == 0
    assert not (var / "files" / source).exists()  # the uploaded zip goes with the job


def test_a_killed_publication_pdf_is_rendered_again(migrated, tmp_path):
    var, db, pk = _start("publication", migrated, tmp_path)

    def state():
        return _row(db, "SELECT pdf, pdf_error, heartbeat_at, attempts FROM web_publication WHERE id = ?", pk)

    _kill_when(var, lambda: state()[2] is not None and _temporary(var, "public", "publication"),
               "the publication's PDF did not start")
    left = _temporary(var, "public", "publication")
    assert state()[0] == ""
    _recovered_by_a_new_worker(var, lambda: state()[0] != "" or state()[1] != "",
                               "the publication's PDF was neither made nor ended within a minute")
    pdf, error, _, attempts = state()
    assert error == "" and attempts == 2 and (var / "files" / pdf).is_file()
    assert (var / "files" / pdf).read_bytes().startswith(b"%PDF")
    # the killed run's folder goes at the worker's next look, once the job no longer runs
    worker = Worker(var)
    try:
        _until(lambda: not any(p.exists() for p in left), 10, "the killed run's temporary folder was left")
    finally:
        worker.kill()


def test_a_killed_execution_import_ends_failed_with_nothing_written(migrated, execution_csv, tmp_path):
    var, db, pk = _start("execution", migrated, tmp_path, str(execution_csv))

    def state():
        return _row(db, "SELECT state, progress, error, source FROM web_executionimportjob WHERE id = ?", pk)

    # killed while the rows are being written (progress 40: inside the import's one transaction)
    _kill_when(var, lambda: state()[0] == "running" and state()[1] >= 40, "the 一体化 import did not get going")
    assert state()[0] == "running"
    upload = var / "files" / state()[3]
    _recovered_by_a_new_worker(var, lambda: state()[0] != "running" and not upload.exists(),
                               "the 一体化 import was not ended (and its upload removed) within a minute")
    status, _, error, source = state()
    assert status == "failed" and "本次未导入任何执行数" in error
    assert _row(db, "SELECT COUNT(*) FROM web_executionfigure")[0] == 0
    assert _row(db, "SELECT COUNT(*) FROM web_executionimport")[0] == 0
    assert _row(db, "SELECT COUNT(*) FROM web_executioncheck")[0] == 0
    assert not (var / "files" / source).exists()  # the uploaded file goes with the job
