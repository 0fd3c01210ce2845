"""BybitDataStore.orderbook through core's verified-book kit (``topgun.testing.books``): clean
stream, diffs before a snapshot, a dropped diff, duplicates and stale diffs, and recovery end to
end against a local stream.bybit.com that answers the resubscribe with a snapshot.

Messages are shaped as https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook shows.
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import OrderBookStore
from topgun.testing import BookAdapter, Change, ModelBook, check_offline, check_recovery
from topgun_bybit import BybitDataStore

TOPIC = "orderbook.50.BTCUSDT"


def _rows(rows: Change) -> list[list[str]]:
    return [[f"{price:g}", f"{size:g}"] for price, size in rows]


def _push(kind: str, u: int, asks: Change, bids: Change) -> dict[str, Any]:
    return {
        "topic": TOPIC,
        "type": kind,
        "ts": 1672304484978,
        "data": {"s": "BTCUSDT", "b": _rows(bids), "a": _rows(asks), "u": u, "seq": 7961638724 + u},
        "cts": 1672304484976,
    }


class BybitBook(BookAdapter):
    key = "BTCUSDT"
    ws_url = "wss://stream.bybit.com/v5/public/linear"

    def new_store(self) -> BybitDataStore:
        return BybitDataStore()

    def book(self, store: Any) -> OrderBookStore:
        book: OrderBookStore = store.orderbook
        return book

    def snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        return _push("snapshot", model.seq, asks, bids)

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        return _push("delta", model.seq, asks, bids)

    def subscribe(self) -> list[Any]:
        return [{"op": "subscribe", "args": [TOPIC], "req_id": "book"}]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        """Bybit acks (un)subscribe and follows a subscribe with a snapshot
        (https://bybit-exchange.github.io/docs/v5/ws/connect)."""
        op = message.get("op") if isinstance(message, dict) else None
        if op not in ("subscribe", "unsubscribe") or message.get("args") != [TOPIC]:
            return []
        ack = {"success": True, "ret_msg": "", "conn_id": "kit", "op": op}
        return [ack, self.snapshot(model)] if op == "subscribe" else [ack]


def test_offline_checks() -> None:
    check_offline(BybitBook())


async def test_recovery_end_to_end() -> None:
    await check_recovery(BybitBook())
