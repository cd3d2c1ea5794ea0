"""Reads of the bureau's side: which tasks and packages a bureau user may open, the dashboard of a
task (one row per unit, sorted and filtered in the database), its charts, the review of a version,
the 抽评 sample and the figures of a 部门汇总.

The dashboard reads only the summary copied onto each package and version when it was made
(总分, 等次, 执行率, finding counts): listing 2,000 units never re-scores a package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.http import Http404
from django.utils import timezone

from jixiao import services
from jixiao.core import keys
from jixiao.core.results_use import AppliedResult, applied_result
from jixiao.core.spot_check import SpotResult, spot_result
from jixiao.web import access
from jixiao.web.drafts.figures import KIND_LABELS, kind_of
from jixiao.web.models import EvaluationTask, Package, Rectification, SpotCheck, Status, Submission, Unit, User
from jixiao.web.ordering import WORKFLOW, pinyin_key, pinyin_rank, status_rank
from jixiao.web.review import tier
from jixiao.web.review.departments import scoped
from jixiao.web.security.context import note_refusal
from jixiao.web.versions import SENT, latest_sent

STATUS_ORDER = WORKFLOW  # one order of the statuses for the charts and the sort

# --- access ----------------------------------------------------------------------------------------


def is_bureau(user: User) -> bool:
    return access.is_bureau_user(user)


def tasks_for(user: User) -> QuerySet[EvaluationTask]:
    return access.visible_tasks(user).order_by("-year", "title")


def tasks_with_unit_counts(user: User) -> QuerySet[EvaluationTask]:
    """The user's tasks, each with `n_units`: its units the user may see (a 归口业务科室 user: their
    department's), in one query."""
    if access.is_desk(user) and user.department_id is None:  # no department: no unit (access.unit_scope)
        return tasks_for(user).annotate(n_units=Value(0))
    return tasks_for(user).annotate(n_units=Count("units", filter=access.unit_scope(user, "units__"), distinct=True))


def task_for(user: User, pk: int) -> EvaluationTask:
    """A task of the user's own bureau; anything else (another bureau's, a unit user) is a 404.
    The task remembers who reads it: every read of its packages below is limited to the units the
    user may see (a 归口业务科室 user: their department's)."""
    try:
        task = tasks_for(user).get(pk=pk)
    except EvaluationTask.DoesNotExist:
        note_refusal(f"自评任务 {pk}")
        raise Http404(access.NOT_FOUND) from None
    task.viewer = user
    return task


def _scoped(qs, task: EvaluationTask, prefix: str):
    viewer = getattr(task, "viewer", None)
    return qs if viewer is None else scoped(qs, viewer, prefix)


def package_for(user: User, pk: int) -> Package:
    """A package of one of the user's bureau's tasks (`access.bureau_packages`); else a 404."""
    try:
        return access.bureau_packages(user).select_related("task", "unit", "unit__parent").get(pk=pk)
    except Package.DoesNotExist:
        note_refusal(f"数据包 {pk}")
        raise Http404(access.NOT_FOUND) from None


def may_decide(user: User) -> bool:
    """Both bureau roles review (归口业务科室 and 绩效评价股 alike, per the task's workflow)."""
    return access.is_bureau_user(user)


def may_run_spot_check(user: User) -> bool:
    """抽评, publication and batch work are the performance section's (绩效评价股)."""
    return access.is_performance(user)


# --- the dashboard -----------------------------------------------------------------------------------

SORTS = {
    "name": "unit__name", "code": "unit__budget_code", "status": "status", "total": "total_score",
    "rate": "execution_rate", "errors": "errors", "warnings": "warnings", "updated": "updated_at",
    "sent": "sent_at",
}


FLAGS = ("outrun", "errors", "exec", "targets")


