"""What code holding only a connection may use of the objects behind it.

A handler gets the live ``ClientWebSocketResponse``; through ``ws.app`` it reaches the
``WebSocketApp`` that opened it, and through ``ws.app.client`` the ``Client`` that made the app
(a store fetching a REST snapshot does). Those back-references are declared here as Protocols, so
that the connection does not import the app, nor the app the Client, and the layers stay a
one-way stack: Client -> WebSocketApp -> connection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from yarl import URL

from ..http.result import FetchResult
from ..registry import Registry
from .stats import ConnectionState, WebSocketStats

__all__ = ["ConnectionOwner", "FetchingClient"]


class FetchingClient(Protocol):
    """What ``WebSocketApp.client`` offers: the ``topgun.Client`` that made the app."""

    @property
    def registry(self) -> Registry: ...

    @property
    def api_names(self) -> tuple[str, ...]: ...

    async def fetch(
        self, method: str, url: str | URL, *, params: Any = None, data: Any = None, **kwargs: Any
    ) -> FetchResult: ...


class ConnectionOwner(Protocol):
    """What ``ClientWebSocketResponse.app`` offers: the ``WebSocketApp`` that opened it."""

    @property
    def url(self) -> str: ...

    @property
    def client(self) -> FetchingClient | None: ...

    @property
    def stats(self) -> WebSocketStats: ...

    @property
    def state(self) -> ConnectionState: ...

    def add_reconnect_listener(self, listener: Callable[[Any], object]) -> Callable[[], None]: ...
