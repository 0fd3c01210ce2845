"""OKXDataStore.books through the verified-book kit (topgun.testing.books): a clean stream, nothing
served before a snapshot, a lost update found by the seqId chain, a corrupted level found by a
non-zero checksum, duplicates ignored, and recovery end to end, both ways OKX may behave.

Message shapes: https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
(snapshot/update pushes, subscribe/unsubscribe); REST snapshot:
https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-order-book, with the seqId the
2026 procedure relies on (https://www.okx.com/docs-v5/log_en).
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import OrderBookStore, signed_crc32
from topgun.testing import BookAdapter, Change, ModelBook, check_offline, check_recovery
from topgun_okx.store import OKXDataStore

INST = "BTC-USDT"
ARG = {"channel": "books", "instId": INST}


def num(value: float) -> str:
    return format(value, "g")


def rows(levels: Change) -> list[list[str]]:
    return [[num(price), num(size), "0", "1" if size else "0"] for price, size in levels]


def crc(model: ModelBook) -> int:
    asks, bids = model.top(25)
    parts: list[str] = []
    for i in range(max(len(asks), len(bids))):
        for side in (bids, asks):
            if i < len(side):
                parts += [num(side[i][0]), num(side[i][1])]
    return signed_crc32(":".join(parts))


class OKXBooks(BookAdapter):
    """The ``books`` channel as OKX sends it today: a snapshot on subscribe, then updates."""

    key = (INST, "books")
    ws_url = "wss://ws.okx.com:8443/ws/v5/public"
    checksum = True

    def new_store(self) -> OKXDataStore:
        return OKXDataStore()

    def book(self, store: Any) -> OrderBookStore:
        return store.books  # type: ignore[no-any-return]

    def push(self, action: str, model: ModelBook, asks: Change, bids: Change, prev: int) -> Any:
        data = {
            "asks": rows(asks),
            "bids": rows(bids),
            "ts": "1597026383085",
            "checksum": crc(model),
            "prevSeqId": prev,
            "seqId": model.seq,
        }
        return {"arg": ARG, "action": action, "data": [data]}

    def snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        return self.push("snapshot", model, asks, bids, -1)

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        return self.push("update", model, asks, bids, model.prev)

    def subscribe(self) -> list[Any]:
        return [{"op": "subscribe", "args": [ARG]}]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        if not isinstance(message, dict) or "op" not in message:
            return []
        replies: list[Any] = [{"event": message["op"], "arg": ARG, "connId": "a1"}]
        if message["op"] == "subscribe":
            replies.append(self.snapshot(model))
        return replies


class OKXBooksWithoutSnapshot(OKXBooks):
    """The 2026 behaviour: no snapshot on subscribe, checksum 0; the REST snapshot has seqId."""

    checksum = False
    rest_url = "https://www.okx.com/api/v5/market/books"

    def push(self, action: str, model: ModelBook, asks: Change, bids: Change, prev: int) -> Any:
        message = super().push(action, model, asks, bids, prev)
        message["data"][0]["checksum"] = 0
        return message

    def snapshot(self, model: ModelBook) -> Any:
        return None

    def rest_snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        book = {"asks": rows(asks), "bids": rows(bids), "ts": "1597026383085", "seqId": model.seq}
        return {"code": "0", "msg": "", "data": [book]}

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        if not isinstance(message, dict) or "op" not in message:
            return []
        return [{"event": message["op"], "arg": ARG, "connId": "a1"}]


def test_books_through_the_kit() -> None:
    check_offline(OKXBooks())


async def test_books_recovery_by_resubscription_through_the_kit() -> None:
    await check_recovery(OKXBooks())


async def test_books_recovery_by_rest_snapshot_through_the_kit() -> None:
    await check_recovery(OKXBooksWithoutSnapshot())
