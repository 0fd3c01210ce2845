"""GMO Coin's ``orderbooks`` through the verified-book kit, and a property against a naive model.

https://api.coin.z.com/docs/#ws-orderbooks: every message is the whole book of its symbol, with
no sequence; a lost message is healed by the next. So the kit's "diff" is the whole book after
the change, the dropped-diff and checksum checks do not apply (nothing to detect a loss with,
nothing needed), and recovery is the next message (``Recovery.NONE``).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from topgun.plugin import OrderBookStore
from topgun.testing import ModelBook, WholeBookAdapter, check_offline, check_recovery
from topgun_gmocoin.store import GMOCoinDataStore


def _rows(levels: dict[float, float]) -> list[dict[str, str]]:
    return [{"price": f"{price:g}", "size": f"{size:g}"} for price, size in levels.items()]


class OrderBooksAdapter(WholeBookAdapter):
    key = "BTC"
    ws_url = "wss://api.coin.z.com/ws/public/v1"

    def new_store(self) -> GMOCoinDataStore:
        return GMOCoinDataStore()

    def book(self, store: Any) -> OrderBookStore:
        return store.orderbooks  # type: ignore[no-any-return]

    def snapshot(self, model: ModelBook) -> Any:
        return {
            "channel": "orderbooks",
            "asks": _rows(model.asks),
            "bids": _rows(model.bids),
            "symbol": self.key,
            "timestamp": "2018-03-30T12:34:56.789Z",
        }

    def subscribe(self) -> list[Any]:
        return [{"command": "subscribe", "channel": "orderbooks", "symbol": self.key}]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        if isinstance(message, dict) and message.get("command") == "subscribe":
            return [self.snapshot(model)]
        return []


def test_offline() -> None:
    check_offline(OrderBooksAdapter())  # a clean stream, and duplicates change nothing


async def test_recovery_end_to_end() -> None:
    await check_recovery(OrderBooksAdapter())


_prices = st.integers(min_value=1, max_value=400).map(lambda n: n * 0.5)
_sizes = st.integers(min_value=0, max_value=40).map(lambda n: n * 0.25)
_books = st.tuples(
    st.dictionaries(_prices, _sizes, max_size=12), st.dictionaries(_prices, _sizes, max_size=12)
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["BTC", "ETH"]), _books), min_size=1, max_size=8))
def test_the_book_is_the_last_message_of_its_symbol(
    messages: list[tuple[str, tuple[dict[float, float], dict[float, float]]]],
) -> None:
    store = GMOCoinDataStore()
    last: dict[str, tuple[dict[float, float], dict[float, float]]] = {}
    for symbol, (asks, bids) in messages:
        store.onmessage(
            {
                "channel": "orderbooks",
                "asks": _rows(asks),
                "bids": _rows(bids),
                "symbol": symbol,
                "timestamp": "2018-03-30T12:34:56.789Z",
            }
        )
        last[symbol] = (asks, bids)
    for symbol, (asks, bids) in last.items():
        book = store.orderbooks.sorted({"symbol": symbol})
        assert [(float(i["price"]), float(i["size"])) for i in book["asks"]] == sorted(
            (p, s) for p, s in asks.items() if s
        )
        assert [(float(i["price"]), float(i["size"])) for i in book["bids"]] == sorted(
            ((p, s) for p, s in bids.items() if s), reverse=True
        )
