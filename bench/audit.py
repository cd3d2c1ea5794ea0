"""Benchmark: `jixiao audit` over 1,000 seed-sized documents, single process and as a batch.

Each document is the seed text with its figures perturbed (every amount, rate and
count replaced by a random nearby value, seeded RNG; years and form numbers kept),
so every document parses like the seed and carries a different set of findings.
Without the seed (or without a .txt reader) the example YAML is perturbed instead.
Documents are written to a temporary directory and audited from disk, as the CLI
does: first one after another in this process, then as a batch on all cores.

    .venv/bin/python bench/audit.py [--docs 1000] [--jobs 0] [--profile-hot] [--baseline REV] [--format-docs 5]

Published reports arrive as PDF and HTML pages too: the example is rendered to .docx and PDF
(LibreOffice) and exported to HTML once, and each is audited --format-docs times from disk; their
per-core rates are printed beside the text dump's (skipped without LibreOffice).

With --baseline REV (a git revision, e.g. the commit before an optimisation) the
jixiao package of that revision is loaded into this same process beside the
working tree's, and every document is audited by both, alternately, so that the
ratio of their per-document CPU medians is not skewed by the machine's load.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from baseline import CodeTree

from jixiao.audit.service import _cpu_count, audit_many, audit_path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_ccaee7afe12d8f19.txt"
EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"

NUMBER = re.compile(r"(?<![\d.])(\d+)(?:\.(\d+))?(?![\d.])")
KEEP_BEFORE = ("附件", "第", "任务", "（", "(")  # form numbers, ordinals, list markers


def perturb(text: str, rng: random.Random) -> str:
    """Replace each amount / rate / count by a nearby value with the same number of decimals."""

    def swap(m: re.Match) -> str:
        whole, frac = m.group(1), m.group(2)
        before = text[max(0, m.start() - 2): m.start()]
        if (not frac and (len(whole) == 4 and whole.startswith(("19", "20")) or len(whole) > 8 or int(whole) < 10)) \
                or before.endswith(KEEP_BEFORE):
            return m.group(0)  # years, phone numbers, small ordinals and labels stay
        value = Decimal(m.group(0)) * Decimal(rng.randint(85, 115)) / 100
        places = Decimal(1).scaleb(-len(frac)) if frac else Decimal(1)
        return str(value.quantize(places))

    return NUMBER.sub(swap, text)


def source_document() -> tuple[str, str]:
    """(text, suffix): the seed if it is here and readable, else the example YAML."""
    if SEED.exists():
        probe = audit_path(SEED)
        if not probe.error:
            return SEED.read_text(encoding="utf-8"), ".txt"
        print(f"（种子文件暂不可读：{probe.error.splitlines()[0]}；改用示例 YAML）")
    else:
        print(f"（未找到种子文件 {SEED}；改用示例 YAML）")
    return EXAMPLE.read_text(encoding="utf-8"), ".yaml"


def write_corpus(directory: Path, n: int, seed: int = 2022) -> list[str]:
    text, suffix = source_document()
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        p = directory / f"doc{i:04d}{suffix}"
        p.write_text(perturb(text, rng), encoding="utf-8")
        paths.append(str(p))
    print(f"语料：{n} 份 {suffix} 文件，每份约 {len(text.encode('utf-8')) // 1024} KB（由{'种子' if suffix == '.txt' else '示例 YAML'}扰动生成）")
    return paths


def run_single(paths: list[str]) -> tuple[float, float, list[float], int, int]:
    """Wall time, CPU time of this process, per-document CPU times, error findings, unreadable files.

    Per-core throughput is taken from CPU time: on a shared machine the wall clock
    also counts the time other processes held the core.
    """
    per_doc, errors, unreadable = [], 0, 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for p in paths:
        t0 = time.process_time()
        r = audit_path(p)
        per_doc.append(time.process_time() - t0)
        unreadable += bool(r.error)
        errors += r.summary["errors"]
    return time.perf_counter() - start, time.process_time() - cpu_start, per_doc, errors, unreadable


def run_batch(paths: list[str], jobs: int) -> tuple[float, int]:
    start = time.perf_counter()
    results = audit_many(paths, jobs=jobs, progress=False)
    elapsed = time.perf_counter() - start
    return elapsed, sum(r.summary["errors"] for r in results)


def profile_hot(paths: list[str], top: int = 25) -> None:
    prof = cProfile.Profile()
    prof.enable()
    for p in paths:
        audit_path(p)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


# --- published formats: PDF and HTML -------------------------------------------------------------


def format_files(directory: Path) -> dict[str, Path]:
    """The example as PDF (jixiao render --pdf) and as LibreOffice's HTML export of its .docx."""
    import subprocess

    from jixiao import services
    from jixiao.io.convert import find_soffice

    soffice = find_soffice()
    if soffice is None:
        return {}
    out = directory / "formats"
    result = services.render(package=services.read(path=EXAMPLE), outdir=out, pdf=True)
    profile = out / "profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "html",
                    "--outdir", str(out), str(result.docx)], check=True, capture_output=True, timeout=300)
    return {"pdf": result.pdf, "html": result.docx.with_suffix(".html"), "docx": result.docx}


