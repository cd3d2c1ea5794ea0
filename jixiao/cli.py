"""The `jixiao` command line: thin wrappers over the core, readers and writers.

Exit codes follow the contract in DESIGN §7: 0 fine, 1 error-level findings
(audit), 2 an input that cannot be read. No traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .cmd import EXIT_OK, EXIT_UNREADABLE, UserError
from .core.numbers import fmt_value, round_half_up
from .core.profiles import ProfileError
from .core.trace import KIND_LABELS
from .services import ServiceError
from .texttable import table

# --- score --------------------------------------------------------------------------------------


def cmd_score(args: argparse.Namespace) -> int:
    from . import services

    pkg = services.read(path=args.file)
    report = services.score(package=pkg, profile_name=args.profile or None)
    if args.format == "json":
        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_score_text(report))
    return EXIT_OK


def render_score_text(report) -> str:
    lines = [f"{report.package.unit.name}  {report.package.year}年度  评分方案：{report.profile.id}"
             f"（{' → '.join(report.profile.chain)}，{report.profile.digest[:12]}）"]
    if report.package.profile_note:
        lines.append(f"注意：{report.package.profile_note}")
    lines.append("")

    def block(title: str, values) -> None:
        if values:
            lines.append(f"■ {title}")
            lines.append(render_values(values))

    lines += _overview(report)
    for name, values in report.sections.items():
        block(name, values)
    for t in report.tables:
        block(t.title, t.values)
    disagreements = sum(1 for c in report.all() if c.agrees is False)
    lines.append(f"共计算 {len(report.all())} 项，其中 {disagreements} 项与填报值不一致（✗）。")
    return "\n".join(lines) + "\n"


def render_values(values) -> str:
    """Each figure with its mark (✓ agrees with the stated one, ✗ does not), formula, inputs and clause."""
    lines = []
    for c in values:
        mark = {True: "✓", False: "✗", None: " "}[c.agrees]
        if c.judged:  # the unit's figure stands; the engine's is a reading offered as 参考
            allowed = f"，允许 {fmt_value(c.allowed[0], c.unit)}–{fmt_value(c.allowed[1], c.unit)}" if c.allowed else ""
            stated = c.shown_stated() if c.has_stated else "未填"
            lines.append(f"  {mark} {c.label}：{stated}（{KIND_LABELS[c.kind]}；参考 {c.shown()}{allowed}）")
        else:
            stated = f"  填报 {c.shown_stated()}" if c.has_stated else ""
            lines.append(f"  {mark} {c.label}：{c.shown()}{stated}")
        lines.append(f"      = {c.formula}" + (f"；{_inputs(c)}" if c.inputs else ""))
        if c.rule:
            lines.append(f"      依据：{c.rule}")
        if c.note:
            lines.append(f"      说明：{c.note}")
    return "\n".join(lines) + "\n"


def _overview(report) -> list[str]:
    """One line per self-evaluation table: rate, execution score, total and grade, computed vs stated."""
    if not report.tables:
        return []

    def pair(c) -> str:
        if c is None:
            return ""
        mark = {True: "", False: " ✗", None: ""}[c.agrees]
        return c.shown() + (f"（填报 {c.shown_stated()}）{mark}" if c.has_stated and c.agrees is False else "")

    rows = [[t.title, pair(t.execution_rate), pair(t.execution_score), pair(t.total), t.grade.text if t.grade else ""]
            for t in report.tables]
    return ["总览", *table(["自评表", "执行率", "执行率得分", "总分", "等次"], rows), ""]


def _inputs(c) -> str:
    return "，".join(f"{k}={_input_text(k, v, c)}" for k, v in c.inputs.items())


def _input_text(name: str, v, c) -> str:
    """An input as a reviewer reads it: rates as percentages (实际值 1.00 against a % target is 100%),
    other figures rounded for display (half-up) — never a raw 28-digit Decimal."""
    if v is None:
        return "空"
    if not hasattr(v, "as_tuple"):
        return str(v)
    target = str(c.inputs.get("指标值", ""))
    if name in ("比率", "执行率") or (name == "实际值" and target.rstrip().endswith("%")):
        return fmt_value(v, "ratio")
    if v.as_tuple().exponent < -4:
        v = round_half_up(v, 4)
    return format(v, "f")


# --- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jixiao", description="预算绩效自评：计算、审核、生成")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("score", help="计算数据包中的每个比率、得分、总分和等次，并与填报值比对")
    p.add_argument("file")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--profile", help="评分方案（默认取数据包中的 profile）")
    p.set_defaults(func=cmd_score)

    _add_optional_commands(sub)
    return parser


def _add_optional_commands(sub) -> None:
    """Commands whose modules register themselves (audit, import, render, serve)."""
    from .commands import register_all

    register_all(sub)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (UserError, ServiceError) as exc:
        print(f"jixiao: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except ProfileError as exc:
        print(f"jixiao: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except ValueError as exc:  # PackageError and reader errors carry a readable message
        print(f"jixiao: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:
        print(f"jixiao: 无法读写文件：{exc.filename or ''} {exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["main", "Path"]
