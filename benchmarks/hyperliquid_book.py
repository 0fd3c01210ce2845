"""HyperliquidDataStore's ``l2Book`` on a generated feed: topgun vs pybotters vs orjson.

The DataStore benchmark's seeded random walk of a book of ~1,000 levels per side moves by 1-20
levels per step; after each step the feed sends what Hyperliquid sends, the whole book of the
coin cut to its best 20 levels per side
(https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions,
``WsBook {coin, levels: [bids, asks], time}``, ``{px, sz, n}`` levels as strings). Every
message is a snapshot, so "apply" is a replacement of the coin's book; topgun also checks the
``time`` order (the only integrity rule of this feed).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import orjson

from benchmarks._report import Report
from benchmarks.datastore import _against_floor, _per_message, _repeats
from benchmarks.datastore import _Market as _Walk

COIN = "BTC"
LEVELS = 20
MESSAGES = 3_000
SEED = 20261208


def _side(levels: dict[float, float], best_first_descending: bool) -> list[dict[str, Any]]:
    prices = sorted(levels, reverse=best_first_descending)[:LEVELS]
    return [
        {"px": f"{price:.0f}", "sz": f"{levels[price]:.4f}", "n": 1 + int(price) % 7}
        for price in prices
    ]


def make_stream(messages: int = MESSAGES) -> list[bytes]:
    walk = _Walk(random.Random(SEED))
    time = 1_765_152_000_000
    frames: list[bytes] = []
    for _ in range(messages):
        walk.diff()
        time += 500
        book = {
            "coin": COIN,
            "time": time,
            "levels": [_side(walk.bids, True), _side(walk.asks, False)],
        }
        frames.append(orjson.dumps({"channel": "l2Book", "data": book}))
    return frames


def _topgun() -> Any:
    import topgun

    return topgun.HyperliquidDataStore()


def _pybotters() -> Any:
    import pybotters

    return pybotters.HyperliquidDataStore()


_MAKERS: dict[str, Callable[[], Any]] = {"topgun": _topgun, "pybotters": _pybotters}


def _check(store: Any) -> None:
    if hasattr(store, "skipped") and store.skipped:
        raise RuntimeError("the store skipped messages of the benchmark's stream")
    if len(store.l2_book.find({"coin": COIN})) != 2 * LEVELS:
        raise RuntimeError("the book does not hold the last snapshot")


def run(report: Report) -> None:
    group = "Hyperliquid l2Book (20-level snapshots)"
    frames = make_stream()
    loads = orjson.loads

    def parse_apply(store: Any) -> None:
        onmessage = store.onmessage
        for frame in frames:
            onmessage(loads(frame))
        _check(store)

    ours, floor = _against_floor(_topgun, parse_apply, frames)
    theirs = _per_message(_pybotters, parse_apply, len(frames), 3)
    report.add(
        group,
        "parse + apply one snapshot",
        {"topgun": ours, "pybotters": theirs, "floor": floor},
        unit="msg",
        target="topgun <= 4x floor",
    )

    parsed = [loads(frame) for frame in frames]

    def apply(store: Any) -> None:
        onmessage = store.onmessage
        for message in parsed:
            onmessage(message)
        _check(store)

    seconds = {
        name: _per_message(make, apply, len(parsed), _repeats(name))
        for name, make in _MAKERS.items()
    }
    report.add(
        group,
        "apply one snapshot (pre-parsed)",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 1x",
    )

    def apply_sorted(store: Any) -> None:
        onmessage = store.onmessage
        book = store.l2_book
        query = {"coin": COIN}
        for frame in frames:
            onmessage(loads(frame))
            book.sorted(query, limit=10)
        _check(store)

    seconds = {
        name: _per_message(make, apply_sorted, len(frames), _repeats(name))
        for name, make in _MAKERS.items()
    }
    report.add(
        group,
        "parse + apply + sorted(limit=10) per msg",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 50x",
    )
