"""Plugins and settings made quicker for tests, so real timers run in milliseconds."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable

from yarl import URL

from ..plugin import Heartbeat, Host, hookimpl
from ..ws.backoff import Backoff

__all__ = ["FAST_BACKOFF", "with_heartbeat_interval"]

FAST_BACKOFF = Backoff(min=0.05, max=0.2, factor=2.0, initial=0.05)
"""Reconnect within tenths of a second: ``ws_connect(..., backoff=FAST_BACKOFF)``."""

_HOOK_PREFIX = "topgun_register_"


def with_heartbeat_interval(plugin: types.ModuleType, interval: float) -> types.ModuleType:
    """A copy of the ``plugin`` module whose WebSocket heartbeats run every ``interval`` seconds.

    A test then sees the real heartbeat payload without waiting the real interval (which unit
    tests pin down). Heartbeat factories are wrapped too; every other hook is the plugin's own.
    Pass the copy to ``build_registry`` in place of the plugin.
    """
    module = types.ModuleType(f"{plugin.__name__.split('.')[0]}_fastbeat")
    for name in dir(plugin):
        if name.startswith(_HOOK_PREFIX):
            setattr(module, name, getattr(plugin, name))

    @hookimpl
    def topgun_register_hosts(register: Callable[[Host], None]) -> None:
        plugin.topgun_register_hosts(register=lambda host: register(_faster(host, interval)))

    module.topgun_register_hosts = topgun_register_hosts  # type: ignore[attr-defined]
    return module


def _faster(host: Host, interval: float) -> Host:
    beat = host.ws_heartbeat
    if beat is None:
        return host
    if isinstance(beat, Heartbeat):
        return dataclasses.replace(host, ws_heartbeat=dataclasses.replace(beat, interval=interval))
    factory = beat

    def heartbeat_for(url: URL) -> Heartbeat | None:
        made = factory(url)
        return None if made is None else dataclasses.replace(made, interval=interval)

    return dataclasses.replace(host, ws_heartbeat=heartbeat_for)
