"""Handing received frames to the handlers: the hot path of every WebSocket.

Handlers are called directly from the receive loop, in order, each in its own ``try`` (free in
CPython 3.11+ until something raises): no ``call_soon`` per message, and a handler that raises is
logged with its traceback while the connection and the other handlers carry on. Text frames
arrive as bytes (aiohttp's ``decode_text=False``), so JSON is decoded once, straight from the
wire bytes, by orjson, and the UTF-8 decode is paid only when a ``hdlr_str`` wants a ``str``.
The exchange's ``ws_decoder`` (if any) opens binary frames before JSON decoding, and its
``ws_responder`` answers server pings before the handlers see them.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp
import orjson
from aiohttp import WSMessage, WSMsgType

from ..errors import FrameTooLargeError
from ..plugin.specs import FrameDecoder, MessageResponder
from .link import Link
from .response import dumps
from .stats import WebSocketStats

__all__ = [
    "DEFAULT_MAX_MSG_SIZE",
    "MAX_OVERSIZED_IN_A_ROW",
    "QUIET_TEXT",
    "Handler",
    "Handlers",
    "OversizedFrames",
    "as_list",
    "pump",
]

log = logging.getLogger("topgun.ws")

Handler = Callable[[Any, aiohttp.ClientWebSocketResponse], object]
"""``handler(message, ws)``: the message is a ``str`` (hdlr_str), ``bytes`` (hdlr_bytes) or the
decoded JSON value (hdlr_json); ``ws`` is the live connection, for replies."""

# Generic keep-alive strings some exchanges send as bare text; not JSON, and not worth a warning.
QUIET_TEXT = frozenset({b"ping", b"pong", b"PING", b"PONG"})
_PREVIEW = 120
# A synchronous handler cannot be cancelled: a CancelledError it raises (``result()`` of a
# cancelled future, say) is its own bug, and must not end the receive loop as if the app closed.
_HANDLER_ERRORS = (Exception, asyncio.CancelledError)
_ERROR_LOG_EVERY = 10.0

DEFAULT_MAX_MSG_SIZE = 4 * 1024 * 1024
"""aiohttp's default ``max_msg_size``: the most a frame may hold, on the wire or decompressed."""
MAX_OVERSIZED_IN_A_ROW = 8
"""Oversized frames in a row (none decodable between them) after which the connection is dropped
and the app backs off: one bad frame is not a dead link, a peer sending only bombs is."""


