"""The process-wide registry, built on first use."""

from __future__ import annotations

from .build import Registry, build_registry
from .loader import discover_plugins

__all__ = ["get_registry", "reset_registry"]

_registry: Registry | None = None


def get_registry() -> Registry:
    """The registry of installed plugins, built from entry points the first time it is needed."""
    global _registry
    if _registry is None:
        loaded, failed, disabled = discover_plugins()
        _registry = build_registry(loaded, load_failures=failed, disabled=disabled)
    return _registry


def reset_registry() -> None:
    """Forget the built registry, so the next use rediscovers plugins (tests, after installs)."""
    global _registry
    _registry = None
