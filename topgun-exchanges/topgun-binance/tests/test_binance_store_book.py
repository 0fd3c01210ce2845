"""Binance order books: the continuity rules, buffering and replay, gaps, malformed diffs, a model.

Rules: "How to manage a local order book correctly", spot
https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams and futures
https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/How-to-manage-a-local-order-book-correctly
(COIN-M: the same page under coin-margined-futures). Diff payloads in the shape of the "Diff.
Depth Stream" examples (conftest ``DOC_MESSAGES``), snapshots in the shape of ``GET
/api/v3/depth`` / ``/fapi/v1/depth``, parsed off the wire (orjson) like the real feed.
"""

from __future__ import annotations

import logging
import random
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

from topgun.plugin import InitializeError, Verdict
from topgun_binance.store import (
    BinanceCOINMDataStore,
    BinanceSpotDataStore,
    BinanceUSDSMDataStore,
)
from topgun_binance.store.continuity import SPOT_RULE, BinanceFuturesRule

APPLY, STALE, GAP = Verdict.APPLY, Verdict.STALE, Verdict.GAP
SPOT_DEPTH = URL("https://api.binance.com/api/v3/depth?symbol=BNBBTC&limit=1000")
FUTURES_DEPTH = URL("https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000")


def wire(message: Any) -> Any:
    return orjson.loads(orjson.dumps(message))


def spot_diff(first: int, last: int, bids: Any = (), asks: Any = ()) -> Any:
    return wire(
        {
            "e": "depthUpdate",
            "E": 1672515782136,
            "s": "BNBBTC",
            "U": first,
            "u": last,
            "b": [list(row) for row in bids],
            "a": [list(row) for row in asks],
        }
    )


def futures_diff(first: int, last: int, prev: int, bids: Any = (), asks: Any = ()) -> Any:
    return wire(
        {
            "e": "depthUpdate",
            "E": 123456789,
            "T": 123456788,
            "s": "BTCUSDT",
            "U": first,
            "u": last,
            "pu": prev,
            "b": [list(row) for row in bids],
            "a": [list(row) for row in asks],
        }
    )


def snapshot(last: int, bids: Any = (), asks: Any = ()) -> Any:
    return wire(
        {"lastUpdateId": last, "bids": [list(r) for r in bids], "asks": [list(r) for r in asks]}
    )


def rows(side: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(level["p"], level["q"]) for level in side]


# -- the rules, as the docs word them -----------------------------------------------------------


@pytest.mark.parametrize(
    ("book", "first", "last", "verdict"),
    [
        (160, 150, 160, STALE),  # u <= lastUpdateId: dropped
        (159, 150, 160, APPLY),  # U <= lastUpdateId+1 <= u
        (159, 160, 170, APPLY),  # U == lastUpdateId+1
        (159, 161, 170, GAP),  # U > lastUpdateId+1: something went wrong
    ],
)
def test_spot_rule(book: int, first: int, last: int, verdict: Verdict) -> None:
    assert SPOT_RULE.check(book, first, last, None, True) is verdict
    assert SPOT_RULE.check(book, first, last, None, False) is verdict


@pytest.mark.parametrize(
    ("book", "first", "last", "prev", "fresh", "verdict"),
    [
        (155, 150, 154, 149, True, STALE),  # u < lastUpdateId: dropped
        (155, 150, 155, 149, True, APPLY),  # U <= lastUpdateId <= u (u == lastUpdateId)
        (155, 150, 160, 149, True, APPLY),
        (155, 157, 160, 149, True, GAP),  # the snapshot is older than the first event
        (155, 157, 160, 155, True, APPLY),  # pu == lastUpdateId: follows the snapshot at once
        (160, 161, 170, 160, False, APPLY),  # pu == previous u
        (160, 170, 175, 160, False, APPLY),  # U is not pu + 1 on futures: no false gap
        (160, 170, 175, 165, False, GAP),  # pu != previous u
        (160, 150, 160, 149, False, STALE),  # a repeat of the last event
    ],
)
def test_futures_rule(
    book: int, first: int, last: int, prev: int, fresh: bool, verdict: Verdict
) -> None:
    assert BinanceFuturesRule().check(book, first, last, prev, fresh) is verdict


