"""The layout generator of the tests (not shipped): one correct project self-evaluation printed in many
layouts and formats, with defects planted one at a time, to measure what the audit reads and finds.

    from layouts import Layout, audit_layout, correct_project, DEFECTS, planted
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from jixiao.audit.findings import Finding
from jixiao.audit.service import DocumentResult, audit_path

from .formats import FORMATS, TEXT_FORMATS, write
from .grid import INDICATOR_ORDERS, TITLES, Layout, build
from .model import DEFECTS, Defect, Project, correct_project, planted

__all__ = ["DEFECTS", "FORMATS", "INDICATOR_ORDERS", "TEXT_FORMATS", "TITLES", "Defect", "Layout", "Project",
           "audit_layout", "correct_project", "found", "planted", "write_layout"]


def write_layout(project: Project, layout: Layout, fmt: str, folder: Path) -> Path:
    return write(build(project, layout), fmt, folder)


def audit_layout(project: Project, layout: Layout, fmt: str, folder: Path | None = None) -> DocumentResult:
    """Print the project in the layout and format, and audit the file as a bureau would."""
    if folder is not None:
        return audit_path(write_layout(project, layout, fmt, folder))
    with tempfile.TemporaryDirectory(prefix="jx-layout-") as tmp:
        return audit_path(write_layout(project, layout, fmt, Path(tmp)))


def _place_text(f: Finding) -> str:
    loc = f.location
    return " ".join((loc.describe(), loc.text, f.message, f.evidence))


def found(result: DocumentResult, defect: Defect) -> list[Finding]:
    """The error or warning findings that report the defect at its place."""
    return [f for f in result.findings
            if f.severity in ("error", "warning") and f.rule.startswith(defect.rules)
            and any(mark in _place_text(f) for mark in defect.marks)]
