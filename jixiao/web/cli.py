"""`jixiao serve`, `jixiao worker`, `jixiao demo`, `jixiao manage …` (DESIGN §7)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


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
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


# `jixiao manage` sub-commands that make or need no database of ours
_MANAGE_WITHOUT_DATA = {"migrate", "check", "help", "showmigrations", "makemigrations", "collectstatic", "diffsettings",
                        "version", "--help", "-h", "--version"}


def require_database() -> None:
    """Commands that read or write an installation's data (verify-log, backup, manage api_token …)
    stop with a Chinese message and exit 2 where there is none — typically run outside the folder
    where jixiao is deployed — instead of creating an empty SQLite file there and failing on its
    missing tables."""
    from django.db import DatabaseError, connection

    name = connection.settings_dict["NAME"]
    hint = "请在部署 jixiao 的目录中运行，或用 JIXIAO_VAR / DATABASE_URL 指明数据所在位置"
    if connection.vendor == "sqlite" and not connection.is_in_memory_db() and not Path(name).is_file():
        _refuse(f"找不到 jixiao 的数据库（{name}）：{hint}。")
    try:
        tables = set(connection.introspection.table_names())
    except DatabaseError as exc:
        _refuse(f"无法连接数据库：{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}。{hint}。")
    if not {"web_package", "security_auditentry"} <= tables:
        _refuse(f"数据库中没有 jixiao 的数据表（尚未初始化，或不是 jixiao 的数据库）：{hint}；新建请用 jixiao manage migrate。")


def _refuse(message: str):
    print(f"错误：{message}", file=sys.stderr)
    raise SystemExit(2)


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
        serve(application, host=args.host, port=args.port, threads=8, ident="jixiao", _quiet=True, **proxy_options(settings))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"错误：无法在 {args.host}:{args.port} 上启动服务：{exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


def proxy_options(settings) -> dict:
    """Waitress's trusted-proxy settings: behind a TLS reverse proxy it takes the scheme, host and
    client address from the proxy's X-Forwarded-Proto/-Host/-For (without them every request looks
    like plain HTTP and production's HTTPS redirect sends it back to itself for ever). Headers from
    anyone else are removed before the application sees them."""
    proxy = getattr(settings, "JIXIAO_TRUSTED_PROXY", "")
    if not proxy:
        return {}
    return {"trusted_proxy": proxy, "trusted_proxy_count": max(1, getattr(settings, "JIXIAO_PROXY_COUNT", 0) or 1),
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
            "clear_untrusted_proxy_headers": True}


def cmd_worker(args: argparse.Namespace) -> int:
    _django()
    _ensure_var()
    from django.conf import settings
    from django.core.management import call_command

    _migrate()
    from .jobs import recovery

    _report_recovered(recovery.recover())  # jobs a killed worker left running
    if not args.once:
        _watch_heartbeats(recovery)
    print("jixiao 后台任务已启动（Ctrl-C 停止）", flush=True)
    try:
        if "django_rq" in settings.INSTALLED_APPS:  # JIXIAO_TASKS=rq: the Redis queue
            call_command("rqworker", "default", burst=args.once, job_class="django_tasks_rq.backend.Job")
        else:
            call_command("db_worker", interval=0.5, **({"batch": True} if args.once else {}))
    except KeyboardInterrupt:
        pass
    return 0


def _report_recovered(ended: dict[str, list[int]]) -> None:
    count = sum(len(pks) for pks in ended.values())
    if count:
        print(f"已将 {count} 个中断的后台任务标记为失败或重新排队", flush=True)


def _watch_heartbeats(recovery) -> None:
    """While the worker runs, look for jobs whose worker stopped beating every few seconds (a
    daemon thread: every worker does, so a killed one's jobs end within a minute of any worker being up)."""
    import threading

    from django.db import DatabaseError, connections

    from .jobs import heartbeat

    def watch() -> None:
        while True:
            time.sleep(heartbeat.beat_seconds())
            try:
                _report_recovered(recovery.recover())
            except DatabaseError:
                connections.close_all()  # a locked or dropped database: the next round tries again

    threading.Thread(target=watch, name="heartbeat-watch", daemon=True).start()


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
    if args.args and args.args[0] not in _MANAGE_WITHOUT_DATA:
        require_database()
    _ensure_var()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jixiao manage", *args.args])
    return 0
