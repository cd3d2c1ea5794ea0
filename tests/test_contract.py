"""The contract between the engine and what reads it (docs/architecture.md):

- the import rules between layers, read from the source with `ast`;
- results are found only through `jixiao.core.keys`, and every builder a consumer asks for is one
  the engine fills for the example or a fixture (a rename or a typo fails here, not silently);
- no consumer decides by the wording of a formula.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import EXAMPLE, FIXTURES

from jixiao.core import keys
from jixiao.core.engine import ScoreReport
from jixiao.core.keys import Key

PKG = Path(__file__).resolve().parent.parent / "jixiao"

# layer → the layers it may import (besides itself and the stdlib/third parties)
ALLOWED = {
    "core": set(),
    "io": {"core"},
    "audit": {"core", "io", "util"},
    "render": {"core", "io", "util"},
    "services": {"core", "io", "audit", "render"},
    "surface": {"core", "io", "audit", "render", "services", "util", "surface"},
    "util": set(),
}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[:1] != ["jixiao"] or len(parts) == 1:
        return "surface"  # jixiao/__init__
    head = parts[1]
    if head in ("core", "io", "audit", "render", "services"):
        return head
    if head == "texttable":
        return "util"
    return "surface"  # cli, cmd, commands, web


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every jixiao module the file imports (module level and inside functions), with its line."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.startswith("jixiao")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("jixiao"):
                if node.module is None or target.count(".") < 2:  # `from .. import keys`: the names are modules
                    out += [(f"{target}.{a.name}", node.lineno) for a in node.names]
                else:
                    out.append((target, node.lineno))
    return out


SOURCES = sorted(p for p in PKG.rglob("*.py") if "migrations" not in p.parts)


def test_imports_follow_the_layers():
    broken = []
    for path in SOURCES:
        here = layer_of(module_name(path))
        for target, line in imports_of(path):
            there = layer_of(target)
            if there != here and there not in ALLOWED[here]:
                broken.append(f"{path.relative_to(PKG.parent)}:{line} ({here}) imports {target} ({there})")
    assert not broken, "\n".join(broken)


def test_io_never_imports_render_and_audit_never_a_surface():
    # the two rules named in the architecture, spelled out (they follow from ALLOWED as well)
    for path in SOURCES:
        name = module_name(path)
        for target, line in imports_of(path):
            if name.startswith("jixiao.io"):
                assert not target.startswith(("jixiao.render", "jixiao.audit")), f"{name}:{line} → {target}"
            if name.startswith(("jixiao.io", "jixiao.render", "jixiao.audit", "jixiao.core")):
                assert layer_of(target) != "surface", f"{name}:{line} → {target}"


def test_no_cycles_between_check_modules():
    checks = {module_name(p): p for p in (PKG / "audit" / "checks").glob("*.py")}
    graph = {m: {t for t, _ in imports_of(p) if t in checks and t != m} for m, p in checks.items()}
    seen: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        seen[m] = 1
        for n in graph[m]:
            assert seen.get(n) != 1, "import cycle: " + " → ".join([*stack, m, n])
            if n not in seen:
                visit(n, [*stack, m])
        seen[m] = 2

    for m in graph:
        if m not in seen:
            visit(m, [])


# --- the module graph of all of jixiao/ --------------------------------------------------------

MODULES = {module_name(p): p for p in SOURCES}
AUDIENCES = ("unit", "bureau", "public", "api")  # jixiao/web/<audience>/: one package per reader of the site


def _resolved(target: str, names: list[str]) -> list[str]:
    """The modules an import names: `from jixiao.web import access` is the module jixiao.web.access,
    `from jixiao.web.access import NOT_FOUND` is jixiao.web.access itself."""
    found = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
    return found or ([target] if target in MODULES else [])


def module_imports(path: Path) -> set[str]:
    """Every jixiao module a file imports, at module level and inside functions alike."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in MODULES}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("jixiao"):
                out |= set(_resolved(target, [a.name for a in node.names]))
    out.discard(name)
    return out


