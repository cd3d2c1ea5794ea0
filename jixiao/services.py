"""The one entry point every surface calls: the CLI, the web application, its API and the worker.

Each function is keyword-only, returns a result object or raises `ServiceError` — one error type
whose message is Chinese and fit for the user — and keeps no user data between calls. What a
surface does is parse its input, call one of these, and present the result.

    read       a file (any supported format) or canonical data → Package
    score      Package → ScoreReport (every figure with formula, inputs, clause, kind)
    audit      Package or file → DocumentResult (findings)
    render     Package → .docx + .xlsx (+ PDF) in a directory
    import_    a file → canonical YAML/JSON written atomically
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from .core import keys, references
from .core.engine import ScoreReport
from .core.memo import call_scope
from .core.model import Package
from .core.profiles import Profile, ProfileError, load_profile


class ServiceError(ValueError):
    """A problem the user can act on. `message` is one Chinese sentence; `problems` lists details
    (a bad field's path, a cell address, a paragraph) where there are several."""

    def __init__(self, message: str, problems: Sequence[str] = ()):
        self.message = message
        self.problems = list(problems)
        super().__init__(message + ("：" + "；".join(self.problems) if self.problems else ""))


def _wrap(exc: ValueError, what: str) -> ServiceError:
    """The reader's own message (it names the file and lists every problem), with its problems kept apart."""
    err = ServiceError(what, list(getattr(exc, "problems", []) or []))
    err.args = (str(exc) or what,)
    return err


def _scoped(fn: Callable) -> Callable:
    """Run a service call with the text caches emptied when it ends: nothing of one user's document
    stays in the process after the call that read it (see core/memo.py)."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        with call_scope():
            return fn(*args, **kwargs)

    return call


# --- read -----------------------------------------------------------------------------------


@_scoped
def read(*, path: str | Path) -> Package:
    """Read any supported file (.yaml/.json canonical, .txt dump, .docx, .xlsx workbook)."""
    from .io.readers import read_any

    try:
        return read_any(path)
    except (ValueError, OSError) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, ValueError):
            raise ServiceError(f"无法读取文件 {Path(path).name}：{exc.strerror or exc}") from None
        raise _wrap(exc, f"无法读取 {Path(path).name}") from None


@_scoped
def read_upload(*, data: bytes, filename: str, workdir: str | Path | None = None) -> Package:
    """Read an uploaded file's bytes. The bytes are written to a private temporary file (the
    readers work on paths and apply their own size and zip guards there), removed afterwards."""
    import tempfile

    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        p = Path(tmp) / f"upload{suffix}"
        p.write_bytes(data)
        try:
            pkg = read(path=p)
        except ServiceError as exc:
            raise _named_as_uploaded(exc, tmp, Path(filename).name or f"上传的文件{suffix}") from None
    pkg.source_path = filename
    return pkg


def _named_as_uploaded(exc: ServiceError, tmp: str, name: str) -> ServiceError:
    """The reader names the file by its path, here a private temporary one on the server: the person
    who uploaded it reads the file's own name instead, and never a server path."""
    def clean(text: str) -> str:
        for where in (str(Path(tmp) / "upload"), str(tmp)):
            text = text.replace(where + Path(name).suffix.lower(), name).replace(where, name)
        return text.replace(f"upload{Path(name).suffix.lower()}", name)

    err = ServiceError(clean(exc.message), [clean(p) for p in exc.problems])
    err.args = tuple(clean(a) if isinstance(a, str) else a for a in exc.args)
    return err


def check_json_nesting(*, text: str, limit: int) -> None:
    """JSON nested deeper than `limit` refused before any parser recurses into it (ServiceError)."""
    from .io.limits import LimitError, check_json_depth

    try:
        check_json_depth(text, limit)
    except LimitError as exc:
        raise ServiceError(exc.message) from None


def check_workbook(*, data: bytes, filename: str) -> None:
    """An uploaded .xlsx checked for size, zip bomb and XML bomb before anything opens it; each problem
    is named in the ServiceError's message."""
    from .io.canonical import PackageError
    from .io.guards import check_zip_bytes

    try:
        check_zip_bytes(data, filename, required=("xl/workbook.xml",))
    except PackageError as exc:
        raise ServiceError("；".join(exc.problems)) from None


