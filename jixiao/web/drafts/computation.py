"""The draft recomputed by the core for display: scores, findings, the labels of its fields, and the
differences between two versions.

Pages and jobs call these; they never touch the engine or the audit themselves, only through
`jixiao.services` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jixiao import services
from jixiao.core import keys
from jixiao.core.engine import ScoreReport
from jixiao.web.drafts import fields, figures, layout
from jixiao.web.field_names import field_name, value_text

# --- the draft, recomputed ---------------------------------------------------------------------------


@dataclass
class Computation:
    doc: dict
    report: ScoreReport | None = None
    findings: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    error: str = ""
    problems: list[str] = field(default_factory=list)
    refs: list = field(default_factory=list)
    layouts: layout.Layouts | None = None
    coverage: object | None = None  # audit.coverage.Coverage: what the audit read and checked

    @property
    def coverage_line(self) -> str:
        """核对范围 in one sentence, for the findings panel and the batch audit's list."""
        return self.coverage.line() if self.coverage is not None else ""

    @property
    def unchecked(self) -> bool:
        return self.coverage is not None and self.coverage.status == "unchecked"

    def figure(self, path: str):
        return figures.figure_for(path, self.report, self.doc)

    @property
    def total(self):
        return self.report.find(keys.total(keys.OVERALL)) if self.report else None

    @property
    def grade(self):
        return self.report.find(keys.grade(keys.OVERALL)) if self.report else None

    @property
    def rate(self):
        return self.report.find(keys.execution_rate(keys.OVERALL)) if self.report else None


def _deadline_parts(deadline) -> tuple[date | None, str]:
    """(the day, who set it) of a `models.tier.Deadline`; a bare date (or None) is the task's."""
    if deadline is None or isinstance(deadline, date):  # not getattr(.., "day"): a date has a .day too
        return deadline, ""
    return deadline.day, deadline.whose


def compute(doc: dict, *, parsed=None, layouts: layout.Layouts | None = None, deadline=None,
            targets: list | None = None) -> Computation:
    """Score and audit a draft. A draft the core cannot read comes back with its problems listed.
    `parsed` is (package, report) when the caller has already read and scored this very draft.
    `deadline`: the hand-in deadline the package is held to (`models.tier.deadline_for`: its 主管部门
    tier's, else its task's; a bare date reads as the task's), which the filing dates are checked against.
    `targets`: the approved performance targets of the package's unit (web/targets.approved_for),
    which every reported indicator is compared with."""
    comp = Computation(doc=doc, layouts=layouts or layout.Layouts(doc))
    if not doc:
        comp.error = "数据包为空：请导入或开始填写"
        return comp
    try:
        if parsed is None:
            pkg = services.from_canonical(data=doc, name="草稿")
            comp.report = services.score(package=pkg)
        else:
            pkg, comp.report = parsed
        day, whose = _deadline_parts(deadline)
        result = services.audit(package=pkg, name="草稿", deadline=day, targets=targets, deadline_by=whose)
    except services.ServiceError as exc:
        comp.error, comp.problems = exc.message, exc.problems
        return comp
    comp.findings = list(result.findings)
    comp.summary = result.summary
    comp.coverage = result.coverage
    if result.error:
        comp.error = result.error
    comp.refs = figures.figure_refs(comp.report)
    for path in figures.PROSE_PATHS:
        text = _get(doc, path)
        if isinstance(text, str):
            unknown = figures.resolve(text, comp.refs, comp.report).unknown
            for tok in unknown:
                comp.findings.insert(0, ReferenceFinding(path, tok))
                comp.summary["errors"] = comp.summary.get("errors", 0) + 1
    return comp


def _get(doc: dict, path: str):
    return fields.get(doc, path)


@dataclass
class _Loc:
    form: str
    table: str = ""
    row: str = ""
    column: str = ""

    def describe(self) -> str:
        return " / ".join(p for p in (self.form, self.table) if p)


class ReferenceFinding:
    """A {{reference}} in prose that names no figure: reported like the audit's own findings."""

    severity = "error"
    rule = "web.reference"

    def __init__(self, path: str, token: str):
        self.path = path
        self.message = f"正文引用的数字“{token}”不存在（项目改名或删除后请重新插入引用）"
        self.location = _Loc("绩效评价报告" if path.startswith("narrative") else "自评报告", "正文")
        self.stated = self.expected = self.formula = self.evidence = ""


# --- findings grouped by form, linked to fields ------------------------------------------------------

ANNEX_SLUGS = {"自评报告": "cover", "绩效评价报告": "narrative", "附件1": "notice", "附件2": "annex2", "附件3": "annex3",
               "附件5": "gov_fund", "附件6": "state_capital", "附件7": "social_insurance"}


@dataclass
class FindingView:
    severity: str
    message: str
    where: str
    slug: str
    path: str  # the field it is about, when it can be told
    rule: str
    anchor: str = ""  # the element id of that field (or of the form's top)


