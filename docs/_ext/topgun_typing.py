"""Make names imported under ``if TYPE_CHECKING:`` real module globals while the docs build.

topgun's modules import some names only for type checking, to avoid import cycles at run time.
autodoc evaluates annotations with :func:`typing.get_type_hints`, which fails on such a name and
then leaves the whole signature as unlinked strings. By the time Sphinx reads the sources every
module is importable, so those imports can simply be run; the annotations then resolve to the
documented classes and link to them.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import typing
from types import ModuleType
from typing import Any

_PACKAGES = ("topgun", "topgun_")


def _type_checking_imports(module: ModuleType) -> list[ast.ImportFrom | ast.Import]:
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return []
    found: list[ast.ImportFrom | ast.Import] = []
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) in {
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        }:
            found.extend(n for n in node.body if isinstance(n, ast.ImportFrom | ast.Import))
    return found


def _bind(module: ModuleType, node: ast.ImportFrom | ast.Import) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            target = importlib.import_module(alias.name)
            module.__dict__.setdefault(alias.asname or alias.name.split(".")[0], target)
        return
    package = module.__package__ or module.__name__
    source = importlib.import_module("." * node.level + (node.module or ""), package)
    for alias in node.names:
        value: Any = getattr(source, alias.name)
        module.__dict__.setdefault(alias.asname or alias.name, value)


_bound: set[str] = set()


def bind_type_checking_names(*_: object) -> None:
    """Run the type-checking-only imports of every topgun module imported so far (autodoc
    imports them as it goes, so this runs before each signature is read)."""
    for name, module in list(sys.modules.items()):
        if name in _bound or module is None or not name.startswith(_PACKAGES):
            continue
        _bound.add(name)
        for node in _type_checking_imports(module):
            _bind(module, node)
        for value in list(vars(module).values()):
            if _is_own_namedtuple(value, name):
                _resolve_namedtuple(value)


def _is_own_namedtuple(value: object, module: str) -> bool:
    return isinstance(value, type) and value.__module__ == module and hasattr(value, "_fields")


def _resolve_namedtuple(cls: type) -> None:
    """A NamedTuple's generated ``__new__`` evaluates its string annotations in a synthetic
    namespace, not the class's module; give it the annotations resolved where they were written."""
    try:
        hints = typing.get_type_hints(cls)
    except NameError:
        return
    cls.__new__.__annotations__ = {**cls.__new__.__annotations__, **hints}


def _readable_factory_defaults(
    app: Any, what: str, name: str, obj: Any, options: Any, signature: str | None, annotation: Any
) -> tuple[str | None, Any] | None:
    """A dataclass field with a ``default_factory`` shows as ``= <factory>``, which is not Python
    and breaks the parsing of the whole signature (its annotations stay unlinked); show ``...``."""
    if signature is None or "<factory>" not in signature:
        return None
    return signature.replace("<factory>", "..."), annotation


def setup(app: Any) -> dict[str, Any]:
    app.connect("autodoc-before-process-signature", bind_type_checking_names)
    app.connect("autodoc-process-signature", _readable_factory_defaults)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
