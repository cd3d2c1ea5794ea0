"""The real server, `jixiao serve`, as a small office runs it (issue 19, findings 2 and 3).

One SQLite file with the demo data, the server in its own process (waitress, 8 threads), clients
over HTTP at the same moment: concurrent edits get 200 or 409, never 500 "database is locked"; and
under the production settings behind a TLS proxy (X-Forwarded-Proto/-For/-Host) pages load without
a redirect loop. The server and the clients are real; nothing is mocked.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "jixiao-demo"
PUBLIC_HOST = "jixiao.example.gov.cn"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(var: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "DATABASE_URL", "REDIS_URL"))}
    env.update({"JIXIAO_VAR": str(var), "DATABASE_URL": f"sqlite:///{var / 'jixiao.sqlite3'}", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def _jixiao(*args: str, env: dict, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """The demo loaded once into a SQLite file (the development settings: the demo refuses production)."""
    var = tmp_path_factory.mktemp("serve") / "var"
    run = _jixiao("demo", env=_env(var), cwd=var.parent)
    assert run.returncode == 0, run.stderr
    return var


class Server:
    def __init__(self, var: Path, **env):
        self.port = _free_port()
        self.log = open(var.parent / f"serve-{self.port}.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "serve", "--port", str(self.port), "--no-migrate"],
                                     env=_env(var, **env), cwd=var.parent, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.proc.poll() is None, (var.parent / f"serve-{self.port}.log").read_text()
                time.sleep(0.2)
        raise AssertionError("the server did not start")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        return Path(self.log.name).read_text()


class Browser:
    """Cookies and the CSRF token by hand (production cookies are Secure: a cookie jar would not send
    them over the plain HTTP between the proxy and the server); `proxied` adds the proxy's headers."""

    def __init__(self, port: int, proxied: bool = False):
        self.port, self.proxied, self.cookies = port, proxied, {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        from urllib.parse import urlencode

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if self.proxied:
            h.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": PUBLIC_HOST,
                      "Host": "127.0.0.1"})
        if method == "POST":
            h.update({"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.cookies.get("csrftoken", ""),
                      "Origin": f"https://{PUBLIC_HOST}" if self.proxied else f"http://127.0.0.1:{self.port}"})
        h.update(headers or {})
        conn.request(method, path, body=urlencode(body or {}), headers=h)
        resp = conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, dict(resp.getheaders()), data

    def login(self, username: str) -> None:
        status, _, page = self.request("GET", "/login/")
        assert status == 200, (status, page[:300])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers, page = self.request("POST", "/login/", {"csrfmiddlewaretoken": token, "username": username,
                                                                 "password": DEMO_PASSWORD})
        assert status == 302, (status, page[:500])


def _package_of(var: Path, username: str) -> tuple[int, int]:
    with sqlite3.connect(var / "jixiao.sqlite3") as db:
        return db.execute("SELECT p.id, p.version FROM web_package p JOIN web_user u ON u.unit_id = p.unit_id "
                          "WHERE u.username = ? ORDER BY p.id LIMIT 1", (username,)).fetchone()


