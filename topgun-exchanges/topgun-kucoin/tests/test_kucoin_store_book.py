"""KuCoinDataStore.orderbook: the full level-2 books, verified by sequence, through the kit.

Message shapes from KuCoin's docs: spot "Orderbook - Increment"
(https://www.kucoin.com/docs-new/3470068w0), futures "Orderbook - Increment"
(https://www.kucoin.com/docs-new/3470082w0); snapshots from "Get Full OrderBook"
(https://www.kucoin.com/docs-new/rest/spot-trading/market-data/get-full-orderbook and
https://www.kucoin.com/docs-new/rest/futures-trading/market-data/get-full-orderbook).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

import topgun
from topgun.plugin import OrderBookStore
from topgun.testing import BookAdapter, Change, Messages, ModelBook, check_offline, check_recovery
from topgun_kucoin.store import OrderBook

from .test_kucoin_samples import l2update

SPOT_REST = "https://api.kucoin.com/api/v3/market/orderbook/level2"
FUTURES_REST = "https://api-futures.kucoin.com/api/v1/level2/snapshot"
APIS = {"kucoin": ["kucoin-test-key", "kucoin-test-secret", "kucoin-test-passphrase"]}
SCALE = 4
"""KuCoin sequences per kit change: each change of the model spends four of them."""


def futures_message(symbol: str, sequence: int, change: str) -> Any:
    return {
        "topic": f"/contractMarket/level2:{symbol}",
        "type": "message",
        "subject": "level2",
        "sn": sequence,
        "data": {"sequence": sequence, "change": change, "timestamp": 1731897467182},
    }


def spot_url(symbol: str) -> URL:
    return URL(SPOT_REST).with_query(symbol=symbol)


def rows(book: OrderBookStore, symbol: str) -> dict[str, list[tuple[str, str]]]:
    result = book.sorted({"symbol": symbol})
    return {side: [(i["price"], i["size"]) for i in items] for side, items in result.items()}


# -- the docs' worked examples -------------------------------------------------------------------

DOCS_SNAPSHOT = {
    "code": "200000",
    "data": {
        "sequence": "16",
        "time": 1550653727731,
        "asks": [["3988.62", "8"], ["3988.61", "32"], ["3988.60", "47"], ["3988.59", "3"]],
        "bids": [["3988.51", "56"], ["3988.50", "15"], ["3988.49", "100"], ["3988.48", "10"]],
    },
}


def test_spot_docs_example() -> None:
    """Snapshot at 16, then the docs' message: rows 15 and 16 ignored, 18 and 19 applied."""
    store = topgun.KuCoinDataStore()
    message = l2update(
        15,
        19,
        [["3988.59", "3", "16"], ["3988.61", "0", "19"], ["3988.62", "8", "15"]],
        [["3988.50", "44", "18"]],
    )
    store.onmessage(message)  # cached: no snapshot yet
    assert store.orderbook.out_of_sync == {"BTC-USDT"}
    assert store.orderbook.sorted({"symbol": "BTC-USDT"}) == {"asks": [], "bids": []}
    store.orderbook._onresponse(DOCS_SNAPSHOT, spot_url("BTC-USDT"))
    assert store.orderbook.in_sync("BTC-USDT")
    assert rows(store.orderbook, "BTC-USDT") == {  # the docs' table after the playback
        "asks": [("3988.59", "3"), ("3988.60", "47"), ("3988.62", "8")],
        "bids": [("3988.51", "56"), ("3988.50", "44"), ("3988.49", "100"), ("3988.48", "10")],
    }
    assert store.orderbook.find({"symbol": "BTC-USDT", "price": "3988.50"}) == [
        {"symbol": "BTC-USDT", "side": "bids", "price": "3988.50", "size": "44"}
    ]


