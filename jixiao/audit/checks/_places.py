"""Comparing the places that state one quantity: shared by the cross-document and the prose checks."""

from __future__ import annotations

from decimal import Decimal

from ...core.numbers import stated_agrees
from ..findings import Finding
from ..registry import AuditContext
from ._common import show
from .quantities import Place


def disproved_ids(ctx: AuditContext) -> set[int]:
    """Identities of stated figures the engine found at odds with their own parts (once per audit)."""
    return ctx.cached("consistency.disproved_ids", lambda: {
        id(c.stated) for c in ctx.report.all() if c.stated is not None and c.agrees is False})


def same(a: Decimal, b: Decimal, unit: str, parts: int = 0) -> bool:
    """Two stated figures agree when either is within the other's printed precision."""
    return stated_agrees(a, b, unit, parts) or stated_agrees(b, a, unit, parts)


def group(places: list[Place], unit: str) -> list[list[Place]]:
    groups: list[list[Place]] = []
    for p in places:
        for g in groups:
            if same(g[0].value, p.value, unit, max(g[0].parts, p.parts)):
                g.append(p)
                break
        else:
            groups.append([p])
    return groups


def listing(places: list[Place], unit: str) -> str:
    return "；".join(f"{p.where} {show(p.value, unit)}" for p in places)


def _majority(groups: list[list[Place]]) -> list[Place] | None:
    sizes = sorted((len(g) for g in groups), reverse=True)
    if len(sizes) > 1 and sizes[0] == sizes[1]:
        return None
    return max(groups, key=len)


def disagreement(rule: str, q_label: str, unit: str, groups: list[list[Place]], severity: str) -> Finding:
    """One finding for one quantity stated with more than one value, naming every place."""
    major = _majority(groups)
    minor = [p for g in groups if g is not major for p in g]
    first = minor[0]
    every = [p for g in groups for p in g]
    formula = " ≠ ".join(f"{g[0].where} {g[0].formula + ' = ' if g[0].formula else ''}{show(g[0].value, unit)}"
                         for g in groups)
    expected = (f"{show(major[0].value, unit)}（{len(major)}处所载）" if major is not None
                else "各处应为同一数值")
    return Finding(
        rule=rule, severity=severity,
        message=f"{q_label}在各处所载不一致：{listing(every, unit)}。同一数据应前后一致，请核实后统一。",
        location=first.location, stated="；".join(sorted({show(p.value, unit) for p in minor})),
        expected=expected, formula=formula,
        evidence=next((p.evidence or p.location.text for p in every if p.evidence or p.location.text), ""))
