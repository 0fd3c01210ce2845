"""Change events and the bounded change stream behind ``DataStore.watch()``.

A stream must never slow the feed down or grow without limit, whoever reads it and however
slowly. So each stream is a bounded buffer: when it is full, the oldest change is dropped (the
newest state matters most to a trading bot) and ``stream.dropped`` counts the loss, so a consumer
can tell it fell behind and resynchronise from the store itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ..errors import StreamClosedError

__all__ = ["DEFAULT_STREAM_SIZE", "Operation", "StoreChange", "StoreStream", "WatchedStore"]

log = logging.getLogger("topgun.store")

Operation = Literal["insert", "update", "delete"]
"""What a ``StoreChange`` did to its item."""

DEFAULT_STREAM_SIZE = 10_000
"""Changes a stream holds before it drops the oldest (``watch(maxsize=...)`` overrides it)."""


class WatchedStore(Protocol):
    """What a change stream needs of its store (a ``DataStore``): its name, to attach to it and
    to detach from it. A Protocol, so that this module does not depend on the store's."""

    @property
    def name(self) -> str | None: ...

    def _attach(self, stream: StoreStream) -> None: ...

    def _detach(self, stream: StoreStream) -> None: ...


@dataclass(slots=True)
class StoreChange:
    """One change to a store.

    ``operation`` is what happened to the store: ``"insert"`` (a new item), ``"update"`` (an
    existing item changed) or ``"delete"`` (an item left). ``data`` is the item as it was right
    after the change (for a delete, the removed item): a copy, never the live item, so later changes
    to the store do not alter a change already delivered. ``source`` is what caused the change when
    there is one (the partial item merged by an update, the key given to a delete), else None.
    Copies are shallow and shared by every stream of the store: treat them as read-only.
    """

    store: WatchedStore
    operation: Operation
    source: dict[str, Any] | None
    data: dict[str, Any]


class StoreStream:
    """A bounded stream of a store's changes; ``async for`` it, ideally inside ``with``.

    Holds at most ``maxsize`` undelivered changes. On overflow the oldest is dropped and
    ``dropped`` goes up by one, so the store's feed never waits for the reader and memory stays
    bounded. ``close()`` (or leaving the ``with`` block) detaches the stream: iteration then ends
    once the changes already buffered are read. A stream nobody references any more is detached
    automatically.
    """

    __slots__ = ("__weakref__", "_buffer", "_closed", "_maxsize", "_store", "_waiter", "dropped")

    def __init__(self, store: WatchedStore, maxsize: int = DEFAULT_STREAM_SIZE) -> None:
        if not isinstance(maxsize, int) or isinstance(maxsize, bool) or maxsize < 1:
            raise ValueError(f"maxsize must be a positive int, not {maxsize!r}")
        self._store = store
        self._maxsize = maxsize
        self._buffer: deque[StoreChange] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self.dropped = 0
        """Changes lost because this stream was full when they happened."""
        store._attach(self)

    @property
    def store(self) -> WatchedStore:
        return self._store

    @property
    def maxsize(self) -> int:
        return self._maxsize

    @property
    def closed(self) -> bool:
        return self._closed

    def __len__(self) -> int:
        """Changes buffered and not read yet."""
        return len(self._buffer)

    def _push(self, change: StoreChange) -> None:
        buffer = self._buffer
        if len(buffer) >= self._maxsize:
            buffer.popleft()
            self.dropped += 1
            if self.dropped == 1:
                log.warning(
                    "a watch() stream of store %r is full (maxsize=%d) and drops its oldest "
                    "changes; the reader is too slow (see StoreStream.dropped)",
                    self._store.name,
                    self._maxsize,
                )
        buffer.append(change)
        if self._waiter is not None:
            self._release()

    def get_nowait(self) -> StoreChange | None:
        """The oldest buffered change, or None when there is none."""
        return self._buffer.popleft() if self._buffer else None

    async def get(self) -> StoreChange:
        """Wait for and return the next change; raises StreamClosedError once closed and drained."""
        buffer = self._buffer
        while not buffer:
            if self._closed:
                raise StreamClosedError(
                    f"the watch() stream of store {self._store.name!r} is closed"
                )
            waiter = self._waiter
            if waiter is None or waiter.done():
                waiter = self._waiter = asyncio.get_running_loop().create_future()
            await waiter
        return buffer.popleft()

    def close(self) -> None:
        """Detach from the store; a reader waiting on an empty stream is released."""
        if self._closed:
            return
        self._closed = True
        self._store._detach(self)
        if self._waiter is not None:
            self._release()

    def _release(self) -> None:
        """Wake the reader waiting in ``get()``."""
        waiter = self._waiter
        self._waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __enter__(self) -> StoreStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __aiter__(self) -> StoreStream:
        return self

    async def __anext__(self) -> StoreChange:
        try:
            return await self.get()
        except StreamClosedError:
            raise StopAsyncIteration from None

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return (
            f"<StoreStream of {self._store.name!r} {state} buffered={len(self._buffer)} "
            f"maxsize={self._maxsize} dropped={self.dropped}>"
        )