@_scoped
def from_canonical(*, data: dict | str, name: str = "<数据包>") -> Package:
    """A package from its canonical form: a dict (as stored by the web app) or YAML/JSON text."""
    from .io.canonical import parse_package

    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, default=_json_default)
    try:
        return parse_package(text, name, json_input=not isinstance(data, str))
    except ValueError as exc:
        raise _wrap(exc, "数据包内容有误") from None


def to_canonical(*, package: Package) -> dict:
    """The canonical dict of a package (figures as exact strings): what `jixiao import` writes."""
    from .io.canonical import package_to_dict

    return package_to_dict(package)


def _json_default(v: Any) -> str:
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


# --- score / audit --------------------------------------------------------------------------


def profile(*, name: str | Profile | None, package: Package | None = None) -> Profile:
    """The profile to score with: the one named, else the package's own."""
    if isinstance(name, Profile):
        return name
    try:
        return load_profile(name or (package.profile if package else "") or "national-2020")
    except ProfileError as exc:
        raise ServiceError(str(exc)) from None


@_scoped
def score(*, package: Package, profile_name: str | Profile | None = None) -> ScoreReport:
    from .core.engine import score_package

    prof = profile(name=profile_name, package=package)
    return score_package(package, prof)


@_scoped
def audit(*, package: Package, name: str = "", profile_name: str | None = None, deadline: date | None = None,
          targets: list | None = None, deadline_by: str = ""):
    """Audit a package already read. Returns `audit.service.DocumentResult`; a package the engine
    cannot finish on comes back with `error` set, never as an exception. `deadline`: the hand-in
    deadline of the evaluation task the package belongs to (the web's packages), which the filing
    dates are checked against instead of the deadline its notice prints; `deadline_by`: who set that
    date, as the finding names them ("主管部门" for a unit under a 主管部门; default 评价任务). `targets`: the approved
    performance targets (`core.targets.ApprovedTarget`) of the package's own unit, which every
    reported indicator is compared with (audit family `targets`)."""
    from .audit.service import audit_package

    options: dict = {}
    if deadline is not None:
        options["deadline"] = deadline
        if deadline_by:
            options["deadline_by"] = deadline_by
    if targets:
        options |= {"targets": list(targets), "targets_scope": "unit"}
    return audit_package(package, name or package.source_path or package.unit.name, profile_name, options or None)


def decode_csv(*, data: bytes) -> str:
    """An uploaded .csv's text, UTF-8 (with or without BOM) or GB18030 (`io.csv_text`, the decoder every
    .csv reader uses); ServiceError with the Chinese message otherwise."""
    from .io.csv_text import CsvEncodingError
    from .io.csv_text import decode_csv as decode

    try:
        return decode(data)
    except CsvEncodingError as exc:
        raise ServiceError(exc.message) from None


def read_targets(*, filename: str, data: bytes, profile_name: str | None = None):
    """An 一体化 export of approved performance targets read (`io.targets.TargetsFile`: the targets
    and the rows refused, each with its reason); a file that cannot be read raises ServiceError."""
    from .core.profiles import load_profile
    from .io.targets import TargetsError
    from .io.targets import read_targets as read

    bare = load_profile(profile_name)["bare_target_comparator"] if profile_name else ">="
    try:
        return read(filename, data, bare)
    except TargetsError as exc:
        raise ServiceError(exc.message, exc.problems) from None


def compare_targets(*, package: Package, targets: list, profile_name: str | None = None) -> list:
    """Only the comparison with the approved targets (the audit family `targets`): its findings,
    for the lists that need no whole audit (the dashboard's flag, the API's differences)."""
    from .audit.registry import run_family

    return run_family(package, "targets", profile_name, {"targets": list(targets), "targets_scope": "unit"})


