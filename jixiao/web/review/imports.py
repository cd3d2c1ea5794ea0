"""The bureau's imports (issue 11): the 一体化 system's budget execution, 运行监控, and packages the
units sent outside the system.

**Budget execution.** The bureau uploads the 一体化 system's export (.csv or .xlsx) on a task. Its
columns are found by their header labels (预算编码, 单位名称 optional, 项目 / 项目名称, 全年预算数,
全年执行数 / 执行数, optionally 截至月份 / 月份; a unit in the header such as “全年执行数（元）” is
converted to 万元). Every row is checked before anything is written — a figure that is not a
number, a 预算编码 that is not a unit of the task, a name that does not belong to the code, a
month outside 1–12, a row repeated — and one bad row stores nothing: all the problems are listed,
each with its row.

Rows without a month (or with 12) are the year's final figures. In one transaction they are stored
(`ExecutionFigure`) and then:

- the drafts the units still hold (草稿 or 退回, not yet sent) get their 全年预算数 and 全年执行数
  pre-filled in the 年度资金总额 row of the matching table — a project by its name, the unit as a
  whole (附件3) when the row names no project — as FieldEdits of kind ``import``, so the history
  shows it. A figure the unit has already entered **differently is never overwritten**: the unit
  knows its own books and the difference may be explained (a late adjustment, a different
  scope), so its figure stays, a comment anchored to that field says what the 一体化 system has, and
  the package is flagged like any other difference. A figure already equal (at the precision the
  form prints, 0.01 万元) is left alone.
- every package whose stated figures differ from the imported ones is flagged: the bureau sees
  the count on the dashboard and the list (单位填报 vs 一体化) on the package's review page. The
  figures compared are those the bureau reads: the latest version sent, else the draft. The count
  is kept per package with the package version it was made on (`ExecutionCheck`) and worked out
  again only for packages that moved on since, so listing 2,000 units re-reads nothing else.

Rows with a month 1–11 are in-year figures: `monitoring` applies the core's
`results_use.monitoring_warning` with the task profile's `monitoring_thresholds`.

**Outside packages.** A .zip (uploaded) or a folder on the server (`jixiao manage import_packages`)
of .docx / .xlsx / .txt packages is read in the worker (`import_packages`), each file through
`jixiao.services`, matched to its unit (预算编码, else 单位名称, else the file name naming exactly
one unit), audited, and stored as a version sent to the bureau beside the unit's draft, marked as
outside (`Submission.origin`: “外部导入：文件名”): the draft is never overwritten, and only a unit
that has not started in the system becomes 已报送 by it. The zip is checked before it is stored (size, members,
inflated size and ratio) and each member again when it is read; a member with an unsafe path, an
unsupported type or unreadable content is listed with the reason, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django_tasks import task as background_task
from openpyxl import load_workbook

from jixiao import services
from jixiao.core.numbers import MONEY_UNITS, fmt_amount, fmt_percent, normalize, parse_amount, round_half_up, stated_agrees
from jixiao.core.results_use import monitoring_warning
from jixiao.web import access
from jixiao.web.drafts import fields
from jixiao.web.drafts.computation import compute
from jixiao.web.jobs import heartbeat
from jixiao.web.models import (
    EDITABLE_STATUSES,
    Comment,
    EvaluationTask,
    ExecutionCheck,
    ExecutionFigure,
    ExecutionImport,
    ExecutionImportJob,
    Package,
    PackageImport,
    Status,
    Submission,
    Unit,
    User,
)
from jixiao.web.review.selectors import may_run_spot_check
from jixiao.web.versions import SENT, ActionError, latest_sent, log, save_draft, snapshot, summarise

MB = 1024 * 1024
MAX_ROWS = 50_000
YEAR_END = 0  # ExecutionFigure.month of the year's final figures


class ImportProblems(ActionError):
    """A refused import with every problem found (each naming its row or member)."""

    def __init__(self, message: str, problems: list[str] | None = None, status: int = 422):
        super().__init__(message, status)
        self.problems = list(problems or [])


def _key(text: str) -> str:
    """A name as compared: full-width folded, white space dropped."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


# --- the 一体化 file ------------------------------------------------------------------------------

# column → (header labels, tried in order; required)
COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "code": (("预算编码", "预算单位编码", "单位编码"), True),
    "name": (("单位名称", "预算单位名称"), False),
    "project": (("项目名称", "项目"), True),
    "budget": (("全年预算数",), True),
    "executed": (("全年执行数", "执行数"), True),
    "month": (("截至月份", "月份"), False),
}
LABEL = {"code": "预算编码", "name": "单位名称", "project": "项目", "budget": "全年预算数", "executed": "全年执行数",
         "month": "截至月份"}
_HEAD = re.compile(r"^(?P<label>[^()]+?)\s*(?:\((?P<unit>[^()]*)\))?$")
_PLAIN = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_TOTALS = {"合计", "总计", "小计", "本页合计"}
_MONTH = re.compile(r"^(?:(?P<y>\d{4})\s*[-/年.]\s*)?(?P<m>\d{1,2})\s*月?(?:份|末)?$")


@dataclass(frozen=True)
class ExecRow:
    row: int  # the row number in the file (1-based, as a spreadsheet shows it)
    code: str
    name: str
    project: str  # "" for the unit as a whole
    month: int  # YEAR_END or 1–11
    budget: Decimal  # 万元
    executed: Decimal  # 万元


def _cells(filename: str, data: bytes) -> list[list[object]]:
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ImportProblems("请上传一体化系统导出的 .csv 或 .xlsx 文件", status=400)
    if not data:
        raise ImportProblems("上传的文件是空的", status=400)
    limit = settings.JIXIAO_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise ImportProblems(f"文件过大（{len(data) / MB:.1f} MB），上限 {limit // MB} MB", status=413)
    if suffix == ".csv":
        if b"\x00" in data[:4096]:
            raise ImportProblems("该文件不是文本格式的 .csv（可能是改了扩展名的其他文件）", status=400)
        try:
            text = services.decode_csv(data=data)
        except services.ServiceError as exc:
            raise ImportProblems(exc.message, status=400) from None
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        delimiter = "\t" if first.count("\t") > first.count(",") else ","  # some systems export tab-separated text
        try:
            return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
        except csv.Error as exc:
            raise ImportProblems(f"无法读取 .csv 文件：第{exc.args[0] if exc.args else ''}处格式有误") from None
    _check_office_zip(data)

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = []
        for r in ws.iter_rows(values_only=True):
            rows.append(list(r))
            if len(rows) > MAX_ROWS + 20:
                break
        wb.close()
        return rows
    except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file, said in words
        raise ImportProblems("无法读取该 .xlsx 文件：文件已损坏，或不是 Excel 工作簿", status=400) from None


