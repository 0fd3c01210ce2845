"""topgun: an asyncio client for crypto-exchange HTTP and WebSocket APIs, for trading bots."""

from typing import Any

from ._version import __version__
from .client import Client
from .clock import Clock, FixedClock
from .credential import Credential
from .errors import (
    AuthenticationError,
    ClockSyncError,
    CredentialError,
    FrameTooLargeError,
    InitializeError,
    InsecureDestinationError,
    PluginConflictError,
    PluginError,
    ResponseTooLargeError,
    SigningError,
    StoreError,
    StreamClosedError,
    TopgunError,
    WebSocketClosedError,
)
from .http import Auth, FetchResult, NotJSONContent
from .http.ratelimits import Bucket, RateLimits
from .http.timesync import ClockSync
from .plugin import hookimpl, hookspec
from .record import Recorder, RecordingError, ReplayStats, replay, replay_into
from .store import DataStore, DataStoreCollection, OrderBookStore, StoreChange, StoreStream
from .ws import (
    Backoff,
    ClientWebSocketResponse,
    ConnectionState,
    WebSocketApp,
    WebSocketQueue,
    WebSocketStats,
)

__all__ = [
    "Auth",
    "AuthenticationError",
    "Backoff",
    "Bucket",
    "Client",
    "ClientWebSocketResponse",
    "Clock",
    "ClockSync",
    "ClockSyncError",
    "ConnectionState",
    "Credential",
    "CredentialError",
    "DataStore",
    "DataStoreCollection",
    "FetchResult",
    "FixedClock",
    "FrameTooLargeError",
    "InitializeError",
    "InsecureDestinationError",
    "NotJSONContent",
    "OrderBookStore",
    "PluginConflictError",
    "PluginError",
    "RateLimits",
    "Recorder",
    "RecordingError",
    "ReplayStats",
    "ResponseTooLargeError",
    "SigningError",
    "StoreChange",
    "StoreError",
    "StoreStream",
    "StreamClosedError",
    "TopgunError",
    "WebSocketApp",
    "WebSocketClosedError",
    "WebSocketQueue",
    "WebSocketStats",
    "__version__",
    "hookimpl",
    "hookspec",
    "replay",
    "replay_into",
]


def __getattr__(name: str) -> Any:
    # Exchange DataStores (topgun.<Exchange>DataStore) come from plugins, found on first use.
    if name.startswith("__"):
        raise AttributeError(name)
    from .exports import resolve_export

    return resolve_export(name, __all__)