@_scoped
def audit_files(*, paths: Sequence[str], profile_name: str | None = None, jobs: int | None = None,
                progress: bool | None = None) -> list:
    """Audit files (folders expanded), on all cores; unreadable files become results with `error`."""
    from .audit.service import audit_many, expand_inputs

    return audit_many(expand_inputs(paths), profile_name, jobs=jobs, progress=progress)


# --- render / import ------------------------------------------------------------------------


@dataclass
class RenderResult:
    docx: Path
    xlsx: Path
    pdf: Path | None = None
    notes: list[str] = field(default_factory=list)  # what the user should be told (in Chinese)


@_scoped
def render(*, package: Package, outdir: str | Path, profile_name: str | Profile | None = None, pdf: bool = False,
           charts: bool | None = None, timeout: int = 600, content_hash: str = "") -> RenderResult:
    """Write the official .docx and .xlsx (and the PDF when asked) into `outdir`.

    Computed and ruled figures are the engine's, judged ones the unit's (core/view.py). Where the
    entered data contradict each other the render cannot choose: `notes` says so. With `content_hash`
    (the SM3 of the version the documents are made from) the .docx carries it in its properties, and
    so does a PDF converted from it (render/metadata.py)."""
    from .audit.registry import run_checks
    from .core.view import build_view
    from .render.api import charts_enabled, render_view
    from .render.metadata import stamp_docx
    from .render.pdf import PdfError, convert_batch

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    prof = profile(name=profile_name, package=package)
    view = build_view(package, prof)
    r = render_view(view, out, charts=charts_enabled(prof, charts))
    if content_hash:
        stamp_docx(r.docx, content_hash)
    result = RenderResult(r.docx, r.xlsx, notes=list(view.notes))
    findings = run_checks(view.package, prof)
    result.notes += [_reference_note(f) for f in findings if f.rule == "text.reference"]
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        first = errors[0].message if len(errors[0].message) <= 60 else errors[0].message[:59] + "…"
        result.notes.append(f"生成的材料中仍有 {len(errors)} 处错误级问题来自填报数据本身（例如：{first}），"
                            "程序无法判断以哪一处为准；请用 jixiao audit 查看并修正数据包后重新生成。")
    if pdf:
        try:
            result.pdf = convert_batch([r.docx], out, timeout=timeout)[0]
        except PdfError as exc:
            raise ServiceError(f"PDF 生成失败：{exc}") from None
    return result


def _reference_note(finding) -> str:
    """A figure reference the documents could not print, told with where it stands (core.references)."""
    name = references.names(finding.stated)[0] if references.names(finding.stated) else ""
    return (f"未知的引用 {finding.stated}（{finding.location.describe()}）：文档中此处印为“{references.marker(name)}”，"
            "请在数据包中重新插入引用或改写后重新生成。")


def embedded_content_hash(*, data: bytes) -> str | None:
    """The content hash a PDF or .docx this system rendered carries in its properties (None when it
    carries none); ServiceError when the bytes are not a readable PDF or .docx."""
    from .render.metadata import MetadataError, content_hash_of

    try:
        return content_hash_of(data)
    except MetadataError as exc:
        raise ServiceError(str(exc)) from None


@_scoped
def render_pdfs(*, docx_paths: Sequence[Path], outdir: str | Path, timeout: int = 600) -> list[Path]:
    """Convert many .docx to PDF with one LibreOffice process (a batch is far faster than one by one)."""
    from .render.pdf import PdfError, convert_batch

    try:
        return convert_batch(list(docx_paths), Path(outdir), timeout=timeout)
    except PdfError as exc:
        raise ServiceError(f"PDF 生成失败：{exc}") from None


@_scoped
def import_(*, path: str | Path, out: str | Path) -> Package:
    """Read any supported file and write it as canonical YAML/JSON (atomically)."""
    from .io.canonical import write_package

    target = Path(out)
    if target.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise ServiceError(f"输出文件应为 .yaml 或 .json：{target}")
    pkg = read(path=path)
    write_package(pkg, target)
    return pkg


# --- the bureau's side: 部门汇总, 抽评, 信息公开 ----------------------------------------------


