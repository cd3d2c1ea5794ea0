"""The catalogue of checks, in the manner of beancount's validations.

A check is a small function `check(ctx: AuditContext) -> list[Finding]`, registered
with a stable rule id, a Chinese title and a one-line description of what it
computes. `run_checks` runs them all and returns every finding at once; a check
that raises is reported as an internal finding instead of aborting the audit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

from ..core.engine import ScoreReport, score_package
from ..core.model import Package, Source
from ..core.numbers import close_tally, open_tally
from ..core.profiles import Profile, load_profile
from .findings import Finding

T = TypeVar("T")


@dataclass
class AuditContext:
    package: Package
    profile: Profile
    report: ScoreReport  # every figure the engine recomputed, with stated values beside
    options: dict = field(default_factory=dict)
    # Intermediate results several checks share (prose figures, stated places …), computed once
    # per audit. Checks never change the package, so a value keyed by what it was computed from
    # stays valid for the whole audit.
    cache: dict = field(default_factory=dict)

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """compute() the first time `key` is asked for in this audit, the stored value afterwards."""
        try:
            return self.cache[key]
        except KeyError:
            value = self.cache[key] = compute()
            return value


@dataclass(frozen=True)
class Check:
    rule: str  # stable id, also the prefix of the findings' rule ids
    title: str  # Chinese, for docs/checks.md
    description: str  # what is checked, the formula, an example
    func: Callable[[AuditContext], list[Finding]]


CHECKS: dict[str, Check] = {}


def check(rule: str, title: str, description: str) -> Callable:
    """Decorator: register a check function under a stable rule id."""

    def wrap(func: Callable[[AuditContext], list[Finding]]) -> Callable[[AuditContext], list[Finding]]:
        if rule in CHECKS:
            raise ValueError(f"duplicate check id {rule}")
        CHECKS[rule] = Check(rule, title, description, func)
        return func

    return wrap


def _load_all() -> None:
    # Importing the modules registers their checks.
    from . import checks  # noqa: F401


def run_checks(pkg: Package, profile: Profile | str | None = None, options: dict | None = None) -> list[Finding]:
    return run_checks_counted(pkg, profile, options)[0]


def run_checks_counted(pkg: Package, profile: Profile | str | None = None,
                       options: dict | None = None) -> tuple[list[Finding], dict]:
    """Every finding, and how many relations the checks evaluated: each stated figure compared with
    its recomputation counts once, however many checks look at it (core.numbers' tally). The engine's
    own scoring runs before the tally opens, so only what the checks compare is counted. The relations
    come back keyed, each with the Source of its stated figure where known (per-table counts)."""
    _load_all()
    prof = profile if isinstance(profile, Profile) else load_profile(profile or pkg.profile)
    ctx = AuditContext(pkg, prof, score_package(pkg, prof), options or {})
    findings: list[Finding] = []
    evaluated, token = open_tally()
    try:
        for chk in CHECKS.values():
            try:
                findings.extend(chk.func(ctx))
            except Exception as exc:  # a bug in one check must not hide the others' findings
                findings.append(Finding(rule="internal.check_failed", severity="warning",
                                        message=f"审核规则 {chk.rule} 运行出错，结果可能不完整：{type(exc).__name__}: {exc}",
                                        location=Source()))
    finally:
        close_tally(token)
    return findings, evaluated


def run_family(pkg: Package, family: str, profile: Profile | str | None = None,
               options: dict | None = None) -> list[Finding]:
    """The findings of one family of checks only (rule ids `family.…`), without scoring the package:
    for a family that reads the package and its options alone (the approved targets')."""
    _load_all()
    prof = profile if isinstance(profile, Profile) else load_profile(profile or pkg.profile)
    ctx = AuditContext(pkg, prof, ScoreReport(pkg, prof), options or {})
    return [f for chk in CHECKS.values() if chk.rule.startswith(f"{family}.") for f in chk.func(ctx)]
