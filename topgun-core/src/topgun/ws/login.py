"""What an exchange plugin's WebSocket authenticator talks to (``topgun.plugin.WebSocketLogin``).

The login runs on the fresh connection before any handler sees a frame. Frames that are not the
login reply (a welcome banner, an early heartbeat, data) are kept and replayed to the handlers
afterwards, and pings are still answered, so a slow login neither loses data nor the connection.

What is held is bounded (``MAX_HELD_FRAMES`` frames, ``MAX_HELD_BYTES`` bytes or four times the
connection's ``max_msg_size`` if larger): a peer flooding frames instead of answering the login
fails the login (``AuthenticationError``; the app logs it, counts it and backs off) rather than
growing the process. Binary frames are opened with the exchange's ``ws_decoder`` within
``max_msg_size``; one that would open larger is dropped and counted, like after the login.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Final

import orjson
from aiohttp import WSMessage, WSMsgType
from yarl import URL

from ..clock import Clock
from ..credential import Credential
from ..errors import AuthenticationError, FrameTooLargeError
from ..plugin.specs import FrameDecoder
from .link import Link
from .response import dumps
from .stats import WebSocketStats

__all__ = ["MAX_HELD_BYTES", "MAX_HELD_FRAMES", "LoginSession"]

log = logging.getLogger("topgun.ws")

MAX_HELD_FRAMES: Final = 10_000
"""Frames (other than the login reply) a login may hold for the handlers, at most."""
MAX_HELD_BYTES: Final = 16 * 1024 * 1024
"""Bytes of such frames, at most (or ``4 * max_msg_size`` when that is larger)."""

_CLOSING = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)


class LoginSession:
    """One login attempt on one connection. ``kept`` holds the frames to replay to handlers."""

    __slots__ = (
        "_autoping",
        "_decoder",
        "_held_bytes",
        "_held_frames",
        "_link",
        "_max_held_bytes",
        "_max_size",
        "_stats",
        "clock",
        "credential",
        "kept",
        "overflow",
        "url",
    )

    def __init__(
        self,
        link: Link,
        url: URL,
        credential: Credential,
        clock: Clock,
        stats: WebSocketStats,
        *,
        autoping: bool,
        decoder: FrameDecoder | None = None,
        max_size: int = 4 * 1024 * 1024,
    ) -> None:
        self._link = link
        self._stats = stats
        self._autoping = autoping
        self._decoder = decoder
        self._max_size = max_size
        self._max_held_bytes = max(MAX_HELD_BYTES, 4 * max_size)
        self._held_frames = 0
        self._held_bytes = 0
        self.overflow: str | None = None
        """Why the login gave up holding frames (the peer flooded it), else None."""
        self.url = url
        self.credential = credential
        self.clock = clock
        self.kept: list[WSMessage] = []

    def __repr__(self) -> str:
        return f"<LoginSession {self.url.host} {self.credential!r}>"

    async def send_json(self, message: Any) -> None:
        # Not through the message signer: a login message is already what the exchange wants.
        await self._link.ws.send_str(dumps(message))

    async def send_str(self, message: str) -> None:
        await self._link.ws.send_str(message)

    async def receive_json(
        self,
        timeout: float,  # noqa: ASYNC109 - the WebSocketLogin protocol's shape
        match: Callable[[Any], bool] | None = None,
    ) -> Any:
        ws = self._link.ws
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.overflow is not None:
                raise AuthenticationError(self.overflow)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no login reply within {timeout:g} s")
            try:
                async with asyncio.timeout(remaining):
                    msg = await ws.receive()
            except TimeoutError:
                raise TimeoutError(f"no login reply within {timeout:g} s") from None
            kind = msg.type
            self._link.touch()
            if kind is WSMsgType.TEXT or kind is WSMsgType.BINARY:
                payload = msg.data
                if self._decoder is not None and kind is WSMsgType.BINARY:
                    try:
                        payload = self._decoder(payload, self._max_size)
                        if self._max_size and len(payload) > self._max_size:
                            raise FrameTooLargeError(f"the decoder returned {len(payload)} bytes")
                    except FrameTooLargeError as exc:
                        self._stats.oversized_frames += 1
                        log.warning(
                            "%s: dropped a frame larger than max_msg_size=%d once decoded, "
                            "during the login (%s)",
                            self.url.host,
                            self._max_size,
                            exc,
                        )
                        self._hold(None, 0)
                        continue
                    except Exception:
                        payload = msg.data
                try:
                    decoded = orjson.loads(payload)
                except orjson.JSONDecodeError:
                    self._hold(msg, len(msg.data))
                    continue
                if match is None or match(decoded):
                    stats = self._stats
                    stats.messages_received += 1
                    stats.bytes_received += len(msg.data)
                    stats._last_rx = time.monotonic()
                    return decoded
                self._hold(msg, len(msg.data))
            elif kind is WSMsgType.PING:
                if self._autoping:
                    await ws.pong(msg.data)
            elif kind is WSMsgType.PONG:
                self._link.pong_received(msg.data)
            elif kind in _CLOSING:
                raise ConnectionResetError(_closed_during_login(msg, ws.close_code))

    def _hold(self, msg: WSMessage | None, size: int) -> None:
        """Keep ``msg`` for the handlers, within the bounds; past them, fail the login."""
        self._held_frames += 1
        self._held_bytes += size
        if self._held_frames > MAX_HELD_FRAMES or self._held_bytes > self._max_held_bytes:
            self.overflow = (
                f"the exchange sent more than {MAX_HELD_FRAMES} frames or "
                f"{self._max_held_bytes} bytes before its login reply "
                f"({self._held_frames} frames, {self._held_bytes} bytes); gave up the login"
            )
            self.kept.clear()  # what was held is dropped with the connection
            raise AuthenticationError(self.overflow)
        if msg is not None:
            self.kept.append(msg)


def _closed_during_login(msg: WSMessage, code: int | None) -> str:
    if msg.type is WSMsgType.ERROR:
        return f"connection failed during login: {msg.data!r}"
    detail = f" ({msg.extra})" if msg.extra else ""
    return f"the exchange closed the connection during login (code {code}){detail}"
