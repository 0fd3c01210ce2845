"""The one import surface of an exchange distribution, checked from its files (docs/plugins.rst).

``import_problems`` reads every module with ``ast`` and names each ``topgun`` import outside the
surface: ``topgun.plugin``, ``topgun.testing``, the conformance suite
``topgun.testing.conformance`` and the public top-level ``topgun`` names
(``topgun.<Name>DataStore`` included), plus the fixture module ``topgun.testing.fixtures``
star-imported by a ``conftest.py``. Core's inner modules can then move without breaking a plugin.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterable
from pathlib import Path

__all__ = ["SURFACE", "import_problems"]

SURFACE = ("topgun", "topgun.plugin", "topgun.testing", "topgun.testing.conformance")
"""The modules a distribution may import from; each by the names in its ``__all__``. The
conformance suite is a module of its own because it needs pytest, which ``topgun.testing`` does
not."""

_FIXTURES = "topgun.testing.fixtures"


def _public_names(module: str) -> frozenset[str]:
    return frozenset(importlib.import_module(module).__all__)


def _is_datastore_name(name: str) -> bool:
    # topgun.<Name>DataStore resolves through the registry, from whichever plugin registers it.
    return name.endswith("DataStore") and name[:1].isalpha()


def _allowed(module: str, name: str) -> bool:
    if module == "topgun" and _is_datastore_name(name):
        return True
    return name in _public_names(module)


def _where(path: Path, node: ast.AST, root: Path | None) -> str:
    shown = path.relative_to(root) if root is not None else path
    return f"{shown}:{getattr(node, 'lineno', 0)}"


def _module_problems(path: Path, root: Path | None) -> Iterable[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    topgun_aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "topgun":
                    topgun_aliases.add(alias.asname or "topgun")
                elif alias.name.startswith("topgun."):
                    yield (
                        f"{_where(path, node, root)}: import {alias.name}: import names from "
                        f"{', '.join(SURFACE)} instead"
                    )
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            if module != "topgun" and not module.startswith("topgun."):
                continue
            if module == _FIXTURES:
                if path.name == "conftest.py" and [a.name for a in node.names] == ["*"]:
                    continue
                yield (
                    f"{_where(path, node, root)}: {module} holds pytest fixtures: star-import it "
                    "in conftest.py only (from topgun.testing.fixtures import *)"
                )
                continue
            if module not in SURFACE:
                names = ", ".join(alias.name for alias in node.names)
                yield (
                    f"{_where(path, node, root)}: from {module} import {names}: {module} is not "
                    f"part of the plugin surface; import these from {', '.join(SURFACE)}"
                )
                continue
            for alias in node.names:
                if not _allowed(module, alias.name):
                    yield (
                        f"{_where(path, node, root)}: from {module} import {alias.name}: "
                        f"{alias.name!r} is not in {module}.__all__"
                    )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in topgun_aliases
            and not _allowed("topgun", node.attr)
        ):
            yield (
                f"{_where(path, node, root)}: {node.value.id}.{node.attr} is not a public "
                "top-level name; import it from topgun.plugin or topgun.testing"
            )


def import_problems(paths: Iterable[Path], root: Path | None = None) -> list[str]:
    """Every ``topgun`` import in ``paths`` (files, or folders searched for ``*.py``) outside
    the plugin surface, as ``path:line: what and what to do``; paths are shown from ``root``."""
    problems: list[str] = []
    for path in paths:
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            problems.extend(_module_problems(file, root))
    return problems
