"""Audit one document or a batch: read, run the registry's checks, collect the results.

A document that cannot be read becomes a `DocumentResult` with `error` set — never
an exception — so that a batch always reports every other file. Batches run on
all cores (ProcessPoolExecutor, chunked) and come back in input order.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..core.model import Package, Source
from .coverage import UNCHECKED, Coverage, coverage_of, unreadable
from .findings import Finding, sort_key, summary

# The forms a complete package holds (DESIGN §2), as readers name them in Package.forms_found.
EXPECTED_FORMS = ("自评报告", "绩效评价报告", "附件1", "附件2", "附件3", "附件4", "附件5", "附件6", "附件7")
FORM_TITLES = {
    "自评报告": "部门整体支出绩效自评报告（封面表）",
    "绩效评价报告": "绩效评价报告（正文）",
    "附件1": "评价通知",
    "附件2": "基础数据表",
    "附件3": "部门整体支出绩效自评表",
    "附件4": "项目支出绩效自评表",
    "附件5": "政府性基金预算支出绩效自评表",
    "附件6": "国有资本经营预算支出绩效自评表",
    "附件7": "社会保险基金预算支出绩效自评表",
}

AUDITABLE_SUFFIXES = (".txt", ".docx", ".yaml", ".yml", ".json", ".xlsx", ".pdf", ".html", ".htm", ".doc", ".wps",
                      ".xls", ".et")

# Rule ids emitted here rather than by a registered check (listed in docs/checks.md).
SERVICE_RULES = {
    "forms.missing": ("缺少表格", "材料的完整性按其模板族与任务判断（jixiao/families 的 required_forms：部门整体支出自评材料应含"
                               "自评报告、绩效评价报告、附件1–7；单个项目的自评只需其项目支出绩效自评表），"
                               "缺少的表格合并为一条提示列出。"),
}


@dataclass
class DocumentResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str = ""  # set when the document could not be read or audited
    unit: str = ""
    year: int | None = None
    title: str = ""
    forms_found: list[str] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)

    @property
    def readable(self) -> bool:
        return not self.error

    @property
    def summary(self) -> dict:
        return summary(self.findings)

    @property
    def clean(self) -> bool:
        """Nothing found in what was checked — and something was checked."""
        return not self.error and not self.findings and self.coverage.status != UNCHECKED

    def as_dict(self) -> dict:
        d: dict = {"path": self.path, "findings": [f.as_dict() for f in self.findings],
                   "summary": {**self.summary, "coverage": self.coverage.summary()}}
        if self.error:
            d["error"] = self.error
        return d


# --- one document ---------------------------------------------------------------------------


def audit_path(path: str | Path, profile: str | None = None, options: dict | None = None) -> DocumentResult:
    """Read and audit one file. Never raises for a bad input: the result carries `error`.
    `options`: passed to the checks (the approved targets, `--targets`)."""
    name = str(path)
    try:
        pkg = _read(Path(path))
    except (ValueError, OSError) as exc:  # PackageError and readers' own messages
        return failed(name, _reader_message(exc, name))
    except MemoryError:
        return failed(name, "文件过大或结构异常，读取时内存不足")
    except RecursionError:
        return failed(name, "文件结构嵌套过深，无法解析")
    except Exception as exc:  # a reader's bug must not reach the user as a traceback
        return failed(name, f"无法解析该文件（{type(exc).__name__}）")
    return audit_package(pkg, name, profile, options)


def failed(name: str, error: str) -> DocumentResult:
    """A document that could not be read or audited: nothing of it was checked."""
    return DocumentResult(name, error=error, coverage=unreadable(error))


def audit_package(pkg: Package, name: str, profile: str | None = None, options: dict | None = None) -> DocumentResult:
    from ..core.profiles import ProfileError
    from .registry import run_checks_counted

    result = DocumentResult(name, unit=pkg.unit.name, year=pkg.year, title=pkg.title, forms_found=list(pkg.forms_found))
    try:
        findings, evaluated = run_checks_counted(pkg, profile, options)
    except ProfileError as exc:
        result.error = str(exc)
        result.coverage = unreadable(result.error)
        return result
    except Exception as exc:  # the engine failed on a package it could read: report, do not crash
        result.error = f"审核过程出错，未能完成审核（{type(exc).__name__}: {exc}）"
        result.coverage = unreadable(result.error)
        return result
    findings.extend(missing_forms(pkg))
    result.findings = sorted(findings, key=sort_key)
    result.coverage = coverage_of(pkg, evaluated)
    return result


def missing_forms(pkg: Package) -> list[Finding]:
    """Completeness as one rule: the forms the package's task requires under its template family
    (jixiao/families: `required_forms`), reported once, listing what was not found. A package
    that is one project's table is a project task and needs only that; canonical files list no
    forms found and are skipped."""
    if not pkg.forms_found:
        return []
    rule = required_forms(pkg)
    if rule is None:
        return []
    family_title, task, required = rule
    found = set(pkg.forms_found)
    missing = [f for f in required if f not in found]
    if not missing:
        return []
    names = "、".join(f"{f}（{FORM_TITLES.get(f, f)}）" for f in missing)
    task_name = TASKS.get(task, task)
    return [Finding(rule="forms.missing", severity="info",
                    message=f"按{family_title}的要求，{task_name}材料应含{len(required)}种表格，"
                            f"本文件含其中{len(required) - len(missing)}种，未找到：{names}",
                    location=Source(form=missing[0]), expected="、".join(required), stated="、".join(pkg.forms_found),
                    evidence=f"模板族 {family_title}；任务：{task_name}")]


TASKS = {"overall": "部门整体支出绩效自评", "project": "项目支出绩效自评"}


def package_task(pkg: Package) -> str:
    """What the document is for: a department's whole-spending self-evaluation when it holds any
    form of that package, else a project's when it holds project (or fund-type) tables only."""
    found = set(pkg.forms_found)
    if found & {"自评报告", "附件1", "附件2", "附件3"} or ("绩效评价报告" in found and "整体" in pkg.title):
        return "overall"
    if found & {"附件4", "附件5", "附件6", "附件7", "绩效评价报告"}:
        return "project"
    return ""


