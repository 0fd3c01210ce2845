"""Resolving ``topgun.<Exchange>DataStore`` lazily from the plugin registry.

When a name is missing, the error says what is known and nothing more: which DataStores the
installed plugins register (with the closest one, if the name looks like a misspelling), which
installed plugins could not be asked (failed to load, or disabled), and how to find the
distribution that provides a DataStore. A distribution is named only as the provider of a
DataStore it registers; core knows no exchange, so it never guesses one from the name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from .registry import Registry, get_registry

__all__ = ["missing_datastore_message", "resolve_export"]

_SUFFIX = "DataStore"


def resolve_export(name: str, public: Iterable[str] = ()) -> Any:
    """The registered DataStore called ``name``; else an AttributeError that names the closest
    of ``public`` (the package's own names) and the registered DataStores."""
    registry = get_registry()
    found = registry.datastores.get(name)
    if found is not None:
        return found
    if name.endswith(_SUFFIX) and len(name) > len(_SUFFIX):
        raise AttributeError(missing_datastore_message(name, registry), name=name, obj=None)
    message = f"module 'topgun' has no attribute {name!r}"
    close = _closest(name, (*public, *registry.datastores))
    if close is not None:
        message += f"; did you mean topgun.{close}?"
    raise AttributeError(message, name=name, obj=None)


def missing_datastore_message(name: str, registry: Registry) -> str:
    """Why ``topgun.<name>`` does not resolve, and what the user can do about it."""
    parts = [f"topgun.{name}: no installed topgun plugin registers a DataStore of that name."]
    close = _closest(name, registry.datastores)
    if close is not None:
        provider = registry.datastore_distribution(close)
        parts.append(f"Did you mean topgun.{close} (from {provider})?")
    available = ", ".join(
        f"{store} ({registry.datastore_distribution(store)})"
        for store in sorted(registry.datastores)
    )
    parts.append(f"DataStores the installed plugins register: {available or 'none'}.")
    unknown = [
        f"{failure.name} ({failure.distribution}) failed to load: {failure.error}"
        for failure in registry.failures
    ] + [f"{plugin} is disabled by TOPGUN_DISABLE_PLUGINS" for plugin in registry.disabled]
    if unknown:
        parts.append(
            "Installed plugins that could not be asked, and may provide it: "
            + "; ".join(unknown)
            + "."
        )
    parts.append(
        "Exchange DataStores come from exchange plugin distributions: install the one that "
        "provides it (topgun's documentation lists which distribution registers which DataStore), "
        "then `topgun exchanges` shows what each installed plugin registers."
    )
    return " ".join(parts)


def _closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name``, if any is close.

    Compared without case (exchange names are cased every way) and without the common
    ``DataStore`` suffix, which would otherwise make every pair of DataStore names look alike.
    """
    by_stem = {_stem(candidate): candidate for candidate in candidates}
    match = difflib.get_close_matches(_stem(name), list(by_stem), n=1, cutoff=0.75)
    return by_stem[match[0]] if match else None


def _stem(name: str) -> str:
    return name.lower().removesuffix(_SUFFIX.lower())
