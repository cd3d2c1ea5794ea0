"""Render throughput: .docx + .xlsx per second (one core), and PDFs per second with one
LibreOffice process for a batch versus one process per file.

    .venv/bin/python bench/render.py [--packages 10] [--runs 5] [--pdf-files 4]
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

from jixiao.io.readers import read_any  # noqa: E402
from jixiao.render.api import render_package  # noqa: E402
from jixiao.render.pdf import PdfError, convert_batch, find_soffice  # noqa: E402

EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"


def packages_per_second(n: int, runs: int, charts: bool) -> float:
    pkg = read_any(EXAMPLE)
    rates = []
    with tempfile.TemporaryDirectory() as tmp:
        render_package(pkg, Path(tmp) / "warm", charts=charts)  # imports, font cache, profile cache
        for r in range(runs):
            t0 = time.perf_counter()
            for i in range(n):
                render_package(pkg, Path(tmp) / f"r{r}-{i}", charts=charts)
            rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates)


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
    ap.add_argument("--pdf-files", type=int, default=4)
    args = ap.parse_args()
    plain = packages_per_second(args.packages, args.runs, charts=False)
    print(f"docx+xlsx, no charts: {plain:.2f} packages/s (median of {args.runs} runs × {args.packages})")
    charts = packages_per_second(args.packages, max(3, args.runs // 2), charts=True)
    print(f"docx+xlsx with 2 charts: {charts:.2f} packages/s")
    print(f"RESULT packages_per_s={plain:.2f} 1/s")
    print(f"RESULT packages_per_s_with_charts={charts:.2f} 1/s")
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
