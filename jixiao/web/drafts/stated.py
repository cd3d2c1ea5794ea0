"""Stated figures: what the unit wrote stays as written until the preparer accepts the engine's value.

A package that arrives from elsewhere (an import, an outside document, the demo's example) states
sums, rates and scores of its own, and some of them differ from what the engine computes — that
difference is the evidence the audit reports. So a save never overwrites a stated figure with the
computed one. The only figures a save updates are those that *followed* the engine before the save:
empty ones, and ones equal to the engine's value on the draft as it was. They keep following (a
preparer who changes 全年执行数 sees 执行率 move with it), and every such update is recorded.

A within-rounding difference (805.66 stated, 805.67 computed) is not equal, so it is kept as stated,
as the renderer keeps it. The preparer takes the engine's value deliberately, per figure or for all
of them (采用计算数), and that is recorded as an edit of its own kind.

Pure: no Django; the write services call these inside their transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from jixiao import services
from jixiao.web.drafts import fields, figures, layout


@dataclass
class Differing:
    """A figure whose stated value is not the engine's: where, what the unit wrote, what it computes."""

    path: str
    stated: object
    computed: object
    stated_shown: str = ""  # as the forms print them (万元 with thousands separators, rates in %)
    computed_shown: str = ""


def read_and_score(doc: dict):
    """(package, report) of a draft, or None when the core cannot read it."""
    try:
        pkg = services.from_canonical(data=doc, name="草稿")
    except services.ServiceError:
        return None
    return pkg, services.score(package=pkg)


def figure_paths(doc: dict, layouts: layout.Layouts | None = None) -> list[tuple[str, str]]:
    """(path, field kind) of every figure the forms show that a draft stores."""
    out = []
    for _slug, _title, form in (layouts or layout.Layouts(doc)).all():
        out += [(c.path, c.field) for c in form.cells() if c.kind == "figure" and c.stored]
    return out


def _blank(value) -> bool:
    return value is None or value == ""


def same_number(a, b) -> bool:
    """Equal as stored figures: '12.50' and '12.5'; '86%' and '86.00%'; a text figure by its text."""
    if a == b:
        return True
    try:
        return Decimal(str(a).rstrip("%")) == Decimal(str(b).rstrip("%")) and str(a).endswith("%") == str(b).endswith("%")
    except (ArithmeticError, ValueError):
        return False


def engine_value(path: str, kind: str, report, doc: dict):
    """The engine's value of a computed or ruled figure as the draft stores it; None for a judged
    figure (the unit's entry stands) or a field the engine does not fill."""
    c = figures.figure_for(path, report, doc)
    if c is None or figures.kind_of(c) == "judged":
        return None
    return figures.stored_value(c, kind)


def following(doc: dict, report, paths: list[tuple[str, str]]) -> dict[str, object]:
    """The figures that follow the engine in `doc` — empty, equal to the engine's value, or one the
    engine could not work out (an input missing: nothing contradicts it yet, and the write that
    brings the input brings its value) — with the engine's value then (None when it had none)."""
    out = {}
    for path, kind in paths:
        c = figures.figure_for(path, report, doc)
        if c is None or figures.kind_of(c) == "judged":
            continue
        value = figures.stored_value(c, kind)
        stored = fields.get(doc, path)
        if value is None or _blank(stored) or same_number(stored, value):
            out[path] = value
    return out


def _under(path: str, roots: set[str]) -> bool:
    return any(path == r or path.startswith(r + ".") or path.startswith(r + "[") for r in roots)


def refresh_following(before: dict, after: dict, *, explicit: set[str] = frozenset(), parsed=None,
                      before_parsed=None, layouts: layout.Layouts | None = None, passes: int = 6):
    """`after` (changed in place) with the figures that followed the engine in `before` set to the
    engine's value on `after`; every other stated figure as it is. `explicit`: fields the write set
    itself (never overridden). Repeats to a fixed point: 基本支出 is an input of 支出合计.

    Returns (draft, [(path, old, new)], (package, report) of the returned draft or None)."""
    paths = figure_paths(after, layouts)
    before_parsed = before_parsed if before_parsed is not None else (read_and_score(before) if before else None)
    follow = following(before, before_parsed[1], paths) if before_parsed is not None else {}
    follow = {p: v for p, v in follow.items() if not _under(p, set(explicit))}
    targets = [(p, k) for p, k in paths if p in follow]
    return settle(after, targets, parsed, passes, _unless_left_blank(follow))


