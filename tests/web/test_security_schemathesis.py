"""schemathesis against the API's own OpenAPI schema (/api/v1/openapi.json): every operation with
generated parameters and bodies — the unit's operations as a preparer, the bureau's as its 绩效评价股,
each with an API token (the open data with none); no answer may be a server error (issues 12, 20).
Bounded: a few examples per operation, half of them aimed at real objects of the authorisation
table's world (its draft, the package sent, the task, the 抽评 sample, the jobs …), the rest at
whatever ids the generator picks. Every refusal (4xx) must read in Chinese in the one error shape
(`test_api_messages.english_in`)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as settings_

from jixiao import services
from jixiao.web.models import Package
from jixiao.web.security import audit

from .test_api_messages import english_in, wire_names
from .test_authz_table import _world

EXAMPLES = 12


@pytest.fixture
def wsgi_in_the_test_transaction():
    """The WSGI application as schemathesis calls it, on the test's own database connection:
    Django's handler closes "old" connections around each request (on PostgreSQL that would be
    the test's transaction); its test client switches this off the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _real(path: str, name: str, fill: dict):
    """The real object a path parameter names in the world (by the operation's topic)."""
    if name == "job":
        for part, key in (("batch-jobs/{job}/file", "pdf_batch"), ("batch-jobs", "batch"), ("execution-imports", "execution_job"),
                          ("package-imports", "package_import"), ("audit/jobs", "audit_job")):
            if part in path:
                return fill[key]
    if path.startswith("/api/v1/reviews"):
        return {"pk": fill["sent"], "number": fill["sent_version"]}.get(name)
    return {"pk": fill["pk"], "number": 1, "task": fill["task"], "spot": fill["spot"], "notice": fill["notice"],
            "unit": fill["supervisor"], "year": fill["year"], "code": fill["code"]}.get(name)


def _actor(path: str) -> str | None:
    """Whose token calls the operation: the unit's side as its preparer, the bureau's as its 绩效评价股."""
    if path.startswith("/api/v1/open/"):
        return None
    if path.startswith(("/api/v1/packages", "/api/v1/audit")):
        return "preparer"
    return "performance"


def test_no_operation_answers_with_a_server_error(db, tmp_path, settings, wsgi_in_the_test_transaction):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = _world(tmp_path)
    fill = world["fill"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_in_the_test_transaction)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 30  # every operation of the API is in its schema
    failures, english = [], []
    seen, names = {}, wire_names()

    def check(op):
        calls = [0]
        actor = _actor(op.path)
        headers = {"Authorization": f"Bearer {world['tokens'][actor]}"} if actor else {}

        @settings_(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case):
            calls[0] += 1
            if calls[0] % 2 and case.path_parameters:  # every other call aims at a real object, so the operation's own code runs
                for name in list(case.path_parameters):
                    value = _real(op.path, name, fill)
                    if value is not None:
                        case.path_parameters[name] = value
            response = case.call(headers=headers)
            seen.setdefault(op.path + " " + op.method, []).append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{op.method.upper()} {op.path} {case.path_parameters} {case.body!r:.300}: "
                                f"HTTP {response.status_code} {response.content[:300]!r}")
            elif response.status_code >= 400:  # every refusal in Chinese, in the one shape (issue 21)
                english.extend(f"{op.method.upper()} {op.path} → {response.status_code}: {problem}"
                               for problem in english_in(response.status_code, response.content, names))

        run()

    for op in operations:
        check(op)
    # the tokens work and the generated requests reach the operations' own code, not only the 404
    reached = sum(any(c != 404 for c in codes) for codes in seen.values())
    assert reached >= len(operations) - 2, {k: v for k, v in seen.items() if all(c == 404 for c in v)}
    assert not failures, "server errors:\n" + "\n".join(failures)
    assert not english, "refusals not in Chinese or not in the one shape:\n" + "\n".join(sorted(set(english)))
    for pkg in Package.objects.exclude(draft={}):
        services.from_canonical(data=pkg.draft, name="草稿")  # whatever was accepted left a readable draft
    assert audit.verify().ok