def required_forms(pkg: Package) -> tuple[str, str, tuple[str, ...]] | None:
    """(family title, task, forms required): the first family the reader recognised in the document
    that sets a rule for the task. A document of a template no family describes (a 广东 report, a
    fund's own report) gets no completeness rule: which forms its bureau asks for is not known."""
    from ..io.families import family

    task = package_task(pkg)
    if not task:
        return None
    for fam in (family(f) for f in pkg.families):
        if task in fam.required_forms:
            return fam.title, task, fam.required_forms[task]
    return None


def _read(path: Path) -> Package:
    from ..io.canonical import PackageError
    from ..io.readers import read_any

    problem = _precheck(path)
    if problem:
        raise PackageError(str(path), [problem])
    return read_any(path)


def _precheck(path: Path) -> str:
    """Refuse what cannot be a package before a reader spends memory on it (the readers'
    own guards, applied once here so that a batch worker never loads such a file)."""
    from ..io.canonical import PackageError
    from ..io.guards import KIND, check_size, check_zip

    if not path.is_file():
        return ""  # read_any explains missing files and folders
    try:
        if path.suffix.lower() in KIND:
            check_zip(path)
        else:
            check_size(path)
    except PackageError as exc:
        return exc.problems[0]
    return ""


def _reader_message(exc: BaseException, name: str) -> str:
    """The reader's own words, without the path the report already shows."""
    if isinstance(exc, OSError) and not isinstance(exc, ValueError):
        what = exc.strerror or type(exc).__name__
        return f"无法读取文件：{what}"
    text = str(exc).strip()
    for prefix in (f"{name}: ", f"{getattr(exc, 'path', '')}: "):
        if prefix != ": " and text.startswith(prefix):
            text = text[len(prefix):]
    return text or f"无法解析该文件（{type(exc).__name__}）"


# --- inputs ---------------------------------------------------------------------------------


