"""Benchmark: the XML-bomb scan of .docx/.xlsx uploads (jixiao/io/guards.py) beside the read it
guards. Renders the example package into a temporary folder, then times the scan of every XML
part and the whole read (which includes the scan), per file.

    .venv/bin/python bench/xml_guard.py
"""

from __future__ import annotations

import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from jixiao import services
    from jixiao.io import guards
    from jixiao.io.readers import read_any

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-xml-") as tmp:
        pkg = services.read(path=ROOT / "examples" / "xiangxi-beijing-office-2022.yaml")
        result = services.render(package=pkg, outdir=tmp, charts=False)
        for p in (result.docx, result.xlsx):
            kind = p.suffix[1:]
            with zipfile.ZipFile(p) as zf:
                size = sum(m.file_size for m in zf.infolist() if m.filename.lower().endswith(guards.XML_PARTS))
                t = time.perf_counter()
                for _ in range(20):
                    guards.check_xml_parts(zf, str(p))
                scan = (time.perf_counter() - t) / 20
            t = time.perf_counter()
            for _ in range(3):
                read_any(p)
            read = (time.perf_counter() - t) / 3
            print(f"RESULT xml_parts_{kind}_kb={size / 1024:.0f} KB")
            print(f"RESULT xml_scan_{kind}_ms={scan * 1000:.1f} ms")
            print(f"RESULT read_{kind}_ms={read * 1000:.0f} ms")
            print(f"RESULT xml_scan_share_{kind}={scan / read * 100:.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