def test_the_docs_futures_example_is_no_gap_where_the_spot_rule_would_see_one() -> None:
    # Diff. Book Depth Streams example: U 157, u 160, pu 149, following an event that ended at 149.
    assert BinanceFuturesRule().check(149, 157, 160, 149, False) is APPLY
    assert SPOT_RULE.check(149, 157, 160, None, False) is GAP


# -- spot ---------------------------------------------------------------------------------------


def test_spot_diffs_before_the_snapshot_are_buffered_and_replayed(doc: Any) -> None:
    store = BinanceSpotDataStore()
    store.onmessage(doc("spot depthUpdate"))  # U 157, u 160
    store.onmessage(spot_diff(161, 163, bids=[("0.0024", "0")], asks=[("0.0027", "5")]))
    assert store.orderbook.out_of_sync == {"BNBBTC"}
    assert store.orderbook.sorted({"s": "BNBBTC"}) == {"a": [], "b": []}
    assert not store.orderbook.initialized["BNBBTC"]
    store.orderbook._onresponse(
        snapshot(158, bids=[("0.0023", "1"), ("0.0024", "2")], asks=[("0.0026", "3")]),
        SPOT_DEPTH,
    )
    assert store.orderbook.initialized["BNBBTC"] and store.orderbook.in_sync("BNBBTC")
    assert store.orderbook.sorted({"s": "BNBBTC"}) == {
        "a": [
            {"s": "BNBBTC", "S": "a", "p": "0.0026", "q": "100"},
            {"s": "BNBBTC", "S": "a", "p": "0.0027", "q": "5"},
        ],
        "b": [{"s": "BNBBTC", "S": "b", "p": "0.0023", "q": "1"}],
    }
    store.onmessage(spot_diff(164, 164, bids=[("0.0025", "7")]))
    assert rows(store.orderbook.sorted({"s": "BNBBTC"}, limit=1)["b"]) == [("0.0025", "7")]