def _check_office_zip(data: bytes) -> None:
    """An .xlsx is a zip: refuse a damaged one, or one that inflates far beyond a spreadsheet."""
    buf = io.BytesIO(data)
    if not zipfile.is_zipfile(buf):
        raise ImportProblems("该 .xlsx 文件不是有效的 Excel 工作簿（旧版 .xls 请先另存为 .xlsx）", status=400)
    try:
        with zipfile.ZipFile(buf) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportProblems("该 .xlsx 文件已损坏，无法读取", status=400) from None
    if sum(m.file_size for m in members) > 200 * MB or any(
            m.file_size > MB and m.file_size > 100 * max(m.compress_size, 1) for m in members):
        raise ImportProblems("该 .xlsx 文件解压后异常庞大，疑似压缩炸弹，已拒绝", status=400)


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _header(rows: list[list[object]]) -> tuple[int, dict[str, int], dict[str, str]]:
    """(index of the header row, column → index, column → money unit) — found by labels, never by position."""
    for i, r in enumerate(rows[:10]):
        found: dict[str, int] = {}
        units: dict[str, str] = {}
        for j, cell in enumerate(r):
            m = _HEAD.match(normalize(_text(cell)).replace(" ", ""))
            if not m:
                continue
            for col, (labels, _) in COLUMNS.items():
                if col not in found and m["label"] in labels:
                    found[col], units[col] = j, (m["unit"] or "").strip()
        if "code" in found:
            return i, found, units
    return -1, {}, {}


def _amount(v: object, unit: str) -> Decimal:
    """A figure of the file, strictly: a number and nothing else (thousands separators allowed), in 万元."""
    if isinstance(v, bool):
        raise ValueError
    if isinstance(v, int):
        value = Decimal(v)
    elif isinstance(v, float):
        value = Decimal(repr(v))  # the shortest text that gives the same double: what the cell shows
    elif isinstance(v, Decimal):
        value = v
    else:
        text = normalize(_text(v)).replace(" ", "")
        if not _PLAIN.match(text):
            raise ValueError
        value = Decimal(text.replace(",", ""))
    if not value.is_finite():
        raise ValueError
    return value * MONEY_UNITS[unit] / MONEY_UNITS["万元"]


# Far above any unit's budget, and inside what the database keeps (20 digits, 6 after the point):
# a figure of thousands of digits is refused with a message instead of failing where it is stored.
LARGEST_AMOUNT = Decimal(10) ** 12  # 万元


def _quoted(raw: object, limit: int = 24) -> str:
    text = _text(raw)
    return text if len(text) <= limit else text[:limit] + "…"


def _month(v: object) -> int:
    if isinstance(v, (datetime, date)):
        return v.month
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    m = _MONTH.match(normalize(_text(v)))
    if not m:
        raise ValueError
    return int(m["m"])


def read_execution_file(filename: str, data: bytes, units: dict[str, Unit] | None = None) -> list[ExecRow]:
    """The rows of an 一体化 export, every problem listed by row; nothing is half-read. `units`
    (预算编码 → unit): each row's code must be one of them, and its 单位名称, if given, that unit's."""
    rows = _cells(filename, data)
    head_i, cols, head_units = _header(rows)
    if head_i < 0:
        raise ImportProblems("没有找到表头：前10行中没有“预算编码”一列", [f"表头应包含：{'、'.join(LABEL[c] for c, (_, req) in COLUMNS.items() if req)}"])
    missing = [LABEL[c] for c, (_, req) in COLUMNS.items() if req and c not in cols]
    if missing:
        raise ImportProblems(f"缺少列：{'、'.join(missing)}", [f"第{head_i + 1}行是表头，其中没有“{m}”" for m in missing])
    money = {}
    problems = []
    for c in ("budget", "executed"):
        u = head_units.get(c) or "万元"
        if u not in MONEY_UNITS:
            problems.append(f"“{LABEL[c]}”列的单位“{u}”无法识别（应为元、万元或亿元）")
        money[c] = u
    if problems:
        raise ImportProblems("表头有误", problems)
    body = rows[head_i + 1:]
    if len(body) > MAX_ROWS:
        raise ImportProblems(f"文件行数过多（超过 {MAX_ROWS} 行），请分批导入")
    out: list[ExecRow] = []
    seen: dict[tuple[str, str, int], int] = {}
    for n, r in enumerate(body, start=head_i + 2):
        cell = {c: (r[j] if j < len(r) else None) for c, j in cols.items()}
        if not any(_text(v) for v in r):
            continue
        if not _text(cell["code"]) and any(_key(_text(v)) in _TOTALS for v in r):
            continue  # the export's own 合计 row: not a unit
        mine = []
        code = _text(cell["code"])
        name = _text(cell.get("name"))
        if not code:
            mine.append(f"第{n}行：缺少预算编码")
        elif units is not None and code not in units:
            mine.append(f"第{n}行：预算编码“{code}”不是本任务的参评单位")
        elif units is not None and name and _key(name) != _key(units[code].name):
            mine.append(f"第{n}行：预算编码“{code}”是“{units[code].name}”，文件中写的是“{name}”")
        figures = {}
        for c in ("budget", "executed"):
            raw = cell[c]
            if not _text(raw):
                mine.append(f"第{n}行：缺少“{LABEL[c]}”")
                continue
            try:
                figures[c] = _amount(raw, money[c])
            except (ValueError, InvalidOperation, ArithmeticError):
                mine.append(f"第{n}行：“{LABEL[c]}”的“{_quoted(raw)}”不是数字")
                continue
            if abs(figures[c]) >= LARGEST_AMOUNT:
                mine.append(f"第{n}行：“{LABEL[c]}”的“{_quoted(raw)}”过大（折合超过 1 万亿万元），不是预算执行的数字")
                figures.pop(c)
                continue
            if figures[c] < 0:
                mine.append(f"第{n}行：“{LABEL[c]}”不能为负数（{_text(raw)}）")
        month = YEAR_END
        if "month" in cols and _text(cell["month"]):
            try:
                month = _month(cell["month"])
                if not 1 <= month <= 12:
                    raise ValueError
            except (ValueError, TypeError):
                mine.append(f"第{n}行：截至月份“{_text(cell['month'])}”应为 1–12 的月份")
                month = YEAR_END
            if month == 12:  # to the end of December: the year's final figures
                month = YEAR_END
        project = _text(cell["project"])
        if not mine:
            k = (code, _key(project), month)
            if k in seen:
                mine.append(f"第{n}行：与第{seen[k]}行重复（同一预算编码、项目和月份）")
            seen[k] = n
        if mine:
            problems += mine
            continue
        out.append(ExecRow(n, code, name, project, month, figures["budget"], figures["executed"]))
    if problems:
        raise ImportProblems(f"文件中有{len(problems)}处问题，没有导入任何数据", problems)
    if not out:
        raise ImportProblems("文件中只有表头，没有数据行")
    return out


