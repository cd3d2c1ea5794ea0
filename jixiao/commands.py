"""Registry of CLI sub-commands beyond `score`.

Each entry is a function `register(subparsers)`; a command module appends itself
here so that the CLI core never imports optional heavy writers at start-up.
"""

from __future__ import annotations

from typing import Callable

REGISTRY: list[Callable] = []


def command(register: Callable) -> Callable:
    REGISTRY.append(register)
    return register


# Import the modules that register commands (kept at the bottom: they use `command`).
from .commands_builtin import *  # noqa: E402,F401,F403
