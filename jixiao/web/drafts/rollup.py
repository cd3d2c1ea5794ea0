"""The 主管部门's draft rebuilt from its units' approved versions (issue 22), and what a page shows of it.

`roll_up_into` computes the roll-up (jixiao.services.roll_up_department: the cover tables' 汇总 and
unit rows, 附件3 and each fund's 附件4 by the notice's rules) and writes the department's draft
through versions.save_draft — the one write path, so every changed field is a FieldEdit with its
audit entry. Only the rolled-up parts of the draft are replaced; the department's narrative, its
unit information, opinions and its own projects stay as they were. It returns the changes, field by
field, with the forms' labels: recomputing after one unit's new version shows exactly what moved.

`rollup_view` is what a page needs to show the rolled-up figures with their traces and each unit's
contribution, rounded for display (the stored figures are exact).

Who may roll up is the caller's decision (access.py); this module checks that the department's
draft can be written at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from jixiao import services
from jixiao.core.numbers import fmt_value
from jixiao.web import versions
from jixiao.web.drafts import fields
from jixiao.web.drafts.computation import changes as draft_changes
from jixiao.web.drafts.computation import field_labels
from jixiao.web.field_names import field_name, printed_text, value_text
from jixiao.web.models import EDITABLE_STATUSES, Package, Submission, User
from jixiao.web.ordering import pinyin_key

COVER_KEYS = ("income", "expenditure", "sangong", "fixed_assets")
ROLLUP_KIND = "rollup"  # the FieldEdit kind and audit action of a roll-up's writes


@dataclass(frozen=True)
class FieldChange:
    """One field of the department's draft the roll-up changed: its canonical path, the form's label,
    the old and new stored values and their text as a person reads it (amounts as the form prints them)."""

    path: str
    label: str
    old: object
    new: object

    @property
    def old_text(self) -> str:
        return _entry_text(self.path, self.old)

    @property
    def new_text(self) -> str:
        return _entry_text(self.path, self.new)


def _entry_text(path: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    try:
        kind = fields.field_kind(path)
    except fields.PathError:
        kind = fields.TEXT
    if kind in (fields.AMOUNT, fields.SCORE, fields.PERCENT) and isinstance(value, str):
        return printed_text(kind, value)
    return value_text(value)


@dataclass(frozen=True)
class Gap:
    """A unit's table the roll-up could not use, and why (Chinese)."""

    unit: str
    table: str
    why: str

    @property
    def message(self) -> str:
        return f"{self.unit}：{self.table}{self.why}"


@dataclass
class RollupChange:
    changes: list[FieldChange] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # the units rolled up, as the traces name them
    version: int = 0  # the department draft's version after the roll-up

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def summary(self) -> str:
        told = f"汇总了{len(self.members)}个下属单位，" if self.members else ""
        moved = f"草稿改动 {len(self.changes)} 处" if self.changes else "汇总结果与草稿一致，没有改动"
        return told + moved + (f"；{len(self.gaps)} 处未能使用，见下方说明" if self.gaps else "")


class RollupError(Exception):
    """A roll-up that cannot be made (Chinese message, nothing written)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


# --- computing ---------------------------------------------------------------------------------------


def _within(department_package: Package, sub: Submission) -> bool:
    """A version of a package of the department's task, for a unit below the department in the tree."""
    if sub.package.task_id != department_package.task_id:
        return False
    unit, seen = sub.package.unit, set()
    while unit.parent_id is not None and unit.parent_id not in seen:
        if unit.parent_id == department_package.unit_id:
            return True
        seen.add(unit.pk)
        unit = unit.parent
    return False


def _unit_packages(department_package: Package, unit_versions: list[Submission]) -> list[tuple[str, object]]:
    units = []
    # One order whatever the caller's (pinyin, as lists show units): the rows do not move between roll-ups.
    for sub in sorted(unit_versions, key=lambda s: pinyin_key(s.package.unit.name)):
        name = sub.package.unit.name
        if not _within(department_package, sub):
            raise RollupError(f"{name}不是本部门在本次自评任务中的下属单位，不能汇总进本部门的数据包", 422)
        try:
            units.append((name, services.from_canonical(data=sub.content, name=name)))
        except services.ServiceError as exc:
            raise RollupError(f"{name}的第{sub.number}版无法读取，不能汇总：{exc.message}", 422) from None
    return units