# --- comparing a package with the figures --------------------------------------------------------

FIELDS = (("annual", "budget", "全年预算数"), ("executed", "executed", "全年执行数"))


@dataclass
class Difference:
    table: str  # the project's name, or 部门整体
    label: str  # 全年预算数 / 全年执行数
    stated: str
    imported: str
    note: str  # 不一致 / 未填报 / 没有该项目 …
    path: str = ""


def _table_of(doc: dict, project: str) -> tuple[str | None, str]:
    """(path of the table the figure belongs to, or None; what to call it)."""
    if not project:
        return ("overall" if isinstance(doc.get("overall"), dict) else None), "部门整体（附件3）"
    want = _key(project)
    for i, p in enumerate(doc.get("projects") or []):
        if isinstance(p, dict) and _key(p.get("name", "")) == want:
            return f"projects[{i}]", project
    return None, project


def _total_row(doc: dict, table: str) -> int | None:
    for j, f in enumerate(fields.get(doc, f"{table}.funds") or []):
        if isinstance(f, dict) and f.get("key") == "total":
            return j
    return None


def _stated(value) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return parse_amount(str(value))
    except ValueError:
        return None


def _shown(value: Decimal) -> str:
    return format(round_half_up(value, 2), "f")


def compare(doc: dict, figures: list[ExecutionFigure]) -> tuple[list[tuple[str, object, str]], list[Difference]]:
    """(the fields a pre-fill would write: path, old, new; the differences) of a package's content
    and its unit's year-end figures."""
    fills, diffs = [], []
    if not doc:
        return fills, diffs
    for f in figures:
        if f.month != YEAR_END:
            continue
        table, name = _table_of(doc, f.project)
        if table is None:
            diffs.append(Difference(name, "（整张表）", "—", f"{fmt_amount(f.budget)} / {fmt_amount(f.executed)}",
                                    "数据包中没有该项目" if f.project else "数据包中没有附件3"))
            continue
        j = _total_row(doc, table)
        if j is None:
            diffs.append(Difference(name, "（整张表）", "—", f"{fmt_amount(f.budget)} / {fmt_amount(f.executed)}",
                                    "没有“年度资金总额”行"))
            continue
        for fld, attr, label in FIELDS:
            path = f"{table}.funds[{j}].{fld}"
            old = fields.get(doc, path)
            imported = getattr(f, attr)
            stated = _stated(old)
            if old is None or str(old).strip() == "":
                fills.append((path, old, _shown(imported)))
                diffs.append(Difference(name, label, "（未填）", fmt_amount(imported), "未填报", path))
            elif stated is None:
                diffs.append(Difference(name, label, str(old), fmt_amount(imported), "填报数不是数字", path))
            elif not stated_agrees(stated, imported, "万元"):
                diffs.append(Difference(name, label, fmt_amount(stated), fmt_amount(imported), "不一致", path))
    return fills, diffs


def _year_end(task: EvaluationTask) -> dict[int, list[ExecutionFigure]]:
    out: dict[int, list[ExecutionFigure]] = {}
    for f in ExecutionFigure.objects.filter(task=task, month=YEAR_END).order_by("project"):
        out.setdefault(f.unit_id, []).append(f)
    return out


def _content_read(package: Package) -> tuple[dict, Submission | None]:
    """What the bureau reads of a package: the latest version sent, else the unit's draft."""
    sub = latest_sent(package) if package.status in SENT else None
    return (sub.content if sub is not None else package.draft or {}), sub


def refresh_checks(task: EvaluationTask, *, force: bool = False) -> int:
    """Bring every package's difference count up to date with its version (only those that moved
    on since, unless `force`). Returns how many were worked out."""
    # One query: nothing to count without year-end figures (an uncorrelated EXISTS, evaluated once).
    qs = Package.objects.filter(Exists(ExecutionFigure.objects.filter(task=task, month=YEAR_END).order_by()), task=task)
    if not force:
        qs = qs.exclude(execution_check__version=F("version"))
    stale = list(qs.select_related("unit"))
    if not stale:
        return 0
    figures = _year_end(task)
    for p in stale:
        doc, _ = _content_read(p)
        _, diffs = compare(doc, figures.get(p.unit_id, []))
        try:
            with transaction.atomic():
                ExecutionCheck.objects.update_or_create(package=p, defaults={"version": p.version, "differences": len(diffs)})
        except IntegrityError:  # another request wrote it at the same moment: the same figures
            pass
    return len(stale)


def difference_counts(task: EvaluationTask) -> dict[int, int]:
    """package id → differences from the 一体化 figures, for every package counted."""
    return dict(_viewed(ExecutionCheck.objects.filter(package__task=task), task, "package__unit__")
                .values_list("package_id", "differences"))


@dataclass
class PackageExecution:
    imported: bool  # the task has year-end figures for this unit
    differences: list[Difference]
    draft: bool  # compared with the unit's draft (nothing sent yet)


def package_execution(package: Package) -> PackageExecution:
    figures = _year_end(package.task).get(package.unit_id, [])
    if not figures:
        return PackageExecution(False, [], False)
    doc, sub = _content_read(package)
    _, diffs = compare(doc, figures)
    return PackageExecution(True, diffs, sub is None)


# --- the import ------------------------------------------------------------------------------------