@dataclass
class DashboardQuery:
    sort: str = "code"
    desc: bool = False
    status: str = ""
    grade: str = ""
    q: str = ""
    flag: str = ""  # outrun | errors | exec (differs from the 一体化 figures) | targets (from the approved targets)

    @classmethod
    def from_get(cls, get) -> DashboardQuery:
        sort = get.get("sort", "code")
        desc = sort.startswith("-")
        sort = sort.lstrip("-")
        status = get.get("status", "")
        flag = get.get("flag", "")
        return cls(sort=sort if sort in SORTS else "code", desc=desc,
                   status=status if status in Status.values else "", grade=get.get("grade", "")[:10],
                   q=get.get("q", "").strip()[:100], flag=flag if flag in FLAGS else "")

    def sort_param(self, column: str) -> str:
        """The sort a column header links to: the same column flips its direction."""
        return f"-{column}" if column == self.sort and not self.desc else column

    def params(self, **override) -> str:
        values = {"sort": ("-" if self.desc else "") + self.sort, "status": self.status, "grade": self.grade,
                  "q": self.q, "flag": self.flag} | override
        return urlencode({k: v for k, v in values.items() if v})


@dataclass
class Row:
    package: Package
    sent_at: object
    deadline: date  # the one the unit is held to: its 主管部门 tier's, else the task's
    margin: Decimal
    tier: bool = False  # the deadline is a tier's, not the task's: the row says which date

    @property
    def status_label(self) -> str:
        return Status(self.package.status).label

    @property
    def total(self) -> Decimal | None:
        """总分 as the list shows it: none for a unit that has not started (its empty template's 0 is
        no score, and would read as 差)."""
        return None if self.package.status == Status.NOT_STARTED else self.package.total_score

    @property
    def grade(self) -> str:
        return "" if self.package.status == Status.NOT_STARTED else self.package.grade

    @property
    def rate_percent(self) -> Decimal | None:
        r = self.package.execution_rate
        return None if r is None else r * 100

    @property
    def outruns(self) -> bool:
        """The score outruns the spending: 总分 above 执行率 (capped at 100%) by more than the profile's margin."""
        p = self.package
        if self.total is None or p.execution_rate is None:
            return False
        return p.total_score - min(p.execution_rate, Decimal(1)) * 100 > self.margin

    @property
    def days(self) -> tuple[str, int]:
        """('late', n) / ('left', n) / ('on_time', 0): against the deadline — when sent, by the sending date."""
        if self.sent_at is not None:
            d = (timezone.localtime(self.sent_at).date() - self.deadline).days
            return ("late", d) if d > 0 else ("on_time", 0)
        d = (self.deadline - timezone.localdate()).days
        return ("late", -d) if d < 0 else ("left", d)

    def cells(self) -> dict:
        """Everything a table row prints, worked out once (a page has a hundred rows)."""
        p, u = self.package, self.package.unit
        kind, _ = self.days
        rate = p.execution_rate
        return {"pk": p.pk, "code": u.budget_code, "name": u.name, "supervisor": u.supervisor, "status": p.status,
                "status_label": self.status_label, "days": self.days_text, "late": kind == "late",
                "due": f"截止 {self.deadline:%Y-%m-%d}" if self.tier else "",
                "total": "—" if self.total is None else f"{self.total:.2f}", "outruns": self.outruns,
                "grade": self.grade or "—", "rate": "—" if rate is None else f"{rate * 100:.2f}%", "errors": p.errors,
                "warnings": p.warnings, "updated": timezone.localtime(p.updated_at).strftime("%Y-%m-%d %H:%M"),
                "exec_diff": getattr(p, "exec_diff", 0), "target_diff": getattr(p, "target_diff", 0)}

    @property
    def days_text(self) -> str:
        kind, n = self.days
        if kind == "late":
            return f"逾期{n}天" + ("报送" if self.sent_at is not None else "")
        if kind == "on_time":
            return "按期报送"
        return f"剩{n}天"


def task_packages(task: EvaluationTask) -> QuerySet[Package]:
    """The task's packages the viewer may see, with `sent_at`: when the unit first sent a version, and
    `tier_deadline`: the 主管部门 tier's deadline it is held to (`tier.tier_deadline`; None: the task's).
    (A subquery per row rather than a join grouped over every package: a page of 100 rows, or the
    count, does not aggregate the whole task's submissions.)"""
    first_sent = (Submission.objects.filter(package=OuterRef("pk"), state=Submission.State.APPROVED)
                  .order_by("created_at").values("created_at")[:1])
    return (_scoped(Package.objects.filter(task=task), task, "unit__").select_related("unit", "unit__parent").defer("draft")
            .annotate(sent_at=Subquery(first_sent), tier_deadline=tier.tier_deadline()))


