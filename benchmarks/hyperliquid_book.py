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
from typing import Any

import orjson

from benchmarks._books import BookFeed, book_is_sound, standard_rows
from benchmarks._report import Report
from benchmarks._walk import MESSAGES, SEED, PriceBook

COIN = "BTC"
LEVELS = 20


def _side(levels: dict[float, float], best_first_descending: bool) -> list[dict[str, Any]]:
    prices = sorted(levels, reverse=best_first_descending)[:LEVELS]
    return [
        {"px": f"{price:.0f}", "sz": f"{levels[price]:.4f}", "n": 1 + int(price) % 7}
        for price in prices
    ]


def make_stream(messages: int = MESSAGES) -> list[bytes]:
    walk = PriceBook(random.Random(SEED))
    time = 1_765_152_000_000
    frames: list[bytes] = []
    for _ in range(messages):
        walk.step()
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


def _check(store: Any) -> None:
    book_is_sound(store, store.l2_book)
    if len(store.l2_book.find({"coin": COIN})) != 2 * LEVELS:
        raise RuntimeError("the book does not hold the last snapshot")


def run(report: Report) -> None:
    feed = BookFeed(
        "Hyperliquid l2Book (20-level snapshots)",
        {"topgun": _topgun, "pybotters": _pybotters},
        make_stream(),
        book="l2_book",
        query={"coin": COIN},
        check=_check,
    )
    standard_rows(report, feed, "parse + apply one snapshot", "apply one snapshot (pre-parsed)")
