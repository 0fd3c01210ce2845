"""Live counters of one WebSocketApp, cheap enough to update on every message.

A bot reads them to log or alert (``app.stats.as_dict()``); nothing here is computed per message
beyond an increment and a clock read. Activity times are ``time.monotonic()`` readings (a C call,
cheaper per message than the event loop's ``time()`` method); wall times are derived on reading.
"""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Any

__all__ = ["ConnectionState", "WebSocketStats"]


class ConnectionState(StrEnum):
    """Where a WebSocketApp is in its connect cycle."""

    CONNECTING = "connecting"
    """Opening the TCP/TLS connection and the WebSocket handshake."""
    AUTHENTICATING = "authenticating"
    """Handshake done; the exchange login is running (private streams only)."""
    SUBSCRIBING = "subscribing"
    """Logged in (or no login needed); the ``send_*`` messages are going out, frames are handled."""
    READY = "ready"
    """Logged in and every ``send_*`` message sent: ``await app.ready()`` returns."""
    BACKOFF = "backoff"
    """Disconnected; waiting before the next attempt."""
    CLOSED = "closed"
    """``close()`` was called, or the Client (or its session) closed. Final."""


class WebSocketStats:
    """Counters since the app was created. Read them any time; they change as frames arrive.

    ``connects`` counts completed handshakes; ``reconnects`` the connections that became live after
    an earlier live one (each one is also a reconnect notification); ``connect_failures`` attempts
    that did not get a handshake; ``auth_failures`` logins that were rejected, timed out or broke;
    ``disconnects`` live connections that ended. ``messages_received``/``bytes_received`` count text
    and binary frames handed to handlers (payload bytes). ``non_json`` counts frames the JSON
    handlers could not decode, ``handler_errors`` exceptions raised by handlers,
    ``oversized_frames`` frames dropped because the exchange's ``ws_decoder`` would have opened
    them to more than ``max_msg_size`` bytes (decompression bombs).
    """

    __slots__ = (
        "_last_rx",
        "auth_failures",
        "bytes_received",
        "connect_failures",
        "connected_at",
        "connects",
        "disconnects",
        "handler_errors",
        "last_error",
        "messages_received",
        "non_json",
        "oversized_frames",
        "reconnects",
        "state",
    )

    def __init__(self) -> None:
        self._last_rx: float | None = None  # time.monotonic() of the last data frame
        self.state = ConnectionState.CONNECTING
        self.connects = 0
        self.reconnects = 0
        self.connect_failures = 0
        self.auth_failures = 0
        self.disconnects = 0
        self.messages_received = 0
        self.bytes_received = 0
        self.non_json = 0
        self.handler_errors = 0
        self.oversized_frames = 0
        self.last_error: str | None = None
        self.connected_at: float | None = None

    @property
    def last_message_at(self) -> float | None:
        """Unix time of the last text/binary frame received, or None if there was none yet."""
        if self._last_rx is None:
            return None
        return time.time() - (time.monotonic() - self._last_rx)

    @property
    def idle_seconds(self) -> float | None:
        """Seconds since the last text/binary frame (None before the first one)."""
        return None if self._last_rx is None else time.monotonic() - self._last_rx

    def as_dict(self) -> dict[str, Any]:
        """A snapshot for logging or metrics."""
        return {
            "state": str(self.state),
            "connects": self.connects,
            "reconnects": self.reconnects,
            "connect_failures": self.connect_failures,
            "auth_failures": self.auth_failures,
            "disconnects": self.disconnects,
            "messages_received": self.messages_received,
            "bytes_received": self.bytes_received,
            "non_json": self.non_json,
            "handler_errors": self.handler_errors,
            "oversized_frames": self.oversized_frames,
            "last_message_at": self.last_message_at,
            "connected_at": self.connected_at,
            "last_error": self.last_error,
        }

    def __repr__(self) -> str:
        return (
            f"<WebSocketStats {self.state} connects={self.connects} reconnects={self.reconnects} "
            f"auth_failures={self.auth_failures} messages={self.messages_received}>"
        )
