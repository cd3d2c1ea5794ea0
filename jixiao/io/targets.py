"""Reading the 一体化 system's export of approved performance targets (批复绩效目标): .csv (UTF-8 or
GB18030, comma or tab separated) or .xlsx (the first sheet).

Columns are found by what their header says, in any order, within the first ten rows: 预算编码,
单位名称 (optional), 项目 / 项目名称 (optional; empty or 部门整体 for the unit as a whole), 一级指标,
二级指标, 三级指标 / 指标名称, 指标值 / 年度指标值 / 目标值, 分值 / 权重 (optional), 年度 (optional).
Every row is read or refused with its reason — never dropped without a word: `TargetsFile.refused`
lists `第N行：…` for each refused row. A file that cannot be read at all (type, encoding, no header,
a required column missing, nothing but a header) raises `TargetsError` with its problems.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..core.indicators import TargetError
from ..core.numbers import normalize
from ..core.targets import ApprovedTarget, approved, name_key, project_key
from .csv_text import CsvEncodingError, decode_csv

MB = 1024 * 1024
MAX_BYTES = 20 * MB
MAX_ROWS = 100_000
SUFFIXES = (".csv", ".xlsx")

# column → (header labels as compared, required)
COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "code": (("预算编码", "预算单位编码", "单位编码", "单位代码"), True),
    "unit_name": (("单位名称", "预算单位名称", "预算单位"), False),
    "project": (("项目名称", "项目", "预算项目", "预算项目名称"), False),
    "level1": (("一级指标",), False),
    "level2": (("二级指标",), False),
    "name": (("三级指标", "指标名称", "绩效指标"), True),
    "value": (("指标值", "年度指标值", "目标值", "绩效指标值", "年度目标值"), True),
    "weight": (("分值", "指标分值", "权重"), False),
    "year": (("年度", "预算年度", "评价年度"), False),
}
LABELS = {"code": "预算编码", "unit_name": "单位名称", "project": "项目", "level1": "一级指标", "level2": "二级指标",
          "name": "三级指标", "value": "指标值", "weight": "分值", "year": "年度"}
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
_YEAR = re.compile(r"^(\d{4})\s*年?(?:度)?$")
_TOTALS = {"合计", "总计", "小计"}


class TargetsError(ValueError):
    """A targets file that cannot be read at all: the message and every problem, in Chinese."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])


@dataclass
class TargetsFile:
    """What a file held: the targets read and the rows refused (`第N行：reason`)."""

    targets: list[ApprovedTarget] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    rows: int = 0  # data rows seen (read + refused; blank and 合计 rows not counted)

    @property
    def units(self) -> list[str]:
        return sorted({t.budget_code for t in self.targets})


def read_targets_file(path: str | Path, bare_comparator: str = ">=") -> TargetsFile:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise TargetsError(f"无法打开批复目标文件：{exc.strerror or exc}") from None
    return read_targets(p.name, data, bare_comparator)


def read_targets(filename: str, data: bytes, bare_comparator: str = ">=") -> TargetsFile:
    """The targets of an export held in memory (an upload, a file read by the CLI)."""
    rows = _cells(filename, data)
    head, cols = _header(rows)
    body = rows[head + 1:]
    if len(body) > MAX_ROWS:
        raise TargetsError(f"文件行数过多（超过 {MAX_ROWS} 行），请分批导入")
    out = TargetsFile()
    seen: dict[tuple, int] = {}
    for n, raw in enumerate(body, start=head + 2):
        cell = {c: _text(raw[j]) if j < len(raw) else "" for c, j in cols.items()}
        if not any(_text(v) for v in raw) or (not cell["code"] and any(name_key(_text(v)) in _TOTALS for v in raw)):
            continue
        out.rows += 1
        target, why = _row(n, cell, bare_comparator)
        if target is not None:
            key = (target.budget_code, project_key(target.project), name_key(target.level2), name_key(target.name),
                   target.year)
            if key in seen:
                target, why = None, [f"与第{seen[key]}行重复（同一预算编码、项目、年度和指标）"]
            else:
                seen[key] = n
        if target is None:
            out.refused.append(f"第{n}行：" + "；".join(why))
        else:
            out.targets.append(target)
    if not out.rows:
        raise TargetsError("文件中只有表头，没有批复目标")
    return out