def may_import(user: User, task: EvaluationTask) -> bool:
    return may_run_spot_check(user) and user.bureau_id == task.bureau_id


def import_execution(*, task_id: int, user: User, filename: str, data: bytes) -> ExecutionImport:
    """Read, check and store an 一体化 export; pre-fill the drafts; flag the differences. All or nothing.
    At once (the demo, the benches); the page runs it as a job (`start_execution_import`)."""
    task = EvaluationTask.objects.get(pk=task_id)
    if not may_import(user, task):
        raise ActionError("只有绩效评价股可以导入一体化执行数", 403)
    units = {u.budget_code: u for u in task.units.all()}
    rows = read_execution_file(filename, data, units)
    return _apply_execution(task, user, filename, rows, units)


def _apply_execution(task: EvaluationTask, user: User, filename: str, rows: list[ExecRow],
                     units: dict[str, Unit]) -> ExecutionImport:
    """The rows written in one transaction: the figures, the drafts pre-filled, the flags."""
    with transaction.atomic():
        imp = ExecutionImport.objects.create(task=task, filename=Path(filename).name[:200], rows=len(rows), imported_by=user)
        existing = {(f.unit_id, _key(f.project), f.month): f for f in ExecutionFigure.objects.filter(task=task)}
        new, changed = [], []
        for r in rows:
            u = units[r.code]
            f = existing.get((u.pk, _key(r.project), r.month))
            if f is None:
                new.append(ExecutionFigure(task=task, unit=u, project=r.project[:200], month=r.month, budget=r.budget,
                                           executed=r.executed, source=imp, row=r.row))
            else:
                f.budget, f.executed, f.source, f.row, f.below = r.budget, r.executed, imp, r.row, None
                changed.append(f)
        ExecutionFigure.objects.bulk_create(new)
        ExecutionFigure.objects.bulk_update(changed, ["budget", "executed", "source", "row", "below"])
        refresh_monitoring(task)
        prefilled, conflicts, line_packages = _prefill(task, user, imp)
        refresh_checks(task, force=True)
        flagged = ExecutionCheck.objects.filter(package__task=task, differences__gt=0).count()
        in_year = sum(1 for r in rows if r.month != YEAR_END)
        imp.summary = {"prefilled": prefilled, "conflicts": conflicts, "flagged": flagged, "in_year": in_year,
                       "year_end": len(rows) - in_year, "packages": line_packages}
        imp.save(update_fields=["summary"])
        log("execution_import", actor=user, target=f"task:{task.pk}", path=f"execution_imports[{imp.pk}]",
            new={"rows": len(rows), "prefilled": len(prefilled), "conflicts": len(conflicts)}, detail=imp.filename)
    return imp




def start_execution_import(*, task_id: int, user: User, filename: str, data: bytes) -> ExecutionImportJob:
    """Check the 一体化 export here (every problem by row, at once, beside the form), keep it where
    the worker reads it (never served) and queue the job that writes it."""
    task = EvaluationTask.objects.get(pk=task_id)
    if not may_import(user, task):
        raise ActionError("只有绩效评价股可以导入一体化执行数", 403)
    read_execution_file(filename, data, {u.budget_code: u for u in task.units.all()})
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"
    stored.write_bytes(data)
    with transaction.atomic():
        job = ExecutionImportJob.objects.create(task=task, requested_by=user, filename=Path(filename).name[:200],
                                                source=str(stored.relative_to(settings.MEDIA_ROOT)))
        # the request is the bureau's act: logged now; the worker's write logs its own entry when done
        log("execution_import", actor=user, target=f"task:{task.pk}", path=f"execution_import_jobs[{job.pk}]",
            detail=f"已提交“{job.filename}”，后台导入")
        transaction.on_commit(lambda: run_execution_import.enqueue(job.pk))
    return job


@background_task()
def run_execution_import(job_id: int) -> int:
    """The worker's side of an 一体化 import. Returns the rows written (0 when the job ended otherwise)."""
    job = ExecutionImportJob.objects.select_related("task", "requested_by").get(pk=job_id)
    if job.state != ExecutionImportJob.State.QUEUED:  # a job runs once (one ended as interrupted stays ended)
        return 0
    stored = Path(settings.MEDIA_ROOT) / job.source
    try:
        with heartbeat.beating(job):
            return _run_execution_import(job, stored)
    finally:
        stored.unlink(missing_ok=True)


def _run_execution_import(job: ExecutionImportJob, stored: Path) -> int:
    heartbeat.begin(job, progress=10, step="读取文件")
    try:
        units = {u.budget_code: u for u in job.task.units.all()}
        try:  # read again: the task's units may have changed since the upload was checked
            rows = read_execution_file(job.filename, stored.read_bytes(), units)
        except ImportProblems as exc:
            _save_job(job, state=ExecutionImportJob.State.FAILED, step="失败",
                      error="；".join([exc.message, *exc.problems[:5]]))
            return 0
        _save_job(job, progress=40, step="写入执行数、预填草稿、比对数据包")
        with transaction.atomic():
            imp = _apply_execution(job.task, job.requested_by, job.filename, rows, units)
            _save_job(job, state=ExecutionImportJob.State.DONE, progress=100, step="已完成", result=imp)
        return len(rows)
    except Exception as exc:  # noqa: BLE001 - the job is marked failed with a message, never left running
        _save_job(job, state=ExecutionImportJob.State.FAILED, step="失败",
                  error=f"导入中断：{type(exc).__name__}，本次未导入任何执行数")
        raise


def execution_summary(imp: ExecutionImport) -> str:
    """What an import did, in one sentence (the page's line when the job is done)."""
    s = imp.summary
    return (f"已导入“{imp.filename}”{imp.rows}行：预填{len(s['prefilled'])}处，"
            f"{len(s['conflicts'])}处填报数与一体化不一致（未覆盖），{s['flagged']}个数据包有差异")


