"""Resolving ``topgun.<Exchange>DataStore`` lazily from the plugin registry."""

from __future__ import annotations

import re
from typing import Any

from .registry import get_registry

# Market or variant words that may follow the exchange in a DataStore name (<Exchange>SpotDataStore,
# <Exchange>V2DataStore, <Exchange>PrivateDataStore); dropping them guesses the distribution's name.
_VARIANT_SUFFIX = re.compile(r"(spot|usdsm|coinm|futures?|private|public|v\d+)+$")


def resolve_export(name: str) -> Any:
    registry = get_registry()
    found = registry.datastores.get(name)
    if found is not None:
        return found
    if name.endswith("DataStore") and len(name) > len("DataStore"):
        exchange = _VARIANT_SUFFIX.sub("", name.removesuffix("DataStore").lower()) or name.lower()
        installed_plugin = next((p for p in registry.plugins if p.name == exchange), None)
        if installed_plugin is not None:
            offered = ", ".join(installed_plugin.datastores) or "none"
            raise AttributeError(
                f"topgun.{name}: plugin {exchange!r} ({installed_plugin.distribution} "
                f"{installed_plugin.version}) is installed but registers no DataStore of that name "
                f"(it registers: {offered}); check the spelling, or upgrade {installed_plugin.distribution}.",
                name=name,
                obj=None,
            )
        failed = [f for f in registry.failures if f.name == exchange]
        if failed:
            detail = f"; plugin {exchange!r} ({failed[0].distribution}) failed to load: {failed[0].error}"
        elif exchange in registry.disabled:
            detail = f"; plugin {exchange!r} is disabled by TOPGUN_DISABLE_PLUGINS"
        else:
            detail = ""
        installed = ", ".join(sorted(registry.datastores)) or "none"
        raise AttributeError(
            f"topgun.{name} is provided by an exchange plugin that is not installed{detail}. "
            f"Install it with `pip install topgun-{exchange}` (or `pip install topgun` for every "
            f"official exchange). DataStores available now: {installed}.",
            name=name,
            obj=None,
        )
    raise AttributeError(f"module 'topgun' has no attribute {name!r}", name=name, obj=None)
