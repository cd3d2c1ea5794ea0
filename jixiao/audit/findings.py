"""What an audit reports: a Finding, and how findings are collected and summarised."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..core.model import Source
from ..core.numbers import fmt_value

SEVERITIES = ("error", "warning", "info")  # worst first
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(slots=True)
class Finding:
    """One problem, phrased for a bureau reviewer.

    severity: error when the document itself proves a number or statement wrong;
    warning when a human should look; info otherwise.
    """

    rule: str  # stable id, e.g. "table.sum", "rate.execution", "score.total"
    severity: str
    message: str  # Chinese, one sentence a reviewer would accept
    location: Source = field(default_factory=Source)
    stated: str = ""  # as printed
    expected: str = ""  # what it should be, formatted
    formula: str = ""  # the arithmetic shown: "363.48 + 416.40 = 779.88 ≠ 805.66"
    evidence: str = ""  # quoted text from the document

    def as_dict(self) -> dict:
        loc = self.location
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "location": {
                "form": loc.form, "table": loc.table, "row": loc.row, "column": loc.column, "line": loc.line,
                "text": loc.describe(),
                **({"path": loc.path} if loc.path else {}),
            },
            "stated": self.stated,
            "expected": self.expected,
            "formula": self.formula,
            "evidence": self.evidence,
        }


def shown(value: Decimal | None, unit: str) -> str:
    return fmt_value(value, unit) if value is not None else ""


def summary(findings: list[Finding]) -> dict:
    return {
        "errors": sum(1 for f in findings if f.severity == "error"),
        "warnings": sum(1 for f in findings if f.severity == "warning"),
        "infos": sum(1 for f in findings if f.severity == "info"),
    }


def sort_key(f: Finding) -> tuple:
    return (SEVERITIES.index(f.severity), f.location.form, f.location.line or 0, f.rule)
