"""Render throughput: .docx + .xlsx per second (one core), and PDFs per second with one
LibreOffice process for a batch versus one process per file.

    .venv/bin/python bench/render.py [--packages 10] [--runs 5] [--pdf-files 4] [--baseline REV]

packages_per_s is wall-clock; packages_per_cpu_s counts this process's CPU time only, which
holds up better on a shared machine. With --baseline REV (a git revision, e.g. the commit
before an optimisation) every package is also rendered by that revision's jixiao, alternating
in the same process, and the ratio of the CPU medians is printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from baseline import CodeTree  # noqa: E402

from jixiao.io.readers import read_any  # noqa: E402
from jixiao.render.api import render_package  # noqa: E402
from jixiao.render.pdf import PdfError, convert_batch, find_soffice  # noqa: E402

EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"


def packages_per_second(n: int, runs: int, charts: bool) -> tuple[float, float]:
    """Median packages per second over `runs` runs of `n`: wall-clock and CPU time."""
    pkg = read_any(EXAMPLE)
    rates, cpu_rates = [], []
    with tempfile.TemporaryDirectory() as tmp:
        render_package(pkg, Path(tmp) / "warm", charts=charts)  # imports, font cache, profile cache
        for r in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            for i in range(n):
                render_package(pkg, Path(tmp) / f"r{r}-{i}", charts=charts)
            rates.append(n / (time.perf_counter() - t0))
            cpu_rates.append(n / max(time.process_time() - c0, 1e-9))
    return statistics.median(rates), statistics.median(cpu_rates)


# --- a second jixiao in this process, for --baseline -------------------------------------------


def baseline_tree(rev: str, directory: Path) -> CodeTree:
    def warm() -> dict:
        from jixiao.io.readers import read_any as base_read
        from jixiao.render.api import render_package as base_render

        pkg = base_read(EXAMPLE)
        base_render(pkg, directory / "warm", charts=False)  # every lazy import, the profile cache
        return {"pkg": pkg, "render": base_render}

    return CodeTree(rev, directory, warm)


def run_against(n: int, base: CodeTree, tmp: Path) -> tuple[list[float], list[float]]:
    """CPU seconds per package (no charts) of the working tree and of the baseline, alternating."""
    pkg = read_any(EXAMPLE)
    render_package(pkg, tmp / "warm", charts=False)
    now, then = [], []
    for i in range(n):
        for turn in ((0, 1) if i % 2 else (1, 0)):
            t0 = time.process_time()
            if turn:
                with base:
                    base.render(base.pkg, tmp / f"b{i}", charts=False)
            else:
                render_package(pkg, tmp / f"n{i}", charts=False)
            (then if turn else now).append(time.process_time() - t0)
    return now, then


def pdf_rates(n: int) -> tuple[float, float]:
    pkg = read_any(EXAMPLE)
    with tempfile.TemporaryDirectory() as tmp:
        docs = []
        for i in range(n):
            out = render_package(pkg, Path(tmp) / f"d{i}", charts=False)
            target = Path(tmp) / f"doc{i}.docx"
            out.docx.rename(target)
            docs.append(target)
        t0 = time.perf_counter()
        convert_batch(docs, Path(tmp) / "batched")
        batched = n / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        for d in docs:
            convert_batch([d], Path(tmp) / "single")
        single = n / (time.perf_counter() - t0)
    return batched, single


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", type=int, default=10)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pdf-files", type=int, default=4, help="0: no PDF figures")
    ap.add_argument("--baseline", metavar="REV", help="also render every package with the jixiao of this git revision")
    args = ap.parse_args()
    plain, plain_cpu = packages_per_second(args.packages, args.runs, charts=False)
    print(f"docx+xlsx, no charts: {plain:.2f} packages/s, {plain_cpu:.2f} per CPU second "
          f"(median of {args.runs} runs × {args.packages})")
    charts, _ = packages_per_second(args.packages, max(3, args.runs // 2), charts=True)
    print(f"docx+xlsx with 2 charts: {charts:.2f} packages/s")
    print(f"RESULT packages_per_s={plain:.2f} 1/s")
    print(f"RESULT packages_per_cpu_s={plain_cpu:.2f} 1/s")
    print(f"RESULT packages_per_s_with_charts={charts:.2f} 1/s")
    if args.baseline:
        with tempfile.TemporaryDirectory() as d:
            base = baseline_tree(args.baseline, Path(d) / "baseline")
            now, then = run_against(args.packages * args.runs, base, Path(d) / "out")
        m_now, m_then = statistics.median(now), statistics.median(then)
        print(f"same process, alternating with {args.baseline}: CPU median per package now {m_now * 1000:.1f} ms, "
              f"baseline {m_then * 1000:.1f} ms")
        print(f"RESULT median_ms={m_now * 1000:.2f} ms")
        print(f"RESULT baseline_median_ms={m_then * 1000:.2f} ms")
        print(f"RESULT speedup_vs_baseline={m_then / m_now:.2f} x")
    if args.pdf_files <= 0:
        return 0
    if find_soffice() is None:
        print("LibreOffice not installed: PDF figures skipped")
        return 0
    try:
        batched, single = pdf_rates(args.pdf_files)
    except PdfError as exc:
        print(f"PDF failed: {exc}")
        return 1
    print(f"PDF, {args.pdf_files} files: batched {batched:.2f}/s, one soffice per file {single:.2f}/s, "
          f"ratio {batched / single:.2f}×")
    print(f"RESULT pdf_per_s_batched={batched:.2f} 1/s")
    print(f"RESULT pdf_per_s_per_file={single:.2f} 1/s")
    print(f"RESULT pdf_batch_speedup={batched / single:.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
