"""Header-first table understanding: what each column of a table holds, from what its header says.

The vocabulary of column roles is data (`jixiao/families/vocabulary/columns.yaml`): for each role
(年初预算数, 全年预算数, 全年执行数, 执行率, 分值, 得分, the three indicator levels, 年度指标值,
实际完成值, 偏差原因, the narrative's 决算数 / 增减 / 年初结转 …) the words headers print for it.
A header cell takes the role whose longest word it contains, so columns are mapped in any order
and under any synonym; a template family's own words, where a title names one, are only tried first.

A header row is found by meaning: a row whose cells name the roles of a fund block (an amount
budgeted and an amount executed) or of an indicator block (the indicator's name, or its target
with its points or score). Two header rows (a group label over its columns, "绩效指标" over
一级指标 / 二级指标 …) are read together, cell by cell. Every distinct header text is judged once
(the caches below): the same headers come back in every table of a batch.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core.memo import text_cache
from .blocks import Cell, compact
from .families import FAMILY_DIR, FamilyError

VOCABULARY = FAMILY_DIR / "vocabulary" / "columns.yaml"
_GROUPS = ("fund", "indicator", "amount", "both")

# A header cell names a column; it is short and holds no figure. Years ("2022年预算数") and
# bracketed notes ("全年预算数（A）", "执行率（B/A）", "（万元）") do not make it a figure.
_YEAR = re.compile(r"20\d\d年度?")
_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


@dataclass(frozen=True)
class Role:
    key: str
    group: str  # fund | indicator | amount | both
    words: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def vocabulary(path: Path = VOCABULARY) -> tuple[Role, ...]:
    """The column roles, in file order (the order breaks ties between words of equal length)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FamilyError(f"{path.name}: 无法读取：{exc}") from None
    roles = raw.get("roles") if isinstance(raw, dict) else None
    if not isinstance(roles, dict) or not roles:
        raise FamilyError(f"{path.name}: 应有 roles（列的含义 → 表头用词）")
    out = []
    for key, entry in roles.items():
        words = entry.get("words") if isinstance(entry, dict) else None
        group = entry.get("group") if isinstance(entry, dict) else None
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
            raise FamilyError(f"{path.name}: roles.{key}.words 应为非空字符串的列表")
        if group not in _GROUPS:
            raise FamilyError(f"{path.name}: roles.{key}.group 应为 {'、'.join(_GROUPS)} 之一")
        out.append(Role(str(key), group, tuple(words)))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def fund_row_words(path: Path = VOCABULARY) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(row key, labels) of a fund block's rows (年度资金总额, 当年财政拨款 …), the vocabulary's own."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = raw.get("fund_rows") or {}
    if not isinstance(rows, dict) or not all(isinstance(w, list) and w for w in rows.values()):
        raise FamilyError(f"{path.name}: fund_rows 应为 行 → 标签列表")
    return tuple((str(k), tuple(str(w) for w in v)) for k, v in rows.items())


@functools.lru_cache(maxsize=1)
def grade_labels(path: Path = VOCABULARY) -> tuple[str, ...]:
    """The words a grade's row label ends with (评价等次, 自评等级 …), the vocabulary's own."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = raw.get("grade_labels") or ()
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise FamilyError(f"{path.name}: grade_labels 应为非空字符串的列表")
    return tuple(words)


@text_cache(8192)
def fund_row_role(label: str) -> str:
    """The part of the funds a row's label names ('' for none), by its longest word."""
    best, length = "", 0
    for key, words in fund_row_words():
        n = _longest(label, words)
        if n > length:
            best, length = key, n
    return best


@text_cache(8192)
def header_text(text: str) -> str:
    """A cell's text as a header: compact, without years and bracketed notes; '' when it holds a
    figure or is too long to be a column's name."""
    t = compact(text)
    if not t or len(t) > 30:
        return ""
    bare = _BRACKETED.sub("", _YEAR.sub("", t))
    if any(ch.isdigit() for ch in bare):
        return ""
    return t


def _longest(text: str, words: tuple[str, ...]) -> int:
    return max((len(w) for w in words if w in text), default=0)


