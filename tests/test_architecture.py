"""The layout docs/architecture.md promises, checked on the source: no import cycles between
licensecheck's modules, nothing outside `cli/` imports the CLI, and the core (identify,
knowledge, bases, lineage, policy, results, facts, codec) imports no source, format, audit
or CLI module and no network, terminal or CLI library. Function-local imports count: a lazy
import is still a dependency."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import licensecheck

PACKAGE = Path(licensecheck.__file__).parent

CORE = (
    "licensecheck.identify",
    "licensecheck.knowledge",
    "licensecheck.bases",
    "licensecheck.lineage",
    "licensecheck.policy",
    "licensecheck.results",
    "licensecheck.facts",
    "licensecheck.codec",
)
# What the core may not import: the stages after it, the I/O around it, and the libraries
# that talk to networks and terminals. (`sources.refs` is the pure Hub-id rule it shares.)
CORE_MAY_NOT = (
    "licensecheck.cli",
    "licensecheck.formats",
    "licensecheck.audit",
    "licensecheck.sources.hub",
    "licensecheck.sources.local",
    "licensecheck.sources.cache",
    "licensecheck.sources.lock",
    "licensecheck.sources.interface",
    "click",
    "rich",
    "huggingface_hub",
    "httpx",
    "httpx2",
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ("licensecheck", *path.relative_to(PACKAGE).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


@cache
def imports(module: str) -> frozenset[str]:
    """Every module `module` imports anywhere in its source (function-local included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in MODULES else node.module)
    return frozenset(out)


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_module_list_is_the_package() -> None:
    assert "licensecheck.cli.main" in MODULES and "licensecheck.lineage" in MODULES
    assert len(MODULES) > 60


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The import cycles of `graph` (module -> the modules it imports), depth first."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return cycles


def test_no_import_cycles() -> None:
    graph = {m: sorted(d for d in imports(m) if d in MODULES and d != m) for m in MODULES}
    assert sum(map(len, graph.values())) > 200  # the imports were read
    assert find_cycles(graph) == []


def test_only_the_cli_imports_the_cli() -> None:
    outside = {
        (module, dep)
        for module in MODULES
        if not _within(module, ("licensecheck.cli", "licensecheck.__main__"))
        for dep in imports(module)
        if _within(dep, ("licensecheck.cli",))
    }
    assert outside == set()


def test_the_core_imports_no_later_stage_and_no_io_library() -> None:
    core = [m for m in MODULES if _within(m, CORE)]
    assert len(core) >= 20
    bad = {(m, dep) for m in core for dep in imports(m) if _within(dep, CORE_MAY_NOT)}
    assert bad == set()


def test_the_checks_would_see_a_violation() -> None:
    assert find_cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c", "a"]]
    assert "licensecheck.sources.refs" in imports("licensecheck.bases")
    assert _within("licensecheck.cli.scan", ("licensecheck.cli",))
    assert not _within("licensecheck.client", ("licensecheck.cli",))
