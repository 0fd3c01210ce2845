"""``.. topgun-api:: <module>``: the module's docstring, then one autodoc entry per name of its
``__all__``.

``automodule`` with ``:members:`` leaves out what a package re-exports from its submodules when
it is not a class or function (constants, type aliases, heartbeat specs), so those names would go
undocumented. Here every name gets its own entry: ``autoexception`` for exceptions,
``autoclass`` for classes, ``autofunction`` for functions, ``autodata`` for the rest.

A name is documented once, in its *home*: the first of ``HOMES`` that exports the same object
under the same name (``topgun.plugin`` re-exports ``topgun.Clock`` for plugin authors; its entry
is under ``topgun``). Elsewhere it is listed as re-exported, with a link, so that no object has two
entries (which would make its short name ambiguous). ``:exclude: A, B`` leaves names out that the
page documents by hand.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from types import ModuleType
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

HOMES = (
    "topgun",
    "topgun.store",
    "topgun.record",
    "topgun.ws",
    "topgun.plugin",
    "topgun.plugin.rsa",
    "topgun.registry",
    "topgun.testing",
    "topgun.testing.storefuzz",
    "topgun.errors",
    "topgun.http",
)


def home_of(name: str, value: object) -> str | None:
    """The first of ``HOMES`` exporting ``value`` as ``name`` (None: none of them does)."""
    for home in HOMES:
        module = importlib.import_module(home)
        if name in getattr(module, "__all__", ()) and getattr(module, name) is value:
            return home
    return None


def _role(value: object) -> str:
    if inspect.isclass(value):
        return "exc" if issubclass(value, BaseException) else "class"
    return "func" if inspect.isroutine(value) else "data"


def _entry(module: ModuleType, name: str) -> list[str]:
    value = getattr(module, name)
    target = f"{module.__name__}.{name}"
    if inspect.isclass(value):
        kind = "autoexception" if issubclass(value, BaseException) else "autoclass"
        return [f".. {kind}:: {target}", "   :members:", ""]
    if inspect.isroutine(value):
        return [f".. autofunction:: {target}", ""]
    return [f".. autodata:: {target}", ""]


def module_api_lines(
    module: ModuleType, exclude: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """reStructuredText documenting ``module`` and each name of its ``__all__`` not in ``exclude``
    whose home is this module (or no home: an exchange package's own names)."""
    lines = [f".. automodule:: {module.__name__}", ""]
    elsewhere: list[str] = []
    for name in getattr(module, "__all__", ()):
        if name in exclude:
            continue
        value = getattr(module, name)
        home = home_of(name, value)
        if home is None or home == module.__name__:
            lines += _entry(module, name)
        else:
            elsewhere.append(f":{_role(value)}:`{home}.{name}`")
    if elsewhere:
        lines += [f"Also exported by ``{module.__name__}``: " + ", ".join(elsewhere) + ".", ""]
    return lines


def _attribute_doc(name: str, value: object, package: str) -> list[str] | None:
    """The docstring written under ``name = ...`` in whichever module of ``package`` defines it
    (a package's ``__init__`` only re-exports it, so autodoc does not find it there)."""
    for modname, module in list(sys.modules.items()):
        if module is None or not (modname == package or modname.startswith(package + ".")):
            continue
        if getattr(module, name, None) is not value:
            continue
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except PycodeError:
            continue
        if ("", name) in docs:
            return list(docs[("", name)])
    return None


def _data_docstring(
    app: Any, what: str, name: str, obj: object, options: Any, lines: list[str]
) -> None:
    """A constant re-exported by a package: its own docstring, never its type's (a ``dict``'s or
    a ``Heartbeat``'s docstring says nothing about the constant)."""
    if what != "data" or "." not in name:
        return
    package, _, attribute = name.rpartition(".")
    own = _attribute_doc(attribute, obj, package.split(".")[0])
    if own is not None:
        lines[:] = own
    elif "\n".join(lines).strip() == inspect.cleandoc(type(obj).__doc__ or "").strip():
        lines[:] = []


def parse_into(directive: SphinxDirective, lines: list[str], source: str) -> list[nodes.Node]:
    container = nodes.container()
    nested_parse_with_titles(directive.state, StringList(lines, source=source), container)
    return list(container.children)


class ModuleApiDirective(SphinxDirective):
    required_arguments = 1
    option_spec = {"exclude": directives.unchanged}  # noqa: RUF012 - docutils' own convention

    def run(self) -> list[nodes.Node]:
        module = importlib.import_module(self.arguments[0])
        exclude = {
            name.strip() for name in self.options.get("exclude", "").split(",") if name.strip()
        }
        unknown = exclude - set(getattr(module, "__all__", ()))
        if unknown:
            raise self.error(f"{module.__name__}.__all__ has no {sorted(unknown)} to exclude")
        return parse_into(
            self, module_api_lines(module, exclude), f"<topgun-api {module.__name__}>"
        )


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("topgun-api", ModuleApiDirective)
    app.connect("autodoc-process-docstring", _data_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
