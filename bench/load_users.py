"""The simulated people of bench/load.py (locust, run as a library in bench/load.py's child process).

Imported only there: importing locust patches the standard library for gevent.
"""

from __future__ import annotations

import html
import http.cookiejar
import itertools
import json
import os
import random
import re
import time
from collections import defaultdict
from decimal import Decimal, InvalidOperation

import gevent
from load import mix, totp
from locust import HttpUser, between, events, task
from locust.env import Environment
from locust.exception import StopUser

# The load generator stands where a deployment's TLS reverse proxy stands: it tells the server the
# request came over HTTPS (X-Forwarded-Proto) and from which address (X-Forwarded-For), and keeps the
# `Secure` cookies the production settings set although its own hop is plain HTTP on loopback.
http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True  # type: ignore[method-assign]

SETUP: dict = {}
HOST = ""


class Record:
    """What the run saw: response times per page type (measured window only), statuses, and every
    change the server acknowledged (for the check against the database afterwards)."""

    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.measure_start = self.measure_end = 0.0
        self.status_5xx = 0
        self.samples_5xx: list[str] = []
        self.failures = 0
        self.failure_samples: list[str] = []
        self.statuses: dict[str, int] = defaultdict(int)
        self.edits: list[list] = []  # [pk, path, raw, base_version, answered_version, username]
        self.approvals: list[list] = []  # [pk, opinion]
        self.conflicts = 0
        self.reentries = 0
        self.rejected = 0
        self.rejected_samples: list[str] = []

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items()}


R = Record()


@events.request.add_listener
def _on_request(request_type, name, response_time, response_length, response=None, exception=None,
                start_time=None, url=None, **_kw):
    code = getattr(response, "status_code", 0) or 0
    R.statuses[f"{name} {code}"] += 1
    if code >= 500:
        R.status_5xx += 1
        if len(R.samples_5xx) < 10:
            R.samples_5xx.append(f"{code} {request_type} {url}")
    if exception is not None:
        R.failures += 1
        if len(R.failure_samples) < 10:
            err = getattr(response, "error", None) if response is not None else None
            R.failure_samples.append(f"{name} {url} at +{time.time() - R.measure_start:.0f} s: {exception} {err or ''}")
    start = start_time or (time.time() - response_time / 1000)
    if R.measure_start <= start and start + response_time / 1000 <= R.measure_end:
        R.times[name].append(response_time)


# --- reading pages -------------------------------------------------------------------------------