@functools.lru_cache(maxsize=1)
def _any_word() -> re.Pattern:
    """Every word of the vocabulary in one pattern: a quick test before the longest match is sought."""
    words = sorted({w for role in vocabulary() for w in role.words}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


@functools.lru_cache(maxsize=16)
def words_of_roles(keys: tuple[str, ...]) -> re.Pattern:
    """The words of some roles in one pattern (a table-level quick test)."""
    words = sorted({w for role in vocabulary() if role.key in keys for w in role.words}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


@text_cache(8192)
def cell_role(text: str, groups: tuple[str, ...] = ()) -> str:
    """The role a header cell names ('' for none): the role whose longest word the cell holds.
    `groups` limits the roles to those of one kind of table (with the roles of every kind, 'both')."""
    if _any_word().search(compact(text)) is None:  # most cells (every figure) name no role at all
        return ""
    t = header_text(text)
    if not t:
        return ""
    best, length = "", 0
    for role in vocabulary():
        if groups and role.group not in groups and role.group != "both":
            continue
        n = _longest(t, role.words)
        if n > length:
            best, length = role.key, n
    return best


@text_cache(4096)
def row_roles(texts: tuple[str, ...], groups: tuple[str, ...] = ()) -> dict[str, int]:
    """Role → the leftmost column whose header names it, for one header row's cell texts."""
    out: dict[str, int] = {}
    for i, text in enumerate(texts):
        role = cell_role(text, groups)
        if role and role not in out:
            out[role] = i
    return out


def is_fund_header(roles: dict[str, int]) -> bool:
    """A fund block's header: what was budgeted and what was spent, side by side."""
    return "executed" in roles and ("annual" in roles or "initial" in roles)


def is_indicator_header(roles: dict[str, int]) -> bool:
    """An indicator block's header: the indicator's name with its target or points, or a target
    with its points or score (a form that leaves the name column unlabelled)."""
    scored = "weight" in roles or "score" in roles
    if "name" in roles:
        return "target" in roles or scored or "actual" in roles
    return "target" in roles and scored and ("level1" in roles or "level2" in roles or "actual" in roles)


def texts_of(row: list[Cell]) -> tuple[str, ...]:
    return tuple(c.text for c in row)


def combined_header(rows: list[list[Cell]], i: int) -> list[Cell]:
    """Header row i, read together with the row below when that row names columns too (two header
    rows: a group label over its columns) and lies on the same grid. Each cell's text is the upper
    label followed by the lower one where they differ ("指标值" over "年度" → "指标值年度")."""
    header = rows[i]
    if i + 1 >= len(rows):
        return header
    below = rows[i + 1]
    if len(below) != len(header):
        return _wider_below(header, below)
    if _holds_figure(header):
        return header  # a row of the body, not a header
    if not row_roles(texts_of(below)) or _holds_figure(below):
        return header  # the row below holds figures: it is the first row of the body
    combined = [Cell(_two_rows(up.text, low.text), up.line) for up, low in zip(header, below)]
    if row_roles(texts_of(combined)) == row_roles(texts_of(header)):
        return header  # the row below says nothing the header does not
    return combined


def _wider_below(header: list[Cell], below: list[Cell]) -> list[Cell]:
    """Two header rows off the same grid: an upper label spanning columns is printed once ("绩效指标"
    over 一级 / 二级 / 三级指标) while the labels spanning both rows are repeated in the lower one, so
    the lower row is wider and names every column the upper does and more: it is the header."""
    if len(below) <= len(header) or _holds_figure(header) or _holds_figure(below):
        return header
    upper, lower = row_roles(texts_of(header)), row_roles(texts_of(below))
    return below if set(upper) <= set(lower) and len(lower) > len(upper) else header


def _two_rows(upper: str, lower: str) -> str:
    """One column's header over two rows: the lower label names the column where it names a role
    ("年度指标值" over "指标性质" is the comparator column), the upper one groups it; a lower label
    without a role of its own qualifies the upper ("预算数" over "年初" → "年初预算数")."""
    if not compact(lower) or compact(upper) == compact(lower):
        return upper
    if not compact(upper) or cell_role(lower):
        return lower
    qualified = f"{lower}{upper}"
    return qualified if cell_role(qualified) else f"{upper}{lower}"


def _holds_figure(row: list[Cell]) -> bool:
    return any(c.compact and not header_text(c.text) for c in row)


def header_rows(rows: list[list[Cell]], i: int) -> int:
    """How many rows the header at row i takes (1 or 2), as `combined_header` reads it."""
    return 2 if combined_header(rows, i) is not rows[i] else 1


def is_repeated_header(row: list[Cell], header_roles: dict[str, int]) -> bool:
    """A row that names the same columns as the header (a header repeated on a new page)."""
    roles = row_roles(texts_of(row))
    return len(roles) >= 2 and set(roles) <= set(header_roles) | {"level1", "level2", "name"} \
        and len(set(roles) & set(header_roles)) >= 2


def columns_by_role(header: list[Cell], hints: dict[str, tuple[str, ...]],
                    groups: tuple[str, ...]) -> dict[str, tuple[int, str]]:
    """Column key → (index, printed header) for the keys a block reads (`hints`: the family's words
    for each). Each header cell takes the key whose longest word it holds — the family's words and
    the vocabulary's together, the family's winning a tie — and each key its leftmost cell. A cell
    whose words name a role the block does not read ("决算数" in a fund block) is left out, never
    given the nearest key: "分值" before "年度指标值" is the points column wherever it stands."""
    return dict(_columns_by_role(texts_of(header), tuple(hints.items()), groups))


@text_cache(2048)
def _columns_by_role(texts: tuple[str, ...], hints: tuple[tuple[str, tuple[str, ...]], ...],
                     groups: tuple[str, ...]) -> tuple[tuple[str, tuple[int, str]], ...]:
    keys = dict(hints)
    best: dict[str, tuple[int, int, str]] = {}  # key → (strength, index, label)
    for i, text in enumerate(texts):
        t = compact(text)
        if not t:
            continue
        key, length = "", 0
        for k, words in hints:
            n = _longest(t, words)
            if n > length:
                key, length = k, n
        role = cell_role(text, groups)
        if role:
            n = _longest(header_text(text), _role_words(role))
            if n > length:
                key, length = (role if role in keys else ""), n
        # The cell saying it most plainly wins a key ("调整后预算数" over a label column's
        # "年度预算数（万元）"); between equals, the leftmost.
        if key and (key not in best or length > best[key][0]):
            best[key] = (length, i, _UNIT_NOTE.sub("", t))
    return tuple(sorted(((k, (i, label)) for k, (_, i, label) in best.items()), key=lambda kv: kv[1][0]))


def _role_words(key: str) -> tuple[str, ...]:
    return next(r.words for r in vocabulary() if r.key == key)


_UNIT_NOTE = re.compile(r"[（(](?:万元|元|亿元)[)）]")
