"""Core's modules import each other without cycles.

The graph is read from the source with ``ast`` (no module is imported): every ``import`` and
``from ... import`` inside ``topgun-core/src/topgun``, at any depth (under ``TYPE_CHECKING`` and
inside functions too, since a deferred import is a cycle hidden, not removed). ``from pkg import
name`` counts as an edge to ``pkg.name`` where that is a module, else to ``pkg``. A package's
``__init__`` is the package's module; importing a submodule is not counted as importing its parent
package's ``__init__``, as import-linter and pydeps count it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "topgun-core" / "src"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted((SRC / "topgun").rglob("*.py"))}


def _imported(module: str, path: Path, known: set[str]) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                yield submodule if submodule in known else target


def import_graph() -> dict[str, set[str]]:
    """Core module -> the core modules it imports."""
    modules = _modules()
    known = set(modules)
    return {
        name: {target for target in _imported(name, path, known) if target in known} - {name}
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_core_has_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_the_walk_sees_cycles_and_deferred_imports() -> None:
    # The checker itself: a two-module cycle through a function-level import is found.
    graph = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert cycles(graph) == [["a", "b"]]
    assert "topgun.client" in import_graph()["topgun"]


def test_core_uses_no_private_aiohttp_name() -> None:
    """aiohttp's underscore names change without notice; core builds on its public API only."""
    found = []
    for path in sorted((SRC / "topgun").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aiohttp"):
                modules = (node.module or "").split(".")
                names = [alias.name for alias in node.names]
                if any(part.startswith("_") for part in modules + names):
                    found.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                base = ast.unparse(node.value)
                if base == "aiohttp" or base.startswith("aiohttp."):
                    found.append(f"{path.name}:{node.lineno}")
    assert found == []
