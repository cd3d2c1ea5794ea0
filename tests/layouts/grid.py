"""A project's self-evaluation as a grid of cells, in one of many layouts.

A layout chooses the title (the family's, another fund's, none), the order of the indicator
columns, the words of the headers (synonyms), one or two header rows, whether repeated level
labels are printed or left blank as in merged cells (with the level's points in its label or
not), and whether an amount table follows with peer rows and a 合计 or with a parent and its
children. The grid is what every format (text, HTML, .xlsx, .docx) then prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .model import Project

TITLES = {
    "project": "项目支出绩效自评表",
    "linked": "绩效目标自评表（衔接资金）",
    "special": "项目自评表（专项资金）",
    "none": "",
}

# Header words per role: the first is the national form's, the others synonyms seen in other templates.
SYNONYMS = {
    "initial": ("年初预算数", "年初预算数", "年初预算"),
    "annual": ("全年预算数", "调整后预算数", "预算数(A)"),
    "executed": ("全年执行数", "预算执行数", "执行数(B)"),
    "weight": ("分值", "权重", "分值"),
    "rate": ("执行率", "执行率", "执行率(B/A)"),
    "score": ("得分", "得分", "得分"),
    "target": ("年度指标值", "指标值", "目标值"),
    "actual": ("实际完成值", "完成值", "实际值"),
    "reason": ("偏差原因分析及改进措施", "偏差原因", "未完成原因分析"),
}

INDICATOR_ORDERS = {
    "standard": ("target", "actual", "weight", "score", "reason"),
    "points_first": ("weight", "target", "actual", "score", "reason"),
    "score_before_actual": ("target", "weight", "score", "actual", "reason"),
}


@dataclass(frozen=True)
class Layout:
    title: str = "project"  # key of TITLES
    order: str = "standard"  # key of INDICATOR_ORDERS
    words: int = 0  # which synonym of each header
    header_rows: int = 1  # 1, or 2 (a 绩效指标 band over 一级/二级/三级指标)
    merged: bool = False  # repeated level labels left blank, as merged cells print
    points_in_label: bool = True  # "产出指标(50分)"
    amounts: str = "none"  # none | peers (rows and 合计) | parent (a parent row and 其中 children) |
    # subtotals (groups of rows each closed by 小计, then 合计)
    grade_in_cell: bool = False  # "评价等次：优" in one cell rather than a label and its value

    @property
    def family(self) -> str:
        return (f"{self.title}/{self.order}/词{self.words}/表头{self.header_rows}行/"
                f"{'合并' if self.merged else '重复'}/{self.amounts}")


@dataclass
class Grid:
    """Rows of cells; `spans` lists merged blocks (row, col, rows, cols) for the formats that merge;
    `after` is the next table of the document (its caption in `title`), printed below this one."""

    title: str
    rows: list[list[str]]
    spans: list[tuple[int, int, int, int]]
    width: int
    after: Grid | None = None


def num(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:,.2f}"
    return text


def pts(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def build(p: Project, layout: Layout) -> Grid:
    width = 3 + len(INDICATOR_ORDERS[layout.order])
    rows: list[list[str]] = []
    spans: list[tuple[int, int, int, int]] = []

    def add(cells: list[str]) -> int:
        rows.append(cells + [""] * (width - len(cells)))
        return len(rows) - 1

    def word(role: str) -> str:
        return SYNONYMS[role][layout.words]

    add(["项目名称", p.name])
    add(["主管部门", p.supervisor, "实施单位", p.implementer])
    _funds(p, layout, add, word)
    r = add(["年度总体目标", "预期目标", "", "", "实际完成情况"])
    add(["", p.goal_expected, "", "", p.goal_actual])
    spans.append((r, 0, 2, 1))
    _indicators(p, layout, add, word, spans, width)
    grid = Grid(TITLES[layout.title], rows, spans, width)
    if layout.amounts != "none":
        grid.after = _amounts(p, layout)
    return grid


def _funds(p: Project, layout: Layout, add, word) -> None:
    add(["项目资金（万元）", word("initial"), word("annual"), word("executed"), word("weight"), word("rate"),
         word("score")])
    for i, f in enumerate(p.funds):
        label = f.label if i == 0 else f"其中：{f.label}" if i == 1 else f.label
        rate = f"{f.rate:.2f}%" if f.rate is not None else ("—" if i else "")
        add([label, num(f.initial), num(f.annual), num(f.executed), pts(f.weight) if i == 0 else "—", rate,
             pts(f.score) if i == 0 else "—"])


def _indicators(p: Project, layout: Layout, add, word, spans, width) -> None:
    order = INDICATOR_ORDERS[layout.order]
    if layout.header_rows == 2:
        r = add(["绩效指标", "", "", *[word(c) for c in order]])
        add(["一级指标", "二级指标", "三级指标", *[""] * len(order)])
        spans.append((r, 0, 1, 3))
        spans.extend((r, 3 + k, 2, 1) for k in range(len(order)))
    else:
        add(["一级指标", "二级指标", "三级指标", *[word(c) for c in order]])
    previous = ("", "")
    first_of_level: dict[str, int] = {}
    for ind in p.indicators:
        level1 = ind.level1
        if layout.points_in_label:
            level1 = f"{ind.level1}({pts(p.level_points[ind.level1])}分)"
        cells = {"target": ind.target, "actual": ind.actual, "weight": pts(ind.weight), "score": pts(ind.score),
                 "reason": ind.reason}
        shown1 = "" if layout.merged and previous[0] == ind.level1 else level1
        shown2 = "" if layout.merged and previous == (ind.level1, ind.level2) else ind.level2
        r = add([shown1, shown2, ind.name, *[cells[c] for c in order]])
        if ind.level1 not in first_of_level:
            first_of_level[ind.level1] = r
        previous = (ind.level1, ind.level2)
    if layout.merged:
        for level, start in first_of_level.items():
            count = sum(1 for i in p.indicators if i.level1 == level)
            if count > 1:
                spans.append((start, 0, count, 1))
    total = {"target": "", "actual": "", "weight": pts(p.total_weight), "score": pts(p.total_score), "reason": ""}
    add(["总分", "", "", *[total[c] for c in order]])
    add([f"评价等次：{p.grade}"] if layout.grade_in_cell else ["评价等次", p.grade])


def _amounts(p: Project, layout: Layout) -> Grid:
    """The project's spending by item, a table of its own: peer rows and their 合计, groups closed by
    their 小计 and a 合计, or a parent row and its 其中 children."""
    rows = [["项目", "预算数", "执行数", "结余"]]
    total = p.amounts_total
    assert total is not None
    total_row = [num(total.budget), num(total.executed), num(total.budget - total.executed)]
    items = [[a.label, num(a.budget), num(a.executed), num(a.balance)] for a in p.amounts]
    if layout.amounts == "peers":
        rows += items + [[total.label, *total_row]]
    elif layout.amounts == "subtotals":  # the items in two groups, each closed by its 小计, then 合计
        for group in (p.amounts[:2], p.amounts[2:]):
            budget = sum((a.budget for a in group), Decimal(0))
            executed = sum((a.executed for a in group), Decimal(0))
            rows += [[a.label, num(a.budget), num(a.executed), num(a.balance)] for a in group]
            rows.append(["小计", num(budget), num(executed), num(budget - executed)])
        rows.append([total.label, *total_row])
    else:
        rows += [["项目支出", *total_row]] + [[f"其中：{r[0]}", *r[1:]] for r in items]
    return Grid("项目支出明细表（万元）", rows, [], 4)
