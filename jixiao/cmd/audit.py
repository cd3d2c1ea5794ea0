"""`jixiao audit FILE|DIR...` — audit packages and report every finding at once.

Exit codes (DESIGN §7): 0 no error-level finding, 1 at least one, 2 an input could
not be read (the others are still reported).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..audit.service import AUDITABLE_SUFFIXES, DocumentResult, audit_many, expand_inputs
from . import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, UserError

FORMATS = ("text", "json", "xlsx", "html")
NEEDS_OUTPUT = ("xlsx", "html")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "audit", help="审核自评材料：复算表内合计、比率、得分，核对前后一致，列出全部问题",
        description="审核一份或多份自评材料（.txt / .docx / .yaml / .json / .xlsx；目录会递归查找）。"
                    "退出码：0 无错误级问题，1 有错误级问题，2 有文件无法读取。")
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="待审核的文件或目录")
    p.add_argument("--format", choices=FORMATS, default="text", help="输出格式（html、xlsx 须配合 -o）")
    p.add_argument("-o", "--output", metavar="OUT", help="写入文件（先写 OUT.tmp 再改名）")
    p.add_argument("--profile", help="评分方案（默认取各数据包自带的 profile）")
    p.add_argument("--targets", metavar="TARGETS", help="批复绩效目标（一体化系统导出的 .csv 或 .xlsx）：逐项比对填报的指标")
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="并行进程数（默认全部核心；1 为单进程）")
    p.add_argument("--quiet", "-q", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    if args.format in NEEDS_OUTPUT and not args.output:
        raise UserError(f"--format {args.format} 生成的是文件，请用 -o 指定输出路径，例如 -o 审核意见.{args.format}")
    if args.jobs < 0:
        raise UserError("--jobs 应为非负整数（0 表示使用全部核心）")
    if args.profile:
        from ..core.profiles import load_profile

        load_profile(args.profile)  # an unknown profile stops here with its own message (exit 2)
    paths = expand_inputs(args.paths)
    if not paths:
        kinds = "、".join(AUDITABLE_SUFFIXES)
        raise UserError(f"没有找到可审核的文件（支持 {kinds}）")
    options = {"targets": _targets(args.targets)} if args.targets else None
    results = audit_many(paths, args.profile, args.jobs or None, progress=False if args.quiet else None, options=options)
    emit(results, args.format, args.output)
    return exit_code(results)


def _targets(path: str) -> list:
    """The approved targets of `--targets`; a file that cannot be read, or with a refused row, stops
    the audit (exit 2): comparing with half a file would report its missing rows as not approved."""
    from ..io.targets import TargetsError, read_targets_file

    try:
        read = read_targets_file(path)
    except TargetsError as exc:
        raise UserError("；".join([f"批复目标文件 {path} 无法读取：{exc.message}", *exc.problems])) from None
    if read.refused:
        raise UserError("；".join([f"批复目标文件 {path} 中有{len(read.refused)}行无法读取，未审核", *read.refused[:20]]))
    return read.targets


def emit(results: list[DocumentResult], fmt: str, output: str | None) -> None:
    from ..audit import report

    if fmt == "xlsx":
        report.write_xlsx(results, output)
    else:
        render = {"text": report.render_text, "json": report.render_json, "html": report.render_html}[fmt]
        text = render(results)
        if not output:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        report.write_atomic(output, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    _note_written(results, Path(output))


def _note_written(results: list[DocumentResult], out: Path) -> None:
    from ..audit.report import counts_text

    total = {k: sum(r.summary[k] for r in results) for k in ("errors", "warnings", "infos")}
    bad = sum(1 for r in results if r.error)
    unchecked = sum(1 for r in results if not r.error and r.coverage.status == "unchecked")
    extra = (f"，{bad} 份无法读取" if bad else "") + (f"，{unchecked} 份未能核对" if unchecked else "")
    print(f"已写入 {out}（{len(results)} 份文件：{counts_text(total)}{extra}）", file=sys.stderr)


def exit_code(results: list[DocumentResult]) -> int:
    if any(r.error for r in results):
        return EXIT_UNREADABLE
    if any(r.summary["errors"] for r in results):
        return EXIT_FINDINGS
    return EXIT_OK
