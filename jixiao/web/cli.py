"""`jixiao serve`, `jixiao worker`, `jixiao demo`, `jixiao manage …` (DESIGN §7)."""

from __future__ import annotations

import argparse
import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:  # e.g. production settings without JIXIAO_SECRET_KEY: a message, exit 2
        print(f"错误：{exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _ensure_var() -> None:
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)


def register(subparsers) -> None:
    p = subparsers.add_parser("serve", help="启动 Web 服务（默认 127.0.0.1:8000）")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--no-migrate", action="store_true", help="启动前不执行数据库迁移")
    p.set_defaults(func=cmd_serve)
    w = subparsers.add_parser("worker", help="运行后台任务（PDF 生成等）")
    w.add_argument("--once", action="store_true", help="处理完队列中的任务后退出")
    w.set_defaults(func=cmd_worker)
    d = subparsers.add_parser("demo", help="迁移数据库并载入演示数据（湘西州财政局（演示）及 31 个单位；可重复执行）")
    d.set_defaults(func=cmd_demo)
    m = subparsers.add_parser("manage", help="Django 管理命令（如 jixiao manage migrate、jixiao manage api_token 用户名）",
                              add_help=False)
    m.add_argument("args", nargs=argparse.REMAINDER)
    m.set_defaults(func=cmd_manage)


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def cmd_serve(args: argparse.Namespace) -> int:
    _django()
    _ensure_var()
    from django.conf import settings
    from waitress import serve

    from .wsgi import application

    if args.host not in ("0.0.0.0", "::") and args.host not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append(args.host)  # the address it listens on; others via JIXIAO_ALLOWED_HOSTS
    if not args.no_migrate:
        _migrate()
    print(f"jixiao Web 服务：http://{args.host}:{args.port}/  （Ctrl-C 停止）", flush=True)
    # Waitress: a production WSGI server in pure Python (also on Windows desktops); behind a
    # reverse proxy with TLS in a deployment (issue 12). Static files are served by WhiteNoise.
    try:
        serve(application, host=args.host, port=args.port, threads=8, ident="jixiao", _quiet=True)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"错误：无法在 {args.host}:{args.port} 上启动服务：{exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _django()
    _ensure_var()
    from django.conf import settings
    from django.core.management import call_command

    _migrate()
    from .security.recovery import recover_interrupted

    failed, _ = recover_interrupted()  # jobs a killed worker left running (issue 12)
    if failed:
        print(f"已将 {failed} 个中断的后台任务标记为失败", flush=True)
    print("jixiao 后台任务已启动（Ctrl-C 停止）", flush=True)
    try:
        if "django_rq" in settings.INSTALLED_APPS:  # JIXIAO_TASKS=rq: the Redis queue
            call_command("rqworker", "default", burst=args.once, job_class="django_tasks_rq.backend.Job")
        else:
            call_command("db_worker", interval=0.5, **({"batch": True} if args.once else {}))
    except KeyboardInterrupt:
        pass
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _django()
    _ensure_var()
    from .demo.units import load_demo

    _migrate()
    try:
        logins = load_demo()
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print("演示数据已就绪（湘西州财政局（演示））。演示账号（密码均为 " + logins.password + "）：")
    for username, role, unit in logins.users:
        print(f"  {username:<12} {role:<8} {unit}")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _django()
    _ensure_var()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jixiao manage", *args.args])
    return 0