def adopt(doc: dict, paths: list[str] | None, *, parsed=None, layouts: layout.Layouts | None = None, passes: int = 6):
    """A copy of `doc` with the engine's value taken for the figures named (None: every computed and
    ruled figure), and the figures that followed the engine kept following. Returns as
    `refresh_following` does; the changes include the adopted figures and those that moved with them."""
    before = doc
    out = json.loads(json.dumps(doc))
    all_paths = figure_paths(out, layouts)
    before_parsed = parsed if parsed is not None else read_and_score(before)
    if before_parsed is None:
        return out, [], None
    chosen = {d.path for d in differing(before, before_parsed[1], layouts)} if paths is None else set(paths)
    follow = {p: v for p, v in following(before, before_parsed[1], all_paths).items() if p not in chosen}
    targets = [(p, k) for p, k in all_paths if p in follow or p in chosen]
    return settle(out, targets, before_parsed, passes, _unless_left_blank(follow))


def settle(out: dict, targets: list[tuple[str, str]], parsed=None, passes: int = 6,
           follows: Callable[[str, object, object], bool] | None = None):
    """Set each target figure of `out` (changed in place) to the engine's value until nothing moves
    (a figure can be the input of another: 基本支出 of 支出合计). `follows(path, stored, value)`
    says whether a target takes the engine's value this pass (None: every one does); `parsed`: the
    (package, report) of `out` as it is, if the caller has it.

    Returns (out, [(path, old, new)], (package, report) of the returned draft or None when unreadable)."""
    first: dict[str, object] = {}
    last: dict[str, object] = {}
    current = parsed
    for _ in range(passes):
        if current is None:
            current = read_and_score(out)
            if current is None:
                return out, [], None
        changed = False
        for path, kind in targets:
            value = engine_value(path, kind, current[1], out)
            old = fields.get(out, path)
            if value is None or same_number(old, value) or (follows is not None and not follows(path, old, value)):
                continue
            first.setdefault(path, old)
            last[path] = value
            fields.put(out, path, value, inplace=True)
            changed = True
        if not changed:
            break
        current = None
    return out, [(p, first[p], v) for p, v in last.items() if first[p] != v], current


def _unless_left_blank(was: dict[str, object]) -> Callable[[str, object, object], bool]:
    """`was`: the engine's value of a following figure before the write — a blank whose value this
    write did not move stays blank (an edit on 附件4 does not fill the cover's empty 汇总 row)."""
    def follows(path: str, old, value) -> bool:
        return not (path in was and _blank(old) and was[path] is not None and same_number(was[path], value))
    return follows


def differing(doc: dict, report, layouts: layout.Layouts | None = None) -> list[Differing]:
    """Every computed or ruled figure whose stated value the engine does not confirm at the precision
    it was printed (the pairs the forms show side by side, and what 全部采用计算数 changes); a
    within-rounding difference is not one of them."""
    out = []
    for path, kind in figure_paths(doc, layouts):
        c = figures.figure_for(path, report, doc)
        if c is None or figures.kind_of(c) == "judged" or not c.has_stated or c.agrees is not False:
            continue
        value = figures.stored_value(c, kind)
        if value is not None:
            out.append(Differing(path, fields.get(doc, path), value, c.shown_stated(), c.shown()))
    return out


def engine_values(doc: dict, layouts: layout.Layouts | None = None) -> dict[str, object]:
    """path → the engine's value of every computed or ruled figure of a draft (empty when unreadable)."""
    parsed = read_and_score(doc)
    if parsed is None:
        return {}
    out = {}
    for path, kind in figure_paths(doc, layouts):
        value = engine_value(path, kind, parsed[1], doc)
        if value is not None:
            out[path] = value
    return out
