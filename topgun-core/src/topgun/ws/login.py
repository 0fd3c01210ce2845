"""What an exchange plugin's WebSocket authenticator talks to (``topgun.plugin.WebSocketLogin``).

The login runs on the fresh connection before any handler sees a frame. Frames that are not the
login reply (a welcome banner, an early heartbeat, data) are kept and replayed to the handlers
afterwards, and pings are still answered, so a slow login neither loses data nor the connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import WSMessage, WSMsgType
from yarl import URL

from ..clock import Clock
from ..credentials import Credential
from ..plugin.specs import FrameDecoder
from .link import Link
from .response import dumps
from .stats import WebSocketStats

__all__ = ["LoginSession"]

_CLOSING = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)


class LoginSession:
    """One login attempt on one connection. ``kept`` holds the frames to replay to handlers."""

    __slots__ = (
        "_autoping",
        "_decoder",
        "_link",
        "_stats",
        "clock",
        "credential",
        "kept",
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
    ) -> None:
        self._link = link
        self._stats = stats
        self._autoping = autoping
        self._decoder = decoder
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
                        payload = self._decoder(payload)
                    except Exception:
                        payload = msg.data
                try:
                    decoded = orjson.loads(payload)
                except orjson.JSONDecodeError:
                    self.kept.append(msg)
                    continue
                if match is None or match(decoded):
                    stats = self._stats
                    stats.messages_received += 1
                    stats.bytes_received += len(msg.data)
                    stats._last_rx = time.monotonic()
                    return decoded
                self.kept.append(msg)
            elif kind is WSMsgType.PING:
                if self._autoping:
                    await ws.pong(msg.data)
            elif kind is WSMsgType.PONG:
                self._link.pong_received(msg.data)
            elif kind in _CLOSING:
                raise ConnectionResetError(_closed_during_login(msg, ws.close_code))


def _closed_during_login(msg: WSMessage, code: int | None) -> str:
    if msg.type is WSMsgType.ERROR:
        return f"connection failed during login: {msg.data!r}"
    detail = f" ({msg.extra})" if msg.extra else ""
    return f"the exchange closed the connection during login (code {code}){detail}"
