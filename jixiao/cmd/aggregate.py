"""`jixiao aggregate FILE... [--projects] [--format text|json]`: 部门汇总 from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from . import EXIT_OK, EXIT_UNREADABLE


def register(subparsers) -> None:
    p = subparsers.add_parser("aggregate", help="部门汇总：金额相加，比率与定性指标得分按资金额度加权，并列出计算过程")
    p.add_argument("files", nargs="+", metavar="FILE", help="各单位的数据包（.yaml/.json/.xlsx/.docx/.txt）")
    p.add_argument("--projects", action="store_true", help="汇总各数据包中的项目支出绩效自评表（附件4），而非附件3")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--profile", help="评分方案（默认取第一个数据包的方案）")
    p.set_defaults(func=cmd_aggregate)


def cmd_aggregate(args: argparse.Namespace) -> int:
    from .. import services

    packages = []
    for f in args.files:
        try:
            packages.append(services.read(path=f))
        except services.ServiceError as exc:
            print(f"jixiao: {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
    result = services.aggregate(packages=packages, profile_name=args.profile or None, projects=args.projects)
    if args.format == "json":
        json.dump({"profile": result.profile.describe(), "members": result.names,
                   "values": [c.as_dict() for c in result.values]}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    from ..cli import render_values

    print(f"部门汇总（{len(result.names)}张表，评分方案 {result.profile.id}）：{'、'.join(result.names)}")
    print(render_values(result.values), end="")
    return EXIT_OK