def test_spot_stale_is_ignored_and_a_gap_hides_the_book(
    doc: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = BinanceSpotDataStore()
    store.orderbook._onresponse(snapshot(160, bids=[("0.0024", "2")]), SPOT_DEPTH)
    store.onmessage(doc("spot depthUpdate"))  # u 160 <= 160: stale
    assert rows(store.orderbook.sorted({"s": "BNBBTC"})["b"]) == [("0.0024", "2")]
    with caplog.at_level(logging.WARNING):
        store.onmessage(spot_diff(163, 165, bids=[("0.0030", "1")]))  # 161..162 missed
    assert store.orderbook.out_of_sync == {"BNBBTC"}
    assert store.orderbook.sorted() == {"a": [], "b": []} and len(store.orderbook) == 0
    assert store.orderbook.stats.gaps == 1 and store.orderbook.stats.stale_dropped == 1
    assert "gap: expected 161 got 163..165" in caplog.text


def test_a_snapshot_older_than_the_buffer_is_not_used() -> None:
    store = BinanceSpotDataStore()
    store.onmessage(spot_diff(200, 210, bids=[("1", "1")]))
    store.orderbook._onresponse(snapshot(150, bids=[("2", "2")]), SPOT_DEPTH)
    assert store.orderbook.out_of_sync == {"BNBBTC"} and len(store.orderbook) == 0


# -- futures ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [BinanceUSDSMDataStore, BinanceCOINMDataStore])
def test_futures_books_chain_by_pu(cls: Any, doc: Any) -> None:
    store = cls()
    store.orderbook._onresponse(
        snapshot(158, bids=[("0.0024", "1")], asks=[("0.0026", "1")]), FUTURES_DEPTH
    )
    store.onmessage(doc("depthUpdate"))  # U 157 <= 158 <= u 160
    store.onmessage(futures_diff(170, 175, 160, asks=[("0.0025", "3")]))  # U != pu + 1: fine
    assert store.orderbook.in_sync("BTCUSDT")
    assert store.orderbook.sorted({"s": "BTCUSDT"}) == {
        "a": [
            {"s": "BTCUSDT", "S": "a", "p": "0.0025", "q": "3"},
            {"s": "BTCUSDT", "S": "a", "p": "0.0026", "q": "100"},
        ],
        "b": [{"s": "BTCUSDT", "S": "b", "p": "0.0024", "q": "10"}],
    }
    store.onmessage(futures_diff(170, 175, 160, asks=[("0.0025", "9")]))  # a repeat
    assert store.orderbook.stats.stale_dropped == 1
    store.onmessage(futures_diff(180, 185, 178))  # pu 178 != 175
    assert store.orderbook.out_of_sync == {"BTCUSDT"}
    assert (
        store.orderbook.stats.last_reason == "BTCUSDT: gap: expected pu 175 got prev 178 (last 185)"
    )


def test_a_futures_diff_without_pu_is_malformed(doc: Any) -> None:
    store = BinanceUSDSMDataStore()
    store.orderbook._onresponse(snapshot(158, bids=[("0.0024", "1")]), FUTURES_DEPTH)
    store.onmessage(doc("spot depthUpdate", s="BTCUSDT"))
    assert store.orderbook.in_sync("BTCUSDT")
    assert rows(store.orderbook.sorted()["b"]) == [("0.0024", "1")]


# -- malformed data ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"b": [[True, "1"]]},
        {"b": [["1", False]]},
        {"b": [["NaN", "1"]]},
        {"b": [["1", "inf"]]},
        {"b": [["-1", "1"]]},
        {"b": [["1", "-1"]]},
        {"b": [["0", "1"]]},
        {"b": [["1"]]},
        {"b": "1"},
        {"b": [["x", "1"]]},
        {"a": [["1", "1"], ["2", None]]},
        {"U": "161"},
        {"u": 165.0},
        {"U": True},
        {"U": 170, "u": 165},
        {"s": None},
    ],
)
def test_a_malformed_diff_changes_nothing(bad: dict[str, Any]) -> None:
    store = BinanceSpotDataStore()
    store.orderbook._onresponse(snapshot(160, bids=[("0.5", "2")], asks=[("3", "1")]), SPOT_DEPTH)
    message = spot_diff(161, 165, bids=[("0.6", "1")], asks=[("2.5", "4")])
    message.update(bad)
    store.onmessage(message)
    assert store.orderbook.in_sync("BNBBTC")
    assert rows(store.orderbook.sorted()["b"]) == [("0.5", "2")]
    assert rows(store.orderbook.sorted()["a"]) == [("3", "1")]
    # The next good diff still fits: the bad one moved nothing.
    store.onmessage(spot_diff(161, 165, bids=[("0.6", "1")]))
    assert rows(store.orderbook.sorted()["b"]) == [("0.6", "1"), ("0.5", "2")]


@pytest.mark.parametrize(
    "body",
    [
        {"lastUpdateId": "1", "bids": [], "asks": []},
        {"lastUpdateId": 1, "bids": [["1", "x"]], "asks": []},
        {"bids": [], "asks": []},
        [],
    ],
)
def test_a_malformed_snapshot_is_refused(body: Any) -> None:
    store = BinanceSpotDataStore()
    with pytest.raises(InitializeError):
        store.orderbook._onresponse(body, SPOT_DEPTH)
    assert store.orderbook.out_of_sync == frozenset() and len(store.orderbook) == 0


# -- a model ----------------------------------------------------------------------------------------


