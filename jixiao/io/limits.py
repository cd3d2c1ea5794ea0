"""Bounded parsing of the canonical YAML/JSON: refuse what cannot be a package before a tree is built.

A 66 KB YAML file can repeat one project ten thousand times through aliases; the loader shares the
node, but everything after it (the reader, the engine, every page) walks each copy. JSON nested a
few hundred thousand levels deep makes the parser recurse until it fails. So, before parsing:

- the size of the text (`MAX_TEXT_BYTES`);
- YAML: one pass over the parser's events (libyaml, no tree) counts the nesting depth, the nodes as
  written and the nodes once every alias is expanded; aliases may add at most `ALIAS_BUDGET` nodes,
  and the expanded document at most `MAX_NODES`; an alias to a node that contains it is refused;
- JSON: the nesting depth, counted over the brackets outside strings;
and after parsing, the number of projects and the length of every list (rows, indicators …).

Each refusal is a `LimitError` with a Chinese message; the canonical reader turns it into a
PackageError. The limits are far above any real package (the example: depth 6, 1,510 nodes,
5 projects of 8–11 indicators).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import yaml

from ..core.profiles import load_yaml

MAX_TEXT_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64  # a package nests 6–8 levels
MAX_NODES = 500_000  # values of the document, aliases expanded; a 100-project package has ~30,000
ALIAS_BUDGET = 2_000  # nodes that aliases may add; a package written by hand rarely uses any
MAX_PROJECTS = 500
MAX_LIST_ITEMS = 2_000  # rows of a table, indicators of a project, paragraphs …

_Events = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class LimitError(ValueError):
    """A document over a limit; `message` is the Chinese reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def load_bounded(text: str, json_input: bool = False) -> Any:
    """Parse a canonical package text (YAML, or JSON when `json_input`) within the limits.
    Raises LimitError, or the parser's own error for a malformed text."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise LimitError(f"数据包过大（{size / 1024 / 1024:.1f} MB），不应超过 {MAX_TEXT_BYTES // 1024 // 1024} MB")
    if json_input:
        check_json_depth(text)
        doc = json.loads(text, parse_float=Decimal)
    else:
        check_yaml_events(text)
        doc = load_yaml(text)
    check_lists(doc)
    return doc


def check_json_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than `limit` (counted outside strings), before the parser recurses."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                raise LimitError(f"数据嵌套超过 {limit} 层，不是有效的数据包")
        elif token in "]}":
            depth -= 1


def check_yaml_events(text: str) -> None:
    """Depth, node count and alias expansion of a YAML text, from its event stream (no tree built)."""
    open_nodes: list[list] = []  # per open collection: [anchor, its expanded size so far]
    sizes: dict[str, int] = {}  # anchor → expanded size of its node
    written = expanded = 0  # nodes as written; nodes with every alias expanded
    for event in _events(text):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_nodes) >= MAX_DEPTH:
                raise LimitError(f"数据嵌套超过 {MAX_DEPTH} 层，不是有效的数据包")
            open_nodes.append([event.anchor, 1])
            written, expanded = written + 1, expanded + 1
            _check_growth(written, expanded)
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = open_nodes.pop()
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
            written, expanded = written + 1, expanded + 1
        elif isinstance(event, yaml.AliasEvent):
            anchor, size = None, _alias_size(event.anchor, sizes, open_nodes)
            expanded += size
        else:
            continue
        if anchor:
            sizes[anchor] = size
        if open_nodes:
            open_nodes[-1][1] += size
        _check_growth(written, expanded)


def _events(text: str):
    try:
        yield from yaml.parse(text, Loader=_Events)
    except yaml.YAMLError as exc:
        # libyaml stops at its own depth limit (1,000) before our count reaches it in flow style.
        if "nesting depth" in str(getattr(exc, "problem", "") or exc):
            raise LimitError(f"数据嵌套超过 {MAX_DEPTH} 层，不是有效的数据包") from None
        raise


def _alias_size(anchor: str, sizes: dict[str, int], open_nodes: list[list]) -> int:
    if anchor in sizes:
        return sizes[anchor]
    if any(node[0] == anchor for node in open_nodes):
        raise LimitError("数据包中的别名（*引用）指向包含它自身的节点，不是有效的数据包")
    raise LimitError(f"数据包中的别名 *{anchor} 没有对应的锚点（&{anchor}）")


def _check_growth(written: int, expanded: int) -> None:
    if expanded > MAX_NODES:
        raise LimitError(f"数据包过大：展开后超过 {MAX_NODES:,} 个数据项")
    if expanded - written > ALIAS_BUDGET:
        raise LimitError(f"数据包中的别名（*引用）展开后重复了过多内容（超过 {ALIAS_BUDGET:,} 项）；"
                         "请把每个项目、每一行直接写出，不要用别名复制")


def check_lists(doc: Any) -> None:
    """The number of projects and the length of every list, walked without recursion."""
    if isinstance(doc, dict) and isinstance(doc.get("projects"), list) and len(doc["projects"]) > MAX_PROJECTS:
        raise LimitError(f"项目过多（{len(doc['projects'])} 个），一个数据包最多 {MAX_PROJECTS} 个项目")
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                raise LimitError(f"{path or '数据包'} 共 {len(value)} 行，超过上限 {MAX_LIST_ITEMS} 行")
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
