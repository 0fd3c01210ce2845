"""Two made-up exchanges whose books use core's verified-book machinery, one per recovery kind.

Core knows no exchange, so its tests of verified books use these:

- ``ChecksumFeed``: snapshot/delta messages with a ``first..last`` range (``RangeRule``) and a
  signed CRC32 checksum of the top 10 levels, recovered by re-subscribing the book's channel.
- ``RestFeed``: diffs chained by ``prev`` (``ChainRule``) and no checksum, recovered from a
  REST snapshot (``GET https://rest.books.test/depth?symbol=...``) plus replay.

Each comes with its ``BookAdapter`` for ``topgun.testing.books`` (fixtures ``checksum_adapter``
and ``rest_adapter``; ``adapter.new_store()`` makes the feed).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

import pytest
from yarl import URL

from topgun.errors import InitializeError
from topgun.store import (
    ChainRule,
    DataStoreCollection,
    Level,
    OrderBookStore,
    RangeRule,
    Recovery,
    SnapshotRequest,
)
from topgun.testing.books import BookAdapter, Change, ModelBook

WS_URL = "wss://ws.books.test/stream"
REST_URL = "https://rest.books.test/depth"
CHECK_DEPTH = 10


def text(value: float) -> str:
    """How both made-up exchanges write numbers: shortest form (``1000.5``, ``2``)."""
    return f"{value:g}"


def levels(rows: Any) -> list[Level]:
    """``[["price", "size"], ...]`` as levels; ValueError for anything else (nothing applied)."""
    out: list[Level] = []
    try:
        for price, size in rows:
            value = float(price)
            amount = float(size)
            if not (0 < value < float("inf")) or not (0 <= amount < float("inf")):
                raise ValueError(f"bad level {price!r} {size!r}")
            out.append((value, price, size if amount else None))  # sizes kept as written
    except (TypeError, ValueError) as exc:
        raise ValueError(f"malformed rows: {exc}") from None
    return out


def check_string(asks: list[tuple[float, float]], bids: list[tuple[float, float]]) -> str:
    """bid1:size:ask1:size:bid2:... over the top CHECK_DEPTH levels, missing ones skipped
    (the exchange's side: computed from its true book, independently of the store)."""
    parts: list[str] = []
    for i in range(CHECK_DEPTH):
        for side in (bids, asks):
            if i < len(side):
                price, size = side[i]
                parts.append(f"{text(price)}:{text(size)}")
    return ":".join(parts)


# -- the checksummed, re-subscribed feed ------------------------------------------------------


class ChecksumBook(OrderBookStore):
    _KEYS = ("symbol", "side", "price")
    _SEQUENCE = RangeRule()
    _RECOVERY = Recovery.SUBSCRIPTION

    _CHECKSUM_DEPTH = CHECK_DEPTH  # the interleaved best levels, as stored

    def _resubscribe(self, key: Hashable) -> list[Any]:
        channel = f"book.{key}"
        return [{"op": "unsubscribe", "args": [channel]}, {"op": "subscribe", "args": [channel]}]


class ChecksumFeed(DataStoreCollection):
    def _init(self) -> None:
        self.book = self._create("book", datastore_class=ChecksumBook)

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if not isinstance(msg, dict) or msg.get("channel") != "book":
            return
        symbol = msg["symbol"]
        parsed = (levels(msg["asks"]), levels(msg["bids"]))
        checksum = msg.get("checksum")
        if msg["type"] == "snapshot":
            self.book._snapshot(symbol, parsed, seq=msg["last"], checksum=checksum, ws=ws)
        else:
            self.book._diff(
                symbol, parsed, first=msg["first"], last=msg["last"], checksum=checksum, ws=ws
            )


def checksum_of(model: ModelBook) -> int:
    from topgun.store import signed_crc32

    asks, bids = model.top(CHECK_DEPTH)
    return signed_crc32(check_string(asks, bids))


def rows(side: Change) -> list[list[str]]:
    return [[text(price), text(size)] for price, size in side]


class ChecksumAdapter(BookAdapter):
    key = "AAA-BBB"
    ws_url = WS_URL
    checksum = True

    collection = ChecksumFeed
    book_name = "book"

    def snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        return {
            "channel": "book",
            "type": "snapshot",
            "symbol": self.key,
            "first": model.seq,
            "last": model.seq,
            "asks": rows(asks),
            "bids": rows(bids),
            "checksum": checksum_of(model),
        }

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        return {
            "channel": "book",
            "type": "delta",
            "symbol": self.key,
            "first": model.prev + 1,
            "last": model.seq,
            "asks": rows(asks),
            "bids": rows(bids),
            "checksum": checksum_of(model),
        }

    def subscribe(self) -> list[Any]:
        return [{"op": "subscribe", "args": [f"book.{self.key}"]}]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        if message == {"op": "subscribe", "args": [f"book.{self.key}"]}:
            return [{"event": "subscribed"}, self.snapshot(model)]
        return []


# -- the chained, REST-recovered feed -----------------------------------------------------------


class RestBook(OrderBookStore):
    _KEYS = ("s", "S", "p")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "S", "p", "q"
    _ASKS, _BIDS = "a", "b"
    _SEQUENCE = ChainRule()
    _RECOVERY = Recovery.REST

    def _snapshot_request(self, key: Hashable, ws_url: URL) -> SnapshotRequest:
        return SnapshotRequest(REST_URL, {"symbol": key})

    def _onresponse(self, data: Any, url: URL) -> None:
        symbol = url.query.get("symbol")
        try:
            if not symbol or not isinstance(data, dict):
                raise ValueError("no symbol, or not a JSON object")
            parsed = (levels(data["asks"]), levels(data["bids"]))
            seq = data["lastUpdateId"]
            if type(seq) is not int:
                raise ValueError(f"lastUpdateId {seq!r} is not an int")
        except (KeyError, ValueError) as exc:
            raise InitializeError(f"{url.path}: {exc}") from None
        self._snapshot(symbol, parsed, seq=seq)


class RestFeed(DataStoreCollection):
    _ENDPOINTS: ClassVar[dict[str, str]] = {"/depth": "depth"}

    def _init(self) -> None:
        self.depth = self._create("depth", datastore_class=RestBook)

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if not isinstance(msg, dict) or msg.get("e") != "depth":
            return
        parsed = (levels(msg["a"]), levels(msg["b"]))
        self.depth._diff(msg["s"], parsed, first=msg["U"], last=msg["u"], prev=msg["pu"], ws=ws)


class RestAdapter(BookAdapter):
    key = "CCCDDD"
    ws_url = WS_URL
    rest_url = REST_URL + "?symbol=CCCDDD"

    collection = RestFeed
    book_name = "depth"

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        return {
            "e": "depth",
            "s": self.key,
            "U": model.prev + 1,
            "u": model.seq,
            "pu": model.prev,
            "a": rows(asks),
            "b": rows(bids),
        }

    def rest_snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        return {"lastUpdateId": model.seq, "asks": rows(asks), "bids": rows(bids)}


@pytest.fixture
def checksum_adapter() -> ChecksumAdapter:
    return ChecksumAdapter()


@pytest.fixture
def rest_adapter() -> RestAdapter:
    return RestAdapter()
