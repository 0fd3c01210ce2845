"""``Recorder``: writes every frame a WebSocketApp receives to a recording file.

Nothing sent is recorded: no headers, no login messages, no subscriptions (they may carry
signatures). A recording holds what the exchange sent, the connection boundaries, and the URL
without its query string (which can carry a token).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

from yarl import URL

from ..plugin.specs import FrameDecoder
from ..ws.dispatch import DEFAULT_MAX_MSG_SIZE
from ..ws.owner import follow_reconnects
from .format import encode_frame, encode_marker, header
from .sink import Sink

__all__ = ["Recorder"]

FLUSH_INTERVAL = 1.0
"""Seconds between flushes: a crash loses at most this much of the feed."""


class Recorder:
    """A WebSocket handler that records: ``hdlr_str=rec.onmessage, hdlr_bytes=rec.onmessage``.

    Pass it next to a DataStore's ``hdlr_json``. On its first frame from a connection it follows
    the connection's app (``follow_reconnects``), so it is told of reconnections
    (``on_ws_reconnect``) and writes a ``reconnect`` marker there, before the new connection's
    first frame. ``decoder`` is the exchange's
    ``Host.ws_decoder`` (binary frames are recorded decoded, as the JSON handlers see them).
    ``rotate_bytes`` / ``rotate_seconds`` start a new numbered file (``feed-0001.jsonl.zst``,
    ``feed-0002.jsonl.zst``, ...) when the current one holds that many uncompressed bytes or is
    that old. ``close()`` (or ``with``) writes a ``close`` marker and ends the file cleanly.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        source: str | URL = "",
        decoder: FrameDecoder | None = None,
        rotate_bytes: int | None = None,
        rotate_seconds: float | None = None,
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        if rotate_bytes is not None and rotate_bytes <= 0:
            raise ValueError(f"rotate_bytes must be positive or None, not {rotate_bytes}")
        if rotate_seconds is not None and rotate_seconds <= 0:
            raise ValueError(f"rotate_seconds must be positive or None, not {rotate_seconds}")
        self._base = Path(path)
        self._source = str(URL(str(source)).with_query(None).with_fragment(None)) if source else ""
        self._decoder = decoder
        self._rotate_bytes = rotate_bytes
        self._rotate_seconds = rotate_seconds
        self._now = clock_ns
        self._ws: object = None
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self.conn = 0
        """The current connection's number (0 before the first frame)."""
        self.messages = 0
        self.bytes = 0
        """Frames and their bytes (as received) recorded so far."""
        self.reconnects = 0
        self.paths: list[Path] = []
        """Every file written, in order."""
        self._sink = self._open()

    # -- the handler surface ---------------------------------------------------------------

    def onmessage(self, data: str | bytes, ws: Any = None) -> None:
        """The ``hdlr_str`` / ``hdlr_bytes`` callback."""
        if self._closed:
            return
        now = self._now()
        if self.conn == 0 or (ws is not None and self._ws is None):
            self.conn = max(self.conn, 1)
            self._write(encode_marker(now, self.conn, "connect"), now)
        if ws is not None and ws is not self._ws:
            follow_reconnects(ws, self)  # once per app: told of its reconnections
        self._ws = ws if ws is not None else self._ws
        self.messages += 1
        self.bytes += len(data)
        if isinstance(data, bytes) and self._decoder is not None:
            with contextlib.suppress(Exception):  # not in the compressed form: kept as it came
                data = self._decoder(data, DEFAULT_MAX_MSG_SIZE)
        self._write(encode_frame(now, self.conn, data), now)

    def on_ws_reconnect(self, ws_app: Any = None) -> None:
        """Called by the WebSocketApp after a reconnection, before its first frame
        (``topgun.ws.owner.ReconnectAware``)."""
        if self._closed:
            return
        self.conn += 1
        self.reconnects += 1
        self._ws = None
        now = self._now()
        self._write(encode_marker(now, self.conn, "reconnect"), now)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._closed:
            self._sink.flush()

    def close(self) -> None:
        """Write the ``close`` marker and end the file; idempotent."""
        if self._closed:
            return
        now = self._now()
        self._sink.write(encode_marker(now, self.conn, "close"))
        self.flush()
        self._closed = True
        self._sink.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self.messages} messages"
        return f"<Recorder {str(self._sink.path)!r} {state}>"

    # -- files -----------------------------------------------------------------------------

    def _open(self) -> Sink:
        self._opened_ns = self._now()
        path = self._base
        if self._rotate_bytes is not None or self._rotate_seconds is not None:
            stem, dot, suffix = self._base.name.partition(".")
            path = self._base.with_name(f"{stem}-{len(self.paths) + 1:04d}{dot}{suffix}")
        sink = Sink(path)
        sink.write(header(self._source, self._opened_ns))
        self.paths.append(path)
        return sink

    def _write(self, line: bytes, now: int) -> None:
        if self._due_rotation(now):
            self._sink.close()
            self._sink = self._open()
        self._sink.write(line)
        if self._timer is None:
            self._schedule_flush()

    def _due_rotation(self, now: int) -> bool:
        if self._rotate_bytes is not None and self._sink.written >= self._rotate_bytes:
            return True
        age = (now - self._opened_ns) / 1e9
        return self._rotate_seconds is not None and age >= self._rotate_seconds

    def _schedule_flush(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # used outside asyncio: every write goes straight to disk
            self._sink.flush()
            return
        self._timer = loop.call_later(FLUSH_INTERVAL, self.flush)