def _at_once(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        results[i] = job()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    return results


def _edit(browser: Browser, pk: int, path: str, value: str, version: int):
    def go():
        return browser.request("POST", f"/p/{pk}/edit", {"path": path, "value": value, "version": version, "form": ""},
                               {"HX-Request": "true"})[0]
    return go


PATH = "projects[0].indicators[{}].actual"


def test_sqlite_concurrent_edits_get_200_or_409_never_500(demo_db):
    server = Server(demo_db)
    try:
        same = [Browser(server.port) for _ in range(2)]  # one preparer in two browsers
        other = Browser(server.port)
        for b in same:
            b.login("tianbao")
        other.login("tianbao02")
        pk, version = _package_of(demo_db, "tianbao")
        other_pk, other_version = _package_of(demo_db, "tianbao02")
        # The same field at the same moment: one saved, the other told of the clash.
        codes = _at_once([_edit(same[0], pk, PATH.format(0), "81%", version), _edit(same[1], pk, PATH.format(0), "82%", version)])
        assert sorted(codes) == [200, 409], codes
        version += 1
        # Two units' packages, several rounds at once: every edit saved.
        for round_ in range(3):
            codes = _at_once([_edit(same[0], pk, PATH.format(1 + round_), "90%", version),
                              _edit(other, other_pk, PATH.format(1 + round_), "91%", other_version)])
            assert codes == [200, 200], (round_, codes)
            version, other_version = version + 1, other_version + 1
    finally:
        log = server.stop()
    assert "database is locked" not in log and "Traceback" not in log, log[-2000:]


def test_production_serve_behind_a_tls_proxy_has_no_redirect_loop(demo_db):
    prod = {"JIXIAO_ENV": "production", "JIXIAO_SECRET_KEY": "k" * 20 + "Q7x!p2Zr9LmN4vB8cT1yH6wE3sD5fG0aJ2kL",
            "JIXIAO_ALLOWED_HOSTS": PUBLIC_HOST, "JIXIAO_TRUSTED_PROXY": "127.0.0.1",
            # the demo file's log was sealed under the development key; this server appends to the same
            # chain (the module's later backup test verifies it), so it seals under that key too
            "JIXIAO_AUDIT_KEY": "jixiao-audit:jixiao-development-only-not-a-secret"}
    server = Server(demo_db, **prod)
    try:
        # Plain HTTP straight to the server: sent to HTTPS (that is what the proxy is for).
        status, headers, _ = Browser(server.port).request("GET", "/login/", headers={"Host": PUBLIC_HOST})
        assert status == 301 and headers["Location"].startswith(f"https://{PUBLIC_HOST}/")
        # Through the proxy: the page itself, secure cookies, a login and the preparer's package page.
        browser = Browser(server.port, proxied=True)
        browser.login("tianbao")
        pk, _ = _package_of(demo_db, "tianbao")
        status, headers, page = browser.request("GET", f"/p/{pk}/f/cover/")
        assert status == 200, (status, headers.get("Location"))
        assert "Strict-Transport-Security" in headers
        # The client's address the proxy gave is the one the audit log records.
        with sqlite3.connect(demo_db / "jixiao.sqlite3") as db:
            ip = db.execute("SELECT ip FROM security_auditentry WHERE action = 'login' ORDER BY seq DESC LIMIT 1").fetchone()[0]
        assert ip == "203.0.113.7"
    finally:
        server.stop()


def test_a_backup_taken_while_people_edit_restores_consistent(demo_db, tmp_path):
    """`jixiao backup` on the live SQLite file (its online backup API) while a preparer keeps saving;
    the backup restores with every digest and the audit chain intact."""
    server = Server(demo_db)
    stop = threading.Event()
    saved = []
    try:
        browser = Browser(server.port)
        browser.login("tianbao")
        pk, _ = _package_of(demo_db, "tianbao")

        def keep_editing():
            i = 0
            while not stop.is_set():
                version = _package_of(demo_db, "tianbao")[1]
                saved.append(_edit(browser, pk, PATH.format(i % 4), f"{70 + i % 30}%", version)())
                i += 1

        editor = threading.Thread(target=keep_editing)
        editor.start()
        time.sleep(1)
        backup = tmp_path / "live.zip"
        made = _jixiao("backup", str(backup), env=_env(demo_db), cwd=demo_db.parent)
        stop.set()
        editor.join(120)
    finally:
        stop.set()
        server.stop()
    assert made.returncode == 0, made.stderr
    assert saved and set(saved) <= {200, 409}, saved
    restored = _jixiao("restore", str(backup), env=_env(tmp_path / "restored"), cwd=tmp_path)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "哈希链完整" in restored.stdout and "全部相符" in restored.stdout