def _row(n: int, cell: dict[str, str], bare_comparator: str) -> tuple[ApprovedTarget | None, list[str]]:
    why = []
    if not cell["code"]:
        why.append("缺少预算编码")
    if not cell["name"]:
        why.append("缺少三级指标（指标名称）")
    if not cell["value"]:
        why.append("缺少指标值")
    weight = year = None
    if cell.get("weight"):
        text = normalize(cell["weight"]).replace(" ", "").removesuffix("分")
        if not _PLAIN.match(text):
            why.append(f"分值“{_quoted(cell['weight'])}”不是非负的数字")
        else:
            weight = Decimal(text)
            if weight > 100:
                why.append(f"分值“{cell['weight']}”超过 100 分")
    if cell.get("year"):
        m = _YEAR.match(normalize(cell["year"]).replace(" ", ""))
        if not m or not 1990 <= int(m[1]) <= 2100:
            why.append(f"年度“{_quoted(cell['year'])}”应为四位年份")
        else:
            year = int(m[1])
    if why:
        return None, why
    try:
        return approved(cell["code"], cell.get("project", ""), cell.get("level1", ""), cell.get("level2", ""),
                        cell["name"], cell["value"], weight, year, unit_name=cell.get("unit_name", ""), row=n,
                        bare_comparator=bare_comparator), []
    except TargetError:
        return None, [f"指标值“{_quoted(cell['value'])}”有比较符号却没有可读的数字"]


# --- cells of the file ------------------------------------------------------------------------


def _cells(filename: str, data: bytes) -> list[list[object]]:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise TargetsError("批复目标请用一体化系统导出的 .csv 或 .xlsx 文件")
    if not data:
        raise TargetsError("批复目标文件是空的")
    if len(data) > MAX_BYTES:
        raise TargetsError(f"批复目标文件过大（{len(data) / MB:.1f} MB），上限 {MAX_BYTES // MB} MB")
    return _csv(data) if suffix == ".csv" else _xlsx(data)


def _csv(data: bytes) -> list[list[object]]:
    if b"\x00" in data[:4096]:
        raise TargetsError("该文件不是文本格式的 .csv（可能是改了扩展名的其他文件）")
    try:
        text = decode_csv(data)
    except CsvEncodingError as exc:
        raise TargetsError(exc.message) from None
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","  # some systems export tab-separated text
    try:
        return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error:
        raise TargetsError("无法读取 .csv 文件：引号或分隔符有误") from None


def _xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    from .canonical import PackageError
    from .guards import check_zip_bytes

    try:
        check_zip_bytes(data, "批复目标.xlsx")
    except PackageError as exc:
        raise TargetsError(exc.problems[0] if exc.problems else "该 .xlsx 文件无法读取") from None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = []
        for r in wb.worksheets[0].iter_rows(values_only=True):
            rows.append(list(r))
            if len(rows) > MAX_ROWS + 20:
                break
        wb.close()
        return rows
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise TargetsError("无法读取该 .xlsx 文件：文件已损坏，或不是 Excel 工作簿") from None


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (datetime, date)):
        return v.strftime("%Y年%m月%d日")
    if isinstance(v, Decimal | float):
        try:
            return format(Decimal(str(v)).normalize(), "f")
        except InvalidOperation:
            return str(v)
    return str(v).strip()


def _quoted(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _label(cell: object) -> str:
    """A header cell as compared: full-width folded, a unit or note in brackets dropped."""
    text = normalize(_text(cell)).replace(" ", "")
    return re.sub(r"\(.*?\)$", "", text)


def _header(rows: list[list[object]]) -> tuple[int, dict[str, int]]:
    """(index of the header row, column → index): found by the labels, never by position."""
    for i, r in enumerate(rows[:10]):
        found: dict[str, int] = {}
        for j, cell in enumerate(r):
            label = _label(cell)
            for col, (labels, _) in COLUMNS.items():
                if col not in found and label in labels:
                    found[col] = j
                    break
        if "code" in found or "name" in found:
            missing = [LABELS[c] for c, (_, required) in COLUMNS.items() if required and c not in found]
            if missing:
                raise TargetsError(f"批复目标文件缺少列：{'、'.join(missing)}",
                                   [f"第{i + 1}行是表头，其中没有“{m}”" for m in missing])
            return i, found
    need = "、".join(LABELS[c] for c, (_, required) in COLUMNS.items() if required)
    raise TargetsError("没有找到批复目标的表头：前10行中没有“预算编码”或“三级指标”一列", [f"表头应包含：{need}"])
