"""How much of a self-evaluation table the audit reads and checks, by layout and by format.

One correct project table (tests/layouts) is printed in a fixed set of layouts — other families'
titles and none, three indicator column orders, header synonyms, one or two header rows, merged
level labels, an amount table of peer rows with a 合计 or of a parent with its children — and in
every format the generator makes (text with TAB, aligned spaces or pipes, the TAB-per-cell dump,
HTML, .xlsx, .docx; PDF through LibreOffice for two layouts). Each is audited correct and then with
each defect planted alone.

    .venv/bin/python bench/layouts.py [--no-pdf] [--formats tab,docx] [--show-partial]

RESULT lines: per format and per layout family, the share of planted defects found at their place,
the false errors on the correct versions, and the share of correct versions read with full coverage.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from layouts import DEFECTS, FORMATS, Layout, audit_layout, correct_project, found, planted  # noqa: E402

from jixiao.audit.report import render_text  # noqa: E402

# Each layout varies from the national form in one or two ways, so that a family's figure says
# what that variation costs.
LAYOUTS = (
    Layout(),
    Layout(title="linked"),
    Layout(title="special", words=1),
    Layout(title="none", words=2),
    Layout(order="points_first"),
    Layout(order="score_before_actual", words=1),
    Layout(header_rows=2),
    Layout(merged=True),
    Layout(merged=True, points_in_label=False, header_rows=2),
    Layout(amounts="peers"),
    Layout(amounts="parent"),
    Layout(title="none", order="points_first", merged=True, amounts="peers"),
)
PDF_LAYOUTS = (Layout(), Layout(title="linked", merged=True, amounts="peers"))


def axes(layout: Layout) -> list[str]:
    """The layout families a layout belongs to, for the per-family figures."""
    out = [f"title_{layout.title}", f"order_{layout.order}", f"words_{layout.words}",
           f"header_rows_{layout.header_rows}", f"merged_{int(layout.merged)}", f"amounts_{layout.amounts}"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-pdf", action="store_true", help="skip the PDF layouts (LibreOffice is slow)")
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats to print (default: all)")
    ap.add_argument("--misses", action="store_true", help="list every defect not found and every false error")
    ap.add_argument("--show-partial", action="store_true", help="print the text report of one partly read document")
    args = ap.parse_args()

    planted_by: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # key → [found, planted]
    correct_by: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # key → [documents, false errors, full coverage]
    missed: dict[str, int] = defaultdict(int)
    shown = None
    started = time.perf_counter()
    audits = 0
    for fmt in args.formats.split(","):
        if fmt == "pdf" and args.no_pdf:
            continue
        for layout in PDF_LAYOUTS if fmt == "pdf" else LAYOUTS:
            keys = [f"format_{fmt}", *(f"layout_{a}" for a in axes(layout)), "all"]
            with tempfile.TemporaryDirectory(prefix="jx-bench-layout-") as tmp:
                result = audit_layout(correct_project(), layout, fmt, Path(tmp))
            audits += 1
            errors = result.summary["errors"] if not result.error else 0
            for key in keys:
                row = correct_by[key]
                row[0] += 1
                row[1] += errors
                row[2] += result.coverage.status == "checked"
            if args.misses and errors:
                print(f"false errors {fmt} {layout.family}: "
                      + "；".join(f.rule for f in result.findings if f.severity == "error"))
            if shown is None and result.coverage.status == "partial":
                shown = result
            for defect in DEFECTS:
                if defect.needs_amounts and layout.amounts == "none":
                    continue
                with tempfile.TemporaryDirectory(prefix="jx-bench-layout-") as tmp:
                    result = audit_layout(planted(defect), layout, fmt, Path(tmp))
                audits += 1
                hit = bool(found(result, defect))
                if not hit:
                    missed[f"{defect.name}"] += 1
                    if args.misses:
                        print(f"missed {defect.name} {fmt} {layout.family}")
                for key in [*keys, f"defect_{defect.name}"]:
                    planted_by[key][0] += hit
                    planted_by[key][1] += 1
    elapsed = time.perf_counter() - started

    for key in sorted(planted_by):
        hit, total = planted_by[key]
        print(f"RESULT found_share_{key}={hit / total:.2f} ratio  # {hit}/{total}")
    for key in sorted(correct_by):
        docs, errors, full = correct_by[key]
        print(f"RESULT false_errors_{key}={errors} errors  # {docs} correct documents")
        print(f"RESULT full_coverage_share_{key}={full / docs:.2f} ratio")
    print(f"RESULT layout_audits={audits} documents  # in {elapsed:.1f} s")
    if args.show_partial:
        print("（一份部分读懂的文件的核对范围）" if shown else "（本次没有部分读懂的文件）")
        if shown is not None:
            print(render_text([shown]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
