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
    from .. import services

    outdir = Path(args.output)
    if outdir.exists() and not outdir.is_dir():
        print(f"jixiao: 输出位置 {outdir} 不是目录", file=sys.stderr)
        return EXIT_UNREADABLE
    rendered: list[tuple[str, services.RenderResult]] = []
    failures = 0
    for f in _progress(list(args.files), "生成"):
        try:
            pkg = services.read(path=f)
            r = services.render(package=pkg, outdir=outdir, profile_name=args.profile or None, charts=args.charts)
        except services.ServiceError as exc:
            print(f"jixiao: {exc}", file=sys.stderr)
            failures += 1
            continue
        rendered.append((f, r))
        for note in r.notes:
            print(f"jixiao: 注意：{f} {note}", file=sys.stderr)
    if args.pdf and rendered:
        try:  # one LibreOffice process for the whole batch
            pdfs = services.render_pdfs(docx_paths=[r.docx for _, r in rendered], outdir=outdir, timeout=args.timeout)
        except services.ServiceError as exc:
            print(f"jixiao: {exc}", file=sys.stderr)
            return EXIT_FAILED
        for (_, r), pdf in zip(rendered, pdfs):
            r.pdf = pdf
    for f, r in rendered:
        outs = [r.docx.name, r.xlsx.name] + ([r.pdf.name] if r.pdf else [])
        print(f"{f} → {outdir}/：{'，'.join(outs)}")
    if failures:
        return EXIT_UNREADABLE
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from .. import services

    services.import_(path=args.file, out=args.output)
    print(f"{args.file} → {args.output}")
    return EXIT_OK
