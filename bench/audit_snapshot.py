"""Helper for performance work: prove that the audit's output did not change.

Audits the seed, the example YAML, the test fixtures and perturbed copies of the
seed and of the example (the same perturbation as bench/audit.py), and writes every
document's findings (JSON) plus a digest of the package the reader produced.
`compare` re-runs the same corpus and reports every document whose output differs.

    .venv/bin/python bench/audit_snapshot.py save /tmp/before.json [--docs 20]
    .venv/bin/python bench/audit_snapshot.py compare /tmp/before.json
    .venv/bin/python bench/audit_snapshot.py covers /tmp/before.json   # every finding still reported?

`covers` is for changes that may add findings or change a severity but must lose none: each
finding saved (rule, location, stated, expected) must still be reported; severity changes are listed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit import EXAMPLE, ROOT, SEED, perturb  # noqa: E402

from jixiao.audit.service import audit_package  # noqa: E402
from jixiao.io.readers import read_any  # noqa: E402


def corpus(directory: Path, n: int, example: Path = EXAMPLE) -> list[Path]:
    paths = [example, *sorted((ROOT / "tests" / "fixtures").rglob("*.yaml"))]
    if SEED.exists():
        paths.insert(0, SEED)
    rng = random.Random(7)
    for src in ([SEED] if SEED.exists() else []) + [example]:
        text = src.read_text(encoding="utf-8")
        for i in range(n):
            p = directory / f"{src.stem}-{i:03d}{src.suffix}"
            p.write_text(perturb(text, rng), encoding="utf-8")
            paths.append(p)
    return paths


def snapshot(n: int, example: Path = EXAMPLE) -> dict:
    out = {}
    with tempfile.TemporaryDirectory(prefix="jixiao-snap-") as d:
        for p in corpus(Path(d), n, example):
            if p == example:  # an older copy of the example stands for the example itself
                p_key = EXAMPLE
            else:
                p_key = p
            key = p.name if p.parent == Path(d) else str(p_key.relative_to(ROOT.parent))
            try:
                pkg = read_any(p)
            except Exception as exc:  # noqa: BLE001 - recorded, compared like any output
                out[key] = {"error": f"{type(exc).__name__}: {exc}"}
                continue
            result = audit_package(pkg, key)  # the path in findings is the key, not the temp dir
            out[key] = {"package": hashlib.sha256(repr(pkg).replace(d, "<tmp>").encode()).hexdigest(),
                        "result": result.as_dict()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("save", "compare", "covers"))
    ap.add_argument("file")
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--example", type=Path, default=EXAMPLE,
                    help="the example package to perturb (give an older revision's copy to compare across a change of it)")
    args = ap.parse_args()
    import jixiao

    print(f"code: {Path(jixiao.__file__).parent}")
    snap = snapshot(args.docs, args.example)
    if args.mode == "save":
        Path(args.file).write_text(json.dumps(snap, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        total = sum(len(v.get("result", {}).get("findings", [])) for v in snap.values())
        print(f"saved {len(snap)} documents, {total} findings → {args.file}")
        return
    before = json.loads(Path(args.file).read_text(encoding="utf-8"))
    now = json.loads(json.dumps(snap, ensure_ascii=False, default=str))
    if args.mode == "covers":
        sys.exit(covers(before, now))
    bad = [k for k in sorted(set(before) | set(now)) if before.get(k) != now.get(k)]
    for k in bad:
        b, a = before.get(k, {}), now.get(k, {})
        what = "package" if b.get("package") != a.get("package") else "findings"
        print(f"DIFF {k}: {what}")
    total = sum(len(v.get("result", {}).get("findings", [])) for v in now.values())
    print(f"{len(now)} documents, {total} findings: {'IDENTICAL' if not bad else f'{len(bad)} differ'}")
    sys.exit(1 if bad else 0)


def _identity(f: dict) -> tuple:
    return (f["rule"], json.dumps(f["location"], sort_keys=True, ensure_ascii=False), f.get("stated"), f.get("expected"))


def covers(before: dict, now: dict) -> int:
    lost, changed, kept = [], [], 0
    for doc, b in before.items():
        found: dict[tuple, set[str]] = {}
        for f in now.get(doc, {}).get("result", {}).get("findings", []):
            found.setdefault(_identity(f), set()).add(f["severity"])
        for f in b.get("result", {}).get("findings", []):
            sevs = found.get(_identity(f))
            if not sevs:
                lost.append((doc, f))
            else:
                kept += 1
                if f["severity"] not in sevs:
                    changed.append((doc, f, "/".join(sorted(sevs))))
    for doc, f in lost:
        print(f"LOST {doc}: {f['rule']} {f['severity']} {f['message'][:80]}")
    by_rule: dict[tuple, int] = {}
    for _doc, f, sev in changed:
        by_rule[(f["rule"], f["severity"], sev)] = by_rule.get((f["rule"], f["severity"], sev), 0) + 1
    for (rule, old, new), n in sorted(by_rule.items()):
        print(f"SEVERITY {rule}: {old} → {new} ×{n}")
    print(f"{kept} findings still reported, {len(lost)} lost, {len(changed)} with another severity")
    return 1 if lost else 0


if __name__ == "__main__":
    main()
