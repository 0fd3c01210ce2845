"""CoincheckDataStore's ``orderbook`` on a generated limit-range feed: topgun vs pybotters vs orjson.

The stream is the DataStore benchmark's seeded random walk of a book of ~1,000 levels per side,
sent as Coincheck's undocumented ``[pair]-limit-range-orderbook`` updates (the shape pybotters
1.11.2 reads): ``[pair, {"upper": [...], "lower": [...], "sequence_number", "last_update_at"}]``
with rows ``{"rate", "ask_amount", "bid_amount"}`` (decimal strings), 1-20 changed rates per
update, after a ``/api/order_books?version=1.0`` snapshot. topgun drops stale updates by
``sequence_number`` (the only check the feed allows) and serves the book only while in sync;
pybotters checks the same. Both get the same bytes in the same process, parsed with orjson inside
the timed loop.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import orjson
from yarl import URL

from benchmarks._report import Report
from benchmarks.datastore import _against_floor, _per_message, _repeats
from benchmarks.datastore import _Market as _Walk

PAIR = "btc_jpy"
MESSAGES = 3_000
SEED = 20261208
SNAPSHOT_URL = URL("https://coincheck.com/api/order_books?pair=btc_jpy&version=1.0")


def _num(value: float) -> str:
    return format(value, ".10g")


def _rows(asks: list[Any], bids: list[Any]) -> tuple[list[Any], list[Any]]:
    """bitFlyer ``{price, size}`` changes as Coincheck rows (upper: asks, lower: bids)."""
    upper = [
        {"rate": _num(lv["price"]), "ask_amount": _num(lv["size"]), "bid_amount": "0.0"}
        for lv in asks
    ]
    lower = [
        {"rate": _num(lv["price"]), "ask_amount": "0.0", "bid_amount": _num(lv["size"])}
        for lv in bids
    ]
    return upper, lower


def make_stream(messages: int = MESSAGES) -> tuple[dict[str, Any], list[bytes]]:
    """(the REST snapshot body, then ``messages`` WebSocket updates as raw bytes)."""
    walk = _Walk(random.Random(SEED))
    book = orjson.loads(walk.snapshot())["params"]["message"]
    upper, lower = _rows(book["asks"], book["bids"])
    seq = 5_000_000
    snapshot = {"pair": PAIR, "upper": upper, "lower": lower, "sequence_number": str(seq)}
    stream = []
    for _ in range(messages):
        diff = orjson.loads(walk.diff())["params"]["message"]
        upper, lower = _rows(diff["asks"], diff["bids"])
        seq += 1
        data = {
            "upper": upper,
            "lower": lower,
            "sequence_number": str(seq),
            "last_update_at": "1765152000",
        }
        stream.append(orjson.dumps([PAIR, data]))
    return snapshot, stream


def _topgun(snapshot: dict[str, Any]) -> Any:
    import topgun

    store = topgun.CoincheckDataStore()
    store.orderbook._onresponse(orjson.loads(orjson.dumps(snapshot)), SNAPSHOT_URL)
    assert store.orderbook.in_sync(PAIR), "the benchmark's snapshot did not sync"
    return store


def _pybotters(snapshot: dict[str, Any]) -> Any:
    import pybotters

    store = pybotters.CoincheckDataStore()
    store.orderbook._onresponse(PAIR, orjson.loads(orjson.dumps(snapshot)))
    return store


_MAKERS: dict[str, Callable[[dict[str, Any]], Any]] = {"topgun": _topgun, "pybotters": _pybotters}


def _check(store: Any) -> None:
    book = store.orderbook
    if hasattr(book, "out_of_sync") and book.out_of_sync:
        raise RuntimeError(f"the stream broke the book: {book.stats.last_reason}")


def run(report: Report) -> None:
    group = "Coincheck orderbook (limit-range)"
    loads = orjson.loads
    snapshot, stream = make_stream()
    parsed = [loads(raw) for raw in stream]

    def parse_apply(store: Any) -> None:
        onmessage = store.onmessage
        for raw in stream:
            onmessage(loads(raw))
        _check(store)

    ours, floor = _against_floor(lambda: _topgun(snapshot), parse_apply, stream)
    theirs = _per_message(lambda: _pybotters(snapshot), parse_apply, len(stream), 3)
    report.add(
        group,
        "parse + apply one update (stale check)",
        {"topgun": ours, "pybotters": theirs, "floor": floor},
        unit="msg",
        target="topgun <= 4x floor",
    )

    def apply(store: Any) -> None:
        onmessage = store.onmessage
        for msg in parsed:
            onmessage(msg)
        _check(store)

    seconds = {
        name: _per_message(lambda make=make: make(snapshot), apply, len(parsed), _repeats(name))
        for name, make in _MAKERS.items()
    }
    report.add(
        group, "apply one update (pre-parsed)", seconds, unit="msg", target="topgun/pybotters >= 1x"
    )

    def apply_sorted(store: Any) -> None:
        onmessage = store.onmessage
        book = store.orderbook
        query = {"pair": PAIR}
        for raw in stream:
            onmessage(loads(raw))
            book.sorted(query, limit=10)
        _check(store)

    seconds = {
        name: _per_message(
            lambda make=make: make(snapshot), apply_sorted, len(stream), _repeats(name)
        )
        for name, make in _MAKERS.items()
    }
    report.add(
        group,
        "parse + apply + sorted(limit=10) per msg",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 50x",
    )
