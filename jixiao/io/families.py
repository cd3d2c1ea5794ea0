"""Template families: how each common self-evaluation form is printed, as data.

A family file (`jixiao/families/<id>.yaml`, beside the scoring profiles) names the
documents it was taken from and, for each of its forms, the words the reader looks
for: the title that opens the form, the labels of its name rows, the header words
of its fund block and their columns, the labels of its fund rows, the columns of
its indicator block, the label of its total row, who signs it; for line tables the
rows that stand at the top of the tree. It also says which forms a package of that
family must hold (its completeness rule). forms.py reads only this: a new family
is a new file, not a new code path.

    id: sichuan-project
    title: 四川省部门预算项目支出绩效自评表
    region: 四川
    sources: [{url: https://…, note: 青神县发展和改革局 2023}]
    required_forms: {project: [附件4]}
    tables:
      - kind: project
        titles: [部门预算项目支出绩效自评表]
        fund_header: [[调整后预算数, 预算执行数]]
        fund_columns: {initial: [年初预算], annual: [调整后预算数], …}
        fund_rows: [[total, [总额]], [appropriation, [财政资金]], [other, [单位资金]], …]
        fund_groups: [[general_budget, [按收入性质分]]]   # sub-headings; a figure with one is its group's sum
        inline_column: annual   # where a figure written in a label cell ("合计：2030.12") stands
        …

Every list is a list of synonyms; the first family whose table title matches a
form's title reads it, and a form no family names is read with the synonyms of
all families together (in file order), so a variant that mixes two families'
labels still reads.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..core.memo import text_cache

FAMILY_DIR = Path(__file__).resolve().parent.parent / "families"

_WORD_LISTS = ("titles", "goal_header", "total_words", "signer_labels", "stop_words", "detail_header")
_COLUMN_MAPS = ("fund_columns", "indicator_columns", "name_labels", "detail_columns")


class FamilyError(ValueError):
    """A family file that does not follow the schema; the message names the file and key."""


@dataclass(frozen=True)
class TableSpec:
    """How one self-evaluation table of a family is printed."""

    kind: str  # overall | project | gov_fund | state_capital | social_insurance
    titles: tuple[str, ...] = ()
    name_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name / supervisor / implementer
    fund_header: tuple[tuple[str, ...], ...] = ()  # any of these word groups, all words of the group in the row
    fund_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fund_rows: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (key, synonyms), in the order they are tried
    goal_header: tuple[str, ...] = ()
    indicator_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    total_words: tuple[str, ...] = ()
    signer_labels: tuple[str, ...] = ()
    stop_words: tuple[str, ...] = ()  # words in a row that end the fund block
    # "rows": one fund row per part, one column per amount (the national form). "source_cells": the
    # amounts side by side in the header row (计划安排资金 170 | 实际到位资金 170 | …) and each source's
    # label and amount in one cell below ("省财政 170"), as 岳阳's 2016 project form prints them.
    fund_layout: str = "rows"
    # Sub-headings of the fund block that group its rows ("按收入性质分：" over 一般公共预算 … 其他资金):
    # (the group's first row key, synonyms). A figure printed with one — in its own label cell
    # ("按收入性质分：2030.12") or in the amount columns — states the sum of the group's rows.
    fund_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The amount column that a figure written inside a label cell ("合计：2030.12万元") belongs to
    # when the row's own amount cells are empty; "" for the first amount column the header prints.
    inline_column: str = ""
    detail_header: tuple[str, ...] = ()  # a spending-detail table (支出明细: 支出内容 | 实际支出数 …)
    detail_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SheetSpec:
    """A scored indicator sheet: its titles, the columns of its levels, of points and of scores."""

    titles: tuple[str, ...] = ()
    level_columns: tuple[str, ...] = ()
    weight_columns: tuple[str, ...] = ()
    score_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Family:
    id: str
    title: str
    region: str
    sources: tuple[dict, ...]
    tables: tuple[TableSpec, ...]
    required_forms: dict[str, tuple[str, ...]]  # task (overall / project) → forms a package must hold
    line_tops: dict[str, tuple[str, ...]]  # line table key → labels (or "*suffix") that are top rows
    cover_labels: dict[str, tuple[str, ...]]  # cover field → label synonyms
    score_sheets: tuple[SheetSpec, ...] = ()
    path: str = ""


def _words(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise FamilyError(f"{where}: 应为非空字符串的列表")
    return tuple(value)


def _map(value, where: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FamilyError(f"{where}: 应为 键 → 同义词列表")
    return {str(k): _words(v, f"{where}.{k}") for k, v in value.items()}


def _table(raw: dict, where: str) -> TableSpec:
    if not isinstance(raw, dict) or "kind" not in raw:
        raise FamilyError(f"{where}: 每个表格须有 kind")
    unknown = set(raw) - {"kind", "fund_header", "fund_rows", "fund_groups", "fund_layout", "inline_column",
                          *_WORD_LISTS, *_COLUMN_MAPS}
    if unknown:
        raise FamilyError(f"{where}: 未知的键 {sorted(unknown)}")
    rows = _keyed_words(raw.get("fund_rows"), f"{where}.fund_rows")
    groups = _keyed_words(raw.get("fund_groups"), f"{where}.fund_groups")
    known_rows = {k for k, _ in rows}
    for key, _ in groups:
        if rows and key not in known_rows:
            raise FamilyError(f"{where}.fund_groups: {key} 不是本表 fund_rows 中的行")
    inline = str(raw.get("inline_column", ""))
    if inline and inline not in ("initial", "annual", "executed"):
        raise FamilyError(f"{where}.inline_column: 应为 initial、annual 或 executed")
    header = tuple(_words(g, f"{where}.fund_header[{i}]") for i, g in enumerate(raw.get("fund_header") or []))
    kw = {k: _words(raw.get(k), f"{where}.{k}") for k in _WORD_LISTS}
    maps = {k: _map(raw.get(k), f"{where}.{k}") for k in _COLUMN_MAPS}
    layout = str(raw.get("fund_layout", "rows"))
    if layout not in ("rows", "source_cells"):
        raise FamilyError(f"{where}.fund_layout: 应为 rows 或 source_cells")
    return TableSpec(kind=str(raw["kind"]), fund_header=header, fund_rows=tuple(rows), fund_groups=tuple(groups),
                     fund_layout=layout, inline_column=inline, **kw, **maps)


def _keyed_words(value, where: str) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for i, item in enumerate(value or []):
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            raise FamilyError(f"{where}[{i}]: 应为 [键, [同义词…]]")
        out.append((item[0], _words(item[1], f"{where}[{i}]")))
    return out


def load_family(path: Path) -> Family:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FamilyError(f"{path.name}: 无法读取：{exc}") from None
    where = path.name
    if not isinstance(raw, dict) or raw.get("id") != path.stem:
        raise FamilyError(f"{where}: id 应与文件名相同（{path.stem}）")
    sources = raw.get("sources") or []
    if not sources or not all(isinstance(s, dict) and s.get("url") for s in sources):
        raise FamilyError(f"{where}: sources 应列出所依据的真实文件（每项有 url）")
    tables = tuple(_table(t, f"{where}.tables[{i}]") for i, t in enumerate(raw.get("tables") or []))
    return Family(id=raw["id"], title=str(raw.get("title", "")), region=str(raw.get("region", "")),
                  sources=tuple(sources), tables=tables,
                  required_forms=_map(raw.get("required_forms"), f"{where}.required_forms"),
                  line_tops=_map(raw.get("line_tops"), f"{where}.line_tops"),
                  cover_labels=_map(raw.get("cover_labels"), f"{where}.cover_labels"),
                  score_sheets=tuple(_sheet(x, f"{where}.score_sheets[{i}]")
                                     for i, x in enumerate(raw.get("score_sheets") or [])), path=str(path))


def _sheet(raw: dict, where: str) -> SheetSpec:
    if not isinstance(raw, dict):
        raise FamilyError(f"{where}: 应为映射")
    unknown = set(raw) - {"titles", "level_columns", "weight_columns", "score_columns"}
    if unknown:
        raise FamilyError(f"{where}: 未知的键 {sorted(unknown)}")
    return SheetSpec(**{k: _words(raw.get(k), f"{where}.{k}") for k in ("titles", "level_columns", "weight_columns",
                                                                     "score_columns")})


def sheet_specs() -> tuple[tuple[SheetSpec, str], ...]:
    return tuple((s, fam.id) for fam in families() for s in fam.score_sheets)


@functools.lru_cache(maxsize=1)
def families() -> tuple[Family, ...]:
    """Every family file, in name order (the seed's 湖南 package sorts first: its labels are tried first)."""
    return tuple(load_family(p) for p in sorted(FAMILY_DIR.glob("*.yaml")))


def family(family_id: str) -> Family:
    for f in families():
        if f.id == family_id:
            return f
    raise FamilyError(f"找不到模板族 {family_id}")


@text_cache(256)  # keyed by a document's title and header labels: emptied after each service call
def table_spec(kind: str, title: str, labels: frozenset[str] = frozenset()) -> tuple[TableSpec, str]:
    """The spec that reads a self-evaluation table of `kind` titled `title`, and its family id:
    the family whose title words the title holds (the longest match); between families whose titles
    match equally (the national form and a province's variant of it), the one whose own labels the
    table's header cells (`labels`) show most; else all families' words together."""
    from .blocks import compact

    t = compact(title)
    ranked: list[tuple[int, int, int, TableSpec, str]] = []
    for order, fam in enumerate(families()):
        for spec in fam.tables:
            if spec.kind != kind:
                continue
            match = max((len(w) for w in spec.titles if w in t), default=0)
            if match:
                ranked.append((match, _label_hits(spec, labels), -order, spec, fam.id))
    if ranked:
        best = max(ranked, key=lambda r: r[:3])
        return _with_fallbacks(best[3], kind), best[4]
    return _union(kind), ""


def _label_hits(spec: TableSpec, labels: frozenset[str]) -> int:
    """How many of a spec's column and row words are printed, as a whole cell, in the table's headers."""
    words = {w for ws in (*spec.fund_columns.values(), *spec.indicator_columns.values()) for w in ws}
    words |= {w for _, ws in spec.fund_rows for w in ws}
    return sum(1 for w in words if w in labels)


@functools.lru_cache(maxsize=16)
def _union(kind: str) -> TableSpec:
    specs = [s for fam in families() for s in fam.tables if s.kind == kind] or \
            [s for fam in families() for s in fam.tables]
    return _merge(kind, specs)


def _with_fallbacks(spec: TableSpec, kind: str) -> TableSpec:
    """A family's own words first, then every other family's: a unit that borrowed one label
    from another template ("本年财政拨款" in a 当年 form) is still read. The layout is the family's own."""
    from dataclasses import replace

    return replace(_merge(kind, [spec, _union(kind)]), fund_layout=spec.fund_layout, inline_column=spec.inline_column,
                   detail_header=spec.detail_header, detail_columns=spec.detail_columns)


def _merge(kind: str, specs: list[TableSpec]) -> TableSpec:
    def words(attr: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for s in specs for w in getattr(s, attr)))

    def maps(attr: str) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for s in specs:
            for k, ws in getattr(s, attr).items():
                out.setdefault(k, [])
                out[k] += [w for w in ws if w not in out[k]]
        return {k: tuple(v) for k, v in out.items()}

    def keyed(attr: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        rows: list[tuple[str, tuple[str, ...]]] = []
        seen: set[tuple[str, str]] = set()
        for s in specs:
            for key, ws in getattr(s, attr):
                fresh = tuple(w for w in ws if (key, w) not in seen)
                seen.update((key, w) for w in ws)
                if fresh:
                    rows.append((key, fresh))
        return tuple(rows)

    header = tuple(dict.fromkeys(g for s in specs for g in s.fund_header))
    return TableSpec(kind=kind, titles=words("titles"), name_labels=maps("name_labels"), fund_header=header,
                     fund_columns=maps("fund_columns"), fund_rows=keyed("fund_rows"), fund_groups=keyed("fund_groups"),
                     goal_header=words("goal_header"),
                     indicator_columns=maps("indicator_columns"), total_words=words("total_words"),
                     signer_labels=words("signer_labels"), stop_words=words("stop_words"))


@functools.lru_cache(maxsize=16)
def line_tops(table_key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for fam in families() for w in fam.line_tops.get(table_key, ())))


@functools.lru_cache(maxsize=16)
def cover_labels(field_name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for fam in families() for w in fam.cover_labels.get(field_name, ())))


def is_top(label: str, tops: tuple[str, ...]) -> bool:
    """A label that stands at the top of a line table: one of `tops`, or ending as a "*…" entry says."""
    for t in tops:
        if t.startswith("*"):
            if label.endswith(t[1:]):
                return True
        elif label.startswith(t):
            return True
    return False