_CSRF = [re.compile(r'"X-CSRFToken": "([^"]+)"'), re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')]
_VERSION = re.compile(r'id="ws-version" name="version" value="(\d+)"')
_CONTROL = re.compile(r"<(input|textarea)\b([^>]*)>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
EDITABLE = ("amount", "score", "percent", "count", "target", "text", "longtext")


def csrf_of(text: str) -> str | None:
    for rx in _CSRF:
        m = rx.search(text)
        if m:
            return m.group(1)
    return None


def fields_of(page: str) -> dict[str, tuple[str, str]]:
    """path → (kind, current value) of the form's text inputs (what a person can type into)."""
    out = {}
    for m in _CONTROL.finditer(page):
        attrs = dict(_ATTR.findall(m.group(2)))
        if "hx-vals" not in attrs or (m.group(1) == "input" and attrs.get("type", "text") != "text"):
            continue
        path = json.loads(html.unescape(attrs["hx-vals"])).get("path", "")
        classes = attrs.get("class", "").split()
        kind = "longtext" if "long" in classes else (classes[1] if len(classes) > 1 else "text")
        if m.group(1) == "textarea":
            value = page[m.end():page.find("</textarea>", m.end())]
        else:
            value = attrs.get("value", "")
        if kind in EDITABLE and path:
            out[path] = (kind, html.unescape(value))
    return out


_WORDS = (".reason", ".expected", "goal.actual", ".problems", ".suggestions")
# What a preparer works on in a project's form: the funds' spending, and each indicator's actual
# value, judged score and explanation.
WORKED = (".executed", ".actual", ".score", ".reason")


def new_value(path: str, kind: str, current: str, rng: random.Random, who: str, k: int) -> str:
    """What a person might type instead: the figure moved a little (its unit kept), or new words;
    `current` itself when there is nothing sensible to change (no figure in it)."""
    if kind == "longtext" or path.endswith(_WORDS):
        return f"按计划推进（{who}第{k}次修改）"
    m = _NUMBER.search(current or "")
    if not m:
        return current
    s = m.group(0).replace(",", "")
    try:
        x = Decimal(s)
    except InvalidOperation:
        return current
    places = -x.as_tuple().exponent if "." in s else 0
    if kind == "score":  # a judged score stays at or under what it was (it was within its range)
        y, places = max(Decimal(0), x - Decimal(rng.randint(1, 10)) / 10), max(places, 1)
    elif kind == "percent" or current[m.end():m.end() + 1] == "%":
        y = Decimal(rng.randint(80, 100))
    else:
        y = x * (1 + Decimal(rng.choice([-5, -3, -2, -1, 1, 2, 3, 5])) / 100)
    return current[:m.start()] + f"{y:.{places}f}" + current[m.end():]


_ROW = re.compile(r"^(.*?\[\d+\])\.[^.]+$")


def row_of(path: str) -> str:
    """The table row a field belongs to (`projects[0].indicators[2]`)."""
    m = _ROW.match(path)
    return m.group(1) if m else path


# --- the people ----------------------------------------------------------------------------------

_counter = itertools.count()


class Person(HttpUser):
    abstract = True

    def on_start(self):
        self.no = next(_counter)
        self.rng = random.Random(self.no)
        self.csrf = ""
        # As the reverse proxy does: HTTPS and the client's address in headers, and one connection
        # per request (nginx's default towards the application), so no request races the server
        # closing an idle keep-alive connection.
        self.client.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": f"10.0.{self.no // 250}.{self.no % 250 + 1}",
                                    "Connection": "close"})

    def _headers(self, post: bool = False, htmx: bool = False, target: str = "") -> dict:
        h = {}
        if post:
            h |= {"Origin": "https://" + HOST.split("://", 1)[1], "X-CSRFToken": self.csrf}
        if htmx:
            h["HX-Request"] = "true"
            if target:
                h["HX-Target"] = target
        return h

    def get(self, url: str, name: str, expect=(200,), htmx: bool = False, target: str = "", **kw):
        if STOPPING:
            raise StopUser()  # the run is over: no new request (those under way finish)
        with self.client.get(url, name=name, headers=self._headers(htmx=htmx, target=target), catch_response=True, **kw) as r:
            if r.status_code not in expect:
                r.failure(f"HTTP {r.status_code}")
            else:
                r.success()  # an expected answer (locust would count any 4xx as a failure)
            if r.status_code in expect and "text/html" in r.headers.get("Content-Type", ""):
                self.csrf = csrf_of(r.text) or self.csrf
            return r

    def post(self, url: str, name: str, data: dict, expect=(200, 302), htmx: bool = False, **kw):
        if STOPPING:
            raise StopUser()
        data = {"csrfmiddlewaretoken": self.csrf, **data}
        with self.client.post(url, data=data, name=name, headers=self._headers(post=True, htmx=htmx), catch_response=True,
                              allow_redirects=False, **kw) as r:
            if r.status_code not in expect:
                r.failure(f"HTTP {r.status_code}: {r.text[:200]}")
            else:
                r.success()
            return r

    def login(self, username: str) -> bool:
        self.client.cookies.clear()
        if self.get("/login/", "login page").status_code != 200:
            return False
        r = self.post("/login/", "login", {"username": username, "password": SETUP["password"], "next": ""}, expect=(302,))
        return r.status_code == 302

    def logout(self) -> None:
        self.post("/logout/", "logout", {}, expect=(302,))


class Preparer(Person):
    """Edits the fields of a form of the unit's package, a few seconds apart, as the page does."""

    wait_time = between(2, 6)

    def on_start(self):
        super().on_start()
        k = next(_preparers)
        pk, names = SETUP["edit"][(k // 2) % len(SETUP["edit"])]
        self.pk, self.username = pk, names[k % 2]
        self.edits = 0
        self.login(self.username)
        self.get("/", "home")
        self.open(self.rng.choice(EDIT_FORMS))

    def open(self, slug: str) -> bool:
        r = self.get(f"/p/{self.pk}/f/{slug}/", "form page")
        m = _VERSION.search(r.text or "")
        if r.status_code != 200 or not m:
            return False
        self.slug, self.version, self.fields = slug, int(m.group(1)), fields_of(r.text)
        return True

    @task(8)
    def edit(self):
        worked = sorted(p for p in getattr(self, "fields", {}) if p.endswith(WORKED))
        if not worked:
            self.open(self.rng.choice(EDIT_FORMS))
            return
        # One row at a time (a fund line, an indicator), the first rows more often than the rest:
        # the two preparers of a package meet on the same fields now and then, as colleagues do.
        rows = sorted({row_of(p) for p in worked}, key=lambda r: (len(r), r))
        if getattr(self, "row", None) not in rows or self.rng.random() < 0.3:
            self.row = rows[min(int(self.rng.expovariate(0.5)), len(rows) - 1)]
        path = self.rng.choice([p for p in worked if row_of(p) == self.row])
        kind, current = self.fields[path]
        self.edits += 1
        raw = new_value(path, kind, current, self.rng, self.username, self.edits)
        if raw == current:
            return
        r = self._post_edit(path, raw, self.version)
        if r.status_code == 409:
            # Someone else changed this field since the page was read. The page says so, naming both
            # values; the person reads the form again (their value, the version now shown) and
            # either enters their own value again on that version, or leaves the colleague's.
            R.conflicts += 1
            time.sleep(self.rng.uniform(1, 3))
            if self.open(self.slug) and self.rng.random() < 0.5:
                r = self._post_edit(path, raw, self.version)
                if r.status_code == 200:
                    R.reentries += 1

    def _post_edit(self, path: str, raw: str, base: int):
        r = self.post(f"/p/{self.pk}/edit", "edit", {"path": path, "value": raw, "version": base, "form": self.slug},
                      expect=(200, 409, 422), htmx=True)
        m = _VERSION.search(r.text or "")
        if r.status_code == 200 and m:
            self.version = int(m.group(1))
            R.edits.append([self.pk, path, raw, base, self.version, self.username])
            self.fields[path] = (self.fields[path][0], raw)
        elif r.status_code == 422:
            R.rejected += 1
            if len(R.rejected_samples) < 10:
                R.rejected_samples.append(f"{path}={raw!r}")
        return r

    @task(1)
    def other_form(self):
        self.open(self.rng.choice(EDIT_FORMS))


class Head(Person):
    """Reads a package waiting for review and approves it; then the next unit (its own head)."""

    wait_time = between(2, 5)

    @task
    def review(self):
        if not REVIEW:
            self.get("/", "home")  # nothing left to approve
            return
        pk, username = REVIEW.pop()
        if not self.login(username):
            return
        self.get(f"/p/{pk}/review/", "review page")
        time.sleep(self.rng.uniform(2, 5))
        self.get(f"/p/{pk}/review/{self.rng.choice(EDIT_FORMS)}/", "review page")
        time.sleep(self.rng.uniform(2, 5))
        opinion = f"经审核，同意报送（负责人{username}，{self.no}）"
        r = self.post(f"/p/{pk}/review/", "approve", {"action": "approve", "opinion": opinion}, expect=(302,))
        if r.status_code == 302 and r.headers.get("Location", "").endswith("/versions/"):
            R.approvals.append([pk, opinion])
            self.get(f"/p/{pk}/versions/", "versions")
        elif r.status_code == 302:
            with self.client.get(r.headers["Location"], name="approve refused", catch_response=True) as back:
                back.failure("approve refused")
        self.logout()


class BureauUser(Person):
    """The bureau's performance desk: the dashboard in its variants, and units' packages."""

    wait_time = between(2, 6)
    VARIANTS = ["", "?sort=-total", "?sort=rate&status=submitted", "?q=单位1", "?flag=outrun&sort=-errors",
                "?grade=良&sort=-updated", "?status=in_review&sort=name", "?page=2"]

    def on_start(self):
        super().on_start()
        username, key = SETUP["bureau"][next(_bureau) % len(SETUP["bureau"])]
        self.login(username)
        self.get("/security/otp/?next=/", "otp page")
        self.post("/security/otp/", "otp", {"code": totp(key), "next": "/"}, expect=(302,))
        self.get("/", "bureau tasks")
        self.seen = list(SETUP["sent"])

    @task(3)
    def dashboard(self):
        r = self.get(f"/b/t/{SETUP['task']}/{self.rng.choice(self.VARIANTS)}", "dashboard")
        self.seen = [int(x) for x in re.findall(r'href="/b/p/(\d+)/"', r.text or "")] or self.seen

    @task(4)
    def table(self):
        self.get(f"/b/t/{SETUP['task']}/{self.rng.choice(self.VARIANTS)}", "dashboard table", htmx=True, target="dash-table")

    @task(3)
    def package(self):
        pk = self.rng.choice(self.seen or SETUP["sent"])
        self.get(f"/b/p/{pk}/", "bureau package")


EDIT_FORMS: tuple[str, ...] = ()
STOPPING = False
REVIEW: list = []
_preparers = itertools.count()
_bureau = itertools.count()


def run_child(args) -> int:
    global HOST, EDIT_FORMS, STOPPING
    from load import EDIT_FORMS as forms

    SETUP.update(json.loads(open(os.environ["JIXIAO_LOAD_SETUP"], encoding="utf-8").read()))
    HOST, EDIT_FORMS = SETUP["host"], forms
    REVIEW.extend(SETUP["review"])
    random.Random(1).shuffle(REVIEW)
    n = SETUP["mix"]
    Preparer.fixed_count, Head.fixed_count, BureauUser.fixed_count = n["preparer"], n["head"], n["bureau"]
    assert sum(n.values()) == args.users == sum(mix(args.users).values())
    env = Environment(user_classes=[Preparer, Head, BureauUser], host=HOST, events=events)
    runner = env.create_local_runner()
    t0 = time.time()
    R.measure_start = t0 + args.warmup
    R.measure_end = R.measure_start + args.duration
    runner.start(args.users, spawn_rate=max(1.0, args.users / max(1.0, args.warmup / 2)))
    gevent.sleep(max(0.0, R.measure_end - time.time()))
    STOPPING = True  # users stop at their next request; wait for those under way (bounded)
    deadline = time.time() + 60
    while runner.user_greenlets and time.time() < deadline:
        gevent.sleep(0.2)
    runner.quit()
    with open(args.child, "w", encoding="utf-8") as f:
        json.dump(R.as_dict(), f, ensure_ascii=False)
    return 0
