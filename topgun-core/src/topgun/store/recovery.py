"""Recovery tasks: bring one out-of-sync book back, on the connection its messages came from.

A book's recovery runs as a task owned by that WebSocket connection
(``ClientWebSocketResponse.run_task``): the connection's end cancels and awaits it, and so does
``Client.close()``. A store has no lifetime of its own to hang tasks on, while everything a
recovery does depends on the connection (resubscribing on it; fetching a REST snapshot whose
diffs it buffers), so a recovery never outlives its connection. After a reconnect the store
resets every book and the new connection's first diffs start new recoveries.

At most one recovery runs per book. Each attempt (a resubscribe, or a REST snapshot fetched
through the connection's ``Client`` and applied by the store's ``_onresponse``) that does not put
the book back in sync is counted and retried after a growing delay, so a broken feed costs a
request a minute at most, never a storm.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Hashable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, ClassVar, Protocol

from yarl import URL

from ..http.auth import Auth
from ..http.result import NotJSONContent
from ..registry.hostname import lookup
from ._limiter import LogLimiter
from .policy import BookStats, Recovery, RecoveryPolicy, SnapshotRequest

__all__ = ["RecoveringBook", "start"]

log = logging.getLogger("topgun.store")

_BODY_EXCERPT = 200


class RecoveringBook(Protocol):
    """What a recovery needs of its book (``VerifiedBook``): declared here, so that this module
    and the bookkeeping's do not import each other. A key's standing (``_state``) is opaque here
    but for ``synced`` and ``reason``."""

    _RECOVERY: ClassVar[Recovery]
    recovery: RecoveryPolicy
    stats: BookStats

    def in_sync(self, key: Hashable) -> bool: ...

    def _state(self, key: Hashable) -> Any: ...

    def _await_sync(self, state: Any, within: float | None) -> Awaitable[bool]: ...

    def _resubscribe(self, key: Hashable) -> Sequence[Any]: ...

    def _snapshot_request(self, key: Hashable, ws_url: URL) -> SnapshotRequest: ...

    def _fetch_slot(self) -> AbstractAsyncContextManager[Any]: ...

    def _onresponse(self, data: Any, url: URL) -> None: ...

    def _limit(self) -> LogLimiter: ...

    def _label(self) -> str: ...


class _UnrecoverableError(Exception):
    """Retrying cannot help (no Client to fetch with): the book waits for a snapshot."""


def start(book: RecoveringBook, key: Hashable, ws: Any, delay: float) -> asyncio.Task[None] | None:
    """Run ``key``'s recovery on ``ws``'s connection; None when that connection cannot own it."""
    run_task = getattr(ws, "run_task", None)
    if run_task is None:
        book._limit().warning(
            ("no-recovery", type(ws).__name__),
            "%s: cannot request a snapshot over a %s (only a connection opened by "
            "Client.ws_connect can); out-of-sync books wait for one to arrive",
            book._label(),
            type(ws).__name__,
        )
        return None
    task: asyncio.Task[None] | None = run_task(
        _recover(book, key, ws, delay), name=f"topgun.store recovery {book._label()} {key!r}"
    )
    return task


async def _recover(book: RecoveringBook, key: Hashable, ws: Any, delay: float) -> None:
    failures = 0
    while True:
        if delay > 0:
            await book.recovery.backoff.sleep(delay)
        state = book._state(key)
        if state is None or state.synced:
            return
        book.stats.resyncs += 1
        try:
            if book._RECOVERY is Recovery.REST:
                await _fetch_snapshot(book, key, ws)
                recovered = book.in_sync(key)
                why = f"the REST snapshot did not fit the buffered diffs ({state.reason})"
            else:
                await _resubscribe(book, key, ws)
                recovered = await book._await_sync(state, book.recovery.timeout)
                why = f"no snapshot within {book.recovery.timeout:g} s of the request"
        except (_UnrecoverableError, NotImplementedError) as exc:
            book.stats.recovery_failures += 1
            book._limit().warning(
                ("unrecoverable", key), "%s: book %r: %s", book._label(), key, exc
            )
            return
        except Exception as exc:
            recovered = False
            why = f"{type(exc).__name__}: {exc}"
        if recovered:
            return
        failures += 1
        book.stats.recovery_failures += 1
        delay = book.recovery.backoff.delay(failures)
        book._limit().warning(
            ("recovery-failed", key),
            "%s: recovering book %r failed (%s); attempt %d in %.1f s",
            book._label(),
            key,
            why,
            failures + 1,
            delay,
        )


async def _resubscribe(book: RecoveringBook, key: Hashable, ws: Any) -> None:
    for message in book._resubscribe(key):
        if isinstance(message, str):
            await ws.send_str(message)
        elif isinstance(message, bytes | bytearray):
            await ws.send_bytes(bytes(message))
        else:
            await ws.send_json(message)


async def _fetch_snapshot(book: RecoveringBook, key: Hashable, ws: Any) -> None:
    app = getattr(ws, "app", None)
    client = getattr(app, "client", None)
    if app is None or client is None:
        raise _UnrecoverableError(
            "no REST snapshot can be fetched: the WebSocket was not opened by a topgun.Client's "
            "ws_connect; call initialize() with the book's snapshot endpoint instead"
        )
    request = book._snapshot_request(key, URL(str(app.url)))
    if request.signed and not _can_sign(client, URL(str(request.url))):
        raise _UnrecoverableError(
            f"its REST snapshot ({URL(str(request.url)).with_query(None)}) needs a signed "
            "request and the Client holds no credentials for that host; load them (apis=...) or "
            "call initialize() with the snapshot yourself"
        )
    async with book._fetch_slot():
        result = await client.fetch(
            request.method,
            request.url,
            params=request.params,
            headers=request.headers,
            auth=Auth if request.signed else None,
        )
    response = result.response
    if response.status >= 400:
        raise RuntimeError(
            f"{request.method} {response.url.path} answered HTTP {response.status}: "
            f"{result.text[:_BODY_EXCERPT]}"
        )
    if isinstance(result.data, NotJSONContent):
        raise RuntimeError(f"{response.url.path} did not return JSON")
    book._onresponse(result.data, response.url)


def _can_sign(client: Any, url: URL) -> bool:
    """Whether ``client`` holds credentials for the API that ``url``'s host signs with."""
    route = lookup(client.registry.hosts, url)
    if route is None or route.host.signer is None:
        return False
    api = route.api_for(None)
    return api is not None and api in client.api_names
