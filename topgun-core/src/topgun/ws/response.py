"""The WebSocket object handlers receive: aiohttp's, plus the exchange's signer and rate limit.

``current_ws.send_json(...)`` (and the ``send_json`` messages of ``ws_connect``) go through the
host's message signer, and every data frame sent through the host's rate limit, so a bot's
one-off sends (orders over a WebSocket API, for example) are signed and paced like the rest.
The Client installs this class as its session's ``ws_response_class``; on a connection that
WebSocketApp did not open it behaves exactly like aiohttp's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
from aiohttp.typedefs import JSONEncoder
from yarl import URL

from ..clock import Clock
from ..credential import Credential
from ..plugin.specs import MessageSigner, MessageSigningRequest
from .owner import ConnectionOwner
from .ratelimit import SendLimiter

if TYPE_CHECKING:
    from .link import Link

__all__ = ["ClientWebSocketResponse", "Outgoing", "dumps"]


def dumps(data: Any) -> str:
    """JSON text of ``data`` (orjson, compact)."""
    return orjson.dumps(data).decode()


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What applies to messages sent on one connection (looked up once per connection)."""

    url: URL
    clock: Clock
    limiter: SendLimiter | None = None
    signer: MessageSigner | None = None
    credential: Credential | None = None

    def sign(self, message: Any) -> Any:
        if self.signer is None or self.credential is None:
            return message
        return self.signer(MessageSigningRequest(message, self.url, self.credential, self.clock))


class ClientWebSocketResponse(aiohttp.ClientWebSocketResponse):
    """aiohttp's client WebSocket; ``send_json`` signs and every data frame obeys the rate limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._topgun_outgoing: Outgoing | None = None
        self._topgun_app: ConnectionOwner | None = None
        self._topgun_link: Link | None = None

    def _topgun_bind(
        self, outgoing: Outgoing, app: ConnectionOwner | None = None, link: Link | None = None
    ) -> None:
        self._topgun_outgoing = outgoing
        self._topgun_app = app
        self._topgun_link = link

    @property
    def app(self) -> ConnectionOwner | None:
        """The ``WebSocketApp`` that opened this connection (its ``client``, its ``url``), if any."""
        return self._topgun_app

    def run_task(
        self, coro: Coroutine[Any, Any, Any], *, name: str | None = None
    ) -> asyncio.Task[Any] | None:
        """Run ``coro`` as a task owned by this connection.

        The task is cancelled and awaited when the connection ends (or its app or Client closes),
        so work that only makes sense on this connection (re-requesting a snapshot, say) never
        outlives it and is never left behind. A task that fails is logged. Returns None, with
        ``coro`` closed, when the connection has ended or was not opened by a WebSocketApp.
        """
        link = self._topgun_link
        if link is None:
            coro.close()
            return None
        return link.run_task(coro, name)

    async def send_str(self, data: str, compress: int | None = None) -> None:
        outgoing = self._topgun_outgoing
        if outgoing is not None and outgoing.limiter is not None:
            await outgoing.limiter.acquire()
        await super().send_str(data, compress)

    async def send_bytes(self, data: bytes, compress: int | None = None) -> None:
        outgoing = self._topgun_outgoing
        if outgoing is not None and outgoing.limiter is not None:
            await outgoing.limiter.acquire()
        await super().send_bytes(data, compress)

    async def send_json(
        self,
        data: Any,
        compress: int | None = None,
        *,
        dumps: JSONEncoder = dumps,
        auth: Any = True,
    ) -> None:
        """Send ``data`` as JSON text, signed by the exchange's message signer unless ``auth=None``."""
        outgoing = self._topgun_outgoing
        if outgoing is not None and auth is not None:
            data = outgoing.sign(data)
        await self.send_str(dumps(data), compress)
