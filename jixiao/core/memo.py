"""Caches of pure text functions (normalising a paragraph, splitting a label) that hold users' text.

They pay off within one call — an audit normalises the same cells many times, a batch meets the
same labels in every document — but a server must not keep one unit's text for the life of the
process. Every such cache is bounded and registered here, and `jixiao.services` empties them all
when a call ends (`call_scope`), so no user data outlives the call that brought it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_CACHES: list = []


def text_cache(maxsize: int) -> Callable:
    """functools.lru_cache(maxsize), registered so that `clear_text_caches` can empty it."""

    def wrap(fn: Callable) -> Callable:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _CACHES.append(cached)
        return cached

    return wrap


def clear_text_caches() -> None:
    for cached in _CACHES:
        cached.cache_clear()


def cached_entries() -> int:
    return sum(c.cache_info().currsize for c in _CACHES)


@contextmanager
def call_scope() -> Iterator[None]:
    try:
        yield
    finally:
        clear_text_caches()
