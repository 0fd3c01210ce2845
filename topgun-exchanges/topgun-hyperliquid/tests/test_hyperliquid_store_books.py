"""Hyperliquid's ``l2Book`` through the verified-book kit, and properties against a naive model.

https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions
(``WsBook``): every message is the whole book of its coin, ``levels`` = [bids, asks], ordered by
``time`` and without a sequence. So the kit's "diff" is the whole book after the change (its
``time`` the model's sequence), lost-message and checksum checks do not apply (the next
snapshot heals a loss), "diffs before the first snapshot" cannot exist (the first message is
one; test_hyperliquid_store.py checks the empty, out-of-sync book before it), and recovery is the next message (``Recovery.NONE``).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from topgun.plugin import OrderBookStore
from topgun.testing import ModelBook, WholeBookAdapter, check_offline, check_recovery
from topgun_hyperliquid.store import HyperliquidDataStore


def _levels(levels: dict[float, float], best_first: bool) -> list[dict[str, Any]]:
    rows = sorted(levels.items(), reverse=best_first)
    return [{"px": f"{price:g}", "sz": f"{size:g}", "n": 1} for price, size in rows if size]


def book_message(coin: str, time: int, asks: dict[float, float], bids: dict[float, float]) -> Any:
    return {
        "channel": "l2Book",
        "data": {
            "coin": coin,
            "time": time,
            "levels": [_levels(bids, best_first=True), _levels(asks, best_first=False)],
        },
    }


class L2BookAdapter(WholeBookAdapter):
    key = "BTC"
    ws_url = "wss://api.hyperliquid.xyz/ws"

    def new_store(self) -> HyperliquidDataStore:
        return HyperliquidDataStore()

    def book(self, store: Any) -> OrderBookStore:
        return store.l2_book  # type: ignore[no-any-return]

    def snapshot(self, model: ModelBook) -> Any:
        return book_message(self.key, model.seq, model.asks, model.bids)

    def subscribe(self) -> list[Any]:
        return [{"method": "subscribe", "subscription": {"type": "l2Book", "coin": self.key}}]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        if isinstance(message, dict) and message.get("method") == "subscribe":
            return [{"channel": "subscriptionResponse", "data": message}, self.snapshot(model)]
        return []


def test_offline() -> None:
    check_offline(L2BookAdapter())  # a clean stream, and duplicates change nothing


async def test_recovery_end_to_end() -> None:
    await check_recovery(L2BookAdapter())


_prices = st.integers(min_value=1, max_value=400).map(lambda n: n * 0.5)
_sizes = st.integers(min_value=0, max_value=40).map(lambda n: n * 0.25)
_sides = st.dictionaries(_prices, _sizes, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["BTC", "ETH"]), st.integers(0, 20), _sides, _sides),
        min_size=1,
        max_size=10,
    )
)
def test_the_book_is_the_newest_snapshot_of_its_coin(
    messages: list[tuple[str, int, dict[float, float], dict[float, float]]],
) -> None:
    store = HyperliquidDataStore()
    newest: dict[str, tuple[int, dict[float, float], dict[float, float]]] = {}
    for coin, time, asks, bids in messages:
        store.onmessage(book_message(coin, time, asks, bids))
        if coin not in newest or time >= newest[coin][0]:
            newest[coin] = (time, asks, bids)
    assert store.skipped == 0
    for coin, (time, asks, bids) in newest.items():
        book = store.l2_book.sorted({"coin": coin})
        assert [(float(i["px"]), float(i["sz"])) for i in book["A"]] == sorted(
            (p, s) for p, s in asks.items() if s
        )
        assert [(float(i["px"]), float(i["sz"])) for i in book["B"]] == sorted(
            ((p, s) for p, s in bids.items() if s), reverse=True
        )
        assert store.l2_book.times[coin] == time