def findings_by_form(comp: Computation) -> list[tuple[str, str, list[FindingView]]]:
    """(form title, slug, findings) in the order of the package's forms."""
    doc = comp.doc
    layouts = comp.layouts or layout.Layouts(doc)
    index = layouts.index()
    titles = dict(index)
    anchors = _anchor_index(layouts)
    homes = form_of_path(layouts)
    projects = {p.get("name", ""): i for i, p in enumerate(doc.get("projects") or [])}
    groups: dict[str, list[FindingView]] = {}
    for f in comp.findings:
        loc = f.location
        known = getattr(f, "path", "") or getattr(loc, "path", "")
        slug = homes.get(known) or _form_of_location(loc, projects)
        path = (known or anchors.get((slug, loc.row or "", loc.column or ""))
                or anchors.get((slug, loc.row or ""))
                or anchors.get((slug, loc.table or "")) or "")
        groups.setdefault(slug, []).append(FindingView(f.severity, f.message, _place(loc),
                                                       slug, path, f.rule, figures.dom_id("f", path) if path else "top"))
    order = {"error": 0, "warning": 1, "info": 2}
    return [(titles.get(slug, slug), slug, sorted(groups[slug], key=lambda v: order.get(v.severity, 3)))
            for slug, _ in index if slug in groups]


def _place(loc) -> str:
    """Where a finding is, each part once ('自评报告 / 支出及结余情况表 / 支出合计', the row not repeated)."""
    parts = []
    for part in loc.describe().split(" / ") + ([loc.row] if loc.row else []):
        if part and part not in parts:
            parts.append(part)
    return " / ".join(parts)


def _form_of_location(loc, projects: dict[str, int]) -> str:
    """The form a finding's place names: '附件4·公务接待拨款' is that project's table, '附件3' its annex."""
    annex, _, project = (loc.form or "").partition("·")
    if annex == "附件4":
        names = [project, loc.table or "", loc.row or ""]
        name = next((n for n in projects if n and any(n == x or n in x for x in names if x)), None)
        return f"project-{projects[name]}" if name is not None else "project-0"
    return ANNEX_SLUGS.get(annex, "") or "cover"


def form_of_path(layouts: layout.Layouts) -> dict[str, str]:
    """Field path → the slug of the form that shows it (a link to a field opens that tab)."""
    out: dict[str, str] = {}
    for slug, _title, form in layouts.all():
        for c in form.cells():
            if c.path:
                out.setdefault(c.path, slug)
    return out


def _anchor_index(layouts: layout.Layouts) -> dict[tuple, str]:
    """(form slug, row label[, column]) → the field of that row (and column), for every form.

    The audit names a place by form, table, row and column (a `Source`); until findings carry the
    canonical path, this is how a finding finds its field."""
    out: dict[tuple, str] = {}
    for slug, _title, form in layouts.all():
        for c in form.cells():
            if c.path and c.row:
                out.setdefault((slug, c.row), c.path)
                out.setdefault((slug, c.row, (c.label or "").rsplit("·", 1)[-1]), c.path)
    return out


@dataclass
class DiffRow:
    path: str
    label: str
    old: str
    new: str


def diff(a: dict, b: dict) -> list[DiffRow]:
    """Field-by-field differences between two canonical dicts, with the labels of the forms."""
    labels = field_labels(b) | field_labels(a)
    rows: list[DiffRow] = []
    for path, (va, vb) in _walk_diff(a, b, "").items():
        rows.append(DiffRow(path, field_name(path, labels), _shown(va, path), _shown(vb, path)))
    return rows


def changes(a: dict, b: dict) -> list[tuple[str, object, object]]:
    """(path, old, new) for every field that differs between two canonical dicts."""
    return [(p, va, vb) for p, (va, vb) in _walk_diff(a, b, "").items()]


def field_labels(doc: dict, layouts: layout.Layouts | None = None) -> dict[str, str]:
    """Every field path of the package's forms → '附件4 公务接待拨款 › 接待人次·实际完成值'."""
    out: dict[str, str] = {}
    for _slug, title, form in (layouts or layout.Layouts(doc)).all():
        for c in form.cells():
            if c.path:
                out[c.path] = f"{title} › {c.label or c.row}"
    return out


def _walk_diff(a, b, path: str) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            out |= _walk_diff(a.get(k), b.get(k), f"{path}.{k}" if path else str(k))
    elif isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            out |= _walk_diff(a[i] if i < len(a) else None, b[i] if i < len(b) else None, f"{path}[{i}]")
    elif isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        if a != b:  # a table added or removed, or a value that became a table: one row for it
            out[path] = (a, b)
    elif a != b and not (a in (None, "") and b in (None, "")):
        out[path] = (a, b)
    return out


def _shown(v, path: str = "") -> str:
    """A compared value as the forms print it: figures formatted (万元, points, rates), text as is."""
    if v is None:
        return "（空）"
    return value_text(printed_entry(path, v))


def printed_entry(path: str, value):
    """A stored entry as the forms print it (fields.printed_entry)."""
    return fields.printed_entry(path, value)