def _subordinate_names(department_package: Package) -> list[str]:
    return list(department_package.unit.children.values_list("name", flat=True))


def compute_rollup(department_package: Package, unit_versions: list[Submission]):
    """(the rolled-up draft, the core's DepartmentRollup); nothing is written."""
    try:
        own = services.from_canonical(data=department_package.draft, name="部门草稿")
    except services.ServiceError as exc:
        raise RollupError(f"部门草稿无法读取，不能汇总：{exc.message}", 422) from None
    units = _unit_packages(department_package, unit_versions)
    try:
        result = services.roll_up_department(own=own, units=units, profile_name=department_package.task.profile,
                                             subordinates=_subordinate_names(department_package))
    except services.ServiceError as exc:
        raise RollupError(exc.message, 422) from None
    return merged_draft(department_package.draft, result), result


def merged_draft(draft: dict, result) -> dict:
    """The department's draft with only the rolled-up parts replaced: the cover tables, 附件3 and the
    tables of the funds its units reported (附件4–7); every other field is the draft's own, as stored."""
    rolled = fields.jsonable(services.to_canonical(package=result.package))
    out = fields.jsonable(draft)
    for key in COVER_KEYS:
        out[key] = rolled.get(key, [])
    paths = [fields.split_path(t.path) for t in result.tables]
    if ("overall",) in paths:
        out["overall"] = rolled["overall"]
    projects = {p[1] for p in paths if p[0] == "projects"}
    if projects:
        out["projects"] = _with_items(out.get("projects"), rolled["projects"], projects)
    kinds: dict[int, set[int]] = {}
    for p in paths:
        if p[0] == "fund_types":
            kinds.setdefault(p[1], set()).add(p[3])
    if kinds:
        declared = list(out.get("fund_types") or [])
        for d, tables in kinds.items():
            declared = _with_items(declared, rolled["fund_types"], set(), fill=d)
            mine = declared[d]
            theirs = rolled["fund_types"][d]
            declared[d] = mine | {"kind": theirs["kind"], "has_spending": True,
                                  "tables": _with_items(mine.get("tables"), theirs["tables"], tables)}
        out["fund_types"] = declared
    return out


def _with_items(mine: list | None, rolled: list, indices: set[int], fill: int = -1) -> list:
    """`mine` with the items at `indices` taken from `rolled` (a new one appended where `mine` is shorter);
    `fill`: an index that must exist, taken from `rolled` only when `mine` has no item there."""
    out = list(mine or [])
    for i in sorted(indices | ({fill} if fill >= 0 else set())):
        while len(out) <= i:
            out.append(rolled[len(out)])
        if i in indices:
            out[i] = rolled[i]
    return out


# --- writing -----------------------------------------------------------------------------------------


def roll_up_into(department_package: Package, unit_versions: list[Submission], *, actor: User) -> RollupChange:
    """Recompute the department's package from its units' approved versions and write its draft
    (versions.save_draft: one FieldEdit and audit entry per changed field). Returns what changed."""
    if not unit_versions:
        raise RollupError("没有已审核通过的下属单位版本，无法汇总", 409)
    with transaction.atomic():
        package = Package.objects.select_for_update(of=("self",)).select_related("task", "unit").get(
            pk=department_package.pk)
        if package.status not in EDITABLE_STATUSES:
            raise RollupError(f"部门数据包当前状态为“{package.get_status_display()}”，不能汇总；如需重新汇总请先退回", 409)
        doc, result = compute_rollup(package, unit_versions)
        found = _field_changes(package.draft, doc)
        if found:
            versions.save_draft(package, actor, doc, [(c.path, c.old, c.new) for c in found], ROLLUP_KIND)
    department_package.refresh_from_db()
    return RollupChange(found, [Gap(g.unit, g.table, g.why) for g in result.gaps], list(result.members),
                        package.version)