def _prefill(task: EvaluationTask, user: User, imp: ExecutionImport) -> tuple[list[str], list[str], dict[str, list[int]]]:
    """Pre-fill the drafts the units still hold from this import's year-end figures; mark (never
    overwrite) a figure entered differently."""
    figures: dict[int, list[ExecutionFigure]] = {}
    for f in ExecutionFigure.objects.filter(source=imp, month=YEAR_END).order_by("project"):
        figures.setdefault(f.unit_id, []).append(f)
    prefilled, conflicts = [], []
    # Which package each line is about, in step with the lines: a 归口业务科室 user reads only their units'.
    summary_packages: dict[str, list[int]] = {"prefilled": [], "conflicts": []}
    editable = [s for s in EDITABLE_STATUSES if s != Status.NOT_STARTED]  # a unit that has not started has no rows
    for p in (Package.objects.select_for_update(of=("self",)).select_related("unit")
              .filter(task=task, status__in=editable, unit_id__in=list(figures)).order_by("unit__budget_code")):
        fills, diffs = compare(p.draft, figures[p.unit_id])
        for d in diffs:
            if d.note != "不一致":
                continue
            text = (f"【一体化】一体化系统的{d.label}为 {d.imported} 万元，与填报的 {d.stated} 万元不一致；"
                    f"系统未覆盖您的填报数，请核对（{imp.filename}）。")
            if not p.comments.filter(path=d.path, text=text, resolved=False).exists():
                Comment.objects.create(package=p, path=d.path, text=text, author=user)
            conflicts.append(f"{p.unit.name} · {d.table} · {d.label}：填报 {d.stated}，一体化 {d.imported}")
            summary_packages["conflicts"].append(p.pk)
        if fills:
            doc = json_copy(p.draft)
            for path, _old, new in fills:
                fields.put(doc, path, new, inplace=True)
            save_draft(p, user, doc, [("", None, f"一体化执行数导入 {imp.filename}"), *fills], "import")
            prefilled += [f"{p.unit.name} · {_table_of(doc, _project_of(doc, path))[1]} · {_label_of(path)}：{new}"
                          for path, _old, new in fills]
            summary_packages["prefilled"] += [p.pk] * len(fills)
    return prefilled, conflicts, summary_packages


def json_copy(doc: dict) -> dict:
    return json.loads(json.dumps(doc))


def _project_of(doc: dict, path: str) -> str:
    if path.startswith("overall"):
        return ""
    return fields.get(doc, path.split(".funds", 1)[0] + ".name") or ""


def _label_of(path: str) -> str:
    return "全年预算数" if path.endswith(".annual") else "全年执行数"


# --- 运行监控 ---------------------------------------------------------------------------------------


@dataclass
class Warning_:
    unit: str
    code: str
    package: int | None
    project: str
    month: int
    rate: str
    threshold: str  # “6月末 45.00%”
    message: str


def _viewed(qs, task: EvaluationTask, prefix: str = "unit__"):
    """`qs` limited to the units the task's viewer may see (a 归口业务科室 user: their department's)."""
    viewer = getattr(task, "viewer", None)
    return qs if viewer is None else access.scoped(qs, viewer, prefix)


def refresh_monitoring(task: EvaluationTask) -> int:
    """Work out `ExecutionFigure.below` for the task's in-year figures not yet seen (each import resets
    the figures it writes), by the core's `monitoring_warning` and the task's profile — which the task
    fixes, so the flag stands until the figure changes. Returns how many were worked out."""
    pending = list(ExecutionFigure.objects.filter(task=task, month__gt=YEAR_END, below__isnull=True)
                   .only("id", "month", "budget", "executed").order_by())
    if not pending:
        return 0
    prof = services.profile(name=task.profile)
    for f in pending:
        f.below = monitoring_warning(f.executed, f.budget, f.month, prof) is not None
    ExecutionFigure.objects.bulk_update(pending, ["below"], batch_size=2000)
    return len(pending)


def monitoring(task: EvaluationTask) -> list[Warning_]:
    """Every in-year figure of the task below the profile's checkpoint for its month."""
    return monitoring_shown(task)[0]


def monitoring_shown(task: EvaluationTask, limit: int | None = None, *, count: int | None = None,
                     ) -> tuple[list[Warning_], int]:
    """The in-year figures below the profile's checkpoint for their month, of the units the task's
    viewer may see — the first `limit` by 预算编码, project and month — and how many there are
    (`count`, when the caller has counted them after `refresh_monitoring`). Counted in the database
    (`below`); only the rows shown are read."""
    if count is None:
        refresh_monitoring(task)
        count = _viewed(ExecutionFigure.objects.filter(task=task, month__gt=YEAR_END, below=True), task).count()
    prof = services.profile(name=task.profile)
    below = _viewed(ExecutionFigure.objects.filter(task=task, month__gt=YEAR_END, below=True), task)
    if limit is not None:
        # The first `limit` units with a warning, walked in 预算编码 order on the unit's index: the
        # rows shown are theirs (every figure up to the last one's code, ties included), so the sort
        # below is of a few dozen figures rather than of every warning of the task.
        codes = list(Unit.objects.filter(bureau_id=task.bureau_id).filter(Exists(below.filter(unit=OuterRef("pk"))))
                     .order_by("budget_code").values_list("budget_code", flat=True)[:limit])
        below = below.filter(unit__budget_code__lte=codes[-1]) if codes else below.none()
    package = Package.objects.filter(task=task, unit=OuterRef("unit")).values("pk")[:1]
    rows = (below.annotate(package=Subquery(package)).order_by("unit__budget_code", "project", "month")
            .values_list("package", "unit__name", "unit__budget_code", "project", "month", "budget", "executed"))
    out = []
    for pk, name, code, project, month, budget, executed in (rows if limit is None else rows[:limit]):
        w = monitoring_warning(executed, budget, month, prof)
        if w is not None:  # always: `below` says so
            out.append(Warning_(name, code, pk, project or "部门整体", month,
                                fmt_percent(w.rate), f"{w.month}月末 {fmt_percent(w.minimum)}", w.message))
    return out, count


@dataclass
class ExecutionPanel:
    latest: ExecutionImport | None
    year_end: int
    in_year: int
    flagged: int
    warnings: list[Warning_] = field(default_factory=list)
    thresholds: list[str] = field(default_factory=list)
    warning_count: int = 0


