"""``PendingRequest``: what ``Client.request`` returns, awaited or used with ``async with``.

aiohttp's own such object is a private name; this is the same contract, owned here: awaiting it
gives the response, and ``async with`` gives the response and releases its connection on exit.
"""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from typing import Any

import aiohttp

__all__ = ["PendingRequest"]


class PendingRequest:
    """A request being sent: ``await`` it, or ``async with`` it, for the ``aiohttp.ClientResponse``."""

    __slots__ = ("_coro", "_response")

    def __init__(self, coro: Coroutine[Any, Any, aiohttp.ClientResponse]) -> None:
        self._coro = coro
        self._response: aiohttp.ClientResponse | None = None

    def __await__(self) -> Generator[Any, None, aiohttp.ClientResponse]:
        return self._coro.__await__()

    def close(self) -> None:
        """Drop the request unsent (the coroutine is closed), as for one never awaited."""
        self._coro.close()

    async def __aenter__(self) -> aiohttp.ClientResponse:
        self._response = await self._coro
        return await self._response.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._response is not None:
            await self._response.__aexit__(*exc_info)  # what the ``async with`` passed