# --- showing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    unit: str
    shown: str  # the unit's figure, rounded for display


@dataclass(frozen=True)
class FigureView:
    key: str
    label: str
    shown: str
    formula: str
    rule: str
    contributions: list[Contribution]
    note: str = ""


@dataclass(frozen=True)
class TableView:
    title: str
    path: str  # where the table stands in the department's draft (overall, projects[2], income)
    members: list[str]
    figures: list[FigureView]


@dataclass
class RollupView:
    """What a page shows of a department's roll-up: the units and their versions, the cover tables
    and self-evaluation tables with every figure's trace, and what could not be used."""

    members: list[tuple[str, int]]  # (unit, version number)
    cover: list[TableView]
    tables: list[TableView]
    gaps: list[Gap]
    error: str = ""  # the roll-up could not be computed: why (the rest is empty)
    # What rolling up now would change in the draft: empty when the draft holds the latest roll-up;
    # else a unit's approved version changed since (or the department edited a rolled-up figure).
    pending: list[FieldChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.members


def approved_unit_versions(department_package: Package) -> list[Submission]:
    """The latest approved version of each subordinate unit's package in the department's task, the
    units in the order a person reads a list of names (pinyin)."""
    children = Package.objects.filter(task=department_package.task, unit__parent=department_package.unit)
    out = []
    for child in sorted(children.select_related("unit"), key=lambda p: pinyin_key(p.unit.name)):
        sub = child.submissions.filter(state=Submission.State.APPROVED).order_by("-number").first()
        if sub is not None:
            out.append(sub)
    return out


def rollup_view(department_package: Package, unit_versions: list[Submission] | None = None) -> RollupView:
    """The roll-up of `unit_versions` (default: each subordinate unit's latest approved version) for a page."""
    subs = approved_unit_versions(department_package) if unit_versions is None else list(unit_versions)
    subs.sort(key=lambda s: pinyin_key(s.package.unit.name))  # the order the roll-up's rows are in
    members = [(s.package.unit.name, s.number) for s in subs]
    if not subs:
        return RollupView([], [], [], [], error="下属单位尚无审核通过的版本，暂无可汇总的数据")
    try:
        doc, result = compute_rollup(department_package, subs)
    except RollupError as exc:
        return RollupView(members, [], [], [], error=exc.message)
    cover = [TableView(t.title, t.key, list(result.members), [_figure(c) for c in t.figures]) for t in result.cover]
    tables = [TableView(t.title, t.path, list(t.members), [_figure(c) for c in t.figures]) for t in result.tables]
    return RollupView(members, cover, tables, [Gap(g.unit, g.table, g.why) for g in result.gaps],
                      pending=_field_changes(department_package.draft, doc))


def _field_changes(before: dict, after: dict) -> list[FieldChange]:
    """Field by field; a row the roll-up added (a unit's row, a fund's table) as each of its fields, so
    that each is named as the form names it, not as a whole table."""
    labels = field_labels(after) | field_labels(before)
    found = []
    for path, old, new in draft_changes(before, after):
        whole = new if old is None else old if new is None else None
        # the fields the form shows (a row's key and 汇总 flag are how the draft files it, not entries)
        shown = [(p, v) for p, v in _leaves(path, whole) if p in labels] if isinstance(whole, (dict, list)) else []
        if shown:
            found += [(p, None, v) if old is None else (p, v, None) for p, v in shown]
        else:
            found.append((path, old, new))
    return [FieldChange(p, field_name(p, labels), o, n) for p, o, n in found]


def _leaves(path: str, value) -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(f"{path}.{k}", v)]
    if isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(f"{path}[{i}]", v)]
    return [(path, value)]


def _figure(c) -> FigureView:
    parts = [Contribution(name, _shown(v, c.unit)) for name, v in c.inputs.items()]
    return FigureView(c.key, c.label, c.shown() if c.value is not None or c.text else "—", c.formula, c.rule, parts,
                      c.note)


def _shown(value, unit: str) -> str:
    if value is None:
        return "（未填）"
    if isinstance(value, str):
        return value
    return fmt_value(value, unit)
