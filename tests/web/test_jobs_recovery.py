"""The jobs layer's recovery in one process (the kill tests in test_jobs_kill.py run real workers):
the publication's PDF is queued again once and then ended with a message the public page shows;
the temporary folders of live jobs are kept, those of ended ones removed; a job ended as interrupted
is never run again by a late delivery."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.utils import timezone

from jixiao.web.jobs import heartbeat, recovery
from jixiao.web.jobs.render import render_pdf
from jixiao.web.models import BatchJob, Publication, RenderJob

from .conftest import client_for
from .test_bureau import accept, sent  # noqa: F401 - the fixture, used by name

LONG_AGO = timedelta(seconds=31)


def _published(sent) -> Publication:  # noqa: F811 - the fixture
    pkg = accept(sent, sent["package"])
    assert client_for(sent["bureau"]).post(f"/b/p/{pkg.pk}/decide", {"action": "publish"}).status_code == 302
    return Publication.objects.get(package=pkg)


def _silent(pub: Publication, attempts: int) -> None:
    """As a worker killed while rendering leaves it: begun, its last beat long ago."""
    Publication.objects.filter(pk=pub.pk).update(heartbeat_at=timezone.now() - LONG_AGO, attempts=attempts)


def test_a_publication_pdf_is_queued_again_once_then_ended_with_a_message_the_public_page_shows(sent):  # noqa: F811
    pub = _published(sent)
    _silent(pub, attempts=1)
    assert recovery.recover()["publication"] == [pub.pk]
    pub.refresh_from_db()
    assert pub.heartbeat_at is None and pub.pdf_error == ""  # queued again, not ended
    _silent(pub, attempts=2)
    recovery.recover()
    pub.refresh_from_db()
    assert pub.pdf == "" and "中断" in pub.pdf_error
    anon = Client()
    page = anon.get("/public/2023/301001/").content.decode()
    assert "正在生成" not in page and "PDF 生成中断" in page
    r = anon.get("/public/2023/301001/report.pdf")
    assert r.status_code == 404 and "正在生成" not in r.content.decode()


def test_a_live_jobs_folder_is_kept_and_an_ended_ones_removed(sent):  # noqa: F811
    def job(state: str, beat_age: timedelta) -> BatchJob:
        made = BatchJob.objects.create(task=sent["task"], kind=BatchJob.Kind.PDF, requested_by=sent["bureau"], state=state)
        BatchJob.objects.filter(pk=made.pk).update(heartbeat_at=timezone.now() - beat_age)
        return made

    live, dead, done = job("running", timedelta(seconds=2)), job("running", LONG_AGO), job("done", LONG_AGO)
    root = Path(settings.MEDIA_ROOT) / "pdf"
    folders = {j.pk: root / f"{heartbeat.folder_prefix('batch', j.pk)}x" for j in (live, dead, done)}
    for folder in folders.values():
        folder.mkdir(parents=True)
    assert recovery.recover()["batch"] == [dead.pk]
    assert folders[live.pk].is_dir() and not folders[dead.pk].exists() and not folders[done.pk].exists()
    live.refresh_from_db()
    assert live.state == "running"


def test_a_job_ended_as_interrupted_is_not_run_again(sent):  # noqa: F811
    package = sent["package"]
    job = RenderJob.objects.create(package=package, requested_by=sent["bureau"], version=package.version,
                                   state=RenderJob.State.FAILED, error=recovery.INTERRUPTED)
    assert render_pdf.call(job.pk) == ""
    job.refresh_from_db()
    assert job.state == RenderJob.State.FAILED and job.attempts == 0 and job.file == ""