GRAPH = {name: module_imports(path) for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph as the list of its modules (first repeated at the end), or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, rest = stack[-1]
            step = next(rest, None)
            if step is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(step) == 1:
                return path[path.index(step):] + [step]
            elif step not in state and step in graph:
                state[step] = 1
                stack.append((step, iter(sorted(graph[step]))))
                path.append(step)
    return []


def test_find_cycle_sees_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_anywhere():
    """A cycle hidden by an import inside a function is still a cycle: the two modules cannot be
    understood (or loaded) one without the other."""
    cycle = find_cycle(GRAPH)
    assert not cycle, "import cycle: " + " → ".join(cycle)


def audience_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if parts[:2] == ["jixiao", "web"] and len(parts) > 3 and parts[2] in AUDIENCES else None


def test_an_audience_package_imports_no_other_audience():
    """unit, bureau, public and api stand side by side over the shared modules of jixiao/web; what two
    of them need belongs below them, not in one of them."""
    crossing = [f"{m} → {t}" for m, targets in GRAPH.items() for t in targets
                if audience_of(m) and audience_of(t) and audience_of(m) != audience_of(t)]
    assert not crossing, "\n".join(crossing)


def test_the_shared_modules_of_web_import_no_audience():
    """The shared domain (models, access, drafts, versions, jobs, publication, security) sits below the
    audiences; only the site's own composition (urls, the entrance, the demonstration, commands) joins them."""
    composing = ("jixiao.web.urls", "jixiao.web.root_urls", "jixiao.web.entrance", "jixiao.web.demo",
                 "jixiao.web.management", "jixiao.web.cli", "jixiao.web.wsgi")
    wrong = [f"{m} → {t}" for m, targets in GRAPH.items() for t in targets
             if m.startswith("jixiao.web.") and not audience_of(m) and not m.startswith(composing) and audience_of(t)]
    assert not wrong, "\n".join(wrong)


def test_web_reaches_io_and_render_only_through_services():
    """The web app calls jixiao.services (the same functions the CLI and the worker call), never the
    readers and writers below them."""
    direct = [f"{m} → {t}" for m, targets in GRAPH.items() for t in targets
              if m.startswith("jixiao.web") and t.startswith(("jixiao.io", "jixiao.render"))]
    assert not direct, "\n".join(direct)


def short_aliases(path: Path) -> list[str]:
    """`import x as y` / `from a import b as y` where y has one or two letters: a name that says
    nothing, and the same letter meant different modules in different files."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            out += [f"{path.relative_to(PKG.parent)}:{node.lineno} {a.name} as {a.asname}"
                    for a in node.names if a.asname and len(a.asname) <= 2]
    return out


def test_short_aliases_are_found():
    example = ast.parse("from jixiao import services as S\nimport json as js\nfrom x import y as why\n")
    found = [a.asname for n in ast.walk(example) if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names
             if a.asname and len(a.asname) <= 2]
    assert found == ["S", "js"]


def test_no_one_or_two_letter_module_aliases():
    found = [line for path in SOURCES for line in short_aliases(path)]
    assert not found, "\n".join(found)


def test_no_module_defines_a_name_twice():
    """A second `def` of the same name silently replaces the first (one such pair in the workbook
    writer wrote spare rows one column off for its first caller): every top-level function and class,
    and every method of a class, is defined once."""
    twice = []
    for p in SOURCES:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for owner in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef))]:
            names = [n.name for n in owner.body
                     if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                     and not any(_is_overload(d) for d in n.decorator_list)]
            twice += [f"{module_name(p)}.{n}" for n in sorted({n for n in names if names.count(n) > 1})]
    assert not twice, "defined twice: " + ", ".join(twice)


def _is_overload(decorator: ast.expr) -> bool:
    """`@overload`, `@x.setter` and the like define a name again on purpose."""
    name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", "")
    return name in {"overload", "setter", "getter", "deleter", "register"}


# --- typed results ----------------------------------------------------------------------------

CONSUMERS = [p for p in SOURCES if not module_name(p).startswith(("jixiao.core.engine", "jixiao.core.keys"))]


def _string_arg(call: ast.Call) -> bool:
    return bool(call.args) and isinstance(call.args[0], ast.Constant | ast.JoinedStr) and (
        not isinstance(call.args[0], ast.Constant) or isinstance(call.args[0].value, str))


def test_no_consumer_builds_a_key_or_reads_formula_text():
    bad = []
    for path in CONSUMERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                # report.find("…") / view.find(f"…") / view.value("…") / report.table("…")
                if node.func.attr in ("find", "value", "table") and _string_arg(node) and _on_report(node.func.value):
                    bad.append(f"{path.relative_to(PKG.parent)}:{node.lineno} {ast.unparse(node)[:80]}")
                # c.formula.startswith(…) / c.formula == …: decide by Computed.method and .kind instead
                if node.func.attr in ("startswith", "endswith") and _is_formula(node.func.value):
                    bad.append(f"{path.relative_to(PKG.parent)}:{node.lineno} {ast.unparse(node)[:80]}")
            if isinstance(node, ast.Compare) and _is_formula(node.left) and isinstance(node.comparators[0], ast.Constant):
                bad.append(f"{path.relative_to(PKG.parent)}:{node.lineno} {ast.unparse(node)[:80]}")
    assert not bad, "\n".join(bad)


def _on_report(node: ast.AST) -> bool:
    text = ast.unparse(node)
    return text.endswith(("report", "view", "ctx.report", "self.report")) or text in ("idx", "find")


def _is_formula(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "formula" and ast.unparse(node.value) not in ("f", "finding")


def _packages() -> list[Path]:
    return [EXAMPLE, *sorted((FIXTURES / "core").glob("*.yaml")), *sorted((FIXTURES / "checks").rglob("*.yaml"))]


@pytest.fixture(scope="module")
def lookups(tmp_path_factory):
    """Every key the audit and the writers ask of a report, and every key the engine produced."""
    from jixiao.audit.registry import run_checks
    from jixiao.core.view import build_view
    from jixiao.io.readers import read_any
    from jixiao.render.api import render_view

    asked: list[object] = []
    produced: set[str] = set()
    original = ScoreReport.find

    def spy(self, key):
        asked.append(key)
        return original(self, key)

    ScoreReport.find = spy
    try:
        for path in _packages():
            if "profiles" in path.parts:
                continue
            try:
                pkg = read_any(path)
            except ValueError:
                continue  # fixtures of unreadable input
            findings = run_checks(pkg)
            assert isinstance(findings, list)
            view = build_view(pkg)
            produced |= {c.key.builder for c in view.report.all()}
            render_view(view, tmp_path_factory.mktemp("r"))
    finally:
        ScoreReport.find = original
    return asked, produced


def test_results_are_asked_for_by_key_builders_only(lookups):
    asked, _ = lookups
    plain = sorted({k for k in asked if not isinstance(k, Key)})
    assert not plain, f"keys written by hand: {plain[:5]}"


def test_every_builder_a_consumer_asks_for_is_filled_by_the_engine(lookups):
    asked, produced = lookups
    wanted = {k.builder for k in asked if isinstance(k, Key)}
    assert wanted, "the spy saw no look-up"
    assert wanted <= produced, f"asked for results the engine never produces: {sorted(wanted - produced)}"


def test_every_engine_key_comes_from_a_builder(lookups):
    _, produced = lookups
    builders = {name for name in dir(keys) if not name.startswith("_")}
    constants = {getattr(keys, n).builder for n in builders if isinstance(getattr(keys, n), Key)}
    assert produced <= builders | constants
