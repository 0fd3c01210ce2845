"""The reconnecting WebSocket: ``Client.ws_connect`` returns a ``WebSocketApp``."""

from .app import WebSocketApp
from .backoff import Backoff
from .queue import WebSocketQueue
from .response import ClientWebSocketResponse
from .stats import ConnectionState, WebSocketStats

__all__ = [
    "Backoff",
    "ClientWebSocketResponse",
    "ConnectionState",
    "WebSocketApp",
    "WebSocketQueue",
    "WebSocketStats",
]
