"""KuCoin order books: the verified level-2 book (``orderbook``) and the top-K snapshots
(``orderbook5``, ``orderbook50``).

The level-2 book follows KuCoin's "calibration procedure" (spot
https://www.kucoin.com/docs-new/3470068w0, futures https://www.kucoin.com/docs-new/3470082w0):
cache the level-2 flow, fetch the REST snapshot, play the cache back from the snapshot's
``sequence``, and from then on each message must line up with the last: spot messages cover
``sequenceStart..sequenceEnd``, futures messages one ``sequence``, so a message starting past the
book's sequence + 1 is a gap and one ending at or before it is stale (core's ``RangeRule``). Change
rows whose own sequence is at or below the book's are skipped, as the docs' worked example does
(snapshot 16: rows 15 and 16 ignored, rows 18 and 19 applied).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from yarl import URL

from topgun.plugin import (
    InitializeError,
    Item,
    Level,
    OrderBookStore,
    RangeRule,
    Recovery,
    SnapshotRequest,
)

from ._messages import MalformedMessage, query_param, record, response_data
from .level2 import SpotDiff, book_snapshot, futures_diff, rows_after, spot_diff

__all__ = [
    "FUTURES_SNAPSHOT",
    "SPOT_SNAPSHOT",
    "OrderBook",
    "TopKOrderBook",
]

SPOT_SNAPSHOT = "https://api.kucoin.com/api/v3/market/orderbook/level2"
"""Spot "Get Full OrderBook": needs a signed request (``kucoin`` credentials)."""
FUTURES_SNAPSHOT = "https://api-futures.kucoin.com/api/v1/level2/snapshot"
"""Futures "Get Full OrderBook": public."""

_INF = float("inf")


class OrderBook(OrderBookStore):
    """Full level-2 books, spot and futures, verified by sequence: ``sorted({"symbol": s})``.

    Items ``{"symbol", "side" ("asks"/"bids"), "price", "size"}``, prices and sizes as KuCoin
    writes them (strings). A symbol's book is served from its REST snapshot onwards, while every
    message lines up (see the module docs); ``out_of_sync``, ``wait_synced``, ``stats`` and
    ``recovery`` are core's (docs/verified-books.rst).

    The snapshot comes from ``initialize()`` with the full order book endpoint and the symbol, or,
    when none came within ``recovery.grace`` seconds of the first message, after a gap and after a
    reconnect, from the store itself through the Client that owns the WebSocket: spot
    ``GET https://api.kucoin.com/api/v3/market/orderbook/level2`` (signed with the Client's
    ``kucoin`` credentials: KuCoin serves the full spot book to authenticated requests only;
    without credentials the recovery stops with a warning saying so), futures
    ``GET https://api-futures.kucoin.com/api/v1/level2/snapshot`` (public).
    """

    _KEYS = ("symbol", "side", "price")
    _SEQUENCE = RangeRule()
    _RECOVERY = Recovery.REST

    def _init(self) -> None:
        self._futures: set[Hashable] = set()

    def _on_spot(self, msg: Item, ws: Any = None) -> None:
        """A whole spot ``/market/level2`` message (the hot path: routed here directly)."""
        symbol, last, diff = spot_diff(msg.get("data"))
        self._diff(symbol, diff, first=diff[0], last=last, ws=ws)

    def _on_futures(self, symbol: str, data: Any, ws: Any = None) -> None:
        sequence, asks, bids = futures_diff(data)
        if symbol not in self._futures:
            self._futures.add(symbol)
        self._diff(symbol, (sequence, asks, bids, None, None), last=sequence, ws=ws)

    def _apply_diff(self, key: Hashable, diff: SpotDiff) -> None:
        first, asks, bids, raw_asks, raw_bids = diff
        if raw_asks is not None:
            state = self._states.get(key)
            seq = None if state is None else state.seq
            if seq is not None and first <= seq:
                # The first message after a snapshot may straddle it: its older rows are in it.
                asks = rows_after(raw_asks, seq)
                bids = rows_after(raw_bids, seq)
        self._apply_levels(key, asks, bids)

    def _onresponse(self, data: Any, url: URL) -> None:
        """A REST full order book of the ``symbol`` asked for (``initialize()`` or recovery);
        the buffered messages are played back onto it."""
        symbol = query_param(url, "symbol")
        try:
            sequence, asks, bids = book_snapshot(response_data(data, url))
        except MalformedMessage as exc:
            raise InitializeError(f"{url.path}: {exc}") from None
        if url.host == URL(FUTURES_SNAPSHOT).host:
            self._futures.add(symbol)
        self._snapshot(symbol, (asks, bids), seq=sequence)

    def _snapshot_request(self, key: Hashable, ws_url: URL) -> SnapshotRequest:
        if key in self._futures or (ws_url.host or "").startswith("ws-api-futures."):
            return SnapshotRequest(FUTURES_SNAPSHOT, {"symbol": key})
        return SnapshotRequest(SPOT_SNAPSHOT, {"symbol": key}, signed=True)


def _top_rows(rows: Any, what: str) -> list[Level]:
    if type(rows) is not list:
        raise MalformedMessage(f"{what} is not a JSON array")
    levels: list[Level] = []
    try:
        for value, quantity in rows:
            price = float(value)
            size = float(quantity)
            if (
                not (0.0 < price < _INF and 0.0 <= size < _INF)
                or type(value) is bool
                or type(quantity) is bool
            ):
                raise MalformedMessage(f"bad level [{value!r}, {quantity!r}] in {what}")
            levels.append((price, value, quantity if size else None))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, MalformedMessage):
            raise
        raise MalformedMessage(f"a level of {what} is malformed ({exc})") from None
    return levels


class TopKOrderBook(OrderBookStore):
    """The best 5 or 50 levels per side, each message a complete top-K book that replaces the
    symbol's: items ``{"symbol", "side" ("asks"/"bids"), "price", "size", "timestamp"}`` as sent.

    ``/spotMarket/level2Depth5|50:{symbol}`` and ``/contractMarket/level2Depth5|50:{symbol}``
    (https://www.kucoin.com/docs-new/3470069w0, …/3470070w0, …/3470083w0). Every message is a
    snapshot, so a symbol is in sync from its first message; after a reconnect it is hidden until
    the next one (they come every 100 ms).
    """

    _KEYS = ("symbol", "side", "price")

    def _init(self) -> None:
        self._stamp: Any = None

    def _on_message(self, symbol: str, data: Any, ws: Any = None) -> None:
        data = record(data, "the level2Depth message's data", ("asks", "bids"))
        asks = _top_rows(data["asks"], "asks")
        bids = _top_rows(data["bids"], "bids")
        self._snapshot(symbol, (data.get("timestamp"), asks, bids), ws=ws)

    def _apply_snapshot(self, key: Hashable, snapshot: Any) -> None:
        stamp, asks, bids = snapshot
        self._stamp = stamp
        self._replace_book(key, asks, bids)
        for side in self._top_levels(key, 0):
            for level in side:
                level["timestamp"] = stamp

    def _new_level(self, group: Hashable, side: str, price: Any, size: Any) -> Item:
        level = super()._new_level(group, side, price, size)
        level["timestamp"] = self._stamp
        return level
