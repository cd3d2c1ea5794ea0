"""`jixiao verify-log`, `jixiao export-log`, `jixiao verify FILE` (issue 12).

Exit codes: 0 intact / matches, 1 a break in the chain / a document that does not match,
2 an input that cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_BROKEN, EXIT_UNREADABLE = 0, 1, 2


def register(subparsers) -> None:
    v = subparsers.add_parser("verify-log", help="校验审计日志的哈希链（SM3），报告第一条被修改、删除或插入的记录")
    v.add_argument("--all", action="store_true", help="列出全部问题，而不只是第一条")
    v.add_argument("--export", type=Path, metavar="FILE", help="校验导出的日志文件（JSON 行格式），而不是数据库中的日志")
    v.set_defaults(func=cmd_verify_log)
    e = subparsers.add_parser("export-log", help="导出审计日志（CSV 或 JSON 行格式）")
    e.add_argument("--format", choices=("csv", "json"), default="csv", help="格式（默认 csv）")
    e.add_argument("--output", "-o", type=Path, help="输出文件（默认标准输出）")
    e.add_argument("--since", help="只导出此日期（YYYY-MM-DD）以后的记录")
    e.set_defaults(func=cmd_export_log)
    f = subparsers.add_parser("verify", help="用 SM3 校验下载的文件与系统记录的内容摘要是否一致")
    f.add_argument("file", type=Path, help="要校验的文件")
    f.add_argument("--hash", dest="digest", help="公布的 SM3 摘要（64 位十六进制）；不给出时在数据库中查找")
    f.set_defaults(func=cmd_verify)
    register_backup(subparsers)


def _django() -> None:
    from jixiao.web.cli import _django as setup
    from jixiao.web.cli import require_database

    setup()
    require_database()


def cmd_verify_log(args: argparse.Namespace) -> int:
    _django()
    from jixiao.web.security import audit

    if args.export is not None:
        try:
            rows = [audit.from_row(json.loads(line)) for line in args.export.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"错误：无法读取导出的日志“{args.export}”：{exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        result = audit.verify(rows)
    else:
        result = audit.verify()
    if result.ok:
        print(f"审计日志完整：共 {result.entries} 条记录，哈希链（HMAC-SM3）逐条校验通过。")
        return EXIT_OK
    shown = result.problems if args.all else result.problems[:1]
    print(f"审计日志已被篡改：共 {result.entries} 条记录，发现 {len(result.problems)} 处问题。", file=sys.stderr)
    for p in shown:
        print(f"  {p.message}", file=sys.stderr)
    return EXIT_BROKEN


def cmd_export_log(args: argparse.Namespace) -> int:
    _django()
    from datetime import datetime

    from django.utils import timezone

    from jixiao.web.security import audit

    since = None
    if args.since:
        try:
            since = timezone.make_aware(datetime.fromisoformat(args.since))
        except ValueError:
            print(f"错误：日期“{args.since}”无法识别，请写成 YYYY-MM-DD", file=sys.stderr)
            return EXIT_UNREADABLE
    if args.output is None:
        n = audit.export(args.format, sys.stdout, since)
    else:
        try:
            with open(args.output, "w", encoding="utf-8-sig" if args.format == "csv" else "utf-8", newline="") as out:
                n = audit.export(args.format, out, since)
        except OSError as exc:
            print(f"错误：无法写入“{args.output}”：{exc.strerror or exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        print(f"已导出 {n} 条审计记录到 {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    """A downloaded file against a published SM3 digest (--hash), or against the system's records:
    a published PDF or .docx by the content hash it carries and the file the public page serves, any
    other file (a version as JSON) by its own digests."""
    from jixiao import services

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"错误：无法读取文件“{args.file}”：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    candidates = _digests(data)
    embedded = None
    if data[:5] == b"%PDF-" or args.file.suffix.lower() in (".pdf", ".docx"):
        try:
            embedded = services.embedded_content_hash(data=data)
        except services.ServiceError as exc:
            if not args.digest:  # against a given digest only the bytes count
                print(f"错误：无法读取文件“{args.file.name}”：{exc.message}", file=sys.stderr)
                return EXIT_UNREADABLE
    if args.digest:
        return _against_digest(args, candidates, embedded)
    if embedded:
        print(f"文件“{args.file.name}”的文档属性记载的内容摘要（SM3）：{embedded}")
    _django()
    if embedded:
        verdict = _published_document(args.file, candidates[0][0], embedded)
        if verdict is not None:
            return verdict
    return _in_records(args.file, candidates)


def _against_digest(args: argparse.Namespace, candidates: list[tuple[str, str]], embedded: str | None) -> int:
    from jixiao import integrity

    want = args.digest.strip().lower()
    if not integrity.is_hex_digest(want):
        print("错误：--hash 应为 64 位十六进制的 SM3 摘要", file=sys.stderr)
        return EXIT_UNREADABLE
    if any(integrity.same(d, want) for d, _ in candidates):
        how = next(h for d, h in candidates if integrity.same(d, want))
        print(f"一致：文件“{args.file.name}”的 SM3 摘要（{how}）与给出的摘要相同。\n  SM3 {want}")
        return EXIT_OK
    if embedded and integrity.same(embedded, want):
        print(f"不一致：给出的是文件记载的内容摘要（文件由哪一版生成），它不能证明文件未被修改。\n"
              f"  请用公开页面上的“PDF 文件摘要”核对：jixiao verify {args.file.name} --hash <PDF 文件摘要>\n"
              f"  文件的摘要 {candidates[0][0]}", file=sys.stderr)
        return EXIT_BROKEN
    print(f"不一致：文件“{args.file.name}”的 SM3 摘要与给出的摘要不同，文件可能已被修改。\n"
          f"  给出的摘要 {want}\n  文件的摘要 {candidates[0][0]}", file=sys.stderr)
    return EXIT_BROKEN


def _published_document(file: Path, digest: str, embedded: str) -> int | None:
    """A document carrying a content hash, against the documents published from that version: 一致 when
    its bytes are those the public page serves, 不一致 when they differ; None when no publication was
    made from it (the records are searched as for any file)."""
    from jixiao import integrity
    from jixiao.web.publication import file_digest, publications_of_content

    suffix = ".docx" if file.suffix.lower() == ".docx" else ".pdf"
    served = [(pub, file_digest(pub, suffix)) for pub in publications_of_content(embedded)]
    served = [(pub, d) for pub, d in served if d]
    if not served:
        return None
    for pub, want in served:
        if integrity.same(digest, want):
            print(f"一致：文件“{file.name}”与公开的文件完全相同（SM3 {digest}）。\n  {_described(pub)}")
            return EXIT_OK
    pub, want = served[0]
    print(f"不一致：文件“{file.name}”记载的内容摘要属于{_described(pub)}，但文件本身与公开的文件不同，"
          f"下载后可能已被修改。\n  公开文件的摘要 {want}\n  此文件的摘要   {digest}", file=sys.stderr)
    return EXIT_BROKEN


def _described(pub) -> str:
    from django.utils import timezone

    return (f"{pub.package.unit.name}{pub.package.task.year}年度第{pub.submission.number}版"
            f"（{timezone.localtime(pub.published_at):%Y-%m-%d} 公开）")


def _in_records(file: Path, candidates: list[tuple[str, str]]) -> int:
    from .documents import find_by_hash

    for digest, how in candidates:
        found = find_by_hash(digest)
        if found:
            print(f"一致：文件“{file.name}”的 SM3 摘要（{how}）与系统记录相符。\n  SM3 {digest}")
            for line in found:
                print(f"  {line}")
            return EXIT_OK
    print(f"未找到：系统中没有摘要为 {candidates[0][0]} 的文件或版本；文件可能已被修改，或不是本系统生成的。"
          "\n  如有公布的摘要，请用 --hash 指定。", file=sys.stderr)
    return EXIT_BROKEN


def _digests(data: bytes) -> list[tuple[str, str]]:
    """The SM3 digests a downloaded file may be published under: of its bytes, and for a JSON
    version of its canonical form (a version as the API returns it, or just its content)."""
    from jixiao import integrity

    out = [(integrity.sm3(data), "文件字节")]
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return out
    out.append((integrity.sm3(integrity.canonical_json(doc)), "规范格式内容"))
    if isinstance(doc, dict) and isinstance(doc.get("content"), dict):
        out.append((integrity.sm3(integrity.canonical_json(doc["content"])), "版本内容"))
    return out


def register_backup(subparsers) -> None:
    b = subparsers.add_parser("backup", help="备份数据库和上传、生成的文件到一个文件（含 SM3 清单）")
    b.add_argument("file", type=Path, help="备份文件（.zip）")
    b.set_defaults(func=cmd_backup)
    r = subparsers.add_parser("restore", help="把备份恢复到新建的空数据库，并校验内容摘要和审计日志")
    r.add_argument("file", type=Path, help="备份文件（.zip）")
    r.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    _django()
    from .backup import backup

    try:
        m = backup(args.file)
    except OSError as exc:
        print(f"错误：无法写入备份“{args.file}”：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    head = m["audit_head"] or {"seq": 0}
    print(f"已备份到 {args.file}：{m['data']['objects']} 条数据、{len(m['files'])} 个文件，审计日志至第 {head['seq']} 条。")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from jixiao.web.cli import _django as setup

    setup()  # restore makes its own (empty) database
    from jixiao.web.cli import _ensure_var, _migrate

    from .backup import BackupError, restore

    _ensure_var()
    _migrate()
    try:
        rep = restore(args.file)
    except BackupError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(f"已恢复 {rep.objects} 条数据、{rep.files} 个文件。")
    print(f"内容摘要：校验 {rep.hashes_checked} 个，{'全部相符' if not rep.hashes_bad else '不符：' + '、'.join(rep.hashes_bad)}。")
    print(f"审计日志：{rep.log_entries} 条，{'哈希链完整' if not rep.log_problems else rep.log_problems[0]}。")
    return EXIT_OK if rep.ok else EXIT_BROKEN