def test_futures_docs_example() -> None:
    """Snapshot at 16 (numbers), then sequence 17 ("3988.50,buy,44") and 18 ("3988.61,sell,0")."""
    store = topgun.KuCoinDataStore()
    snapshot = {
        "code": "200000",
        "data": {
            "sequence": 16,
            "symbol": "XBTUSDTM",
            "asks": [[3988.59, 3], [3988.60, 47], [3988.61, 32], [3988.62, 8]],
            "bids": [[3988.51, 56], [3988.50, 15], [3988.49, 100], [3988.48, 10]],
            "ts": 1729168101216000000,
        },
    }
    store.orderbook._onresponse(snapshot, URL(FUTURES_REST).with_query(symbol="XBTUSDTM"))
    store.onmessage(futures_message("XBTUSDTM", 17, "3988.50,buy,44"))
    store.onmessage(futures_message("XBTUSDTM", 18, "3988.61,sell,0"))
    assert rows(store.orderbook, "XBTUSDTM") == {
        "asks": [("3988.59", "3"), ("3988.6", "47"), ("3988.62", "8")],
        "bids": [("3988.51", "56"), ("3988.5", "44"), ("3988.49", "100"), ("3988.48", "10")],
    }  # a level keeps the price text it was created with (3988.5 from the snapshot's number)
    store.onmessage(futures_message("XBTUSDTM", 20, "3988.62,sell,9"))  # 19 was lost
    assert store.orderbook.out_of_sync == {"XBTUSDTM"}
    assert store.orderbook.stats.gaps == 1
    assert store.orderbook.out_of_sync_reason("XBTUSDTM") == "gap: expected 19 got 20"


