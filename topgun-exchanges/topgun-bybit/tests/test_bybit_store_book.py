"""BybitDataStore.orderbook: Bybit's V5 snapshot/delta rules verified by ``u``, one topic per
symbol, malformed messages, and a naive model.

Messages have the shape of https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook
(``topic``, ``type``, ``ts``, ``data: {s, b, a, u, seq}``, ``cts``), serialized and parsed as on
the wire; the numbers of the first test are those of the docs' v3 example
(https://bybit-exchange.github.io/docs/derivatives/ws-public/orderbook).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topgun_bybit import BybitDataStore
from topgun_bybit.store import OrderBook, is_reset, parse_book


def book(
    kind: str,
    u: int,
    asks: Any = (),
    bids: Any = (),
    *,
    symbol: str = "BTCUSDT",
    depth: int = 50,
    seq: int = 22520573250,
) -> Any:
    message = {
        "topic": f"orderbook.{depth}.{symbol}",
        "type": kind,
        "ts": 1671179923028,
        "data": {
            "s": symbol,
            "b": [[p, s] for p, s in bids],
            "a": [[p, s] for p, s in asks],
            "u": u,
            "seq": seq,
        },
        "cts": 1671179923018,
    }
    return orjson.loads(orjson.dumps(message))


def side(levels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(level["p"], level["v"]) for level in levels]


def test_the_docs_snapshot_then_delta() -> None:
    store = BybitDataStore()
    store.onmessage(
        book(
            "snapshot",
            13079592,
            asks=[("17440.50", "78.815"), ("17441.00", "8.858")],
            bids=[("17440.00", "40.833"), ("17439.50", "0.513")],
        )
    )
    store.onmessage(book("delta", 13079593, asks=[("17440.50", "78.857"), ("17442.00", "1.510")]))
    store.onmessage(book("delta", 13079594, bids=[("17440.00", "0")]))
    assert store.orderbook.sorted() == {
        "a": [
            {"s": "BTCUSDT", "S": "a", "p": "17440.50", "v": "78.857"},
            {"s": "BTCUSDT", "S": "a", "p": "17441.00", "v": "8.858"},
            {"s": "BTCUSDT", "S": "a", "p": "17442.00", "v": "1.510"},
        ],
        "b": [{"s": "BTCUSDT", "S": "b", "p": "17439.50", "v": "0.513"}],
    }
    assert store.orderbook.get({"s": "BTCUSDT", "S": "a", "p": "17441.00"}) == {
        "s": "BTCUSDT",
        "S": "a",
        "p": "17441.00",
        "v": "8.858",
    }
    assert store.orderbook.in_sync("BTCUSDT") and store.orderbook.stats.gaps == 0


def test_a_gap_hides_the_book_until_the_next_snapshot(caplog: pytest.LogCaptureFixture) -> None:
    store = BybitDataStore()
    store.onmessage(book("snapshot", 100, asks=[("101", "1")], bids=[("99", "1")]))
    store.onmessage(book("snapshot", 7, asks=[("5", "1")], symbol="ETHUSDT"))
    store.onmessage(book("delta", 102, asks=[("102", "2")]))  # 101 was lost
    ob = store.orderbook
    assert ob.out_of_sync == {"BTCUSDT"}
    assert ob.sorted({"s": "BTCUSDT"}) == {"a": [], "b": []}
    assert (
        ob.find({"s": "BTCUSDT"}) == [] and ob.get({"s": "BTCUSDT", "S": "a", "p": "101"}) is None
    )
    assert side(ob.sorted({"s": "ETHUSDT"})["a"]) == [("5", "1")]  # other books are unaffected
    assert ob.stats.gaps == 1 and "expected 101 got 102" in (ob.stats.last_reason or "")
    assert "expected 101 got 102" in caplog.text
    store.onmessage(book("delta", 103, asks=[("103", "1")]))  # still out of sync: dropped
    assert ob.out_of_sync == {"BTCUSDT"}
    store.onmessage(book("snapshot", 200, asks=[("104", "1")], bids=[("98", "2")]))
    assert ob.out_of_sync == frozenset()
    assert side(ob.sorted({"s": "BTCUSDT"})["a"]) == [("104", "1")]
    store.onmessage(book("delta", 201, bids=[("98", "0")]))
    assert ob.sorted({"s": "BTCUSDT"})["b"] == []


def test_stale_deltas_change_nothing() -> None:
    store = BybitDataStore()
    store.onmessage(book("snapshot", 50, asks=[("101", "1")]))
    store.onmessage(book("delta", 51, asks=[("101", "2")]))
    store.onmessage(book("delta", 51, asks=[("101", "9")]))  # a duplicate
    store.onmessage(book("delta", 40, asks=[("101", "0")]))  # older than the snapshot
    assert side(store.orderbook.sorted()["a"]) == [("101", "2")]
    assert store.orderbook.stats.stale_dropped == 2 and store.orderbook.in_sync("BTCUSDT")


@pytest.mark.parametrize("kind", ["snapshot", "delta"])
def test_u_1_is_a_restart_snapshot_that_overwrites_the_book(kind: str) -> None:
    store = BybitDataStore()
    store.onmessage(book("snapshot", 5000, asks=[("101", "1"), ("102", "1")], bids=[("99", "1")]))
    store.onmessage(book(kind, 1, asks=[("100.5", "3")], bids=[("99.5", "4")]))
    assert side(store.orderbook.sorted()["a"]) == [("100.5", "3")]
    assert side(store.orderbook.sorted()["b"]) == [("99.5", "4")]
    store.onmessage(book("delta", 2, asks=[("100.5", "1")]))  # the count starts again
    assert side(store.orderbook.sorted()["a"]) == [("100.5", "1")]
    assert store.orderbook.stats.gaps == 0 and store.orderbook.in_sync("BTCUSDT")
    assert is_reset("snapshot", 9) and is_reset("delta", 1) and not is_reset("delta", 2)


def test_level_1_repeats_its_snapshot_with_the_same_u() -> None:
    """Level 1 sends snapshots only, and re-sends one after 3 s without a change, same ``u``."""
    store = BybitDataStore()
    for _ in range(3):
        store.onmessage(book("snapshot", 777, asks=[("101", "1")], bids=[("99", "2")], depth=1))
    store.onmessage(book("snapshot", 778, asks=[("100", "1")], bids=[("99", "2")], depth=1))
    assert side(store.orderbook.sorted()["a"]) == [("100", "1")]
    assert store.orderbook.stats.gaps == 0 and store.orderbook.stats.stale_dropped == 0


def test_two_depths_of_one_symbol_never_mix_nor_report_false_gaps() -> None:
    """``u`` counts per topic: orderbook.1 and orderbook.50 of one symbol carry unrelated ``u``s,
    interleaved. The deeper topic feeds the book; the other is ignored."""
    store = BybitDataStore()
    ob = store.orderbook
    store.onmessage(book("snapshot", 9000, asks=[("101", "1")], bids=[("99", "1")], depth=1))
    assert side(ob.sorted()["a"]) == [("101", "1")]  # depth 1 is all there is so far
    store.onmessage(
        book("snapshot", 300, asks=[("101", "1"), ("102", "5")], bids=[("99", "1")], depth=50)
    )
    for n in range(1, 6):
        store.onmessage(book("snapshot", 9000 + n, asks=[("101", str(n))], depth=1))
        store.onmessage(book("delta", 300 + n, asks=[("101", str(n))], depth=50))
    store.onmessage(book("delta", 306, asks=[("103", "7")], depth=50))
    assert side(ob.sorted()["a"]) == [("101", "5"), ("102", "5"), ("103", "7")]
    assert side(ob.sorted()["b"]) == [("99", "1")]
    assert ob.stats.gaps == 0 and ob.stats.stale_dropped == 0 and ob.in_sync("BTCUSDT")
    assert ob.ignored == 5
    # A shallower snapshot arriving after the deeper one never takes the book back.
    store.onmessage(book("snapshot", 9100, asks=[("100", "1")], depth=1))
    assert side(ob.sorted()["a"])[0] == ("101", "5")


def test_one_symbol_on_two_connections_keeps_its_first_feed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spot, linear = _Socket(), _Socket()
    store = BybitDataStore()
    store.onmessage(book("snapshot", 10, asks=[("101", "1")]), linear)
    store.onmessage(book("snapshot", 99, asks=[("200", "1")]), spot)  # spot BTCUSDT
    store.onmessage(book("delta", 11, asks=[("102", "1")]), linear)
    assert side(store.orderbook.sorted()["a"]) == [("101", "1"), ("102", "1")]
    assert store.orderbook.ignored == 1 and "use one BybitDataStore per category" in caplog.text
    linear.closed = True  # the linear connection is replaced (a reconnect)
    store.onmessage(book("snapshot", 500, asks=[("103", "1")]), linear2 := _Socket())
    store.onmessage(book("delta", 501, asks=[("104", "1")]), linear2)
    assert side(store.orderbook.sorted()["a"]) == [("103", "1"), ("104", "1")]


class _Socket:
    """Stands for the ``ws`` handlers receive; only ``closed`` is read."""

    closed = False


def test_deltas_before_any_snapshot_are_not_served() -> None:
    store = BybitDataStore()
    store.onmessage(book("delta", 10, asks=[("101", "1")]))
    assert store.orderbook.out_of_sync == {"BTCUSDT"} and len(store.orderbook) == 0


GOOD = [("101", "1")]
MALFORMED = [
    ("delta", {"a": [["101", "0"], ["abc", "1"]]}),
    ("delta", {"a": [["101", "0"]], "b": [["99", "-1"]]}),
    ("delta", {"a": [["101", "0"]], "b": [["nan", "1"]]}),
    ("delta", {"a": [["101", "0"]], "b": [["99", "inf"]]}),
    ("delta", {"a": [["101", "0"]], "b": [[True, "1"]]}),
    ("delta", {"a": [["101", "0"]], "b": [["99", False]]}),
    ("delta", {"a": [["101", "0"]], "b": [["99"]]}),
    ("delta", {"a": [["101", "0"]], "b": ["99"]}),
    ("delta", {"a": [["101", "0"]], "b": {"99": "1"}}),
    ("delta", {"u": "12"}),
    ("delta", {"u": True}),
    ("delta", {"u": 0}),
    ("delta", {"s": ""}),
    ("delta", {"s": "ETHUSDT"}),
    ("snapshot", {"a": [["0", "1"]]}),
    ("update", {}),
]


@pytest.mark.parametrize(("kind", "change"), MALFORMED)
def test_malformed_messages_never_half_apply(
    kind: str, change: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    store = BybitDataStore()
    store.onmessage(book("snapshot", 10, asks=GOOD, bids=[("99", "1")]))
    bad = book(kind, 11)
    bad["data"].update(change)
    store.onmessage(bad)
    assert side(store.orderbook.sorted()["a"]) == GOOD
    assert side(store.orderbook.sorted()["b"]) == [("99", "1")]
    assert "skipped a malformed message" in caplog.text
    store.onmessage(book("delta", 11, asks=[("101", "3")]))  # the next good delta still applies
    assert side(store.orderbook.sorted()["a"]) == [("101", "3")]
    assert store.orderbook.in_sync("BTCUSDT")


def test_malformed_envelopes_and_other_book_topics(caplog: pytest.LogCaptureFixture) -> None:
    store = BybitDataStore()
    body = {k: v for k, v in book("snapshot", 5, asks=GOOD).items() if k != "topic"}
    for message in (
        {"topic": "orderbook.50.BTCUSDT", "type": "snapshot", "data": []},
        {"topic": "orderbook.50.BTCUSDT", "type": "snapshot"},
        {"topic": "orderbook.BTCUSDT", **body},
        {"topic": "orderbook.rpi.BTCUSDT", **body},
        {"topic": "orderbook.rpi.BTCUSDT", **body},
    ):
        store.onmessage(message)
    assert len(store.orderbook) == 0
    assert caplog.text.count("'orderbook.rpi.BTCUSDT' is not orderbook.{depth}.{symbol}") == 1


def test_parse_book_keeps_the_exchange_strings() -> None:
    kind, symbol, u, asks, bids = parse_book(
        book("delta", 12, asks=[("100.50", "0.000")], bids=[("99.0", "1.25")])
    )
    assert (kind, symbol, u) == ("delta", "BTCUSDT", 12)
    assert asks == [(100.5, "100.50", 0)] and bids == [(99.0, "99.0", "1.25")]


# -- a naive model ---------------------------------------------------------------------------

prices = st.integers(min_value=1, max_value=60).map(lambda n: f"{n / 2:.1f}")
sizes = st.sampled_from(["0", "0", "0.5", "1", "2.25", "10"])
rows = st.lists(st.tuples(prices, sizes), max_size=6)
steps = st.lists(
    st.tuples(st.sampled_from(["delta"] * 8 + ["snapshot", "gap", "stale"]), rows, rows),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(first_asks=rows, first_bids=rows, stream=steps, limit=st.sampled_from([None, 1, 5]))
def test_book_equals_the_naive_model(
    first_asks: list[tuple[str, str]],
    first_bids: list[tuple[str, str]],
    stream: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]],
    limit: int | None,
) -> None:
    """Apply a stream to the store and to two dicts; while in sync they agree, and a book out of
    sync serves nothing."""
    logging.getLogger("topgun.store").disabled = True
    try:
        store = BybitDataStore()
        model: dict[str, dict[float, tuple[str, str]]] = {"a": {}, "b": {}}
        u = 1000
        synced = True

        def reset(asks: list[tuple[str, str]], bids: list[tuple[str, str]]) -> None:
            for name, levels in (("a", asks), ("b", bids)):
                model[name] = {float(p): (p, s) for p, s in levels if float(s)}

        reset(first_asks, first_bids)
        store.onmessage(book("snapshot", u, first_asks, first_bids))
        for kind, asks, bids in stream:
            if kind == "snapshot":
                u += 1
                reset(asks, bids)
                synced = True
                store.onmessage(book("snapshot", u, asks, bids))
                continue
            if kind == "stale":
                store.onmessage(book("delta", u, asks, bids))
                continue
            u += 2 if kind == "gap" else 1
            if kind == "gap":
                synced = False
            if synced:
                for name, levels in (("a", asks), ("b", bids)):
                    for p, s in levels:
                        if float(s):
                            model[name][float(p)] = (p, s)
                        else:
                            model[name].pop(float(p), None)
            store.onmessage(book("delta", u, asks, bids))
        got = store.orderbook.sorted(limit=limit)
        if not synced:
            assert got == {"a": [], "b": []} and store.orderbook.out_of_sync == {"BTCUSDT"}
            return
        want_a = [model["a"][k] for k in sorted(model["a"])][:limit]
        want_b = [model["b"][k] for k in sorted(model["b"], reverse=True)][:limit]
        assert [(x["p"], x["v"]) for x in got["a"]] == want_a
        assert [(x["p"], x["v"]) for x in got["b"]] == want_b
        assert len(store.orderbook) == len(model["a"]) + len(model["b"])
    finally:
        logging.getLogger("topgun.store").disabled = False


def test_orderbook_class() -> None:
    ob = BybitDataStore().orderbook
    assert isinstance(ob, OrderBook) and ob.keys == ("s", "S", "p")
