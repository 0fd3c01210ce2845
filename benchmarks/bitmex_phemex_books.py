"""BitMEX ``orderBookL2`` and Phemex ``book`` on generated feeds: topgun vs pybotters vs orjson.

The stream is the DataStore benchmark's seeded random walk of a book of ~1,000 levels per side
(1-20 changed levels per step, most near the best prices), written in each exchange's documented
shape after a snapshot:

- BitMEX (https://www.bitmex.com/app/wsAPI): each step becomes up to three messages, ``insert``,
  ``update`` and ``delete``, with level ids (one per price) and the price on every row; topgun
  checks every row against the book's ids.
- Phemex (Public-Contract-API-en.md, "OrderBook Message"): ``{"book": {"asks", "bids"},
  "sequence", "symbol", "timestamp", "type": "incremental"}`` with scaled integer prices; topgun
  drops stale sequences (the only check the feed allows between its periodic snapshots).

Both libraries get the same bytes in the same process, parsed with orjson inside the timed loop.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial
from typing import Any

import orjson

from benchmarks._books import BookFeed, standard_rows
from benchmarks._report import Report
from benchmarks._walk import MESSAGES, SEED, PriceBook

TS = "2026-12-08T00:00:00.000Z"


def _bitmex_row(side: str, price: float, size: float | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "symbol": "XBTUSD",
        "id": int(price) * 2 + (side == "Buy"),
        "side": side,
        "price": price,
        "timestamp": TS,
    }
    if size is not None:
        row["size"] = round(size * 100)
    return row


def bitmex_stream(messages: int = MESSAGES) -> tuple[bytes, list[bytes]]:
    """(the partial, then at least ``messages`` insert/update/delete messages) as raw bytes."""
    walk = PriceBook(random.Random(SEED))
    book = walk.levels()
    known: dict[str, set[float]] = {"Sell": set(), "Buy": set()}
    rows = []
    for name, side in (("asks", "Sell"), ("bids", "Buy")):
        for level in book[name]:
            rows.append(_bitmex_row(side, level["price"], level["size"]))
            known[side].add(level["price"])
    partial = {
        "table": "orderBookL2",
        "action": "partial",
        "keys": ["symbol", "id", "side"],
        "filter": {"symbol": "XBTUSD"},
        "data": rows,
    }
    stream: list[bytes] = []
    while len(stream) < messages:
        diff = walk.step()
        actions: dict[str, list[dict[str, Any]]] = {"insert": [], "update": [], "delete": []}
        for name, side in (("asks", "Sell"), ("bids", "Buy")):
            for level in diff[name]:
                price, size = level["price"], level["size"]
                if not size:
                    if price in known[side]:
                        known[side].discard(price)
                        actions["delete"].append(_bitmex_row(side, price, None))
                elif price in known[side]:
                    actions["update"].append(_bitmex_row(side, price, size))
                else:
                    known[side].add(price)
                    actions["insert"].append(_bitmex_row(side, price, size))
        for action, data in actions.items():
            if data:
                stream.append(
                    orjson.dumps({"table": "orderBookL2", "action": action, "data": data})
                )
    return orjson.dumps(partial), stream


def _phemex_rows(levels: list[dict[str, Any]]) -> list[list[int]]:
    return [[round(lv["price"] * 10_000), round(lv["size"] * 100)] for lv in levels]


def phemex_stream(messages: int = MESSAGES) -> tuple[bytes, list[bytes]]:
    """(the snapshot, then ``messages`` incrementals) as raw bytes."""
    walk = PriceBook(random.Random(SEED))
    book = walk.levels()
    sequence = 1_191_904
    snapshot = {
        "book": {"asks": _phemex_rows(book["asks"]), "bids": _phemex_rows(book["bids"])},
        "depth": 0,
        "sequence": sequence,
        "symbol": "BTCUSD",
        "timestamp": 1_765_152_000_000_000_000,
        "type": "snapshot",
    }
    stream = []
    for _ in range(messages):
        diff = walk.step()
        sequence += 3
        message = {
            "book": {"asks": _phemex_rows(diff["asks"]), "bids": _phemex_rows(diff["bids"])},
            "depth": 0,
            "sequence": sequence,
            "symbol": "BTCUSD",
            "timestamp": 1_765_152_000_000_000_000 + sequence,
            "type": "incremental",
        }
        stream.append(orjson.dumps(message))
    return orjson.dumps(snapshot), stream


def _store(library: str, name: str, snapshot: bytes) -> Any:
    module = __import__(library)
    store = getattr(module, name)()
    store.onmessage(orjson.loads(snapshot), None)
    return store


def _rows_for(
    report: Report, group: str, name: str, symbol: str, snapshot: bytes, stream: list[bytes]
) -> None:
    makers: dict[str, Callable[[], Any]] = {
        library: partial(_store, library, name, snapshot) for library in ("topgun", "pybotters")
    }
    feed = BookFeed(group, makers, stream, book="orderbook", query={"symbol": symbol})
    standard_rows(report, feed, "parse + apply one diff", "apply one diff (pre-parsed)")


def run(report: Report) -> None:
    snapshot, stream = bitmex_stream()
    _rows_for(report, "BitMEX orderBookL2", "BitMEXDataStore", "XBTUSD", snapshot, stream)
    snapshot, stream = phemex_stream()
    _rows_for(report, "Phemex book", "PhemexDataStore", "BTCUSD", snapshot, stream)
