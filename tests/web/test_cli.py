"""The web commands are registered with the CLI and `jixiao demo` works from a fresh folder."""

import os
import subprocess
import sys

from jixiao.cli import build_parser


def test_the_web_commands_are_registered():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert {"serve", "worker", "demo", "manage"} <= set(sub.choices)
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port) == ("0.0.0.0", 9000)


def test_demo_loads_into_an_empty_database_twice(tmp_path):
    env = {**os.environ, "JIXIAO_VAR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for _ in range(2):
        r = subprocess.run([sys.executable, "-m", "jixiao.cli", "demo"], env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr[-1500:]
        assert "tianbao" in r.stdout and "fuzeren" in r.stdout and "jixiao-demo" in r.stdout


def test_demo_refuses_production_settings(tmp_path):
    env = {**os.environ, "JIXIAO_VAR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
           "JIXIAO_ENV": "production", "JIXIAO_SECRET_KEY": "v8Qz-3kT_w9Lp" * 5, "JIXIAO_ALLOWED_HOSTS": "jixiao.example.cn"}
    # (with production settings complete: without them it stops earlier, see test_security_settings.py)
    r = subprocess.run([sys.executable, "-m", "jixiao.cli", "demo"], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "生产环境不能载入演示数据" in r.stderr


def test_the_migrations_match_the_models(db):
    from django.core.management import call_command

    call_command("makemigrations", "web", check=True, dry_run=True, verbosity=0)  # exits non-zero on a missing migration