def expand_inputs(items: Iterable[str]) -> list[str]:
    """Files as given; directories walked (sorted, symlinked folders not followed) for the auditable types.

    Hidden files and folders and Office lock files (~$…) are skipped.
    """
    out: list[str] = []
    for item in items:
        if not Path(item).is_dir():
            out.append(item)
            continue
        found = []
        for root, dirs, files in os.walk(item):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            found += [os.path.join(root, f) for f in files
                      if Path(f).suffix.lower() in AUDITABLE_SUFFIXES and not f.startswith((".", "~$"))]
        out += sorted(found, key=lambda f: Path(f).parts)
    return out


# --- batches --------------------------------------------------------------------------------

CRASHED = "审核该文件时工作进程意外退出（可能是内存不足或文件结构异常），未能完成审核"


def _init_worker(profile: str | None) -> None:
    """Load the check catalogue and the profile once per worker, not once per document. The
    parent's signal handlers come through the fork: a parent that stops gracefully on SIGTERM (the
    task worker, `jixiao worker`) would make a worker deaf to the pool's clean-up, so the defaults
    are put back."""
    import signal

    from ..core.profiles import load_profile
    from .registry import _load_all

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)

    _load_all()
    if profile:
        try:
            load_profile(profile)
        except ValueError:
            pass  # reported per document


def _audit_chunk(paths: list[str], profile: str | None, options: dict | None = None) -> list[DocumentResult]:
    return [audit_path(p, profile, options) for p in paths]


def audit_many(paths: Sequence[str], profile: str | None = None, jobs: int | None = None,
               progress: bool | None = None, options: dict | None = None) -> list[DocumentResult]:
    """Audit every path; results in input order. jobs=None or 0 → all cores; 1 → in this process.

    progress: None shows a bar on stderr for batches when stderr is a terminal; False never.
    A worker that dies (out of memory, a crash in a C extension) costs only its own
    documents: they are retried one by one in fresh processes, and reported as
    unreadable if they bring that process down too.
    """
    paths = list(paths)
    workers = min(_cpu_count() if not jobs else max(jobs, 1), len(paths)) or 1
    bar = _progress_bar(len(paths), progress)
    try:
        if workers == 1:
            return [_tick(bar, audit_path(p, profile, options)) for p in paths]
        size = max(1, min(32, len(paths) // (workers * 4)))
        chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
        results: list[DocumentResult] = []
        for chunk, done in zip(chunks, _run_chunks(chunks, profile, workers, options)):
            got = done if done is not None else [_audit_isolated(p, profile, options) for p in chunk]
            results += got
            if bar is not None:
                bar.update(len(got))
        return results
    finally:
        if bar is not None:
            bar.close()


def _run_chunks(chunks: list[list[str]], profile: str | None, workers: int, options: dict | None = None):
    """Each chunk's results in order, or None for a chunk whose worker died."""
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(profile,)) as pool:
        futures = [pool.submit(_audit_chunk, c, profile, options) for c in chunks]
        workers_of = list((getattr(pool, "_processes", None) or {}).values())
        for fut in futures:
            try:
                yield fut.result()
            except BrokenProcessPool:
                # Once the pool is broken nobody reads the result pipe: a surviving worker blocked
                # writing a large result would never exit, and leaving the `with` (which joins the
                # workers) would hang. Python 3.11 does not end them; do it here.
                for proc in {*workers_of, *(getattr(pool, "_processes", None) or {}).values()}:
                    if proc.is_alive():
                        proc.kill()  # SIGKILL: no handler of the worker's can keep it alive
                yield None


def _audit_isolated(path: str, profile: str | None, options: dict | None = None) -> DocumentResult:
    """One document in a process of its own, so that a crash names the document that caused it."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(audit_path, path, profile, options).result()
    except BrokenProcessPool:
        return failed(str(path), CRASHED)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _progress_bar(total: int, progress: bool | None):
    if total <= 1 or progress is False:
        return None
    if progress is None and not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="审核", unit="份", file=sys.stderr, leave=False)


def _tick(bar, result: DocumentResult) -> DocumentResult:
    if bar is not None:
        bar.update(1)
    return result
