"""`jixiao manage import_packages TASK_ID FOLDER --user USERNAME`: packages units sent outside the
system, from a folder (or a .zip) on the server, read, matched, audited and stored as the units'
submissions — the same work as the page's zip import, run here at once. Exit 0 when every file
was imported, 1 when some were not (each listed with its reason) or the arguments are wrong."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jixiao.web.models import EvaluationTask, User
from jixiao.web.review import imports as bureau_imports
from jixiao.web.versions import ActionError


class Command(BaseCommand):
    help = "从服务器上的文件夹（或 .zip）导入单位在系统外报送的数据包（.docx/.xlsx/.txt）"

    def add_arguments(self, parser):
        parser.add_argument("task", type=int, help="自评任务编号")
        parser.add_argument("folder", help="文件夹或 .zip 的路径")
        parser.add_argument("--user", required=True, help="记为导入人的绩效评价股用户名")

    def handle(self, *args, **opts):
        try:
            task = EvaluationTask.objects.get(pk=opts["task"])
        except EvaluationTask.DoesNotExist:
            raise CommandError(f"没有编号为 {opts['task']} 的自评任务") from None
        try:
            user = User.objects.get(username=opts["user"])
        except User.DoesNotExist:
            raise CommandError(f"没有用户 {opts['user']}") from None
        source = Path(opts["folder"])
        try:
            if source.is_file() and source.suffix.lower() == ".zip":
                job = bureau_imports.start_zip_import(task_id=task.pk, user=user, filename=source.name, data=source.read_bytes(),
                                           enqueue=False)
                bureau_imports.run_import(job.pk)
                job.refresh_from_db()
            else:
                job = bureau_imports.folder_import(task_id=task.pk, user=user, folder=source)
        except ActionError as exc:
            raise CommandError(exc.message) from None
        if job.state == job.State.FAILED:
            raise CommandError(job.error)
        rows = bureau_imports.job_rows(job, job.requested_by)
        for r in rows:
            unit = f" → {r['unit']}" if r.get("unit") else ""
            version = f" 第{r['version']}版，错误{r['errors']}、警告{r['warnings']}" if r.get("version") else ""
            self.stdout.write(f"{r['outcome_label']}：{r['file']}{unit}{version}（{r.get('reason', '')}）")
        done = sum(1 for r in rows if r["outcome"] == "imported")
        self.stdout.write(f"共 {len(rows)} 个文件，导入 {done} 个。")
        if done < len(rows):  # exit 1: some files are not the units' submissions now (each listed above)
            raise CommandError(f"{len(rows) - done} 个文件未导入，原因见上")
