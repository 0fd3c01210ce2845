"""``OrderBook``: Binance diff-depth books per symbol, verified by update-id continuity.

A symbol's book is served only from a REST depth snapshot onwards, and only while every diff
follows the one before by Binance's rule (``continuity``); diffs that arrive before the snapshot
are buffered and replayed onto it by the same rule. The snapshot comes from ``initialize()``
(``/api/v3/depth``, ``/fapi/v1/depth`` or ``/dapi/v1/depth`` with the symbol), or, when none
came within ``recovery.grace`` seconds, after a gap or after a reconnect, from the store itself:
it fetches the depth endpoint through the Client that owns the WebSocket (core's REST recovery,
docs/verified-books.rst), on the host and with the ``limit`` of the last ``initialize()`` of that
endpoint (else the REST host of the WebSocket's host, ``limit=1000``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from typing import Any, ClassVar

from yarl import URL

from topgun.plugin import InitializeError, OrderBookStore, Recovery, SequenceRule, SnapshotRequest

from ._messages import MalformedMessage, query_param
from .continuity import SPOT_RULE, BinanceFuturesRule
from .depth import depth_diff, depth_snapshot

__all__ = ["DEFAULT_SNAPSHOT_LIMIT", "COINMOrderBook", "FuturesOrderBook", "OrderBook"]

DEFAULT_SNAPSHOT_LIMIT = 1000
"""Levels per side asked of the depth endpoint when the store fetches a snapshot itself."""

# WebSocket stream host -> REST host serving the same market (the docs' "General Info" pages).
_SPOT_HOSTS = {
    "stream.binance.com": "api.binance.com",
    "data-stream.binance.vision": "data-api.binance.vision",
    "stream.testnet.binance.vision": "testnet.binance.vision",
}
_FUTURES_HOSTS = {
    "fstream.binance.com": "fapi.binance.com",
    "dstream.binance.com": "dapi.binance.com",
    "stream.binancefuture.com": "testnet.binancefuture.com",
    "fstream.binancefuture.com": "testnet.binancefuture.com",
    "dstream.binancefuture.com": "testnet.binancefuture.com",
}


class _Initialized(Mapping[str, bool]):
    """The reference's ``initialized[symbol]``: True while that symbol's book is in sync."""

    def __init__(self, book: OrderBook) -> None:
        self._book = book

    def __getitem__(self, symbol: str) -> bool:
        return self._book.in_sync(symbol)

    def __iter__(self) -> Iterator[str]:
        book = self._book
        return iter(
            [key for key in tuple(book._books) if isinstance(key, str) and book.in_sync(key)]
        )

    def __len__(self) -> int:
        return sum(1 for _ in self)


class OrderBook(OrderBookStore):
    """Spot order books: items ``{"s", "S" ("a"/"b"), "p", "q"}`` as sent (strings), keyed s, S, p.

    ``sorted({"s": symbol}, limit=N)`` gives ``{"a": asks ascending, "b": bids descending}``.
    ``initialized[symbol]`` is True while that symbol's book is in sync (``in_sync(symbol)``);
    ``out_of_sync``, ``wait_synced``, ``stats`` and ``recovery`` are core's.
    """

    _KEYS = ("s", "S", "p")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "S", "p", "q"
    _ASKS, _BIDS = "a", "b"
    _SEQUENCE: ClassVar[SequenceRule | None] = SPOT_RULE
    _RECOVERY = Recovery.REST
    _CHAINED: ClassVar[bool] = False
    _DEPTH_PATH: ClassVar[str] = "/api/v3/depth"
    _REST_HOSTS: ClassVar[Mapping[str, str]] = _SPOT_HOSTS
    _DEFAULT_ORIGIN: ClassVar[str] = "https://api.binance.com"

    def _init(self) -> None:
        self.initialized: Mapping[str, bool] = _Initialized(self)
        """``initialized[symbol]``: whether that symbol's book is in sync (the reference's name)."""
        self.snapshot_limit = DEFAULT_SNAPSHOT_LIMIT
        """``limit`` of the snapshots the store fetches itself (an ``initialize()`` URL's wins)."""
        self._depth_url: URL | None = None

    def _on_diff(self, event: Any, ws: Any = None) -> None:
        symbol, first, last, prev, asks, bids = depth_diff(event)
        if self._CHAINED:
            if prev < 0:
                raise MalformedMessage("a futures depthUpdate event has no 'pu'")
            self._diff(symbol, (asks, bids), last=last, first=first, prev=prev, ws=ws)
        else:
            self._diff(symbol, (asks, bids), last=last, first=first, ws=ws)

    def _onresponse(self, data: Any, url: URL) -> None:
        """A REST depth snapshot of the ``symbol`` it was asked for, from ``initialize()`` or from
        the store's own recovery; buffered diffs are replayed onto it."""
        symbol = query_param(url, "symbol")
        try:
            last, asks, bids = depth_snapshot(data)
        except MalformedMessage as exc:
            raise InitializeError(f"{url.path}: {exc}") from None
        self._depth_url = url.with_query(None)
        limit = url.query.get("limit")
        if limit is not None and limit.isdigit():
            self.snapshot_limit = int(limit)
        self._snapshot(symbol, (asks, bids), seq=last)

    def _snapshot_request(self, key: Hashable, ws_url: URL) -> SnapshotRequest:
        url = self._depth_url
        if url is None:
            host = self._REST_HOSTS.get(ws_url.host or "")
            origin = f"https://{host}" if host is not None else self._DEFAULT_ORIGIN
            url = URL(origin + self._DEPTH_PATH)
        return SnapshotRequest(url, {"symbol": key, "limit": self.snapshot_limit})


class FuturesOrderBook(OrderBook):
    """USDⓈ-M order books: as ``OrderBook``, with the ``pu`` chain
    (``continuity.BinanceFuturesRule``)."""

    _SEQUENCE = BinanceFuturesRule()
    _CHAINED = True
    _DEPTH_PATH = "/fapi/v1/depth"
    _REST_HOSTS = _FUTURES_HOSTS
    _DEFAULT_ORIGIN = "https://fapi.binance.com"


class COINMOrderBook(FuturesOrderBook):
    """COIN-M order books: as ``FuturesOrderBook``, recovered from ``/dapi/v1/depth``."""

    _DEPTH_PATH = "/dapi/v1/depth"
    _DEFAULT_ORIGIN = "https://dapi.binance.com"
