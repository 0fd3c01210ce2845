"""Sending each API key's nonce-signed requests in the order they were signed.

Some exchanges (``Host(ordered_nonces=True)``) refuse a request whose nonce is not above the last
one they saw for the key. Signing hands out growing nonces, but concurrent requests then race for
connections (a new TLS handshake here, a pooled connection there), and a later nonce can overtake
an earlier one. So a request holds its key's lock from signing until aiohttp has written its
headers (aiohttp's public ``on_request_headers_sent`` trace signal); the next request of that
key signs only then. Other keys, and other exchanges, never wait on it.

The locks are shared by every Client on an event loop, since Clients that share a key share the
exchange's nonce counter too.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import aiohttp

from ..credential import Credential

__all__ = ["NonceOrder"]

_LockTable = dict[tuple[str, str], asyncio.Lock]
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LockTable] = (
    weakref.WeakKeyDictionary()
)


def _lock_for(credential: Credential) -> asyncio.Lock:
    table = _locks.setdefault(asyncio.get_running_loop(), {})
    key = (credential.api, credential.key)
    lock = table.get(key)
    if lock is None:
        lock = table[key] = asyncio.Lock()
    return lock


class NonceOrder:
    """One Client's view of the per-key locks, and the trace hook that releases them.

    Requests are told apart by their header mapping: aiohttp hands the signal the very
    ``CIMultiDict`` the signing middleware saw as ``request.headers``.
    """

    __slots__ = ("_pending", "trace_config")

    def __init__(self) -> None:
        self._pending: dict[int, Callable[[], None]] = {}
        self.trace_config = aiohttp.TraceConfig()
        self.trace_config.on_request_headers_sent.append(self._headers_sent)

    @asynccontextmanager
    async def hold(self, credential: Credential, headers: Any) -> AsyncIterator[None]:
        """Hold ``credential``'s lock until ``headers`` are written, or until the block ends."""
        lock = _lock_for(credential)
        await lock.acquire()
        loop = asyncio.get_running_loop()
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                lock.release()

        def after_write() -> None:
            # Called before aiohttp serialises the headers; the bytes go to the socket right after
            # (or in the body writer it starts next), so the next signer waits one loop turn.
            loop.call_soon(release)

        self._pending[id(headers)] = after_write
        try:
            yield
        finally:
            self._pending.pop(id(headers), None)
            release()

    async def _headers_sent(
        self,
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestHeadersSentParams,
    ) -> None:
        after_write = self._pending.pop(id(params.headers), None)
        if after_write is not None:
            after_write()