@dataclass
class Aggregation:
    """部门汇总 of several tables: every figure a `Computed` with its trace."""

    profile: Profile
    names: list[str]
    values: list  # list[Computed]


@_scoped
def aggregate(*, packages: Sequence[Package], profile_name: str | Profile | None = None,
              projects: bool = False) -> Aggregation:
    """Roll up the units' 附件3 (or, with `projects`, every 附件4 of the packages) by the profile's
    rules: amounts add up, rates and qualitative scores are weighted by fund amount."""
    from .core.aggregate import aggregate as roll_up

    if not packages:
        raise ServiceError("没有可汇总的数据包")
    used = sorted({p.profile for p in packages})
    if profile_name is None and len(used) > 1:
        raise ServiceError(f"所给数据包分属不同的评分方案（{'、'.join(used)}），请指定按哪一个方案汇总")
    prof = profile(name=profile_name, package=packages[0])
    tables, names = [], []
    for pkg in packages:
        chosen = pkg.projects if projects else ([pkg.overall] if pkg.overall is not None else [])
        for t in chosen:
            tables.append(t)
            names.append(f"{pkg.unit.name}·{t.name}" if projects else pkg.unit.name)
    if not tables:
        what = "附件4 项目支出绩效自评表" if projects else "附件3 部门整体支出绩效自评表"
        raise ServiceError(f"所给数据包中没有{what}，无法汇总")
    return Aggregation(prof, names, roll_up(tables, prof, names))


@_scoped
def roll_up_department(*, own: Package, units: Sequence[tuple[str, Package]],
                       profile_name: str | Profile | None = None, subordinates: Sequence[str] = ()):
    """The 主管部门's package built from its units' packages (core/department.py): the cover tables'
    汇总 and unit rows, 附件3 and each fund's 附件4 rolled up by the same rules as `aggregate`, the
    department's own narrative kept. Returns `core.department.DepartmentRollup`; the units or tables it
    could not use are in its `gaps`, in Chinese."""
    from .core.department import roll_up

    if not units:
        raise ServiceError("没有可汇总的下属单位数据包")
    used = sorted({p.profile for _, p in units} | {own.profile})
    if profile_name is None and len(used) > 1:
        raise ServiceError(f"部门与下属单位的数据包分属不同的评分方案（{'、'.join(used)}），请指定按哪一个方案汇总")
    prof = profile(name=profile_name, package=own)
    return roll_up(own, list(units), prof, list(subordinates))


@_scoped
def spot_check_candidate(*, package: Package, key: str, days_late: int = 0, returns: int = 0,
                         profile_name: str | Profile | None = None):
    """What the 抽评 sample is drawn on for one accepted package (core/spot_check.Candidate)."""
    from .audit.registry import run_checks
    from .core.spot_check import Candidate

    prof = profile(name=profile_name, package=package)
    report = score(package=package, profile_name=prof)
    overall = report.table(keys.OVERALL)
    findings = run_checks(package, prof)
    fund = package.overall.fund("total") if package.overall is not None else None
    rules_seen = {f.rule for f in findings}
    return Candidate(
        key=key, name=package.unit.name,
        total=overall.total.value if overall is not None and overall.total is not None else None,
        execution_rate=overall.execution_rate.value if overall is not None and overall.execution_rate else None,
        errors=sum(1 for f in findings if f.severity == "error"),
        few_questionnaires="plaus.satisfaction_sample" in rules_seen,
        actuals_equal_targets="plaus.actuals_equal_targets" in rules_seen,
        days_late=days_late, returns=returns, funds=(fund.annual if fund is not None and fund.annual else Decimal(0)))


@_scoped
def open_data(*, published: Sequence[tuple[Package, str]], outdir: str | Path,
              title: str = "预算绩效自评结果公开数据") -> Path:
    """Write the open-data package (Fiscal Data Package + performance fields) of published packages;
    each given with its SM3 content hash."""
    from .io.opendata import Published, write_open_data

    items = [Published(score(package=p), content_hash) for p, content_hash in published]
    return write_open_data(items, outdir, title)
