"""Hook specifications. Called once per registry build, never per request or message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

from .specs import ApiSpec, Host

__all__ = ["topgun_register_apis", "topgun_register_datastores", "topgun_register_hosts"]

PROJECT = "topgun"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    """Declare the API names this plugin owns and the credential shape each one takes."""


@hookspec
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    """Declare the HTTP and WebSocket hosts this plugin handles, and how (signer, login, heartbeat)."""


@hookspec
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    """Declare DataStoreCollection classes by public name (``topgun.<name>`` resolves to them)."""
