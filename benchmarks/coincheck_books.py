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
from typing import Any

import orjson
from yarl import URL

from benchmarks._books import BookFeed, standard_rows
from benchmarks._report import Report
from benchmarks._walk import MESSAGES, SEED, PriceBook

PAIR = "btc_jpy"
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
    walk = PriceBook(random.Random(SEED))
    book = walk.levels()
    upper, lower = _rows(book["asks"], book["bids"])
    seq = 5_000_000
    snapshot = {"pair": PAIR, "upper": upper, "lower": lower, "sequence_number": str(seq)}
    stream = []
    for _ in range(messages):
        diff = walk.step()
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


def run(report: Report) -> None:
    snapshot, stream = make_stream()
    makers = {"topgun": lambda: _topgun(snapshot), "pybotters": lambda: _pybotters(snapshot)}
    feed = BookFeed(
        "Coincheck orderbook (limit-range)", makers, stream, book="orderbook", query={"pair": PAIR}
    )
    standard_rows(
        report, feed, "parse + apply one update (stale check)", "apply one update (pre-parsed)"
    )
