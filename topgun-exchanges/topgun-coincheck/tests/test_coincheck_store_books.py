"""Coincheck's order books through the verified-book kit, and a property against a naive model.

Two feeds fill ``CoincheckDataStore.orderbook``:

- ``[pair]-limit-range-orderbook`` (undocumented, shape from the reference library's tests):
  ``sequence_number`` orders the updates but is not known to be consecutive, so a lost update
  cannot be seen (the kit's dropped-diff check does not apply); stale updates are dropped and
  the REST snapshot ``/api/order_books?version=1.0`` replays the newer buffered ones.
- ``[pair]-orderbook`` (https://coincheck.com/documents/exchange/api#websocket-order-book): no
  sequence at all; the book is trusted from the REST snapshot (#order-book) on.

Both recover by REST: the store fetches the snapshot itself through the connection's Client.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

from topgun.plugin import OrderBookStore
from topgun.testing import BookAdapter, Change, ModelBook, check_offline, check_recovery
from topgun_coincheck.store import CoincheckDataStore

PAIR = "btc_jpy"


def _text(number: float) -> str:
    return f"{number:g}"


def _range_rows(asks: Change, bids: Change) -> tuple[list[Any], list[Any]]:
    upper = [{"rate": _text(p), "ask_amount": _text(s), "bid_amount": "0"} for p, s in asks]
    lower = [{"rate": _text(p), "ask_amount": "0", "bid_amount": _text(s)} for p, s in bids]
    return upper, lower


class LimitRangeAdapter(BookAdapter):
    key = PAIR
    ws_url = "wss://ws-api.coincheck.com/"
    rest_url = "https://coincheck.com/api/order_books"

    def new_store(self) -> CoincheckDataStore:
        return CoincheckDataStore()

    def book(self, store: Any) -> OrderBookStore:
        return store.orderbook  # type: ignore[no-any-return]

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        upper, lower = _range_rows(asks, bids)
        data = {"upper": upper, "lower": lower, "sequence_number": str(model.seq)}
        return [PAIR, {**data, "last_update_at": "1700000000"}]

    def rest_snapshot(self, model: ModelBook) -> Any:
        upper, lower = _range_rows(*model.top())
        return {
            "pair": PAIR,
            "upper": upper,
            "lower": lower,
            "sequence_number": str(model.seq),
            "last_update_at": "1700000000",
        }

    def subscribe(self) -> list[Any]:
        return [{"type": "subscribe", "channel": f"{PAIR}-limit-range-orderbook"}]


class DocumentedAdapter(LimitRangeAdapter):
    """The documented diffs (no sequence) and the documented REST book."""

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        return [
            PAIR,
            {
                "bids": [[_text(p), _text(s)] for p, s in bids],
                "asks": [[_text(p), _text(s)] for p, s in asks],
                "last_update_at": "1700000000",
            },
        ]

    def rest_snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        return {
            "asks": [[_text(p), _text(s)] for p, s in asks],
            "bids": [[_text(p), _text(s)] for p, s in bids],
        }

    def subscribe(self) -> list[Any]:
        return [{"type": "subscribe", "channel": f"{PAIR}-orderbook"}]


def test_limit_range_book_kit() -> None:
    check_offline(LimitRangeAdapter())


async def test_limit_range_recovery_end_to_end() -> None:
    await check_recovery(LimitRangeAdapter())


def test_documented_book_kit() -> None:
    check_offline(DocumentedAdapter())


async def test_documented_recovery_end_to_end() -> None:
    await check_recovery(DocumentedAdapter())


_price = st.integers(min_value=1, max_value=60).map(float)
_size = st.integers(min_value=0, max_value=8).map(lambda n: n * 0.25)
_update = st.tuples(
    st.integers(min_value=90, max_value=130),  # sequence numbers: stale, repeated, gapped
    st.lists(st.tuples(_price, _size, _size), max_size=4),
)


@settings(max_examples=80, deadline=None)
@given(
    buffered=st.lists(_update, max_size=6),
    snapshot=st.lists(st.tuples(_price, _size, _size), max_size=6),
    live=st.lists(_update, max_size=10),
)
def test_limit_range_apply_matches_a_naive_model(
    buffered: list[tuple[int, list[tuple[float, float, float]]]],
    snapshot: list[tuple[float, float, float]],
    live: list[tuple[int, list[tuple[float, float, float]]]],
) -> None:
    """Updates before the snapshot at 100 are buffered; those above it are replayed in order;
    from then on, an update applies only if its sequence is above the book's."""
    store = CoincheckDataStore()

    def rows(levels: list[tuple[float, float, float]]) -> list[dict[str, str]]:
        return [
            {"rate": _text(p), "ask_amount": _text(a), "bid_amount": _text(b)} for p, a, b in levels
        ]

    def send(seq: int, levels: list[tuple[float, float, float]]) -> None:
        store.onmessage(
            [PAIR, {"upper": rows(levels), "lower": [], "sequence_number": str(seq)}], None
        )

    asks: dict[float, float] = {}
    bids: dict[float, float] = {}

    def apply(levels: list[tuple[float, float, float]]) -> None:
        for price, ask, bid in levels:
            for side, size in ((asks, ask), (bids, bid)):
                if size:
                    side[price] = size
                else:
                    side.pop(price, None)

    for seq, levels in buffered:
        send(seq, levels)
    body = {"pair": PAIR, "upper": rows(snapshot), "lower": [], "sequence_number": "100"}
    store.orderbook._onresponse(body, URL("https://coincheck.com/api/order_books?version=1.0"))
    apply(snapshot)
    book = 100
    for seq, levels in buffered + live:
        if seq > book:
            apply(levels)
            book = seq
    for seq, levels in live:
        send(seq, levels)
    served = store.orderbook.sorted({"pair": PAIR})
    assert [(float(i["rate"]), float(i["amount"])) for i in served["asks"]] == sorted(asks.items())
    assert [(float(i["rate"]), float(i["amount"])) for i in served["bids"]] == sorted(
        bids.items(), reverse=True
    )