def panel(task: EvaluationTask, limit: int | None = None) -> ExecutionPanel:
    """What the pages show of the task's 一体化 figures: the last import, the flags, the warnings
    (the first `limit` of them; `warning_count` says how many there are) — of the units the task's
    viewer may see."""
    prof = services.profile(name=task.profile)
    thresholds = [f"{int(t['month'])}月末 {fmt_percent(t['min'])}" for t in prof["monitoring_thresholds"]]
    latest = task.execution_imports.select_related("imported_by").first()
    if latest is None:
        return ExecutionPanel(None, 0, 0, 0, [], thresholds)
    figures = _viewed(ExecutionFigure.objects.filter(task=task), task)
    counts = figures.aggregate(year_end=Count("id", filter=Q(month=YEAR_END)), in_year=Count("id", filter=Q(month__gt=YEAR_END)),
                               n_below=Count("id", filter=Q(month__gt=YEAR_END, below=True)),
                               n_pending=Count("id", filter=Q(month__gt=YEAR_END, below__isnull=True)))
    if counts["n_pending"]:  # figures not yet seen (before this version, or another viewer's units)
        refresh_monitoring(task)
        counts["n_below"] = figures.filter(month__gt=YEAR_END, below=True).count()
    flagged = _viewed(ExecutionCheck.objects.filter(package__task=task, differences__gt=0), task, "package__unit__").count()
    warnings, n = monitoring_shown(task, limit, count=counts["n_below"])
    return ExecutionPanel(latest, counts["year_end"], counts["in_year"], flagged, warnings, thresholds, n)


def figures_of(task: EvaluationTask):
    return _viewed(ExecutionFigure.objects.filter(task=task), task).select_related("unit", "source").order_by("unit__budget_code", "project", "month")


# --- outside packages: the zip or folder --------------------------------------------------------------

PACKAGE_SUFFIXES = (".docx", ".xlsx", ".txt")
MAX_MEMBERS = 500
MAX_INFLATED = 500 * MB  # all members together
MAX_RATIO = 100  # inflated ÷ compressed, for a member over 1 MB
MAX_MEMBER = {".docx": 50 * MB, ".xlsx": 20 * MB, ".txt": 20 * MB}  # as io/guards.py sets them for readers


@dataclass
class Entry:
    name: str  # as shown: the path inside the zip or the folder
    read: Callable[[], bytes] | None  # None when the entry is refused
    problem: str = ""
    outcome: str = "unreadable"  # of a refused entry: unreadable, or skipped (not a package file)


# The three rules every reader of an uploaded zip or a folder of files applies (the outside-package
# import here, the audit service's zip in jobs/api_audit): a member's real name, the files a system
# leaves beside the documents, and a path that would leave the folder it is unpacked into.


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name: zips made on Chinese Windows write GBK names without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def is_system_file(name: str) -> bool:
    """Not a document: macOS's __MACOSX folder, a hidden file or folder, an Office lock file (~$…)."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any(p == "__MACOSX" or (p.startswith(".") and p not in (".", "..")) for p in parts) or \
        bool(parts and parts[-1].startswith("~$"))


def is_unsafe_path(name: str) -> bool:
    """An absolute path, a drive letter or a “..” step: a member that would be written outside its folder."""
    n = name.replace("\\", "/")
    return n.startswith("/") or bool(re.match(r"^[A-Za-z]:", n)) or ".." in n.split("/")


def check_zip(data_or_path) -> list[zipfile.ZipInfo]:
    """The members of an uploaded zip after the size, format and zip-bomb checks (ImportProblems otherwise)."""
    try:
        zf = zipfile.ZipFile(data_or_path if not isinstance(data_or_path, bytes) else io.BytesIO(data_or_path))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportProblems("该文件不是有效的 .zip 压缩包，或已损坏", status=400) from None
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
    if len(members) > MAX_MEMBERS:
        raise ImportProblems(f"压缩包内文件过多（{len(members)} 个，上限 {MAX_MEMBERS} 个），请分批导入", status=400)
    inflated = sum(m.file_size for m in members)
    if inflated > MAX_INFLATED:
        raise ImportProblems(f"压缩包解压后过大（{inflated // MB} MB，上限 {MAX_INFLATED // MB} MB），疑似压缩炸弹，已拒绝", status=400)
    for m in members:
        if m.file_size > MB and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise ImportProblems(f"压缩包内“{member_name(m)}”的压缩比异常（{m.file_size // max(m.compress_size, 1)}:1），"
                                 "疑似压缩炸弹，已拒绝", status=400)
    if not any(Path(member_name(m)).suffix.lower() in PACKAGE_SUFFIXES and not is_system_file(member_name(m)) for m in members):
        raise ImportProblems("压缩包中没有 .docx、.xlsx 或 .txt 文件", status=400)
    return members


def _refusal(name: str, size: int) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in PACKAGE_SUFFIXES:
        return "不支持的文件类型（只导入 .docx、.xlsx、.txt 数据包）"
    if size > MAX_MEMBER[suffix]:
        return f"文件过大（{size / MB:.1f} MB，此类文件上限 {MAX_MEMBER[suffix] // MB} MB）"
    if size == 0:
        return "文件是空的"
    return ""


def _refusal_kind(name: str) -> str:
    return "skipped" if Path(name).suffix.lower() not in PACKAGE_SUFFIXES else "unreadable"


def zip_entries(path: Path) -> list[Entry]:
    members = check_zip(path)
    out = []
    for m in sorted(members, key=lambda m: member_name(m)):
        name = member_name(m)
        if is_system_file(name):
            continue
        if is_unsafe_path(name):
            out.append(Entry(name, None, "文件路径不安全（绝对路径或含“..”），已跳过", "skipped"))
            continue
        if m.flag_bits & 0x1:
            out.append(Entry(name, None, "文件已加密，无法读取"))
            continue
        problem = _refusal(name, m.file_size)
        if problem:
            out.append(Entry(name, None, problem, _refusal_kind(name)))
            continue

        def read(m=m, path=path) -> bytes:
            with zipfile.ZipFile(path) as zf, zf.open(m) as fh:
                data = fh.read(m.file_size + 1)
            if len(data) > m.file_size:  # the header lied about the size
                raise ImportProblems("解压后的大小与压缩包记录不符，疑似压缩炸弹，已跳过")
            return data

        out.append(Entry(name, read))
    return out


def folder_entries(folder: Path) -> list[Entry]:
    root = folder.resolve()
    if not root.is_dir():
        raise ImportProblems(f"没有这个文件夹：{folder}", status=400)
    out = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if is_system_file(rel) or p.is_dir():
            continue
        if p.is_symlink() or not p.resolve().is_relative_to(root):
            out.append(Entry(rel, None, "符号链接或指向文件夹之外，已跳过", "skipped"))
            continue
        problem = _refusal(rel, p.stat().st_size)
        out.append(Entry(rel, None, problem, _refusal_kind(rel)) if problem else Entry(rel, p.read_bytes))
        if len(out) > MAX_MEMBERS:
            raise ImportProblems(f"文件夹内文件过多（上限 {MAX_MEMBERS} 个），请分批导入", status=400)
    if not any(e.read for e in out):
        raise ImportProblems("文件夹中没有 .docx、.xlsx 或 .txt 文件", status=400)
    return out


def start_zip_import(*, task_id: int, user: User, filename: str, data: bytes, enqueue: bool = True) -> PackageImport:
    """Check the uploaded zip, keep it where the worker reads it (never served), queue the job
    (`enqueue=False`: the caller runs it)."""
    task = EvaluationTask.objects.get(pk=task_id)
    if not may_import(user, task):
        raise ActionError("只有绩效评价股可以导入外部数据包", 403)
    if Path(filename).suffix.lower() != ".zip":
        raise ImportProblems("请上传 .zip 压缩包（其中为 .docx、.xlsx 或 .txt 数据包）", status=400)
    if not data:
        raise ImportProblems("上传的文件是空的", status=400)
    if len(data) > settings.JIXIAO_MAX_UPLOAD_BYTES:
        raise ImportProblems(f"文件过大（{len(data) / MB:.1f} MB），上限 {settings.JIXIAO_MAX_UPLOAD_BYTES // MB} MB；"
                             "更大的批次请由管理员用 jixiao manage import_packages 从服务器上的文件夹导入", status=413)
    check_zip(data)
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}.zip"
    stored.write_bytes(data)
    with transaction.atomic():
        job = PackageImport.objects.create(task=task, requested_by=user, filename=Path(filename).name[:300],
                                           source=str(stored.relative_to(settings.MEDIA_ROOT)), kind="zip")
        log("package_import", actor=user, target=f"task:{task.pk}", path=f"package_imports[{job.pk}]", new=job.kind,
            detail=job.filename)
        if enqueue:
            transaction.on_commit(lambda: import_packages.enqueue(job.pk))
    return job


def folder_import(*, task_id: int, user: User, folder: Path) -> PackageImport:
    """The folder on the server imported at once (the management command): the same job, run here."""
    task = EvaluationTask.objects.get(pk=task_id)
    if not may_import(user, task):
        raise ActionError("只有本任务所属财政局的绩效评价股用户可以导入外部数据包", 403)
    folder_entries(folder)  # refuse a missing or empty folder before a job exists
    with transaction.atomic():
        job = PackageImport.objects.create(task=task, requested_by=user, filename=str(folder)[:300], source=str(folder),
                                           kind="folder")
        log("package_import", actor=user, target=f"task:{task.pk}", path=f"package_imports[{job.pk}]", new=job.kind,
            detail=folder.name)
    run_import(job.pk)
    job.refresh_from_db()
    return job


@background_task()
def import_packages(job_id: int) -> int:
    """The worker's side of a zip import. Returns how many files were stored as submissions."""
    return run_import(job_id)