def margin_of(task: EvaluationTask) -> Decimal:
    return Decimal(services.profile(name=task.profile)["score_outruns_execution_margin"])


PAGE_SIZE = 100


@dataclass
class DashboardPage:
    rows: list[Row]
    count: int  # rows matching the filters, over all pages
    page: int
    pages: int


def _sort_column(sort: str, qs: QuerySet):
    """The column to order by: the workflow's order for a status, pinyin for a unit name."""
    if sort == "status":
        return status_rank()
    if sort == "name":
        return pinyin_rank(qs, "unit__name")
    if sort == "total":  # a unit not started has no score (Row.total): it sorts with the empty ones, last
        return Case(When(status=Status.NOT_STARTED, then=Value(None)), default=F("total_score"),
                    output_field=DecimalField())
    return F(SORTS[sort])


def dashboard(task: EvaluationTask, query: DashboardQuery, *, page: int = 1, size: int | None = PAGE_SIZE) -> DashboardPage:
    """The units of the task, filtered, sorted and paged in the database (one query for the page,
    one for the count). `size=None`: every row (the export)."""
    qs = task_packages(task)
    if query.status:
        qs = qs.filter(status=query.status)
    if query.grade:  # a unit not started has no 等次, whatever its empty template scores
        qs = qs.filter(grade=query.grade).exclude(status=Status.NOT_STARTED)
    if query.q:
        qs = qs.filter(Q(unit__name__icontains=query.q) | Q(unit__budget_code__startswith=query.q))
    if query.flag == "errors":
        qs = qs.filter(errors__gt=0)
    if query.flag == "exec":
        qs = qs.filter(execution_check__differences__gt=0)
    if query.flag == "targets":  # differs from the approved performance targets (review/targets.py)
        qs = qs.filter(target_check__differences__gt=0)
    margin = margin_of(task)
    if query.flag == "outrun":
        gap = ExpressionWrapper(F("total_score") - Least(F("execution_rate"), Value(Decimal(1))) * Value(Decimal(100)),
                                output_field=DecimalField(max_digits=12, decimal_places=6))
        qs = qs.annotate(gap=gap).filter(gap__gt=margin)
    count = None if size is None else qs.count()
    col = _sort_column(query.sort, qs)
    qs = (qs.annotate(exec_diff=Coalesce(F("execution_check__differences"), 0),  # the 一体化 flag (bureau_imports)
                      target_diff=Coalesce(F("target_check__differences"), 0))  # the approved targets' flag
          .order_by(col.desc(nulls_last=True) if query.desc else col.asc(nulls_last=True), "unit__budget_code"))
    if size is None:
        rows = [Row(p, p.sent_at, p.tier_deadline or task.deadline, margin, p.tier_deadline is not None) for p in qs]
        return DashboardPage(rows, len(rows), 1, 1)
    pages = max(1, -(-count // size))
    page = min(max(1, page), pages)
    rows = [Row(p, p.sent_at, p.tier_deadline or task.deadline, margin, p.tier_deadline is not None) for p in qs[(page - 1) * size: page * size]]
    return DashboardPage(rows, count, page, pages)


def task_units(task: EvaluationTask) -> QuerySet[Unit]:
    """The task's units the viewer may see, by budget code."""
    return _scoped(task.units.all(), task, "").select_related("parent").order_by("budget_code")


def units_without_package(task: EvaluationTask):
    return _scoped(task.units.exclude(packages__task=task), task, "").order_by("budget_code")


@dataclass
class Charts:
    histogram: list[tuple[str, int]]
    scatter: list[dict]
    funnel: list[tuple[str, int]]
    counts: dict[str, int] = field(default_factory=dict)


BINS = [(Decimal(0), Decimal(60), "60分以下"), (Decimal(60), Decimal(70), "60–70"), (Decimal(70), Decimal(80), "70–80"),
        (Decimal(80), Decimal(90), "80–90"), (Decimal(90), Decimal(101), "90分以上")]


def charts(task: EvaluationTask, missing: int | None = None) -> Charts:
    """The task's charts over every unit the viewer may see (the table's filters do not change them).
    The counts and the histogram are aggregated in the database (one query); the scatter needs a
    point per unit. `missing`: the number of units without a package, when the caller has it."""
    margin = margin_of(task)
    packages = _scoped(Package.objects.filter(task=task), task, "unit__")
    counts, hist = {}, [0] * len(BINS)
    for row in packages.values("status").annotate(
            n=Count("id"), **{f"b{i}": Count("id", filter=Q(total_score__gte=lo, total_score__lt=hi) & ~Q(status=Status.NOT_STARTED))
                              for i, (lo, hi, _) in enumerate(BINS)}).order_by():
        counts[row["status"]] = row["n"]
        hist = [h + row[f"b{i}"] for i, h in enumerate(hist)]
    if missing is None:
        missing = units_without_package(task).count()
    counts[Status.NOT_STARTED] = counts.get(Status.NOT_STARTED, 0) + missing
    hundred, one = Decimal(100), Decimal(1)
    scatter = [{"name": name, "value": [float(round(rate * hundred, 1)), float(total)],
                "outruns": total - (rate if rate < one else one) * hundred > margin}  # Row.outruns
               for name, total, rate in packages.filter(total_score__isnull=False, execution_rate__isnull=False)
               .exclude(status=Status.NOT_STARTED)  # an empty template's 0 is no score
               .values_list("unit__name", "total_score", "execution_rate").order_by("id")]
    total_units = sum(counts.values())
    started = total_units - counts.get(Status.NOT_STARTED, 0)
    sent = sum(counts.get(s, 0) for s in SENT)
    accepted = counts.get(Status.ACCEPTED, 0) + counts.get(Status.PUBLISHED, 0)
    funnel = [("参评单位", total_units), ("已开始填报", started), ("已报送财政", sent), ("财政审核通过", accepted),
              ("已公开", counts.get(Status.PUBLISHED, 0))]
    return Charts([(label, n) for (_, _, label), n in zip(BINS, hist)], scatter, funnel,
                  {Status(s).label: counts.get(s, 0) for s in STATUS_ORDER})


# --- the review of a version --------------------------------------------------------------------------


@dataclass
class FigureRow:
    label: str
    stated: str
    computed: str
    kind: str
    agrees: bool | None
    judged: bool = False  # the unit's value stands: a different reading is no disagreement
    figure: object = None  # the engine's figure (core Computed): the API writes its numbers from it


def stated_beside_computed(report) -> list[FigureRow]:
    """Every figure the unit stated, beside the engine's: disagreements first. For a judged figure
    the unit's value stands and the engine's is its reading (参考)."""

    rows = []
    for c in report.all():
        if not c.has_stated:
            continue
        computed = c.shown() if (c.value is not None or c.text) else "—"
        kind = kind_of(c, report)
        judged = kind == "judged"
        rows.append(FigureRow(c.label, c.shown_stated(), computed, KIND_LABELS.get(kind, ""), None if judged else c.agrees,
                              judged, c))
    rows.sort(key=lambda r: 0 if r.agrees is False else 1)
    return rows


# --- 抽评 ------------------------------------------------------------------------------------------


def sample(task: EvaluationTask) -> QuerySet[SpotCheck]:
    return (_scoped(task.spot_checks.all(), task, "package__unit__").select_related("package", "package__unit", "submission")
            .annotate(scored=Count("scores")).order_by("rank"))


class SpotProgress:
    """Where the re-scoring of a sampled version stands, in the order the work goes."""

    NOT_STARTED, IN_PROGRESS, DONE = "not_started", "in_progress", "done"
    ORDER = (NOT_STARTED, IN_PROGRESS, DONE)
    LABELS = {NOT_STARTED: "未开始", IN_PROGRESS: "评分中", DONE: "已完成"}


@dataclass
class SampleRow:
    """One sampled package as the 抽评 list shows it: how far the re-scoring is (every indicator of
    every self-evaluation table), and the headline table's 抽评总分 so far, 等次 and difference
    from the unit's self-score."""

    spot: SpotCheck
    rescored: int
    lines: int
    result: SpotResult | None  # the headline table (附件3 where there is one)

    @property
    def progress(self) -> str:
        if self.rescored == 0:
            return SpotProgress.NOT_STARTED
        return SpotProgress.DONE if self.rescored >= self.lines else SpotProgress.IN_PROGRESS

    @property
    def progress_label(self) -> str:
        return SpotProgress.LABELS[self.progress]

    @property
    def started(self) -> bool:
        return self.progress != SpotProgress.NOT_STARTED


SAMPLE_SORTS = {
    "rank": lambda r: r.spot.rank,
    "progress": lambda r: SpotProgress.ORDER.index(r.progress),
    "unit": lambda r: pinyin_key(r.spot.package.unit.name),
    "total": lambda r: (not r.started or r.result is None, -(r.result.total if r.started and r.result else 0)),
}


def sample_row(spot: SpotCheck) -> SampleRow:
    sheet = spot_sheet(spot)
    return SampleRow(spot, sum(r.rescored for r in sheet.results), sum(r.lines for r in sheet.results), sheet.headline)


def package_spot(package: Package) -> SampleRow | None:
    """The package's place in its task's 抽评 sample, with the result so far (None when not drawn)."""
    spot = package.spot_checks.select_related("submission", "package__unit").prefetch_related("scores").first()
    return sample_row(spot) if spot is not None else None


def sample_rows(task: EvaluationTask, sort: str = "rank") -> list[SampleRow]:
    """The 抽评 sample with each package's progress and result so far, sorted by `sort` (a key of
    SAMPLE_SORTS; the risk order 序号 breaks ties and stands for an unknown key)."""
    rows = [sample_row(spot) for spot in sample(task).prefetch_related("scores")]
    key = SAMPLE_SORTS.get(sort, SAMPLE_SORTS["rank"])
    return sorted(rows, key=lambda r: (key(r), r.spot.rank))


@dataclass
class ScoreLine:
    key: str
    table: str
    label: str
    weight: Decimal | None
    self_score: Decimal | None
    allowed: tuple[Decimal, Decimal] | None
    bureau: object = None  # SpotScore, when scored


def _report(spot: SpotCheck):
    pkg = services.from_canonical(data=spot.submission.content, name=str(spot.package))
    return services.score(package=pkg)


def score_lines(spot: SpotCheck, report=None) -> list[ScoreLine]:
    """Every indicator of every self-evaluation table of the sampled version, with the unit's
    self-score (the figure that stands) and the bureau's, where given."""
    report = report or _report(spot)
    given = {s.key: s for s in spot.scores.all()}
    out = []
    for t in report.tables:
        for ind, c in zip(t.table.indicators, t.indicator_scores):
            if not ind.applicable:
                continue
            lo_hi = c.allowed or ((Decimal(0), ind.weight) if ind.weight is not None else None)
            out.append(ScoreLine(str(c.key), t.title, ind.name or c.label, ind.weight, c.standing, lo_hi, given.get(str(c.key))))
    return out


@dataclass
class SpotSheet:
    lines: list[ScoreLine]
    results: list[SpotResult]  # one per self-evaluation table

    @property
    def headline(self) -> SpotResult | None:
        """The result that stands for the package: its 附件3 (the package's 总分) where it has one."""
        return next((r for r in self.results if r.key == keys.OVERALL), self.results[0] if self.results else None)


def spot_sheet(spot: SpotCheck) -> SpotSheet:
    """The 抽评 sheet of a sampled version: its lines and, per table, 抽评总分, 执行率得分 and 等次
    beside the unit's self-score (core.spot_check.spot_result)."""
    report = _report(spot)
    rescored = {s.key: s.bureau_score for s in spot.scores.all()}
    return SpotSheet(score_lines(spot, report), [spot_result(t, rescored, report.profile) for t in report.tables])


# --- 部门汇总 and 结果应用 -------------------------------------------------------------------------------


def supervisors(task: EvaluationTask):
    """The 主管部门 of the task's units the reader sees, each with `n` of those units: a 归口业务科室
    user rolls up its own units under their 主管部门 even where the 主管部门 itself is another
    department's (its 7 units share one: that one is offered, with those 7)."""
    children = _scoped(task.units.all(), task, "")
    return (Unit.objects.filter(pk__in=children.filter(parent__isnull=False).values("parent"))
            .annotate(n=Count("children", filter=Q(children__in=children), distinct=True)).order_by("-n", "budget_code"))


def whole_department(task: EvaluationTask, supervisor: Unit) -> bool:
    """Whether the reader sees the 主管部门 itself (then its own package and what it sent are rolled up
    with its units; a 归口 user of only some of its units rolls up those units alone)."""
    viewer = getattr(task, "viewer", None)
    return viewer is None or access.can_see_unit(viewer, supervisor)


@dataclass
class Rollup:
    supervisor: object
    included: list[str]
    left_out: list[tuple[str, str]]  # (unit, why)
    result: object = None  # services.Aggregation
    error: str = ""


def rollup(task: EvaluationTask, supervisor) -> Rollup:
    """部门汇总 of a 主管部门 and its subordinate units, over the versions they sent to the bureau."""
    own = [supervisor] if whole_department(task, supervisor) else []
    units = [*own, *_scoped(supervisor.children.filter(tasks=task), task, "").order_by("budget_code")]
    packages = {p.unit_id: p for p in Package.objects.filter(task=task, unit__in=units)}
    read, included, left = [], [], []
    for u in units:
        p = packages.get(u.pk)
        sub = latest_sent(p) if p is not None and p.status in SENT else None
        if sub is None:
            left.append((u.name, "尚未报送财政"))
            continue
        read.append(services.from_canonical(data=sub.content, name=u.name))
        included.append(u.name)
    out = Rollup(supervisor, included, left)
    if not read:
        out.error = "没有已报送的数据包可以汇总"
        return out
    try:
        out.result = services.aggregate(packages=read, profile_name=task.profile)
    except services.ServiceError as exc:
        out.error = exc.message
    return out


@dataclass
class UseRow:
    package: Package
    result: AppliedResult
    spot_note: str = ""  # a spot check begun but not finished

    @property
    def consequence(self) -> str:
        return self.result.consequence


def results_use(task: EvaluationTask) -> list[UseRow]:
    """结果应用: the consequence of each accepted package's grade, by the task's profile — the spot
    check's total and grade where the bureau re-scored the package completely, else the unit's."""
    prof = services.profile(name=task.profile)
    qs = (_scoped(Package.objects.filter(task=task, status__in=(Status.ACCEPTED, Status.PUBLISHED)), task, "unit__")
          .select_related("unit").order_by(F("total_score").desc(nulls_last=True), "unit__budget_code"))
    spots = {s.package_id: s for s in task.spot_checks.select_related("submission", "task").prefetch_related("scores")
             .filter(scores__isnull=False).distinct()}
    rows = []
    for p in qs:
        spot = spots.get(p.pk)
        head = spot_sheet(spot).headline if spot is not None else None
        done = head is not None and head.complete
        note = f"抽评进行中（已评{head.rescored}/{head.lines}项），暂按自评结果" if head is not None and not done else ""
        rows.append(UseRow(p, applied_result(p.total_score, p.grade, head.total if done else None,
                                             head.grade if done else "", prof), note))
    rows.sort(key=lambda r: (r.result.total is None, -(r.result.total or 0)))
    return rows


# --- 整改 --------------------------------------------------------------------------------------------


def open_rectifications(task: EvaluationTask):
    return (_scoped(Rectification.objects.filter(package__task=task, closed_at__isnull=True), task, "package__unit__")
            .select_related("package__unit").order_by("due", "id"))
