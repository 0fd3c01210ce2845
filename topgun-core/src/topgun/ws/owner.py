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

__all__ = ["ConnectionOwner", "FetchingClient", "ReconnectAware", "follow_reconnects"]


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

    def add_disconnect_listener(self, listener: Callable[[Any], object]) -> Callable[[], None]: ...


class ReconnectAware(Protocol):
    """The reconnect notice, for objects that keep state a connection's stream built up.

    ``on_ws_reconnect(app)`` is called once after each *re*-connection of an app the object was
    fed from, after the login and before the new connection's first frame reaches any handler
    (never on the first connection). ``app`` is that ``WebSocketApp`` (a ``ConnectionOwner``),
    ``None`` when a recording is replayed, or another feed of the exchange's that reconnected (a
    plugin's own stream, say), so it is typed ``Any``. It must
    not raise (the app logs what it raises and goes on). The object subscribes itself, with
    ``follow_reconnects(ws, self)`` on a message from a new ``ws``: ``DataStoreCollection`` and
    ``Recorder`` do. An object that also has ``on_ws_disconnect(app)`` is told, as well, when a
    live connection drops and the app is about to reconnect (``DataStoreCollection`` puts its
    books out of sync there, so a book is never served while its feed is down).
    """

    def on_ws_reconnect(self, app: Any, /) -> None: ...


def follow_reconnects(ws: object, owner: ReconnectAware) -> None:
    """Have ``owner`` told of the reconnections (and drops, where it has ``on_ws_disconnect``) of
    the app that opened ``ws`` (once per app).

    Nothing happens for a connection no ``WebSocketApp`` opened (no ``ws.app`` that takes
    listeners): a handler fed by hand, or by another library, keeps working.
    """
    app = getattr(ws, "app", None)
    add = getattr(app, "add_reconnect_listener", None)
    if add is not None:
        add(owner.on_ws_reconnect)
    on_drop = getattr(owner, "on_ws_disconnect", None)
    add_drop = getattr(app, "add_disconnect_listener", None)
    if on_drop is not None and add_drop is not None:
        add_drop(on_drop)
