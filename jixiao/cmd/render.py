"""`jixiao render FILE... -o DIR [--pdf]` and `jixiao import FILE -o OUT.yaml`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import EXIT_OK, EXIT_UNREADABLE

EXIT_FAILED = 1


def register(subparsers) -> None:
    p = subparsers.add_parser("render", help="生成正式文件：自评报告 .docx、自评表 .xlsx，可选 PDF")
    p.add_argument("files", nargs="+", metavar="FILE", help="数据包（.yaml/.json/.xlsx/.docx/.txt），可多个")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="输出目录")
    p.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 PDF（一批文件只启动一次）")
    p.add_argument("--profile", help="评分方案（默认取数据包中的 profile）")
    charts = p.add_mutually_exclusive_group()
    charts.add_argument("--charts", dest="charts", action="store_true", default=None, help="在报告中插入图表")
    charts.add_argument("--no-charts", dest="charts", action="store_false", help="不插入图表")
    p.add_argument("--timeout", type=int, default=600, help="PDF 转换超时（秒，默认600）")
    p.set_defaults(func=cmd_render)

    q = subparsers.add_parser("import", help="把任意可读的输入（.xlsx/.docx/.txt/.json/.yaml）转为规范数据包 YAML/JSON")
    q.add_argument("file", metavar="FILE")
    q.add_argument("-o", "--output", required=True, metavar="OUT", help="输出文件（.yaml 或 .json）")
    q.set_defaults(func=cmd_import)


def _progress(items, desc: str):
    if len(items) > 1 and sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(items, desc=desc, unit="个", file=sys.stderr)
    return items


def cmd_render(args: argparse.Namespace) -> int:
    from ..io.readers import read_any
    from ..render.api import render_package
    from ..render.pdf import PdfError, convert_batch

    outdir = Path(args.output)
    if outdir.exists() and not outdir.is_dir():
        print(f"jixiao: 输出位置 {outdir} 不是目录", file=sys.stderr)
        return EXIT_UNREADABLE
    rendered, failures = [], 0
    for f in _progress(list(args.files), "生成"):
        try:
            pkg = read_any(f)
            rendered.append(render_package(pkg, outdir, args.profile, args.charts, source=f))
            _warn_inconsistent_inputs(pkg, args.profile, f)
        except ValueError as exc:  # PackageError, ProfileError: readable messages
            print(f"jixiao: {exc}", file=sys.stderr)
            failures += 1
    if args.pdf and rendered:
        try:
            pdfs = convert_batch([r.docx for r in rendered], outdir, timeout=args.timeout)
        except PdfError as exc:
            print(f"jixiao: {exc}", file=sys.stderr)
            return EXIT_FAILED
        for r, pdf in zip(rendered, pdfs):
            r.pdf = pdf
    for r in rendered:
        outs = [r.docx.name, r.xlsx.name] + ([r.pdf.name] if r.pdf else [])
        print(f"{r.source} → {outdir}/：{'，'.join(outs)}")
    if failures:
        return EXIT_UNREADABLE
    return EXIT_OK


def _warn_inconsistent_inputs(pkg, profile, name: str) -> None:
    """The render recomputes every derived figure, but it cannot choose between two *entered*
    figures that disagree (人员经费 363.49 here, 363.48 there): say so, so the preparer fixes the data."""
    from ..audit.registry import run_checks
    from ..core.view import build_view

    errors = [f for f in run_checks(build_view(pkg, profile).package, profile) if f.severity == "error"]
    if errors:
        first = errors[0].message if len(errors[0].message) <= 60 else errors[0].message[:59] + "…"
        print(f"jixiao: 注意：{name} 生成的材料中仍有 {len(errors)} 处错误级问题来自填报数据本身"
              f"（例如：{first}），程序无法判断以哪一处为准；请用 jixiao audit 查看并修正数据包后重新生成。",
              file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from ..io.canonical import write_package
    from ..io.readers import read_any

    out = Path(args.output)
    if out.suffix.lower() not in (".yaml", ".yml", ".json"):
        print(f"jixiao: 输出文件应为 .yaml 或 .json：{out}", file=sys.stderr)
        return EXIT_UNREADABLE
    pkg = read_any(args.file)
    write_package(pkg, out)
    print(f"{args.file} → {out}")
    return EXIT_OK
