"""Sub-commands beyond `score`, each living beside the code it drives.

Every module listed here defines `register(subparsers)`. A module that is not
there yet is skipped, so the CLI core never depends on optional parts.
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
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name in (name, name.rsplit(".", 1)[0]):
                continue
            raise
        module.register(subparsers)
