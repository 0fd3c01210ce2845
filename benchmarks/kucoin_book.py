"""KuCoin level-2 book: topgun (verified) vs the orjson parse floor, and the top-50 book vs pybotters.

The stream is a seeded random walk of a BTC-USDT book of ~1,000 levels per side: spot
``/market/level2`` messages (``trade.l2update``) of 1-8 change rows (size changes, size-0 removals,
new levels, the best levels traded away), every row with its own sequence and the message's
``sequenceStart``/``sequenceEnd`` covering them, as raw bytes parsed with orjson inside the timed
loop. topgun starts from the REST full order book (``/api/v3/market/orderbook/level2`` body) and
checks every message's sequence range. pybotters 1.x has no level-2 book for KuCoin (it ignores
these messages), so these rows have no reference column; the reference does keep the top-50
snapshot book (``/spotMarket/level2Depth50``), compared side by side in the last row.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import orjson
from yarl import URL

import topgun

from ._books import BookFeed
from ._report import Report, interleaved
from ._walk import DEPTH, MESSAGES, SEED, TickBook, price

SYMBOL = "BTC-USDT"
_URL = URL(f"https://api.kucoin.com/api/v3/market/orderbook/level2?symbol={SYMBOL}")


class _Market:
    """KuCoin's level-2 messages of the shared walk; every message is consistent."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.book = TickBook(
            rng, lambda r: f"{r.randint(1, 400000) * 1e-8:.8f}", step=5, first_bid=949_999
        )
        self.sequence = 14_701_689_783

    def snapshot(self) -> dict[str, Any]:
        return {
            "code": "200000",
            "data": {
                "sequence": str(self.sequence),
                "time": 1729816425625,
                **self.book.sides(),
            },
        }

    def diff(self) -> bytes:
        rng, book = self.rng, self.book
        rows: dict[str, list[list[str]]] = {"asks": [], "bids": []}
        start = self.sequence + 1
        for _ in range(rng.randint(1, 8)):
            name, near, index = book.draw()
            side, level = book.side(name), near[index]
            roll = rng.random()
            if roll < 0.6 or len(side) < book.depth * 0.9:
                tick = level if roll < 0.6 else book.free_near(name, level)
                side[tick] = size = book.size()
            else:
                tick = level
                del side[level]
                size = "0"
            self.sequence += 1
            rows[name].append([price(tick), size, str(self.sequence)])
        message = {
            "topic": f"/market/level2:{SYMBOL}",
            "type": "message",
            "subject": "trade.l2update",
            "data": {
                "changes": rows,
                "sequenceEnd": self.sequence,
                "sequenceStart": start,
                "symbol": SYMBOL,
                "time": 1729816425625,
            },
        }
        return orjson.dumps(message)

    def top50(self) -> bytes:
        message = {
            "topic": f"/spotMarket/level2Depth50:{SYMBOL}",
            "type": "message",
            "subject": "level2",
            "data": {
                "asks": self.book.rows("asks", 50),
                "bids": self.book.rows("bids", 50),
                "timestamp": 1729822226746,
            },
        }
        return orjson.dumps(message)


def make_stream(seed: int = SEED, messages: int = MESSAGES) -> tuple[dict[str, Any], list[bytes]]:
    """(the REST snapshot body, then the level-2 messages that follow it)."""
    market = _Market(random.Random(seed))
    snapshot = market.snapshot()
    return snapshot, [market.diff() for _ in range(messages)]


def make_top50(seed: int = SEED, messages: int = MESSAGES // 3) -> list[bytes]:
    """Top-50 snapshots of the same walk, one after every few diffs."""
    market = _Market(random.Random(seed))
    frames = []
    for _ in range(messages):
        for _ in range(3):
            market.diff()
        frames.append(market.top50())
    return frames


def _topgun_store(snapshot: dict[str, Any]) -> Any:
    store = topgun.KuCoinDataStore()
    store.orderbook._onresponse(orjson.loads(orjson.dumps(snapshot)), _URL)
    return store


def _unverified_store(snapshot: dict[str, Any]) -> Any:
    """topgun's store with the sequence rule switched off: what the check itself costs."""
    store = _topgun_store(snapshot)
    store.orderbook._SEQUENCE = None  # this instance only
    return store


def run(report: Report) -> None:
    snapshot, frames = make_stream()
    mine = lambda: _topgun_store(snapshot)  # noqa: E731
    feed = BookFeed(
        "KuCoin level-2 book", {"topgun": mine}, frames, book="orderbook", query={"symbol": SYMBOL}
    )
    group, count = feed.group, len(frames)
    parse_apply, parse_only = feed.parse_apply(), feed.parse_only()
    apply_only, apply_sorted = feed.apply(), feed.apply_sorted()
    _check(mine(), parse_apply)

    seconds = interleaved({"topgun": (mine, parse_apply), "floor": (mine, parse_only)}, count, 15)
    report.add(
        group, "parse + apply one level2 message", seconds, unit="msg", target="topgun <= 4x floor"
    )
    seconds = interleaved({"topgun": (mine, apply_only)}, count, 15)
    report.add(group, "apply one level2 message (pre-parsed)", seconds, unit="msg")
    checked = interleaved(
        {"on": (mine, apply_only), "off": (lambda: _unverified_store(snapshot), apply_only)},
        count,
        15,
    )
    print(
        f"  the sequence check costs {(checked['on'] - checked['off']) * 1e9:.0f} ns per message "
        f"({checked['on'] * 1e6:.2f} vs {checked['off'] * 1e6:.2f} µs with it switched off)"
    )
    seconds = interleaved({"topgun": (mine, apply_sorted), "floor": (mine, parse_only)}, count, 15)
    report.add(
        group,
        "apply + sorted(limit=10) per msg",
        seconds,
        unit="msg",
        target="no reference book (pybotters has none)",
    )
    _top50(report)


def _top50(report: Report) -> None:
    """The book the reference does have: top-50 snapshots, apply + sorted(limit=10) each."""
    makers: dict[str, Callable[[], Any]] = {"topgun": topgun.KuCoinDataStore}
    try:
        import pybotters
    except ImportError:
        print("  (pybotters not installed: `make bench` installs it for the side-by-side rows)")
    else:
        makers["pybotters"] = pybotters.KuCoinDataStore
    feed = BookFeed(
        "KuCoin top-50 book", makers, make_top50(), book="orderbook50", query={"symbol": SYMBOL}
    )
    cases = {name: (make, feed.apply_sorted()) for name, make in makers.items()}
    cases["floor"] = (topgun.KuCoinDataStore, feed.parse_only())
    seconds = interleaved(cases, len(feed.frames), 7)
    report.add(
        feed.group,
        "apply + sorted(limit=10) per msg",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 1x",
    )


def _check(store: Any, feed: Callable[[Any], None]) -> None:
    """The generated stream is consistent: verified all the way, nothing stale or missing."""
    feed(store)
    book = store.orderbook
    assert book.in_sync(SYMBOL), book.stats
    assert book.stats.gaps == book.stats.stale_dropped == 0, book.stats
    assert len(book.sorted({"symbol": SYMBOL})["asks"]) > DEPTH // 2
