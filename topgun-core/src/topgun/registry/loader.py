"""Finding and importing plugins through the ``topgun`` entry-point group.

Core loads each entry point itself, sorted by name and isolated: one plugin that fails to import is
a warning naming its distribution and error (an error in strict mode), and the others still load.
"Fails" covers every exception, ``SystemExit`` (a plugin calling ``sys.exit()``) and other
``BaseException`` subclasses included; only ``KeyboardInterrupt`` (the user's Ctrl-C) goes through.
"""

from __future__ import annotations

import os
import types
from dataclasses import dataclass

__all__ = [
    "DISABLE_ENV_VAR",
    "ENTRY_POINT_GROUP",
    "STRICT_ENV_VAR",
    "LoadFailure",
    "LoadedPlugin",
    "describe_failure",
    "disabled_from_env",
    "discover_plugins",
    "strict_from_env",
]

ENTRY_POINT_GROUP = "topgun"
"""The entry-point group a plugin distribution declares its module under."""
STRICT_ENV_VAR = "TOPGUN_STRICT_PLUGINS"
"""Set to ``1`` (or ``true``, ``yes``, ``on``) to make a plugin that fails to load an error instead of a warning."""
DISABLE_ENV_VAR = "TOPGUN_DISABLE_PLUGINS"
"""Comma-separated plugin names not to load (to choose between two that claim the same name)."""


@dataclass(frozen=True, slots=True)
class LoadedPlugin:
    """A plugin module imported from its entry point, with the distribution that provides it."""

    name: str
    module: types.ModuleType
    distribution: str
    version: str


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """A plugin whose entry point could not be imported, and the error, as the warning says it."""

    name: str
    distribution: str
    error: str


def describe_failure(exc: BaseException) -> str:
    """How a plugin's failure reads in the warning; ``SystemExit`` says what it did."""
    if isinstance(exc, SystemExit):
        return f"SystemExit: the plugin called sys.exit({exc.code!r})"
    return f"{type(exc).__name__}: {exc}"


def strict_from_env() -> bool:
    return os.environ.get(STRICT_ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


def disabled_from_env() -> frozenset[str]:
    raw = os.environ.get(DISABLE_ENV_VAR, "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def discover_plugins(
    disabled: frozenset[str] | None = None,
) -> tuple[list[LoadedPlugin], list[LoadFailure], list[str]]:
    """Import every enabled plugin; return (loaded, failed, disabled names that were present)."""
    import importlib_metadata  # with the first Client(), not with ``import topgun`` (~10 ms)

    disabled = disabled_from_env() if disabled is None else disabled
    loaded: list[LoadedPlugin] = []
    failed: list[LoadFailure] = []
    skipped: list[str] = []
    eps = sorted(importlib_metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    for ep in eps:
        # One parse of the distribution's METADATA for both fields (.name and .version parse it each).
        metadata = ep.dist.metadata if ep.dist is not None else None
        dist = metadata["Name"] if metadata is not None else "<unknown distribution>"
        version = metadata["Version"] if metadata is not None else ""
        if ep.name in disabled:
            skipped.append(ep.name)
            continue
        try:
            module = ep.load()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # sys.exit() in a plugin must not end the app
            failed.append(LoadFailure(ep.name, dist, describe_failure(exc)))
            continue
        if not isinstance(module, types.ModuleType):
            failed.append(
                LoadFailure(
                    ep.name,
                    dist,
                    f"entry point {ep.value!r} must name a module, not {type(module).__name__}",
                )
            )
            continue
        loaded.append(LoadedPlugin(ep.name, module, dist, version))
    return loaded, failed, skipped
