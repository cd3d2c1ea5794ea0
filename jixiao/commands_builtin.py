"""Built-in sub-commands registered with the CLI (each imports its heavy modules lazily)."""

from __future__ import annotations