def format_rates(files: dict[str, Path], n: int) -> dict[str, float]:
    """Documents per CPU-second for each format, audited n times from disk."""
    rates = {}
    for kind, path in files.items():
        audit_path(path)  # warm up: the reader's own imports
        cpu = time.process_time()
        for _ in range(n):
            r = audit_path(path)
            assert not r.error, r.error
        rates[kind] = n / (time.process_time() - cpu)
    return rates


# --- a second jixiao in this process, for --baseline -------------------------------------------


def baseline_tree(rev: str, directory: Path, sample: str) -> CodeTree:
    def warm() -> dict:
        from jixiao.audit.service import audit_path as base_audit

        base_audit(sample)  # imports every module a document audit needs, loads the profile
        return {"audit_path": base_audit}

    return CodeTree(rev, directory, warm)


def run_against(paths: list[str], base: CodeTree) -> tuple[list[float], list[float], int]:
    """Per-document CPU times of the working tree and of the baseline, alternating; documents whose findings differ."""
    now, then, differ = [], [], 0
    for i, p in enumerate(paths):
        for turn in ((0, 1) if i % 2 else (1, 0)):
            t0 = time.process_time()
            if turn:
                with base:
                    r = base.audit_path(p)
            else:
                r = audit_path(p)
            (then if turn else now).append(time.process_time() - t0)
            if turn:
                old = r.as_dict()
            else:
                new = r.as_dict()
        differ += old != new
    return now, then, differ


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=0, help="batch workers (0: all cores)")
    ap.add_argument("--profile-hot", action="store_true", help="print a cProfile of 50 single-process audits")
    ap.add_argument("--baseline", metavar="REV", help="also audit every document with the jixiao of this git revision")
    ap.add_argument("--format-docs", type=int, default=5, help="audits of the example as PDF / HTML / .docx (0: skip)")
    args = ap.parse_args()
    jobs = args.jobs or _cpu_count()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as d:
        paths = write_corpus(Path(d), args.docs)
        audit_path(paths[0])  # warm up: imports, profile, check catalogue
        single, single_cpu, per_doc, errors, unreadable = run_single(paths)
        batch, batch_errors = run_batch(paths, jobs)
        if args.profile_hot:
            profile_hot(paths[:50])
        if args.baseline:
            # A corpus neither version has seen: the caches of the first pass must not favour the working tree.
            fresh = Path(d) / "compare"
            fresh.mkdir()
            others = write_corpus(fresh, args.docs, seed=2023)
            base = baseline_tree(args.baseline, Path(d) / "baseline", paths[0])
            now, then, differ = run_against(others, base)
        files = format_files(Path(d)) if args.format_docs else {}
        rates = format_rates(files, args.format_docs) if files else {}
        size = {k: files[k].stat().st_size // 1024 for k in files}
    assert batch_errors == errors, "batch and single-process audits disagree"
    med = statistics.median(per_doc)
    p90 = statistics.quantiles(per_doc, n=10)[-1]
    single_rate, wall_rate, batch_rate = len(paths) / single_cpu, len(paths) / single, len(paths) / batch
    print(f"单进程：{len(paths)} 份，墙钟 {single:.2f} s（{wall_rate:.1f} 份/秒），CPU {single_cpu:.2f} s；"
          f"每份 CPU 中位数 {med * 1000:.1f} ms，P90 {p90 * 1000:.1f} ms；错误级问题共 {errors} 项，无法读取 {unreadable} 份")
    print(f"批量（{jobs} 进程）：{len(paths)} 份用时 {batch:.2f} s；机器负载 {os.getloadavg()[0]:.2f}")
    print(f"RESULT docs_per_s_per_core={single_rate:.1f} 1/s")
    print(f"RESULT docs_per_s_single_wall={wall_rate:.1f} 1/s")
    print(f"RESULT docs_per_s_batch={batch_rate:.1f} 1/s")
    print(f"RESULT batch_speedup={batch_rate / wall_rate:.2f} x")
    print(f"RESULT audit_median_ms={med * 1000:.2f} ms")
    if rates:
        print(f"示例材料（33 页）按发布格式审核各 {args.format_docs} 次：" +
              "，".join(f"{k.upper()} {size[k]} KB {rates[k]:.2f} 份/秒" for k in rates))
        for kind in ("pdf", "html", "docx"):
            if kind in rates:
                print(f"RESULT {kind}_docs_per_s_per_core={rates[kind]:.2f} 1/s")
    elif args.format_docs:
        print("（未找到 LibreOffice，跳过 PDF / HTML 格式的测速）")
    if args.baseline:
        m_now, m_then = statistics.median(now), statistics.median(then)
        print(f"对照（同一进程交替运行，基线 {args.baseline}）：每份 CPU 中位数 当前 {m_now * 1000:.1f} ms，"
              f"基线 {m_then * 1000:.1f} ms；审核结果不同的文件 {differ} 份")
        print(f"RESULT baseline_median_ms={m_then * 1000:.2f} ms")
        print(f"RESULT speedup_vs_baseline={m_then / m_now:.2f} x")


if __name__ == "__main__":
    main()
