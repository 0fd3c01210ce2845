"""Every core module declares its public names: a sorted ``__all__`` that is true and complete.

True: each listed name exists in the module. Complete: each class and function the module
defines without a leading underscore is listed (private helpers start with ``_``). Sorted the way
ruff's RUF022 sorts (constants, then classes, then the rest), so diffs of ``__all__`` stay small.
The top-level ``topgun`` names are pinned here too, so that removing a public name is a decision
someone writes down, not an accident of moving a module.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "topgun-core" / "src"
MODULES = sorted((SRC / "topgun").rglob("*.py"))

TOP_LEVEL = frozenset(
    """
    Auth AuthenticationError Backoff Bucket Client ClientWebSocketResponse Clock ClockSync
    ClockSyncError ConnectionState Credential CredentialError DataStore DataStoreCollection
    FetchResult FixedClock FrameTooLargeError InitializeError InsecureDestinationError
    NotJSONContent OrderBookStore PluginConflictError PluginError RateLimits Recorder
    RecordingError ReplayStats ResponseTooLargeError SigningError StoreChange StoreError
    StoreStream StreamClosedError TopgunError WebSocketApp WebSocketClosedError WebSocketQueue
    WebSocketStats __version__ hookimpl hookspec replay replay_into
    """.split()  # noqa: SIM905 - read as a paragraph, not a second copy of topgun.__all__
)


def _name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _declared_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                assert node.value is not None
                return list(ast.literal_eval(node.value))
    return None


def _ruff_key(name: str) -> tuple[int, str]:
    # RUF022's isort-style order: SCREAMING_SNAKE_CASE, then CamelCase, then everything else.
    if len(name) > 1 and name.isupper():
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def _defined(tree: ast.Module) -> set[str]:
    """Top-level classes and functions without a leading underscore."""
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
    }


@pytest.mark.parametrize("path", MODULES, ids=[_name(p) for p in MODULES])
def test_module_declares_a_sorted_true_and_complete_all(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    declared = _declared_all(tree)
    if declared is None:
        pytest.fail(f"{_name(path)} has no __all__; list its public names (or [] if none)")
    assert declared == sorted(declared, key=_ruff_key), "sort __all__ (ruff check --fix does)"
    assert len(set(declared)) == len(declared)
    if path.name != "__main__.py":  # importing it runs the command line
        module = importlib.import_module(_name(path))
        assert [name for name in declared if not hasattr(module, name)] == []
    assert sorted(_defined(tree) - set(declared)) == []


def test_top_level_names_are_pinned() -> None:
    import topgun

    assert set(topgun.__all__) == TOP_LEVEL
    for name in TOP_LEVEL:
        assert getattr(topgun, name) is not None


def test_exceptions_and_warnings_live_in_errors() -> None:
    """One place to find what topgun raises: no public exception class is defined elsewhere."""
    base = re.compile(r"\b(Exception|Error|Warning|MalformedMessage)\b")
    elsewhere = [
        f"{_name(path)}.{node.name}"
        for path in MODULES
        if path.name != "errors.py"
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.ClassDef)
        and not node.name.startswith("_")
        and any(base.search(ast.unparse(b)) for b in node.bases)
    ]
    assert elsewhere == []
