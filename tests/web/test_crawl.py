"""The crawler (issue 21): every page each demo role can reach reads as a Chinese page.

Each demo role (the seed unit's preparer and head, a returned unit's preparer, the 绩效评价股, the
归口 科室, an anonymous visitor) starts at its home page and follows every same-site link, a few
pages of each URL pattern; then every GET row of the authorization table is requested as each
actor the table allows. A page fails on a server error, on an internal identifier in its visible
text (a profile id such as national-2020, an `[0]`-style path, a snake_case word) or on an English
word that is neither inside `<code>` nor a name (PDF, Excel …).

Visible text: text nodes outside script/style/code, plus the attributes a person reads (title,
placeholder, aria-label, alt, a button's value).
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from django.test import Client

# Names and format names a Chinese page legitimately prints in Latin letters.
NAMES = {"jixiao", "PDF", "Excel", "Word", "WPS", "JSON", "YAML", "CSV", "XLSX", "DOCX", "ZIP", "API", "OpenAPI", "HTML",
         "SM3", "HMAC", "Argon2", "TOTP", "FreeOTP", "Google", "Authenticator", "GB", "Bearer", "HTTPS", "HTTP", "ID"}
PROFILE_ID = re.compile(r"\b[a-z]+(?:-[a-z]+)*-\d{4}\b")
INDEX_PATH = re.compile(r"\w\[\d+\]")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
LATIN_WORD = re.compile(r"(?<![.A-Za-z0-9])[A-Za-z][A-Za-z0-9]+")  # a file suffix (.docx) is a format's name
CODE_TAGS = {"code", "kbd", "samp", "pre"}
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Not pages: files, the way out, and the background-job endpoints that answer to scripts (the API's
# documentation page is a page).
SKIP = re.compile(r"^/(logout/|api/(?!v1/docs$)|static/|admin/)|/download$|\.(xlsx|zip|pdf|json|csv|docx)$|/export/")
PER_PATTERN = 2
DEMO_ROLES = ["tianbao", "fuzeren", "zhuguan_tb", "zhuguan_fz", "jixiaogu", "guikou", None]  # with a 主管部门's two


def visible_text(html: str) -> str:
    """What a person reads on the page (as above), one line per text piece."""
    root = lxml.html.document_fromstring(html)
    for element in root.iter("script", "style", "template", *CODE_TAGS):
        element.drop_tree()
    pieces = [text.strip() for text in root.itertext() if text.strip()]
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        pieces += [element.get(a).strip() for a in READ_ATTRIBUTES if element.get(a)]
        if element.tag in ("input", "button") and element.get("type") in ("submit", "button") and element.get("value"):
            pieces.append(element.get("value"))
    return "\n".join(pieces)


def problems_in(text: str, names: set[str]) -> list[str]:
    """Identifiers and English words in a page's visible text, each with the line it stands in."""
    found = []
    for line in text.splitlines():
        line = _without_names(line, names)
        bad = PROFILE_ID.findall(line) + INDEX_PATH.findall(line) + SNAKE_CASE.findall(line)
        rest = PROFILE_ID.sub(" ", SNAKE_CASE.sub(" ", line))
        bad += [w for w in LATIN_WORD.findall(rest) if w not in names and w not in NAMES]
        found += [(word, line[:160]) for word in bad]
    return found


def _without_names(line: str, names: set[str]) -> str:
    """The line with the people's login names blanked out."""
    return re.sub(r"[\w.-]+", lambda m: " " if m.group(0) in names else m.group(0), line)


def summary(wrong: list[tuple[str, str, str]]) -> str:
    """One line per offending word: how often, and the first page and text it stood in."""
    first, count = {}, Counter()
    for word, where, line in wrong:
        count[word] += 1
        first.setdefault(word, f"{where}: «{line}»")
    return "\n".join(f"{word!r} ×{count[word]} — {first[word]}" for word, _ in count.most_common())


def _pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def _links(html: str, here: str) -> list[str]:
    root = lxml.html.document_fromstring(html)
    found = []
    for href in root.xpath("//a/@href"):
        url = urljoin(here, href.split("#")[0])
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(client: Client, start: list[str], names: set[str]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(the pages read, what is wrong on them), following links from `start`."""
    seen, per_pattern, queue, visited, wrong = set(start), Counter(), list(start), [], []
    while queue:
        url = queue.pop(0)
        r = client.get(url)
        visited.append(url)
        if r.status_code >= 500:
            wrong.append((f"HTTP {r.status_code}", url, ""))
            continue
        if r.status_code != 200 or not r.get("Content-Type", "").startswith("text/html"):
            continue
        html = r.content.decode("utf-8")
        wrong += [(word, url, line) for word, line in problems_in(visible_text(html), names)]
        for link in _links(html, url):
            if link in seen or per_pattern[_pattern(link)] >= PER_PATTERN:
                continue
            seen.add(link)
            per_pattern[_pattern(link)] += 1
            queue.append(link)
    return visited, wrong


def test_the_checks_catch_what_they_are_meant_to():
    page = ("<html><body><p>依据评分方案 xiangxi-2022 › execution_reason_threshold</p><p>fund_types[2].tables</p>"
            "<p title='Unauthorized'>PDF 已生成</p><code>national-2020</code><script>var a_b = 1</script></body></html>")
    found = " ".join(word for word, _ in problems_in(visible_text(page), set()))
    for word in ("xiangxi-2022", "execution_reason_threshold", "s[2]", "Unauthorized"):
        assert word in found
    assert "national-2020" not in found and "a_b" not in found and "'PDF'" not in found


@pytest.fixture
def demo(db, settings, tmp_path):
    from jixiao.web.demo.units import load_demo

    settings.MEDIA_ROOT = tmp_path / "files"
    load_demo()


def _client_for(username: str | None) -> Client:
    from jixiao.web.models import User

    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def _returned_preparer() -> str:
    from jixiao.web.models import Package, Role, Status, User

    unit = Package.objects.filter(status=Status.RETURNED).order_by("unit__budget_code").first().unit
    return User.objects.get(unit=unit, role=Role.PREPARER).username


def test_every_page_a_demo_role_reaches_reads_in_chinese(demo):
    from jixiao.web.models import User

    names = set(User.objects.values_list("username", flat=True))
    wrong, pages = [], 0
    for username in [*DEMO_ROLES, _returned_preparer()]:
        start = ["/"] if username else ["/", "/public/", "/login/"]
        visited, problems = crawl(_client_for(username), start, names)
        pages += len(visited)
        wrong += [(word, f"{username or '未登录'} {url}", line) for word, url, line in problems]
    assert pages > 40, f"the crawl read only {pages} pages: the links are not followed"
    assert not wrong, f"{len(wrong)} problems on the pages:\n" + summary(wrong)


def test_every_page_of_the_authorization_table_reads_in_chinese(db, tmp_path, settings):
    from .test_authz_table import ACTORS, _fill, _world, read_table

    settings.MEDIA_ROOT = tmp_path / "files"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = _world(tmp_path)
    names = {u.username for u in world["people"].values()}
    rows = [r for r in read_table() if r["kind"] == "page" and r["method"] == "GET"]
    wrong = []
    for actor in ACTORS:
        client = _client_for(None if actor == "anonymous" else world["people"][actor].username)
        urls = [_fill(r["url"], world["fill"]) for r in rows if r[actor] == "Y"]
        _, problems = crawl(client, [u for u in urls if not SKIP.search(urlsplit(u).path)], names)
        wrong += [(word, f"{actor} {url}", line) for word, url, line in problems]
    assert not wrong, f"{len(wrong)} problems on the pages:\n" + summary(wrong)
