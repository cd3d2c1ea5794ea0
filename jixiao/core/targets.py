"""Approved performance targets (批复绩效目标): the indicators approved with a unit's budget, as the
一体化 system exports them — one row per 三级指标 of the unit as a whole (附件3) or of one project
(附件4) — each with its 指标值 as written and as read (direction, figure, unit) and its 分值.

Pure: the reader of the export is `jixiao.io.targets`, the comparison with a package's indicators
the audit family `targets` (jixiao/audit/checks/targets.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from .indicators import parse_target
from .model import Target

# The approved 项目 cell that means "the unit as a whole" (附件3) rather than a project.
WHOLE_UNIT = ("", "部门整体", "单位整体", "整体支出", "部门整体支出")

# How a target's comparator reads, for messages and the API: 正向 (≥ / ＞), 反向 (≤ / ＜, and
# deadlines), 等于 (=), 定性 (no figure).
DIRECTIONS = {">=": "≥", ">": "≥", "<=": "≤", "<": "≤", "=": "="}
QUALITATIVE = "定性"


def name_key(text: str) -> str:
    """A name as compared: full-width folded, white space and punctuation dropped."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s，。、；：,.;:“”\"'（）()《》·\-—_]+", "", folded)


def project_key(project: str) -> str:
    """'' for the unit as a whole (附件3), else the project's name as compared."""
    key = name_key(project)
    return "" if key in {name_key(w) for w in WHOLE_UNIT} else key


def direction(target: Target) -> str:
    """≥ / ≤ / = for a figure or a deadline, 定性 for a target without one."""
    if target.kind == "qualitative":
        return QUALITATIVE
    return DIRECTIONS.get(target.comparator, "≥")


@dataclass(frozen=True, slots=True)
class ApprovedTarget:
    """One approved indicator of a unit (its 预算编码), for the unit as a whole or one project."""

    budget_code: str  # 预算编码
    project: str  # 项目 as written; "" for the unit as a whole (附件3)
    level1: str  # 一级指标
    level2: str  # 二级指标
    name: str  # 三级指标
    value: str  # 指标值 as written
    target: Target  # 指标值 as read
    weight: Decimal | None = None  # 分值
    year: int | None = None  # 年度
    unit_name: str = ""  # 单位名称, where the export gives it
    row: int = 0  # the row of the file it was read from (1-based, as a spreadsheet shows it)

    @property
    def direction(self) -> str:
        return direction(self.target)

    @property
    def figure(self) -> Decimal | None:
        """The target's figure (a percent as a ratio), None for a qualitative or date target."""
        return self.target.value

    @property
    def whole_unit(self) -> bool:
        return project_key(self.project) == ""

    @property
    def table_name(self) -> str:
        return "部门整体（附件3）" if self.whole_unit else self.project


def approved(budget_code: str, project: str, level1: str, level2: str, name: str, value: str,
             weight: Decimal | None = None, year: int | None = None, *, unit_name: str = "", row: int = 0,
             bare_comparator: str = ">=") -> ApprovedTarget:
    """An ApprovedTarget with its 指标值 read (raises `indicators.TargetError` for a comparator without a figure)."""
    return ApprovedTarget(budget_code.strip(), project.strip(), level1.strip(), level2.strip(), name.strip(),
                          value.strip(), parse_target(value, bare_comparator), weight, year, unit_name.strip(), row)


def of_unit(targets: list[ApprovedTarget], budget_code: str, year: int | None = None) -> list[ApprovedTarget]:
    """The targets of one unit (by 预算编码) for one year (targets without a year count for any)."""
    code = budget_code.strip()
    return [t for t in targets if t.budget_code == code and (year is None or t.year is None or t.year == year)]
