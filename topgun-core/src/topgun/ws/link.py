"""One live WebSocket connection of a WebSocketApp, from handshake to close.

It is the meeting point of the tasks that serve a connection: the receive loop records activity
here, the keep-alive monitor and ``app.heartbeat()`` read it and, when the peer has gone silent,
``abort`` it. Abort interrupts the receive loop through an ``asyncio.timeout`` scope (a public
cancel scope), so no aiohttp internals are touched.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

import aiohttp

__all__ = ["Link"]

log = logging.getLogger("topgun.ws")


class Link:
    __slots__ = (
        "_loop",
        "_pongs",
        "_scope",
        "abort_reason",
        "ended",
        "last_control",
        "live_at",
        "opened_at",
        "tasks",
        "ws",
    )

    def __init__(
        self, ws: aiohttp.ClientWebSocketResponse, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.ws = ws
        self._loop = loop
        self.opened_at = time.monotonic()
        self.last_control = self.opened_at  # last ping/pong/login frame (data frames: stats)
        self.live_at: float | None = None  # when login finished and handlers got the stream
        self.abort_reason: str | None = None
        self.ended = asyncio.Event()
        self._scope: asyncio.Timeout | None = None
        self._pongs: dict[bytes, asyncio.Future[None]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        """Tasks that live as long as this connection (``run_task``); the app ends them."""

    @property
    def usable(self) -> bool:
        return self.abort_reason is None and not self.ended.is_set() and not self.ws.closed

    def guard(self, scope: asyncio.Timeout) -> None:
        """Attach the scope that ``abort`` expires (entered around login and the receive loop)."""
        self._scope = scope
        if self.abort_reason is not None:
            scope.reschedule(self._loop.time())

    def abort(self, reason: str) -> None:
        """Give up on this connection now: the receive loop stops and the socket is dropped."""
        if self.abort_reason is not None or self.ended.is_set():
            return
        self.abort_reason = reason
        scope = self._scope
        if scope is not None and not scope.expired():
            scope.reschedule(self._loop.time())

    def unguard(self) -> None:
        """The scope has been left; later aborts only mark the link."""
        self._scope = None

    def touch(self) -> None:
        self.last_control = time.monotonic()

    def expect_pong(self, payload: bytes) -> asyncio.Future[None]:
        future = self._loop.create_future()
        self._pongs[payload] = future
        return future

    def forget_pong(self, payload: bytes) -> None:
        self._pongs.pop(payload, None)

    def pong_received(self, payload: bytes) -> None:
        self.last_control = time.monotonic()
        future = self._pongs.pop(payload, None)
        if future is not None and not future.done():
            future.set_result(None)

    def run_task(
        self, coro: Coroutine[Any, Any, Any], name: str | None = None
    ) -> asyncio.Task[Any] | None:
        """Run ``coro`` as a task of this connection; None (coroutine closed) once it ended."""
        if self.ended.is_set():
            coro.close()
            return None
        task = self._loop.create_task(coro, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        # Once the connection ended the app awaits (and reports) its tasks itself.
        if not self.ended.is_set() and not task.cancelled() and task.exception() is not None:
            log.error("connection task %s failed", task.get_name(), exc_info=task.exception())

    def finish(self) -> None:
        """Called once by the app when the connection is over; wakes whoever waits on it."""
        self._scope = None
        for future in self._pongs.values():
            if not future.done():
                future.set_exception(ConnectionResetError("the WebSocket connection closed"))
        self._pongs.clear()
        self.ended.set()
