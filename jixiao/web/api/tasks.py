"""The bureau's tasks: list, create, read, its units, its deadline, and the dashboard's rows
(filters, sort, pages) — over `review.selectors` / `review.services` as the pages are."""

from __future__ import annotations

from datetime import date

from ninja import Query, Router, Schema

from jixiao import services
from jixiao.web.api.common import Paged, amount, answers, bureau_only, day, moment, page_bounds, percent
from jixiao.web.models import Status
from jixiao.web.review import imports, selectors
from jixiao.web.review import services as review_services

router = Router(tags=["财政局：自评任务"])


class TaskOut(Schema):
    id: int
    title: str
    year: int
    profile: str
    profile_title: str
    deadline: str | None
    units: int


class TaskIn(Schema):
    title: str
    year: int
    profile: str
    deadline: date | None = None
    unit_ids: list[int] = []


class DeadlineIn(Schema):
    deadline: date | None = None


class TaskUnit(Schema):
    id: int
    budget_code: str
    name: str
    supervisor: str
    package: int | None
    status: str
    status_label: str


class Row(Schema):
    package: int
    budget_code: str
    unit: str
    supervisor: str
    status: str
    status_label: str
    days: str
    deadline: str  # the date the row is held to: its 主管部门 tier's, else the task's
    late: bool
    total_score: str | None
    grade: str
    execution_rate: str | None  # in percent, two decimals: "48.00"
    outruns: bool
    errors: int
    warnings: int
    execution_differences: int
    updated_at: str


class Dashboard(Paged):
    rows: list[Row]


class DashboardFilters(Schema):
    sort: str = "code"
    status: str = ""
    grade: str = ""
    q: str = ""
    flag: str = ""
    page: int = 1
    page_size: int = selectors.PAGE_SIZE


def _profile_title(name: str) -> str:
    try:
        return services.profile(name=name).title
    except services.ServiceError:
        return name


def task_out(t, units: int | None = None) -> TaskOut:
    n = units if units is not None else getattr(t, "n_units", None)
    return TaskOut(id=t.pk, title=t.title, year=t.year, profile=t.profile, profile_title=_profile_title(t.profile),
                   deadline=day(t.deadline), units=n if n is not None else t.units.count())


@router.get("/tasks", response=answers(list[TaskOut]), summary="本局的自评任务")
def list_tasks(request):
    bureau_only(request.auth)
    return [task_out(t) for t in selectors.tasks_with_unit_counts(request.auth)]


@router.post("/tasks", response=answers(TaskOut, ok=201), summary="创建自评任务（绩效评价股）")
def create_task(request, body: TaskIn):
    bureau_only(request.auth)
    t = review_services.create_task(user=request.auth, title=body.title, year=body.year, profile=body.profile,
                                    deadline=body.deadline, unit_ids=body.unit_ids)
    return 201, task_out(t)


@router.get("/tasks/{task}", response=answers(TaskOut), summary="一个自评任务")
def get_task(request, task: int):
    t = selectors.task_for(request.auth, task)
    return task_out(t, selectors.tasks_with_unit_counts(request.auth).get(pk=t.pk).n_units)


@router.put("/tasks/{task}/deadline", response=answers(TaskOut), summary="修改报送截止日期（绩效评价股）")
def change_deadline(request, task: int, body: DeadlineIn):
    t = selectors.task_for(request.auth, task)
    return task_out(review_services.change_deadline(task_id=t.pk, user=request.auth, deadline=body.deadline))


@router.get("/tasks/{task}/units", response=answers(list[TaskUnit]), summary="参评单位及其数据包的状态")
def task_units(request, task: int):
    t = selectors.task_for(request.auth, task)
    packages = {p.unit_id: p for p in selectors.task_packages(t)}
    units = selectors.task_units(t)
    out = []
    for u in units:
        p = packages.get(u.pk)
        status = p.status if p is not None else Status.NOT_STARTED
        out.append(TaskUnit(id=u.pk, budget_code=u.budget_code, name=u.name, supervisor=u.supervisor,
                            package=p.pk if p is not None else None, status=status, status_label=Status(status).label))
    return out


@router.get("/tasks/{task}/dashboard", response=answers(Dashboard),
            summary="自评情况表：按状态、等次、搜索词和问题筛选，排序，分页")
def dashboard(request, task: int, filters: Query[DashboardFilters]):
    t = selectors.task_for(request.auth, task)
    page, size = page_bounds(filters.page, filters.page_size)
    imports.refresh_checks(t)  # the 一体化 flags of packages changed since they were counted, as the page does
    query = selectors.DashboardQuery.from_get(filters.dict())
    result = selectors.dashboard(t, query, page=page, size=size)
    return Dashboard(page=result.page, page_size=size, total=result.count, pages=result.pages,
                     rows=[_row(r) for r in result.rows])


def _row(r) -> Row:
    p, u = r.package, r.package.unit
    kind, _ = r.days
    return Row(package=p.pk, budget_code=u.budget_code, unit=u.name, supervisor=u.supervisor, status=p.status,
               status_label=r.status_label, days=r.days_text, deadline=day(r.deadline), late=kind == "late", total_score=amount(p.total_score),
               grade=p.grade, execution_rate=percent(p.execution_rate), outruns=r.outruns, errors=p.errors,
               warnings=p.warnings, execution_differences=getattr(p, "exec_diff", 0) or 0,
               updated_at=moment(p.updated_at))
