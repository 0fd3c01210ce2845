"""The plugin registry: built once, lazily, then frozen into plain dict lookups."""

from .build import PluginFailure, PluginInfo, Registry, Route, build_registry
from .loader import (
    DISABLE_ENV_VAR,
    ENTRY_POINT_GROUP,
    STRICT_ENV_VAR,
    LoadedPlugin,
    discover_plugins,
)
from .state import get_registry, reset_registry

__all__ = [
    "DISABLE_ENV_VAR",
    "ENTRY_POINT_GROUP",
    "STRICT_ENV_VAR",
    "LoadedPlugin",
    "PluginFailure",
    "PluginInfo",
    "Registry",
    "Route",
    "build_registry",
    "discover_plugins",
    "get_registry",
    "reset_registry",
]