def as_list(value: Any) -> list[Any]:
    """``ws_connect`` takes one item or a list of them."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


class Handlers:
    """The three handler lists of one app, and what the dispatch needs around them."""

    __slots__ = ("_errors", "on_bytes", "on_json", "on_str", "stats")

    def __init__(
        self,
        stats: WebSocketStats,
        hdlr_str: Iterable[Handler] = (),
        hdlr_bytes: Iterable[Handler] = (),
        hdlr_json: Iterable[Handler] = (),
    ) -> None:
        self.stats = stats
        self.on_str = tuple(hdlr_str)
        self.on_bytes = tuple(hdlr_bytes)
        self.on_json = tuple(hdlr_json)
        every = (*self.on_str, *self.on_bytes, *self.on_json)
        for handler in every:
            if not callable(handler):
                raise TypeError(f"a WebSocket handler must be callable, got {handler!r}")
            if inspect.iscoroutinefunction(handler):
                raise TypeError(
                    f"WebSocket handlers are called synchronously for every message; "
                    f"{_name(handler)} is a coroutine function. Hand messages to your own task "
                    "instead, for example through a topgun.WebSocketQueue"
                )
        # handler -> (loop time of the last traceback logged, exceptions since then)
        self._errors: dict[int, tuple[float, int]] = {}

    def failed(self, handler: Handler, now: float) -> None:
        """Log the exception being handled; at most one traceback per handler every 10 s."""
        self.stats.handler_errors += 1
        last, suppressed = self._errors.get(id(handler), (-_ERROR_LOG_EVERY, 0))
        if now - last >= _ERROR_LOG_EVERY:
            more = f" (and {suppressed} more times since the last report)" if suppressed else ""
            log.exception(
                "WebSocket handler %s raised%s; it keeps being called", _name(handler), more
            )
            self._errors[id(handler)] = (now, 0)
        else:
            self._errors[id(handler)] = (last, suppressed + 1)


class OversizedFrames:
    """Frames whose decoded form exceeds the maximum message size: dropped, counted, logged.

    One WARNING, then at most one every 10 s with the count since; ``drop`` says when the
    connection should end (``MAX_OVERSIZED_IN_A_ROW`` of them with nothing good in between).
    """

    __slots__ = ("_label", "_last_log", "_max_size", "_stats", "_suppressed", "run")

    def __init__(self, stats: WebSocketStats, label: str, max_size: int) -> None:
        self._stats = stats
        self._label = label
        self._max_size = max_size
        self._last_log = -_ERROR_LOG_EVERY
        self._suppressed = 0
        self.run = 0

    def drop(self, exc: FrameTooLargeError) -> bool:
        """Record one dropped frame; True when the connection should end."""
        self._stats.oversized_frames += 1
        self.run += 1
        now = time.monotonic()
        if now - self._last_log >= _ERROR_LOG_EVERY:
            more = f" ({self._suppressed} more since the last report)" if self._suppressed else ""
            log.warning(
                "%s: dropped a frame larger than max_msg_size=%d once decoded (%s)%s; pass a "
                "larger max_msg_size to ws_connect if the exchange really sends such messages",
                self._label,
                self._max_size,
                exc,
                more,
            )
            self._last_log = now
            self._suppressed = 0
        else:
            self._suppressed += 1
        return self.run >= MAX_OVERSIZED_IN_A_ROW

    def reason(self) -> str:
        return f"{self.run} frames in a row opened to more than max_msg_size={self._max_size} bytes"


def _name(handler: Handler) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)


async def pump(
    link: Link,
    handlers: Handlers,
    backlog: list[WSMessage],
    *,
    autoping: bool,
    quiet: frozenset[bytes],
    label: str,
    decoder: FrameDecoder | None = None,
    responder: MessageResponder | None = None,
    max_size: int = DEFAULT_MAX_MSG_SIZE,
) -> WSMessage:
    """Receive and dispatch until the connection ends; return the frame that ended it.

    ``max_size`` bounds what ``decoder`` may open a frame into (0: no bound); a frame past it
    is dropped (see ``OversizedFrames``).
    """
    ws = link.ws
    receive = ws.receive
    now = time.monotonic
    stats = handlers.stats
    on_str, on_bytes, on_json = handlers.on_str, handlers.on_bytes, handlers.on_json
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    text, binary = WSMsgType.TEXT, WSMsgType.BINARY
    warned = False
    oversized = OversizedFrames(stats, label, max_size)
    pending = list(reversed(backlog))
    while True:
        msg = pending.pop() if pending else await receive()
        kind = msg.type
        if kind is text or kind is binary:
            data = msg.data
            stats._last_rx = now()
            stats.messages_received += 1
            stats.bytes_received += len(data)
            if kind is text:
                if on_str:
                    try:
                        string = data.decode()
                    except UnicodeDecodeError:
                        log.warning("%s: dropped a text frame that is not valid UTF-8", label)
                        continue
                    for handler in on_str:
                        try:
                            handler(string, ws)
                        except _HANDLER_ERRORS:
                            handlers.failed(handler, now())
            elif on_bytes:
                for handler in on_bytes:
                    try:
                        handler(data, ws)
                    except _HANDLER_ERRORS:
                        handlers.failed(handler, now())
            if on_json or responder is not None:
                payload = data
                if decoder is not None and kind is binary:
                    try:
                        payload = decoder(data, max_size)
                        if max_size and len(payload) > max_size:
                            raise FrameTooLargeError(f"the decoder returned {len(payload)} bytes")
                    except FrameTooLargeError as exc:
                        if oversized.drop(exc):
                            reason = oversized.reason()
                            link.abort(reason)  # no polite close with such a peer
                            return WSMessage(WSMsgType.ERROR, FrameTooLargeError(reason), None)
                        continue
                    except Exception:
                        payload = data  # not in the exchange's compressed form: as it arrived
                    else:
                        oversized.run = 0
                try:
                    decoded = loads(payload)
                except decode_error:
                    if payload in quiet:
                        continue
                    stats.non_json += 1
                    level = logging.DEBUG if warned else logging.WARNING
                    warned = True
                    log.log(
                        level,
                        "%s: a %s frame is not JSON; JSON handlers skip it (first %d bytes: %r)%s",
                        label,
                        "text" if kind is text else "binary",
                        _PREVIEW,
                        bytes(data[:_PREVIEW]),
                        ""
                        if level == logging.DEBUG
                        else "; further ones on this connection at DEBUG",
                    )
                    continue
                if responder is not None:
                    await _respond(ws, responder, decoded, label)
                for handler in on_json:
                    try:
                        handler(decoded, ws)
                    except _HANDLER_ERRORS:
                        handlers.failed(handler, now())
        elif kind is WSMsgType.PING:
            link.touch()
            if autoping:
                await ws.pong(msg.data)
        elif kind is WSMsgType.PONG:
            link.pong_received(msg.data)
        else:
            return msg


async def _respond(
    ws: aiohttp.ClientWebSocketResponse, responder: MessageResponder, message: Any, label: str
) -> None:
    """Send what the exchange's responder answers ``message`` with (a pong echoing a ping)."""
    try:
        reply = responder(message)
        text = None if reply is None else dumps(reply)
    except Exception:
        log.exception("%s: the exchange's message responder raised", label)
        return
    if text is not None:
        try:
            await ws.send_str(text)
        except (ConnectionError, RuntimeError) as exc:
            log.debug("%s: could not send a reply: %r", label, exc)