def _save_job(job: PackageImport, **fields) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    job.save(update_fields=list(fields))


def run_import(job_id: int) -> int:
    """Read every file (progress after each), then store all the matched ones and the job's end in
    one transaction: a worker killed mid-import leaves nothing imported, never some units submitted."""
    job = PackageImport.objects.select_related("task", "requested_by").get(pk=job_id)
    if job.state != PackageImport.State.QUEUED:  # a job runs once (a re-delivered message changes nothing)
        return 0
    stored = Path(settings.MEDIA_ROOT) / job.source if job.kind == "zip" else None
    try:
        with heartbeat.beating(job):
            return _run_import(job, stored)
    finally:
        if stored is not None:
            stored.unlink(missing_ok=True)  # the units' files are kept as submissions, not as a zip


def _run_import(job: PackageImport, stored: Path | None) -> int:
    try:
        entries = zip_entries(stored) if stored is not None else folder_entries(Path(job.source))
    except ImportProblems as exc:
        _save_job(job, state=PackageImport.State.FAILED, error=exc.message)
        return 0
    heartbeat.begin(job, total=len(entries), done=0, results=[])
    try:
        units = list(job.task.units.all())
        taken: dict[int, str] = {}
        read: list[dict | Reading] = []
        for i, e in enumerate(entries, start=1):
            try:
                read.append(_read_one(job, e, units, taken))
            except Exception as exc:  # noqa: BLE001 - one file's failure is listed; the job goes on
                read.append({"file": e.name, "outcome": "unreadable", "reason": f"处理时出错（{type(exc).__name__}），未导入"})
            _save_job(job, done=i)
        with transaction.atomic():
            results = [_store_one(job, r) if isinstance(r, Reading) else r for r in read]
            _save_job(job, state=PackageImport.State.DONE, results=results)
        return sum(1 for r in results if r["outcome"] == "imported")
    except Exception as exc:  # noqa: BLE001 - the job is marked failed with a message, never left running
        _save_job(job, state=PackageImport.State.FAILED, error=f"导入中断：{type(exc).__name__}，本次未导入任何数据包")
        raise


OUTCOMES = {"imported": "已导入", "unmatched": "未匹配", "unreadable": "无法读取", "skipped": "未导入"}


def _match(pkg, filename: str, units: list[Unit]) -> tuple[Unit | None, str]:
    """(the unit, how it was matched) or (None, why not)."""
    code = (getattr(pkg.unit, "budget_code", "") or "").strip()
    name = (getattr(pkg.unit, "name", "") or "").strip()
    by_code = next((u for u in units if code and u.budget_code == code), None)
    by_name = next((u for u in units if name and _key(u.name) == _key(name)), None)
    if by_code and by_name and by_code != by_name:
        return None, f"文件中的预算编码“{code}”属于“{by_code.name}”，单位名称“{name}”却是另一个单位"
    if by_code:
        return by_code, "按预算编码"
    if by_name:
        return by_name, "按单位名称"
    stem = _key(Path(filename).stem)
    named = {u.pk: u for u in units if _key(u.name) in stem or (u.budget_code and u.budget_code in stem)}
    if len(named) == 1:
        return next(iter(named.values())), "按文件名"
    said = "、".join(x for x in (f"预算编码“{code}”" if code else "", f"单位名称“{name}”" if name else "") if x) \
        or "文件中没有预算编码和单位名称"
    if len(named) > 1:
        return None, f"{said}不是本任务的参评单位，文件名又同时含有多个单位（{'、'.join(u.name for u in named.values())}）"
    return None, f"{said}不是本任务的参评单位" if code or name else f"{said}，文件名也不含参评单位的名称或预算编码"


