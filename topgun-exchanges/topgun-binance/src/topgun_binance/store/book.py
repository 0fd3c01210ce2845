"""``OrderBook``: Binance diff-depth books per symbol, verified by update-id continuity.

See ``continuity`` for the rules and ``depth`` for the message shapes. A symbol's book is served
only from a REST snapshot onwards (``initialize()`` with ``/api/v3/depth``, ``/fapi/v1/depth`` or
``/dapi/v1/depth``, or the store's own re-fetch); diffs that arrive before it are buffered
(bounded) and replayed by the rule once it is there. A gap drops that symbol's book at once,
buffers its diffs and, when the store knows how to reach the exchange, fetches a new snapshot.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, ClassVar

from yarl import URL

from topgun.errors import InitializeError
from topgun.plugin import Retry
from topgun.store import Level, OrderBookStore

from ._messages import MalformedMessage, query_param
from .continuity import APPLY, GAP, futures_verdict, spot_verdict
from .depth import DepthDiff, depth_diff, depth_snapshot

__all__ = ["BUFFER_LIMIT", "FuturesOrderBook", "OrderBook", "SnapshotSource"]

log = logging.getLogger("topgun.store.binance")

BUFFER_LIMIT = 1_000
"""Diffs kept per symbol while it waits for a snapshot (older ones are dropped)."""

SnapshotSource = Callable[[str], Awaitable[Any]]
"""Fetches the REST depth snapshot of a symbol (the parsed JSON body)."""


class _Initialized(Mapping[str, bool]):
    """The reference's ``initialized[symbol]``: True while that symbol's book is in sync."""

    def __init__(self, ids: dict[str, int]) -> None:
        self._ids = ids

    def __getitem__(self, symbol: str) -> bool:
        return symbol in self._ids

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._ids))

    def __len__(self) -> int:
        return len(self._ids)


class OrderBook(OrderBookStore):
    """Spot order books: items ``{"s", "S" ("a"/"b"), "p", "q"}`` as sent (strings), keyed s, S, p.

    ``sorted({"s": symbol}, limit=N)`` gives ``{"a": asks ascending, "b": bids descending}``.
    ``initialized[symbol]`` says whether that symbol's book is in sync (True) or waiting for a
    snapshot (False); ``update_ids[symbol]`` is its current update id.
    """

    _KEYS = ("s", "S", "p")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "S", "p", "q"
    _ASKS, _BIDS = "a", "b"
    _FUTURES: ClassVar[bool] = False

    def _init(self) -> None:
        self._ids: dict[str, int] = {}
        self._bridged: set[str] = set()
        self._pending: dict[str, deque[DepthDiff]] = {}
        self._fetching: dict[str, asyncio.Task[None]] = {}
        self._source: SnapshotSource | None = None
        self.retry = Retry(first=0.5, cap=30.0)
        self.initialized: Mapping[str, bool] = _Initialized(self._ids)
        """``initialized[symbol]``: whether that symbol's book is in sync."""
        self.update_ids: Mapping[str, int] = self._ids
        """The update id each in-sync book is at."""
        self.gaps = 0
        """Continuity breaks detected."""
        self.resyncs = 0
        """Snapshots applied (``initialize()`` and the store's own re-fetches)."""
        self.stale = 0
        """Diffs skipped as already in the book."""
        self.last_reason: str | None = None

    # -- diffs ---------------------------------------------------------------------------------

    def _on_diff(self, event: Any) -> None:
        diff = depth_diff(event)
        symbol = diff[0]
        book_id = self._ids.get(symbol)
        if book_id is None:
            self._hold(diff)
            return
        if self._FUTURES:
            verdict = futures_verdict(book_id, symbol in self._bridged, diff[1], diff[2], diff[3])
        else:
            verdict = spot_verdict(book_id, diff[1], diff[2])
        if verdict == APPLY:
            self._apply_levels(symbol, diff[4], diff[5])
            self._ids[symbol] = diff[2]
            if self._FUTURES:
                self._bridged.add(symbol)
        elif verdict == GAP:
            self._gap(symbol, book_id, diff)
        else:
            self.stale += 1

    def _gap(self, symbol: str, book_id: int, diff: DepthDiff) -> None:
        expected = (
            f"pu={book_id}" if self._FUTURES and symbol in self._bridged else f"U<={book_id + 1}"
        )
        reason = f"gap: expected {expected}, got U={diff[1]} u={diff[2]} pu={diff[3]}"
        self.gaps += 1
        self._unsync(symbol, reason)
        self._hold(diff)

    def _unsync(self, symbol: str, reason: str) -> None:
        self.last_reason = reason
        log.warning("Binance order book %s out of sync (%s); rebuilding it", symbol, reason)
        self._ids.pop(symbol, None)
        self._bridged.discard(symbol)
        self._drop_book(symbol)

    def _hold(self, diff: DepthDiff) -> None:
        symbol = diff[0]
        pending = self._pending.get(symbol)
        if pending is None:
            pending = self._pending[symbol] = deque(maxlen=BUFFER_LIMIT)
        pending.append(diff)
        self._request(symbol)

    # -- snapshots -------------------------------------------------------------------------------

    def _onresponse(self, data: Any, url: URL) -> None:
        symbol = query_param(url, "symbol")
        try:
            self._on_snapshot(symbol, data)
        except MalformedMessage as exc:
            raise InitializeError(f"{url.path}: {exc}") from None

    def _on_snapshot(self, symbol: str, data: Any) -> None:
        last, asks, bids = depth_snapshot(data)
        self._replace_book(symbol, asks, bids)
        self._ids[symbol] = last
        self._bridged.discard(symbol)
        self.resyncs += 1
        pending = self._pending.pop(symbol, None)
        if pending:
            for diff in pending:
                if symbol not in self._ids:
                    self._hold(diff)  # a gap in the buffer: wait for the next snapshot
                else:
                    self._on_diff_parsed(diff)

    def _on_diff_parsed(self, diff: DepthDiff) -> None:
        symbol = diff[0]
        book_id = self._ids[symbol]
        if self._FUTURES:
            verdict = futures_verdict(book_id, symbol in self._bridged, diff[1], diff[2], diff[3])
        else:
            verdict = spot_verdict(book_id, diff[1], diff[2])
        if verdict == APPLY:
            self._apply_levels(symbol, diff[4], diff[5])
            self._ids[symbol] = diff[2]
            if self._FUTURES:
                self._bridged.add(symbol)
        elif verdict == GAP:
            self._gap(symbol, book_id, diff)
        else:
            self.stale += 1

    # -- recovery ----------------------------------------------------------------------------------

    def _request(self, symbol: str) -> None:
        if self._source is None or symbol in self._fetching:
            return
        task = asyncio.get_running_loop().create_task(
            self._fetch(symbol), name=f"topgun.binance depth snapshot {symbol}"
        )
        self._fetching[symbol] = task

    async def _fetch(self, symbol: str) -> None:
        failures = 0
        try:
            while symbol not in self._ids and self._source is not None:
                try:
                    data = await self._source(symbol)
                    self._on_snapshot(symbol, data)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    failures += 1
                    delay = self.retry.delay(failures)
                    log.warning(
                        "Binance order book %s: the depth snapshot failed (%s: %s); "
                        "retrying in %.1f s",
                        symbol,
                        type(exc).__name__,
                        exc,
                        delay,
                    )
                    await asyncio.sleep(delay)
        finally:
            self._fetching.pop(symbol, None)

    def _onreconnect(self) -> None:
        for symbol in tuple(self._ids):
            self._unsync(symbol, "reconnect")
        self._pending.clear()

    def _levels(self, symbol: str) -> tuple[list[Level], list[Level]]:
        book = self._books.get(symbol)
        if book is None:
            return [], []
        return (
            [(float(i["p"]), i["p"], i["q"]) for i in book.asks.levels.values()],
            [(float(i["p"]), i["p"], i["q"]) for i in book.bids.levels.values()],
        )


class FuturesOrderBook(OrderBook):
    """USDⓈ-M and COIN-M order books: as ``OrderBook``, chained by ``pu`` (see ``continuity``)."""

    _FUTURES = True
