"""A second jixiao in the same process, for benchmarks' --baseline REV.

The jixiao package of a git revision is extracted to a folder and imported beside the
working tree's, both under their own name `jixiao`. `with tree:` puts that revision's
modules in sys.modules (lazy imports inside functions resolve through it) and puts the
current set back afterwards — so old and new code can run alternately on the same inputs
and a noisy machine's load cancels out of their ratio.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def own_modules() -> dict:
    return {k: m for k, m in sys.modules.items() if k == "jixiao" or k.startswith("jixiao.")}


class CodeTree:
    """`warm()` runs with the revision importable: it imports what the benchmark calls (and
    warms caches) and returns those callables by name; they become attributes of the tree."""

    def __init__(self, rev: str, directory: Path, warm: Callable[[], dict]) -> None:
        data = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "jixiao"], check=True,
                              capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(directory, filter="data")
        current = own_modules()
        for k in current:
            del sys.modules[k]
        sys.path.insert(0, str(directory))
        try:
            for name, value in warm().items():
                setattr(self, name, value)
            self.modules = own_modules()
            assert Path(self.modules["jixiao"].__file__).is_relative_to(directory)
        finally:
            sys.path.remove(str(directory))
            for k in own_modules():
                del sys.modules[k]
            sys.modules.update(current)
        self.saved: dict = {}

    def __enter__(self) -> CodeTree:
        self.saved = own_modules()
        sys.modules.update(self.modules)
        return self

    def __exit__(self, *exc) -> None:
        sys.modules.update(self.saved)
