"""Read a filled jixiao workbook (written by jixiao.render.xlsx_writer) back into a Package.

The hidden sheet `_jixiao` says which cell holds which value of the canonical
package; input cells are read, derived cells are recomputed by the engine (so a
stale or tampered derived cell cannot slip in). Every bad cell is reported by
sheet and address, in Chinese, all at once:

    附件4-公务接待拨款!D6: 不是数字 'abc'
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..core.model import Package
from ..core.numbers import NumberError, normalize, parse_amount, parse_date, parse_number
from . import workbook_layout
from .canonical import PackageError, parse_package
from .guards import check_zip


def read_xlsx(path: str | Path) -> Package:
    p = Path(path)
    _guard(p)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(str(p), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise PackageError(str(path), [f"无法打开工作簿：{type(exc).__name__} {exc}"]) from None
    try:
        entries = _map(wb, str(path))
        doc, problems, where = _collect(wb, entries)
    finally:
        wb.close()
    text = json.dumps(doc, ensure_ascii=False, default=str)
    try:
        pkg = parse_package(text, str(path), json_input=True)
    except PackageError as exc:
        problems += [_locate(msg, where) for msg in exc.problems]
        pkg = None
    if problems:
        raise PackageError(str(path), problems)
    from ..core.view import build_view

    view = build_view(pkg)
    view.package.source_path = str(path)
    return view.package


# --- guards ------------------------------------------------------------------------------


def _guard(p: Path) -> None:
    check_zip(p, required=("xl/workbook.xml", "[Content_Types].xml"))


# --- the map -----------------------------------------------------------------------------


def _map(wb, name: str) -> list[tuple[str, str, str, str, str, str]]:
    if workbook_layout.MAP_SHEET not in wb.sheetnames:
        raise PackageError(name, [f"不是 jixiao 生成的自评表工作簿（缺少隐藏的映射表 {workbook_layout.MAP_SHEET}），"
                                  "请使用 jixiao render 生成的 .xlsx 模板填报"])
    ms = wb[workbook_layout.MAP_SHEET]
    rows = [r[0] if r else None for r in ms.iter_rows(min_col=1, max_col=1, values_only=True)]
    if not rows or rows[0] != workbook_layout.MAP_VERSION:
        raise PackageError(name, [f"映射表 {workbook_layout.MAP_SHEET} 的版本不受支持（应为 {workbook_layout.MAP_VERSION}）"])
    try:
        return workbook_layout.decode_map([str(r) for r in rows[2:] if r])
    except ValueError as exc:
        raise PackageError(name, [f"映射表 {workbook_layout.MAP_SHEET} 已损坏：{exc}"]) from None


def _values(wb, sheets: set[str]) -> dict[tuple[str, str], object]:
    """Every non-empty cell of the named sheets, read in one pass each."""
    from openpyxl.utils import get_column_letter

    out: dict[tuple[str, str], object] = {}
    for name in sheets:
        if name not in wb.sheetnames:
            continue
        for r, row in enumerate(wb[name].iter_rows(values_only=True), start=1):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    out[(name, f"{get_column_letter(c)}{r}")] = v
    return out


def _collect(wb, entries) -> tuple[dict, list[str], dict[str, str]]:
    cells = _values(wb, {e[1] for e in entries if e[4] != workbook_layout.CONST})
    doc: dict = {}
    problems: list[str] = []
    where: dict[str, str] = {}
    spare: dict[str, dict[int, dict[str, tuple[object, str]]]] = {}  # table → row → field → (value, address)
    for path, sheet, cell, kind, role, const in entries:
        if role == workbook_layout.CONST:
            try:
                workbook_layout.put(doc, path, json.loads(const))
            except (ValueError, TypeError, IndexError, AttributeError):
                problems.append(f"{workbook_layout.MAP_SHEET}: 映射表中 {path} 的常量无效")
            continue
        address = f"{sheet}!{cell}"
        if role == workbook_layout.SPARE:
            _spare_cell(spare, problems, path, address, kind, cells.get((sheet, cell)))
            continue
        where[path] = address
        if role != workbook_layout.INPUT:
            _derived(doc, path, kind, cells.get((sheet, cell)))
            continue
        if sheet not in wb.sheetnames:
            problems.append(f"{address}: 工作表“{sheet}”不存在（被删除或改名）")
            continue
        raw = cells.get((sheet, cell))
        try:
            value = convert(kind, raw) if kind != workbook_layout.FIGURE else _figure(const, raw)
        except ValueError as exc:
            problems.append(f"{address}: {exc}")
            continue
        if value is not None:
            try:
                workbook_layout.put(doc, path, value)
            except (TypeError, IndexError, AttributeError):
                problems.append(f"{workbook_layout.MAP_SHEET}: 映射表中的路径无效 {path}")
    _fill_lists(doc)
    _add_spare(doc, spare, where, problems)
    return doc, problems, where


def _figure(spec: str, raw):
    """A 年度指标值 / 实际完成值 cell holding a number or date shown with its words: the text again
    ("≥300批次"); a text typed over it is taken as it is."""
    if raw is None or isinstance(raw, str):
        return convert(workbook_layout.TEXT, raw)
    try:
        return workbook_layout.figure_text(json.loads(spec), raw)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"不是有效的指标值 {raw!r}（{exc}）") from None


def _spare_cell(spare: dict, problems: list[str], path: str, address: str, kind: str, raw) -> None:
    m = workbook_layout.SPARE_PATH.match(path)
    if m is None:
        problems.append(f"{workbook_layout.MAP_SHEET}: 映射表中的路径无效 {path}")
        return
    table, j, field = m.group(1), int(m.group(2)), m.group(3)
    row = spare.setdefault(table, {}).setdefault(j, {})
    try:
        value = convert(kind, raw)
    except ValueError as exc:
        problems.append(f"{address}: {exc}")
        row[f"?{field}"] = (None, address)  # reported here; the row is filled, not skipped as empty
        return
    if value is not None:
        row[field] = (value, address)
    else:
        row.setdefault("", ((), address))  # where an empty row begins: the address of its first cell


def _add_spare(doc: dict, spare: dict, where: dict[str, str], problems: list[str]) -> None:
    """Each filled spare row becomes the next indicator of its table, in row order; empty rows are
    skipped. A field's address is kept for the canonical reader's messages."""
    for table, rows in spare.items():
        for j in sorted(rows):
            if not any(rows[j]):
                continue
            fields = {f: v for f, v in rows[j].items() if f and not f.startswith("?")}
            try:
                inds = _node(doc, table).setdefault("indicators", [])
            except (TypeError, IndexError, KeyError, AttributeError):
                problems.append(f"{workbook_layout.MAP_SHEET}: 映射表中的路径无效 {table}")
                break
            if not isinstance(inds, list):
                problems.append(f"{workbook_layout.MAP_SHEET}: 映射表中的路径无效 {table}.indicators")
                break
            base = f"{table}.indicators[{len(inds)}]"
            inds.append({f: v for f, (v, _) in fields.items()})
            first = min((a for _, a in rows[j].values()), key=_cell_order)
            where[base] = first
            for f, (_, address) in fields.items():
                where[f"{base}.{f}"] = address


def _node(doc: dict, path: str):
    node = doc
    for tok in workbook_layout.parse_path(path):
        if isinstance(tok, int):
            node = node[tok]
        else:
            node = node.setdefault(tok, {})
    return node


def _cell_order(address: str) -> tuple[int, str]:
    cell = address.rsplit("!", 1)[-1]
    letters = cell.rstrip("0123456789")
    return (len(letters), letters)


def _derived(doc: dict, path: str, kind: str, raw) -> None:
    """A derived cell's value is taken as the stated figure; the engine recomputes it anyway and
    replaces it unless it agrees within rounding. A formula without a cached value reads as empty."""
    try:
        value = convert(kind, raw)
    except ValueError:
        return
    if value is not None:
        workbook_layout.put(doc, path, value)


def _fill_lists(node) -> None:
    """Lists built by index may have holes (a row with nothing filled): make them empty mappings."""
    if isinstance(node, dict):
        for v in node.values():
            _fill_lists(v)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if v is None:
                node[i] = {}
            _fill_lists(node[i])


def _locate(message: str, where: dict[str, str]) -> str:
    """'projects[0].indicators[3].target: …' → '附件4-…!D12: …' where the path has a cell."""
    path, sep, rest = message.partition(": ")
    if not sep:
        return message
    probe = path
    while probe:
        if probe in where:
            return f"{where[probe]}: {rest}" + ("" if probe == path else f"（{path}）")
        probe = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe)
    return message


# --- cell conversion ---------------------------------------------------------------------


def _text_of(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    return str(raw).strip()


def _decimal(raw) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(f"不是数字 {raw!r}")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        try:
            return Decimal(repr(raw))
        except InvalidOperation:
            raise ValueError(f"不是数字 {raw!r}") from None
    if isinstance(raw, Decimal):
        return raw
    text = str(raw).strip()
    try:
        value = parse_amount(text)
    except NumberError:
        raise ValueError(f"不是数字 '{text}'") from None
    if value is None:
        raise ValueError(f"不是数字 '{text}'")
    return value


def convert(kind: str, raw):
    """A cell value to what the canonical file holds for `kind`; ValueError with a Chinese message."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str) and raw.startswith("#"):
        raise ValueError(f"单元格为错误值 {raw}")
    if kind in (workbook_layout.TEXT, workbook_layout.PROFILE):
        return _text_of(raw)
    if kind in (workbook_layout.AMOUNT, workbook_layout.SIGNED, workbook_layout.WEIGHT, workbook_layout.SCORE):
        value = _decimal(raw)
        if kind != workbook_layout.SIGNED and value < 0:
            raise ValueError(f"不能为负数 {format(value, 'f')}")
        return format(value, "f")
    if kind == workbook_layout.RATE:
        return _rate(raw)
    if kind in (workbook_layout.INT, workbook_layout.YEAR):
        value = _decimal(raw)
        if value != value.to_integral_value():
            raise ValueError(f"应为整数 {format(value, 'f')}")
        if kind == workbook_layout.YEAR and not 2000 <= value <= 2100:
            raise ValueError(f"年度应在2000至2100之间 {format(value, 'f')}")
        if value < 0:
            raise ValueError(f"不能为负数 {format(value, 'f')}")
        return int(value)
    if kind == workbook_layout.DATE:
        return _date(raw)
    if kind == workbook_layout.TIER:
        text = _text_of(raw)
        if text not in workbook_layout.TIERS:
            raise ValueError(f"应为 {'、'.join(workbook_layout.TIERS)} 之一，实为 '{text}'")
        return text
    if kind == workbook_layout.BOOL:
        text = _text_of(raw)
        if text in (workbook_layout.YES, "TRUE", "True", "1", "Y"):
            return True
        if text in (workbook_layout.NO, "FALSE", "False", "0", "N"):
            return False
        raise ValueError(f"应为 是 / 否，实为 '{text}'")
    if kind == workbook_layout.INPUTS:
        return _inputs(_text_of(raw))
    raise ValueError(f"未知的单元格类型 {kind}")


def _rate(raw) -> str:
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        ratio = _decimal(raw)
    else:
        text = normalize(str(raw))
        p = parse_number(text)
        if p.value is None or p.comparator:
            raise ValueError(f"不是百分数 '{raw}'")
        ratio = p.ratio if p.unit == "%" else p.value
    if ratio < 0:
        raise ValueError(f"比率不能为负 {format(ratio, 'f')}")
    return f"{format(ratio.scaleb(2).normalize(), 'f')}%"


def _date(raw) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    parsed = parse_date(str(raw))
    if parsed is None:
        raise ValueError(f"不是有效日期 '{raw}'（应如 2023-06-06）")
    return parsed[0].isoformat()


def _inputs(text: str) -> dict[str, str]:
    out = {}
    for part in re.split(r"[；;\n]", text):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"计算输入应写成 名称=数值，实为 '{part}'")
        try:
            out[name.strip()] = format(_decimal(value.strip()), "f")
        except ValueError:
            raise ValueError(f"计算输入 {name.strip()} 不是数字 '{value.strip()}'") from None
    return out
