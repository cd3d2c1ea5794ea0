"""schemathesis against the API's own OpenAPI schema (/api/v1/openapi.json): every operation with
generated parameters and bodies, as a preparer with an API token; no answer may be a server error
(issue 12). Bounded: a few examples per operation, half of them aimed at the preparer's real
package (the rest at whatever ids the generator picks)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings

from jixiao import services
from jixiao.web.models import ApiToken
from jixiao.web.security import audit

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


def test_no_operation_answers_with_a_server_error(world, wsgi_in_the_test_transaction):
    pkg = world["package"]
    token = ApiToken.issue(world["preparer"])
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_in_the_test_transaction)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 9  # every operation of the API is in its schema
    failures = []
    seen = {}

    def check(op):
        calls = [0]

        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case):
            calls[0] += 1
            if calls[0] % 2:  # every other call aims at the package the token may open, so the operation's own code runs
                for name, value in (("pk", pkg.pk), ("number", 1)):
                    if case.path_parameters and name in case.path_parameters:
                        case.path_parameters[name] = value
            response = case.call(headers=headers)
            seen.setdefault(op.path + " " + op.method, []).append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{op.method.upper()} {op.path} {case.path_parameters} {case.body!r:.300}: "
                                f"HTTP {response.status_code} {response.content[:300]!r}")

        run()

    for op in operations:
        check(op)
    # the token works and the generated requests reach the operations' own code, not only the 404
    assert sum(any(c != 404 for c in codes) for codes in seen.values()) >= len(operations) - 1, seen
    assert not failures, "server errors:\n" + "\n".join(failures)
    pkg.refresh_from_db()
    services.from_canonical(data=pkg.draft, name="草稿")  # whatever was accepted left a readable draft
    assert audit.verify().ok
