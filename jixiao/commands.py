"""Sub-commands beyond `score`, each living beside the code it drives.

Every module listed here defines `register(subparsers)` (and imports what it drives lazily,
so that `jixiao score` does not load Django). A module that fails to import is an error.
"""

from __future__ import annotations

import importlib

MODULES = (
    "jixiao.cmd.audit",  # jixiao audit
    "jixiao.cmd.render",  # jixiao render, jixiao import
    "jixiao.cmd.aggregate",  # jixiao aggregate
    "jixiao.web.cli",  # jixiao serve
    "jixiao.web.security.cli",  # jixiao verify-log, export-log, verify, backup, restore
)


def register_all(subparsers) -> None:
    for name in MODULES:
        importlib.import_module(name).register(subparsers)
