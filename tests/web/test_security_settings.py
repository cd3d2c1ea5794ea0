"""Production settings (JIXIAO_ENV=production): configured from the environment, refused without
it, `check --deploy` clean; headers and the no-inline-script rule in every environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "jixiao" / "web"


def _jixiao(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "DATABASE_URL", "DJANGO_"))}
    env |= {"JIXIAO_VAR": str(tmp_path), **env_extra}
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], env=env, capture_output=True, text=True, timeout=120)


PRODUCTION = {"JIXIAO_ENV": "production", "JIXIAO_SECRET_KEY": "k9P" * 20 + "-Xq7_vT2wLm",
              "JIXIAO_ALLOWED_HOSTS": "jixiao.czj.example.gov.cn", "DATABASE_URL": "postgres://jixiao@127.0.0.1:5432/jixiao"}


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    r = _jixiao(["manage", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_the_development_settings_would_fail_it(tmp_path):
    r = _jixiao(["manage", "check", "--deploy", "--fail-level", "WARNING"], {}, tmp_path)
    assert r.returncode != 0 and "security.W004" in r.stderr + r.stdout  # no HSTS outside production


@pytest.mark.parametrize("missing", ["JIXIAO_SECRET_KEY", "JIXIAO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_configuration(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    r = _jixiao(["manage", "check"], env, tmp_path)
    assert r.returncode == 2 and f"必须设置 {missing}" in r.stderr and "Traceback" not in r.stderr


def test_a_weak_secret_key_is_refused(tmp_path):
    r = _jixiao(["manage", "check"], PRODUCTION | {"JIXIAO_SECRET_KEY": "secret"}, tmp_path)
    assert r.returncode == 2 and "太弱" in r.stderr


def test_the_demo_refuses_production(monkeypatch, db):
    from jixiao.web.demo.units import load_demo
    from jixiao.web.models import Bureau

    monkeypatch.setenv("JIXIAO_ENV", "production")
    with pytest.raises(ValueError, match="生产环境不能载入演示数据"):
        load_demo()
    assert not Bureau.objects.exists()


def test_pages_carry_the_security_headers(world):
    from .conftest import client_for

    r = client_for(world["preparer"]).get(f"/p/{world['package'].pk}/f/cover/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r["X-Frame-Options"] == "DENY" and r["Referrer-Policy"] == "same-origin"
    assert r["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_script():
    """CSP forbids inline script; the templates must not need it (data goes in json_script)."""
    bad = []
    for f in TEMPLATES.rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        for m in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in m.group(1) and 'type="application/json"' not in m.group(1):
                bad.append(f"{f.name}: {m.group(0)}")
        bad += [f"{f.name}: {m.group(0)}" for m in re.finditer(r"\son[a-z]+\s*=|javascript:", text)]
        bad += [f"{f.name}: {m.group(0)}" for m in re.finditer(r"<style\b|\sstyle\s*=", text)]
    assert not bad, bad


def test_the_middleware_order_is_the_one_written_in_settings():
    """settings.MIDDLEWARE is the order Django runs: the security settings add apps and options, never
    a middleware inserted at run time."""
    from jixiao.web.security.settings import apply

    ns = {"INSTALLED_APPS": [], "MIDDLEWARE": ["written.Middleware"], "SECRET_KEY": "x", "DEBUG": True}
    apply(ns, {})
    assert ns["MIDDLEWARE"] == ["written.Middleware"]
