"""Bitget's books through core's verified-book kit (``topgun.testing.books``): a clean stream, diffs
before a snapshot, a lost diff, a corrupted level, duplicates and stale diffs, and recovery end to
end against a local ws.bitget.com that answers the unsubscribe + subscribe with a snapshot.

Three feeds: V2 as Bitget's current pages describe it (``seq`` + ``pseq``, no checksum), V2 as the
older pages did (``checksum`` + ``seq``), and V1 (``checksum`` only). Messages are shaped as
https://www.bitget.com/api-doc/spot/websocket/public/Depth-Channel and
https://www.bitget.com/docs/classic/websocket/contract/public/Order-Book-Channel show; V1 as
https://bitgetlimited.github.io/apidoc/en/mix/#order-book-channel. Sizes are written with
trailing zeros ("2.2500"), so the checksum is over the original strings.
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import OrderBookStore, signed_crc32
from topgun.testing import BookAdapter, Change, ModelBook, check_offline, check_recovery
from topgun_bitget import BitgetDataStore, BitgetV2DataStore

V2_ARG = {"instType": "USDT-FUTURES", "channel": "books", "instId": "BTCUSDT"}
V1_ARG = {"instType": "mc", "channel": "books", "instId": "BTCUSDT_UMCBL"}


def _rows(rows: Change) -> list[list[str]]:
    return [[f"{price:g}", f"{size:.4f}"] for price, size in rows]


def checksum_of(model: ModelBook) -> int:
    """The documented check string over the model's best 25 levels, as Bitget computes it."""
    asks, bids = _rows(model.top(25)[0]), _rows(model.top(25)[1])
    parts: list[str] = []
    for i in range(max(len(asks), len(bids))):
        for side in (bids, asks):
            if i < len(side):
                parts.extend(side[i])
    return signed_crc32(":".join(parts))


class V2Book(BookAdapter):
    """Bitget V2 ``books`` with ``seq``/``pseq`` (the current pages; no checksum)."""

    key = ("USDT-FUTURES", "BTCUSDT")
    ws_url = "wss://ws.bitget.com/v2/ws/public"
    arg = V2_ARG
    with_pseq = True

    def new_store(self) -> Any:
        return BitgetV2DataStore()

    def book(self, store: Any) -> OrderBookStore:
        book: OrderBookStore = store.book
        return book

    def _element(self, model: ModelBook, asks: Change, bids: Change, prev: int) -> dict[str, Any]:
        element: dict[str, Any] = {"asks": _rows(asks), "bids": _rows(bids)}
        if self.checksum:
            element["checksum"] = checksum_of(model)
        if self.with_pseq:
            element["seq"], element["pseq"] = model.seq, prev
        elif self.arg is V2_ARG:
            element["seq"] = model.seq
        element["ts"] = str(1695716059516 + model.seq)
        return element

    def _push(self, action: str, element: dict[str, Any]) -> dict[str, Any]:
        return {"action": action, "arg": dict(self.arg), "data": [element], "ts": 1695716059516}

    def snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        return self._push("snapshot", self._element(model, asks, bids, 0))

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        return self._push("update", self._element(model, asks, bids, model.prev))

    def subscribe(self) -> list[Any]:
        return [{"op": "subscribe", "args": [dict(self.arg)]}]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        """Bitget acks each (un)subscribe and follows a subscribe with a snapshot."""
        if message == "ping":
            return ["pong"]
        op = message.get("op") if isinstance(message, dict) else None
        if op not in ("subscribe", "unsubscribe") or message.get("args") != [self.arg]:
            return []
        ack = {"event": op, "arg": dict(self.arg)}
        return [ack, self.snapshot(model)] if op == "subscribe" else [ack]


class V2ChecksumBook(V2Book):
    """Bitget V2 ``books`` as the older pages show it: ``checksum`` and ``seq``, no ``pseq``."""

    checksum = True
    with_pseq = False


class V1Book(V2Book):
    """Bitget V1 ``books``: ``checksum`` only."""

    key = "BTCUSDT_UMCBL"
    ws_url = "wss://ws.bitget.com/mix/v1/stream"
    arg = V1_ARG
    checksum = True
    with_pseq = False

    def new_store(self) -> Any:
        return BitgetDataStore()

    def book(self, store: Any) -> OrderBookStore:
        book: OrderBookStore = store.orderbook
        return book


def test_v2_pseq_offline() -> None:
    check_offline(V2Book())


def test_v2_checksum_offline() -> None:
    check_offline(V2ChecksumBook())


def test_v1_offline() -> None:
    check_offline(V1Book())


async def test_v2_pseq_recovery() -> None:
    await check_recovery(V2Book())


async def test_v2_checksum_recovery() -> None:
    await check_recovery(V2ChecksumBook())


async def test_v1_recovery() -> None:
    await check_recovery(V1Book())