def test_docs_increment_sample_and_stale_messages() -> None:
    """The docs' sample message after a snapshot at its sequence - 1; the same message again is
    stale; a message starting past the book + 1 is a gap and hides the book."""
    store = topgun.KuCoinDataStore()
    book = store.orderbook
    snapshot = {
        "code": "200000",
        "data": {"sequence": "14701689782", "time": 1, "asks": [], "bids": [["67990", "1"]]},
    }
    book._onresponse(snapshot, spot_url("BTC-USDT"))
    sample = l2update(14701689783, 14701689783, [["67993.3", "1.21427407", "14701689783"]], [])
    store.onmessage(sample)
    store.onmessage(sample)
    assert rows(book, "BTC-USDT")["asks"] == [("67993.3", "1.21427407")]
    assert book.stats.stale_dropped == 1
    store.onmessage(l2update(14701689785, 14701689785, [], []))
    assert "BTC-USDT" in book.out_of_sync
    assert book.sorted({"symbol": "BTC-USDT"}) == {"asks": [], "bids": []}


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"symbol": "BTC-USDT", "sequenceStart": 1, "sequenceEnd": 2},  # no changes
        {"symbol": "BTC-USDT", "sequenceStart": 2, "sequenceEnd": 1, "changes": {}},
        {"symbol": "BTC-USDT", "sequenceStart": True, "sequenceEnd": 2, "changes": {}},
        {"symbol": 5, "sequenceStart": 1, "sequenceEnd": 2, "changes": {}},
        {"symbol": "BTC-USDT", "sequenceStart": 1, "sequenceEnd": 2, "changes": {"asks": 3}},
        {
            "symbol": "BTC-USDT",
            "sequenceStart": 1,
            "sequenceEnd": 2,
            "changes": {"asks": [["1", "NaN", "1"]]},
        },
        {
            "symbol": "BTC-USDT",
            "sequenceStart": 1,
            "sequenceEnd": 2,
            "changes": {"asks": [["1", "1", "1"]], "bids": [[True, "1", "2"]]},
        },
        {
            "symbol": "BTC-USDT",
            "sequenceStart": 1,
            "sequenceEnd": 2,
            "changes": {"asks": [["1", "1", "1"]], "bids": [["inf", "1", "2"]]},
        },
        {  # straddles the snapshot (16), so the rows' own sequences are read
            "symbol": "BTC-USDT",
            "sequenceStart": 16,
            "sequenceEnd": 17,
            "changes": {"asks": [["1", "1", 1.5]]},
        },
        {
            "symbol": "BTC-USDT",
            "sequenceStart": 16,
            "sequenceEnd": 17,
            "changes": {"asks": [["1", "1", "17"]], "bids": [["2", "1", "x"]]},
        },
    ],
)
def test_malformed_spot_messages_change_nothing(
    data: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = topgun.KuCoinDataStore()
    book = store.orderbook
    book._onresponse(DOCS_SNAPSHOT, spot_url("BTC-USDT"))
    before = rows(book, "BTC-USDT")
    message = l2update(17, 17, [], [])
    message["data"] = data
    with caplog.at_level(logging.WARNING, "topgun.store.kucoin"):
        store.onmessage(message)
    assert rows(book, "BTC-USDT") == before and book.in_sync("BTC-USDT")
    assert "malformed" in caplog.text


@pytest.mark.parametrize(
    "change", ["1,buy", "x,buy,1", "1,hold,1", "1,buy,-1", "1,sell,nan", 5, None]
)
def test_malformed_futures_changes_change_nothing(change: Any) -> None:
    store = topgun.KuCoinDataStore()
    store.orderbook._onresponse(
        {"code": "200000", "data": {"sequence": 1, "asks": [[10, 1]], "bids": [[9, 1]]}},
        URL(FUTURES_REST).with_query(symbol="XBTUSDTM"),
    )
    store.onmessage(futures_message("XBTUSDTM", 2, change))
    assert rows(store.orderbook, "XBTUSDTM") == {"asks": [("10", "1")], "bids": [("9", "1")]}
    store.onmessage(futures_message("XBTUSDTM", 2, "9,buy,3"))  # the sequence did not move
    assert rows(store.orderbook, "XBTUSDTM")["bids"] == [("9", "3")]


def test_a_side_without_changes_may_be_left_out() -> None:
    store = topgun.KuCoinDataStore()
    store.orderbook._onresponse(DOCS_SNAPSHOT, spot_url("BTC-USDT"))
    message = l2update(17, 17, [["3988.59", "1", "17"]], [])
    del message["data"]["changes"]["bids"]
    store.onmessage(message)
    assert rows(store.orderbook, "BTC-USDT")["asks"][0] == ("3988.59", "1")


def test_price_zero_rows_are_skipped_and_the_sequence_moves() -> None:
    """KuCoin's calibration: "if the price is 0, ignore the messages and update the sequence"."""
    store = topgun.KuCoinDataStore()
    store.orderbook._onresponse(DOCS_SNAPSHOT, spot_url("BTC-USDT"))
    store.onmessage(l2update(17, 17, [["0", "1", "17"]], []))
    store.onmessage(l2update(18, 18, [["3988.59", "4", "18"]], []))
    assert store.orderbook.in_sync("BTC-USDT")
    assert rows(store.orderbook, "BTC-USDT")["asks"][0] == ("3988.59", "4")


# -- hypothesis: apply vs a naive model --------------------------------------------------------

_price = st.integers(1, 40).map(lambda tick: f"{100 + tick * 0.5:.1f}")
_size = st.sampled_from(["0", "0.5", "1.25", "3"])


@settings(max_examples=60, deadline=None)
@given(
    snapshot=st.dictionaries(_price, _size.filter(lambda s: s != "0"), max_size=12),
    overlap=st.integers(0, 3),
    messages=st.lists(
        st.lists(st.tuples(st.booleans(), _price, _size), min_size=0, max_size=5),
        min_size=1,
        max_size=12,
    ),
)
def test_apply_matches_a_naive_model(
    snapshot: dict[str, str], overlap: int, messages: list[list[tuple[bool, str, str]]]
) -> None:
    """Asks and bids on disjoint grids; the first message straddles the snapshot by ``overlap``
    rows (those are skipped); every later one follows."""
    base = 1000
    store = topgun.KuCoinDataStore()
    book = store.orderbook
    model: dict[str, dict[float, str]] = {"asks": {}, "bids": {}}
    asks = [[p, s] for p, s in snapshot.items()]
    bids = [[f"{float(p) - 50:.1f}", s] for p, s in snapshot.items()]
    for side, levels in (("asks", asks), ("bids", bids)):
        for p, s in levels:
            model[side][float(p)] = s
    body = {"code": "200000", "data": {"sequence": str(base), "asks": asks, "bids": bids}}
    book._onresponse(body, spot_url("ETH-USDT"))
    sequence = base - overlap
    for number, changes in enumerate(messages):
        start = sequence + 1
        message_rows: dict[str, list[list[str]]] = {"asks": [], "bids": []}
        for is_ask, p, s in changes:
            sequence += 1
            side = "asks" if is_ask else "bids"
            price = p if is_ask else f"{float(p) - 50:.1f}"
            message_rows[side].append([price, s, str(sequence)])
            if sequence > base:
                if s == "0":
                    model[side].pop(float(price), None)
                else:
                    model[side][float(price)] = s
        if number == 0 and not changes:
            sequence = max(sequence, base)  # an empty straddling message moves nothing
            start = min(start, sequence)
        end = max(sequence, start)
        sequence = end
        store.onmessage(
            l2update(start, end, message_rows["asks"], message_rows["bids"], "ETH-USDT")
        )
    assert book.in_sync("ETH-USDT") or sequence <= base
    served = book.sorted({"symbol": "ETH-USDT"})
    expected_asks = sorted(model["asks"].items())
    expected_bids = sorted(model["bids"].items(), reverse=True)
    assert [(float(i["price"]), i["size"]) for i in served["asks"]] == expected_asks
    assert [(float(i["price"]), i["size"]) for i in served["bids"]] == expected_bids


# -- the verified-book kit ---------------------------------------------------------------------


def _text(value: float) -> str:
    return str(value)


class SpotAdapter(BookAdapter):
    key = "BTC-USDT"
    ws_url = "wss://ws-api-spot.kucoin.com/"
    rest_url = f"{SPOT_REST}?symbol=BTC-USDT"
    apis = APIS  # the full spot snapshot is a signed request

    def new_store(self) -> Any:
        return topgun.KuCoinDataStore()

    def book(self, store: Any) -> OrderBook:
        book: OrderBook = store.orderbook
        return book

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        start = model.prev * SCALE + 1
        sequence = iter(range(start, model.seq * SCALE + 1))
        ask_rows = [[_text(p), _text(s), str(next(sequence))] for p, s in asks]
        bid_rows = [[_text(p), _text(s), str(next(sequence))] for p, s in bids]
        return l2update(start, model.seq * SCALE, ask_rows, bid_rows, self.key)

    def rest_snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        return {
            "code": "200000",
            "data": {
                "sequence": str(model.seq * SCALE),
                "time": 1550653727731,
                "asks": [[_text(p), _text(s)] for p, s in asks],
                "bids": [[_text(p), _text(s)] for p, s in bids],
            },
        }

    def greeting(self) -> list[Any]:
        return [{"id": "hQvf8jkno", "type": "welcome"}]

    def subscribe(self) -> list[Any]:
        topic = f"/market/level2:{self.key}"
        return [{"id": 1, "type": "subscribe", "topic": topic, "response": True}]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        if isinstance(message, dict) and message.get("type") == "subscribe":
            return [{"id": message["id"], "type": "ack"}]
        return []


class FuturesAdapter(SpotAdapter):
    """One change per message: each kit change is four messages (the last row repeated, which
    sets the same absolute size again), so the kit's sequences map onto KuCoin's one to four."""

    key = "XBTUSDTM"
    ws_url = "wss://ws-api-futures.kucoin.com/"
    rest_url = f"{FUTURES_REST}?symbol=XBTUSDTM"
    apis = {}  # noqa: RUF012 - public

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        changes = [f"{p},sell,{s}" for p, s in asks] + [f"{p},buy,{s}" for p, s in bids]
        assert 1 <= len(changes) <= SCALE
        changes += [changes[-1]] * (SCALE - len(changes))
        first = model.prev * SCALE + 1
        return Messages(
            futures_message(self.key, first + i, change) for i, change in enumerate(changes)
        )

    def rest_snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        return {
            "code": "200000",
            "data": {
                "sequence": model.seq * SCALE,
                "symbol": self.key,
                "asks": [[p, s] for p, s in asks],
                "bids": [[p, s] for p, s in bids],
                "ts": 1729168101216000000,
            },
        }

    def greeting(self) -> list[Any]:
        return []

    def subscribe(self) -> list[Any]:
        topic = f"/contractMarket/level2:{self.key}"
        return [{"id": 1, "type": "subscribe", "topic": topic, "response": True}]


def test_spot_book_kit() -> None:
    check_offline(SpotAdapter())


def test_futures_book_kit() -> None:
    check_offline(FuturesAdapter())


async def test_spot_book_recovery() -> None:
    await check_recovery(SpotAdapter())


async def test_futures_book_recovery() -> None:
    await check_recovery(FuturesAdapter())
