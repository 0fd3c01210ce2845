"""bitFlyerDataStore.board through the verified-book kit (topgun.testing.books), and its own
recovery: re-subscribing the snapshot channel when no snapshot comes.

bitFlyer's board carries no sequence and no checksum, so a lost diff cannot be noticed (the kit
skips that check); what the kit proves is that nothing is served before a snapshot or after a
reconnect, that duplicates are harmless, and that recovery over the wire ends equal to the model.
Message shapes: https://bf-lightning-api.readme.io/docs/realtime-board-snapshot,
https://bf-lightning-api.readme.io/docs/realtime-board; JSON-RPC subscribe/unsubscribe:
https://bf-lightning-api.readme.io/docs/endpoint-json-rpc
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from topgun.plugin import OrderBookStore
from topgun.testing import (
    FAST_BACKOFF,
    BookAdapter,
    Change,
    ModelBook,
    WebSocketExchange,
    check_offline,
    check_recovery,
    eventually,
)
from topgun_bitflyer.store import bitFlyerDataStore

PRODUCT = "FX_BTC_JPY"
SNAPSHOT = f"lightning_board_snapshot_{PRODUCT}"
DIFF = f"lightning_board_{PRODUCT}"
URL = "wss://ws.lightstream.bitflyer.com/json-rpc"


def frame(channel: str, message: Any) -> Any:
    return {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": channel, "message": message},
    }


def board(model: ModelBook, asks: Change, bids: Change) -> Any:
    mid = (min(model.asks) + max(model.bids)) / 2  # between the sides: nothing is crossed
    return {
        "mid_price": mid,
        "bids": [{"price": price, "size": size} for price, size in bids],
        "asks": [{"price": price, "size": size} for price, size in asks],
    }


class BoardAdapter(BookAdapter):
    key = PRODUCT
    ws_url = URL

    def new_store(self) -> bitFlyerDataStore:
        return bitFlyerDataStore()

    def book(self, store: Any) -> OrderBookStore:
        return store.board  # type: ignore[no-any-return]

    def snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        return frame(SNAPSHOT, board(model, asks, bids))

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        return frame(DIFF, board(model, asks, bids))

    def subscribe(self) -> list[Any]:
        return [
            {"jsonrpc": "2.0", "method": "subscribe", "params": {"channel": channel}, "id": n}
            for n, channel in enumerate((SNAPSHOT, DIFF), 1)
        ]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        replies: list[Any] = [{"jsonrpc": "2.0", "id": message.get("id"), "result": True}]
        if message.get("method") == "subscribe" and message["params"]["channel"] == SNAPSHOT:
            replies.append(self.snapshot(model))
        return replies


def test_board_through_the_kit() -> None:
    adapter = BoardAdapter()
    assert not adapter.detects_loss  # nothing in the feed can show a lost diff
    check_offline(adapter)


async def test_board_recovery_through_the_kit() -> None:
    await check_recovery(BoardAdapter())


async def test_without_a_snapshot_the_board_resubscribes_its_snapshot_channel() -> None:
    """Only the diff channel subscribed: after recovery.grace the store asks for the snapshot."""
    adapter = BoardAdapter()
    model = ModelBook.seeded(random.Random(3))
    store = bitFlyerDataStore()
    store.board.recovery = dataclasses.replace(store.board.recovery, grace=0.05)

    def respond(conn: Any, message: Any) -> list[Any]:
        return adapter.answer(message, model)

    async with (
        WebSocketExchange(["ws.lightstream.bitflyer.com"], respond) as exchange,
        exchange.client(apis={}) as client,
    ):
        app = client.ws_connect(
            URL,
            send_json=adapter.subscribe()[1],  # the diff channel only
            hdlr_json=store.onmessage,
            backoff=FAST_BACKOFF,
        )
        await app.ready()
        await eventually(lambda: len(exchange.connections) == 1)
        await exchange.connections[0].send(adapter.diff(model, [], []))
        await store.board.wait_synced(PRODUCT, timeout=5)
        received = exchange.connections[0].received
    assert [(m["method"], m["params"]["channel"]) for m in received] == [
        ("subscribe", DIFF),
        ("unsubscribe", SNAPSHOT),
        ("subscribe", SNAPSHOT),
    ]
    assert store.board.stats.resyncs == 1 and store.board.dropped_diffs == 1
    asks = [
        (lv["price"], lv["size"]) for lv in store.board.sorted({"product_code": PRODUCT})["asks"]
    ]
    assert asks == model.top()[0]