@dataclass
class Reading:
    """A file read, matched to a unit and audited, waiting to be stored with the others."""

    base: dict
    file: str
    doc: dict
    comp: object
    unit: Unit
    how: str


def _read_one(job: PackageImport, e: Entry, units: list[Unit], taken: dict[int, str]) -> dict | Reading:
    """The file read and matched (a result line when it goes no further). Nothing is written here."""
    base = {"file": e.name}
    if e.read is None:
        return base | {"outcome": e.outcome, "reason": e.problem}
    try:
        data = e.read()
    except ImportProblems as exc:
        return base | {"outcome": "unreadable", "reason": exc.message}
    except (zipfile.BadZipFile, EOFError, zlib.error):
        return base | {"outcome": "unreadable", "reason": "压缩包内该文件已损坏，无法解压"}
    except OSError as exc:
        return base | {"outcome": "unreadable", "reason": f"无法打开文件：{exc.strerror or exc}"}
    try:
        with tempfile.TemporaryDirectory() as tmp:  # the readers work on paths; the file's own name in their messages
            p = Path(tmp) / Path(e.name.replace("\\", "/")).name
            p.write_bytes(data)
            pkg = services.read(path=p)
    except services.ServiceError as exc:
        detail = "；".join(exc.problems[:3])
        return base | {"outcome": "unreadable", "reason": exc.message + (f"：{detail}" if detail else "")}
    if pkg.overall is None and not pkg.projects:
        return base | {"outcome": "unreadable", "reason": "文件中没有自评表（附件3 或附件4），不像是自评数据包"}
    doc = fields.jsonable(services.to_canonical(package=pkg))
    try:  # what is stored must read back as a package
        services.from_canonical(data=doc, name=e.name)
    except services.ServiceError as exc:
        detail = "；".join(p.split(":", 1)[-1].strip() for p in exc.problems[:3])
        return base | {"outcome": "unreadable", "reason": f"文件中没有可用的数据包：{detail or exc.message}"}
    unit, how = _match(pkg, e.name, units)
    if unit is None:
        return base | {"outcome": "unmatched", "reason": how}
    base |= {"unit": unit.name, "code": unit.budget_code}
    task = job.task
    if pkg.year and int(pkg.year) != task.year:
        return base | {"outcome": "skipped", "reason": f"文件是{pkg.year}年度的数据包，本任务为{task.year}年度"}
    if unit.pk in taken:
        return base | {"outcome": "skipped", "reason": f"同一单位的“{taken[unit.pk]}”已在本次导入"}
    doc["profile"] = task.profile  # the task fixes the profile, whatever the file says
    comp = compute(doc)
    if comp.report is None:
        return base | {"outcome": "unreadable", "reason": f"数据包无法计算：{comp.error}"}
    taken[unit.pk] = e.name
    return Reading(base, e.name, doc, comp, unit, how)


def _store_one(job: PackageImport, reading: Reading) -> dict:
    """The file stored as the unit's version sent to the bureau (inside the import's one transaction)."""
    base, doc, comp, unit, how = reading.base, reading.doc, reading.comp, reading.unit, reading.how
    task = job.task
    user = job.requested_by
    # the file's own name, as a reader knows it: the folders it sat in inside the zip are no part of it
    origin = f"外部导入：{PurePosixPath(reading.file).name}"[:300]
    with transaction.atomic():
        package, _ = Package.objects.get_or_create(task=task, unit=unit)
        package = Package.objects.select_for_update(of=("self",)).select_related("task").get(pk=package.pk)
        if package.status not in EDITABLE_STATUSES:
            return base | {"outcome": "skipped", "package": package.pk,
                           "reason": f"该单位已在系统中报送（“{package.get_status_display()}”），外部文件未导入"}
        sub, note = _outside_version(package, user, doc, comp, origin)
    return base | {"outcome": "imported", "reason": how + note, "package": package.pk, "version": sub.number,
                   "errors": comp.summary.get("errors", 0), "warnings": comp.summary.get("warnings", 0)}


def _outside_version(package: Package, user: User, doc: dict, comp, origin: str) -> tuple[Submission, str]:
    """The file as the unit sent it, audited as it is (its stated figures kept, so the findings show
    where they disagree with the engine), stored as a version sent to the bureau and marked as
    outside (`Submission.origin`) — beside the unit's draft, never over it. Only a unit that has not
    started in the system (nothing in its draft) is thereby 已报送: it sent its package outside the
    system. A unit working on its draft keeps the draft and its status; the bureau reads the outside
    version, and the unit still sends its own through its head. Returns (version, note for the list)."""
    version = snapshot(package, user, doc, origin[:200], Submission.State.APPROVED, comp=comp, origin=origin)
    version.decided_by, version.decided_at, version.decision_note = user, timezone.now(), "外部导入，另存为报送版本"
    version.save(update_fields=["decided_by", "decided_at", "decision_note"])
    if package.status != Status.NOT_STARTED or package.draft:
        return version, f"；该单位正在系统中填报（{package.get_status_display()}），草稿未改动，未代为报送"
    summarise(package, comp)  # the dashboard's figures are those of the version the bureau reads
    package.status = Status.SUBMITTED
    package.save(update_fields=["status", "updated_at", "total_score", "grade", "execution_rate", "errors", "warnings"])
    return version, ""


def job_rows(job: PackageImport, user: User) -> list[dict]:
    """The result lines as the page shows them, with the outcome in words: of the units `user` sees."""
    return [r | {"outcome_label": OUTCOMES.get(r.get("outcome", ""), r.get("outcome", ""))}
            for r in access.only_visible(job.results, user, job.task_id)]


def summary_for(imp: ExecutionImport | None, user: User) -> dict:
    """An 一体化 import's pre-filled and differing lines of the units `user` sees (an import from
    before the lines kept their packages: none for a 归口业务科室 user)."""
    if imp is None:
        return {}
    summary = dict(imp.summary or {})
    allowed = access.visible_package_ids(user, imp.task_id)
    if allowed is None:
        return summary
