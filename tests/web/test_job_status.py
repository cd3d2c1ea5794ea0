"""One status for every job a page polls (jobs/status.py): the sentence states the state once, the
polling partial polls only while the job is queued or running, and every job kind a worker runs
for a page has its entry."""

from __future__ import annotations

from jixiao.web.jobs import recovery
from jixiao.web.jobs.status import kind_of, status_of
from jixiao.web.models import AuditJob, BatchJob, ExecutionImportJob, PackageImport, Publication, RenderJob

from .conftest import client_for, text_of


def _render_job(world, **fields) -> RenderJob:
    return RenderJob.objects.create(package=world["package"], requested_by=world["preparer"], version=1, **fields)


def test_a_finished_pdf_says_its_state_once_and_offers_the_file(world):
    job = _render_job(world, state=RenderJob.State.DONE, progress=100, step="已完成", file="pdf/job-1.pdf")
    html = client_for(world["preparer"]).get(f"/p/{world['package'].pk}/pdf/{job.pk}").content.decode()
    assert text_of(html, f"pdf-progress-{job.pk}") == "100%"
    assert "PDF：已完成</label>" in html and "（已完成）" not in html
    assert f'href="/p/{world["package"].pk}/pdf/{job.pk}/download"' in html
    assert "hx-get" not in html  # ended: the page stops polling


def test_a_running_pdf_says_its_step_and_polls_itself(world):
    job = _render_job(world, state=RenderJob.State.RUNNING, progress=50, step="转换为 PDF（LibreOffice）")
    html = client_for(world["preparer"]).get(f"/p/{world['package'].pk}/pdf/{job.pk}").content.decode()
    assert "PDF：生成中（转换为 PDF（LibreOffice））" in html
    assert f'hx-get="/p/{world["package"].pk}/pdf/{job.pk}"' in html and "下载 PDF" not in html


def test_a_failed_job_gives_its_reason_and_no_file(world):
    job = _render_job(world, state=RenderJob.State.FAILED, progress=20, step="失败", error="生成失败：转换超时")
    status = status_of(job, world["preparer"])
    assert (status.sentence, status.failure, status.files, status.poll_url) == ("PDF：失败", "生成失败：转换超时", (), "")


def test_another_units_job_is_not_found(world):
    job = _render_job(world)
    assert client_for(world["other"]).get(f"/p/{world['package'].pk}/pdf/{job.pk}").status_code in (403, 404)
    assert client_for(world["preparer"]).get(f"/p/{world['package'].pk}/pdf/{job.pk + 1}").status_code == 404


def test_a_batch_counts_its_packages_and_the_import_its_files(world):
    batch = BatchJob.objects.create(task=world["task"], kind=BatchJob.Kind.AUDIT, requested_by=world["bureau"],
                                    state=BatchJob.State.RUNNING, total=2, done=1)
    zip_import = PackageImport.objects.create(task=world["task"], requested_by=world["bureau"], filename="外部.zip",
                                              source="x.zip", state=PackageImport.State.QUEUED, total=9)
    assert status_of(batch, world["bureau"]).sentence == "批量审核：进行中（1/2）"
    queued = status_of(zip_import, world["bureau"])
    assert (queued.sentence, queued.progress.percent) == ("导入“外部.zip”：排队中（0/9）", 0)
    html = client_for(world["bureau"]).get(f"/b/t/{world['task'].pk}/batch/{batch.pk}").content.decode()
    assert 'id="batch-job"' in html and f'hx-get="/b/t/{world["task"].pk}/batch/{batch.pk}"' in html


def test_every_job_kind_a_page_polls_has_a_status():
    """Recovery's list of kinds is every job a worker runs; all but the publication's PDF (the public
    page reads it, nobody polls it) and the API's audit (polled through the API, answered as JSON) are
    polled by a page and so need an entry here."""
    polled = {kind.model for kind in recovery.KINDS} - {Publication, AuditJob}
    assert polled == {RenderJob, BatchJob, PackageImport, ExecutionImportJob}
    jobs = [model(pk=1) for model in polled - {BatchJob}] + [BatchJob(pk=1, kind=k) for k in BatchJob.Kind.values]
    kinds = {kind_of(job).name for job in jobs}
    assert kinds == {"render", "batch_audit", "batch_pdf", "package_import", "execution_import"}
