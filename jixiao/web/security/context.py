"""Who is acting and from where, for the audit entries written deeper down (services do not see
the request). Set per request by `AuditContextMiddleware`; empty in the CLI and the worker."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    ip: str = ""
    user: object | None = None
    method: str = ""
    path: str = ""
    refusals: list[str] = field(default_factory=list)


_current: ContextVar[RequestContext | None] = ContextVar("jixiao_request_context", default=None)


def current() -> RequestContext | None:
    return _current.get()


def begin(ctx: RequestContext):
    return _current.set(ctx)


def end(token) -> None:
    _current.reset(token)


def note_refusal(what: str) -> None:
    """A refused access (another unit's package …): written to the log after the response, outside
    the request's transaction, so a rollback cannot drop it."""
    ctx = _current.get()
    if ctx is not None:
        ctx.refusals.append(what)
