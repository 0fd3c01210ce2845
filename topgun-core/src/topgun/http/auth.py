"""The ``auth=`` argument of every request and ``ws_connect``: sign, do not sign, or Basic auth.

``Auth`` (the default) signs automatically for known exchange hosts; ``None`` sends the request
or opens the WebSocket without credentials; an ``aiohttp.BasicAuth`` is aiohttp's own, for hosts
no plugin signs (a webhook behind a password, say).
"""

from __future__ import annotations

from typing import TypeAlias

import aiohttp

__all__ = ["Auth", "AuthArg", "basic_auth"]


class Auth:
    """Sentinel for ``auth=``: the default, sign automatically. ``auth=None`` turns signing off.

    Kept under this name so code written for pybotters (``auth=pybotters.Auth``) moves over as is.
    """


AuthArg: TypeAlias = type[Auth] | aiohttp.BasicAuth | None
"""What ``auth=`` takes: ``Auth`` (sign), ``None`` (no credentials), or an ``aiohttp.BasicAuth``."""


def basic_auth(auth: AuthArg) -> aiohttp.BasicAuth | None:
    """The part of ``auth`` aiohttp sees: its BasicAuth, or nothing for ``Auth`` and ``None``."""
    return auth if isinstance(auth, aiohttp.BasicAuth) else None
