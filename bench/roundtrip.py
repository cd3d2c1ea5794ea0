"""The workbook round trip on the example: how long writing and reading back take (CPU time of this
process, median), how large the workbook is, and how many canonical fields differ after
package → .xlsx → package (untouched) and after one input cell is edited (附件4 公务接待拨款
当年财政拨款 全年执行数 3.16 → 20.5: one field should differ).

    .venv/bin/python bench/roundtrip.py [--runs 8]
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
sys.path.insert(0, str(ROOT / "tests"))

from test_roundtrip import changed, edited  # noqa: E402

from jixiao.core.view import build_view  # noqa: E402
from jixiao.io.canonical import package_to_dict  # noqa: E402
from jixiao.io.readers import read_any  # noqa: E402
from jixiao.io.xlsx_reader import read_xlsx  # noqa: E402
from jixiao.render.xlsx_writer import write_xlsx  # noqa: E402

EXAMPLE = ROOT / "examples" / "xiangxi-beijing-office-2022.yaml"


def cpu_ms(func) -> float:
    start = time.process_time()
    func()
    return (time.process_time() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    pkg = read_any(EXAMPLE)
    view = build_view(pkg)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "example.xlsx"
        write_xlsx(view, book)
        read_xlsx(book)  # imports and caches warm
        writes = [cpu_ms(lambda: write_xlsx(view, book)) for _ in range(args.runs)]
        reads = [cpu_ms(lambda: read_xlsx(book)) for _ in range(args.runs)]
        untouched = changed(package_to_dict(pkg), package_to_dict(read_xlsx(book)))
        i = next(k for k, t in enumerate(pkg.projects) if t.name == "公务接待拨款")
        j = next(k for k, f in enumerate(pkg.projects[i].funds) if f.key == "appropriation")
        one = edited(book, Path(tmp) / "edited.xlsx", {f"projects[{i}].funds[{j}].executed": 20.5})
        after_edit = changed(package_to_dict(pkg), package_to_dict(read_xlsx(one)))
        size = book.stat().st_size
    print(f"untouched round trip: {len(untouched)} fields differ; one cell edited: {sorted(after_edit)}")
    print(f"RESULT xlsx_write_cpu_ms={statistics.median(writes):.1f} ms")
    print(f"RESULT xlsx_read_cpu_ms={statistics.median(reads):.1f} ms")
    print(f"RESULT xlsx_bytes={size} B")
    print(f"RESULT fields_changed_untouched={len(untouched)} fields")
    print(f"RESULT fields_changed_one_edit={len(after_edit)} fields")


if __name__ == "__main__":
    main()