class Market:
    """The exchange's true book of one symbol and the depth messages it sends about it."""

    def __init__(self, futures: bool, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.futures = futures
        self.symbol = "BTCUSDT" if futures else "BNBBTC"
        self.asks: dict[str, str] = {}
        self.bids: dict[str, str] = {}
        self.last = 1_000

    def snapshot(self) -> Any:
        return snapshot(
            self.last,
            bids=sorted(self.bids.items(), key=lambda r: -float(r[0])),
            asks=sorted(self.asks.items(), key=lambda r: float(r[0])),
        )

    def diff(self, changes: list[tuple[str, int, int]]) -> Any:
        asks: dict[str, str] = {}
        bids: dict[str, str] = {}
        for side, tick, lots in changes:
            # asks above 100, bids below: the book never crosses
            price = f"{100 + tick * 0.5:.2f}" if side == "a" else f"{100 - tick * 0.5:.2f}"
            quantity = f"{lots * 0.125:.3f}"
            (asks if side == "a" else bids)[price] = quantity
        for book, rows_ in ((self.asks, asks), (self.bids, bids)):
            for price, quantity in rows_.items():
                if float(quantity):
                    book[price] = quantity
                else:
                    book.pop(price, None)
        prev = self.last
        first = prev + 1 + (self.rng.randint(0, 5) if self.futures else 0)
        self.last = first + self.rng.randint(0, 3)
        message = {
            "e": "depthUpdate",
            "E": 1,
            "s": self.symbol,
            "U": first,
            "u": self.last,
            "b": [list(r) for r in bids.items()],
            "a": [list(r) for r in asks.items()],
        }
        if self.futures:
            message["pu"] = prev
        return wire(message)

    def sorted(self) -> dict[str, list[tuple[str, str]]]:
        return {
            "a": sorted(self.asks.items(), key=lambda r: float(r[0])),
            "b": sorted(self.bids.items(), key=lambda r: -float(r[0])),
        }


changes = st.lists(
    st.tuples(st.sampled_from("ab"), st.integers(1, 40), st.integers(0, 8)), max_size=12
)


@settings(max_examples=60, deadline=None)
@given(
    futures=st.booleans(),
    before=st.lists(changes, max_size=10),
    after=st.lists(changes, max_size=30),
    seed=st.integers(0, 1000),
)
def test_a_clean_stream_equals_the_model(
    futures: bool, before: list[Any], after: list[Any], seed: int
) -> None:
    market = Market(futures, seed)
    store = BinanceUSDSMDataStore() if futures else BinanceSpotDataStore()
    url = FUTURES_DEPTH if futures else SPOT_DEPTH
    for change in before:
        market.diff(change)
    buffered = [market.diff(change) for change in after[: len(after) // 2]]
    for message in buffered:
        store.onmessage(message)
    store.orderbook._onresponse(market.snapshot(), url)
    for change in after[len(after) // 2 :]:
        store.onmessage(market.diff(change))
    view = store.orderbook.sorted({"s": market.symbol})
    assert {side: rows(levels) for side, levels in view.items()} == market.sorted()
    assert store.orderbook.in_sync(market.symbol) and store.orderbook.stats.gaps == 0


@settings(max_examples=60, deadline=None)
@given(
    futures=st.booleans(),
    stream=st.lists(changes, min_size=3, max_size=25),
    data=st.data(),
)
def test_a_dropped_diff_is_caught_at_the_next_and_never_served(
    futures: bool, stream: list[Any], data: st.DataObject
) -> None:
    market = Market(futures)
    store = BinanceUSDSMDataStore() if futures else BinanceSpotDataStore()
    store.orderbook._onresponse(market.snapshot(), FUTURES_DEPTH if futures else SPOT_DEPTH)
    lost = data.draw(st.integers(0, len(stream) - 2))
    for index, change in enumerate(stream):
        message = market.diff(change)
        if index != lost:
            store.onmessage(message)
        if index > lost:
            assert store.orderbook.out_of_sync == {market.symbol}
            assert len(store.orderbook) == 0
    assert store.orderbook.stats.gaps == 1


def test_futures_partial_depth_is_not_taken_for_diffs(
    doc: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # USDⓈ-M "Partial Book Depth Streams" send depthUpdate events too, but with the top levels,
    # not changes (https://developers.binance.com/docs/derivatives/usds-margined-futures/
    # websocket-market-streams/Partial-Book-Depth-Streams).
    store = BinanceUSDSMDataStore()
    store.orderbook._onresponse(snapshot(158, bids=[("0.0024", "1")]), FUTURES_DEPTH)
    connection = SimpleNamespace(app=SimpleNamespace(url="wss://fstream.binance.com/stream"))
    raw = SimpleNamespace(app=SimpleNamespace(url="wss://fstream.binance.com/ws/btcusdt@depth5"))
    with caplog.at_level(logging.WARNING, "topgun.store.binance"):
        store.onmessage({"stream": "btcusdt@depth5@100ms", "data": doc("depthUpdate")}, connection)
        store.onmessage(doc("depthUpdate"), raw)
    assert rows(store.orderbook.sorted()["b"]) == [("0.0024", "1")]
    assert "partial book depth streams" in caplog.text
    store.onmessage({"stream": "btcusdt@depth@100ms", "data": doc("depthUpdate")}, connection)
    assert rows(store.orderbook.sorted()["b"]) == [("0.0024", "10")]
