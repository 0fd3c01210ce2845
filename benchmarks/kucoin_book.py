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

import gc
import random
import time
from collections.abc import Callable
from typing import Any

import orjson
from yarl import URL

import topgun

from ._report import Report

SYMBOL = "BTC-USDT"
DEPTH = 1_000
MESSAGES = 3_000
SEED = 20261208
_URL = URL(f"https://api.kucoin.com/api/v3/market/orderbook/level2?symbol={SYMBOL}")


class _Market:
    """The true book the generator walks (prices in ticks of 0.1); every message is consistent."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.asks: dict[int, str] = {}
        self.bids: dict[int, str] = {}
        tick = 950_000
        for _ in range(DEPTH):
            tick += rng.randint(1, 5)
            self.asks[tick] = self._size()
        tick = 949_999
        for _ in range(DEPTH):
            self.bids[tick] = self._size()
            tick -= rng.randint(1, 5)
        self.sequence = 14_701_689_783

    def _size(self) -> str:
        return f"{self.rng.randint(1, 400000) * 1e-8:.8f}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "code": "200000",
            "data": {
                "sequence": str(self.sequence),
                "time": 1729816425625,
                "bids": [[_price(t), q] for t, q in sorted(self.bids.items(), reverse=True)],
                "asks": [[_price(t), q] for t, q in sorted(self.asks.items())],
            },
        }

    def diff(self) -> bytes:
        rng = self.rng
        rows: dict[str, list[list[str]]] = {"asks": [], "bids": []}
        start = self.sequence + 1
        for _ in range(rng.randint(1, 8)):
            name = rng.choice(("asks", "bids"))
            side = self.asks if name == "asks" else self.bids
            near = sorted(side, reverse=name == "bids")[:60]
            level = near[min(int(rng.expovariate(1 / 8)), len(near) - 1)]
            roll = rng.random()
            if roll < 0.6 or len(side) < DEPTH * 0.9:
                tick = level if roll < 0.6 else self._gap(name, level)
                side[tick] = self._size()
                size = side[tick]
            else:
                tick = level
                del side[level]
                size = "0"
            self.sequence += 1
            rows[name].append([_price(tick), size, str(self.sequence)])
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
        asks = sorted(self.asks.items())[:50]
        bids = sorted(self.bids.items(), reverse=True)[:50]
        message = {
            "topic": f"/spotMarket/level2Depth50:{SYMBOL}",
            "type": "message",
            "subject": "level2",
            "data": {
                "asks": [[_price(t), q] for t, q in asks],
                "bids": [[_price(t), q] for t, q in bids],
                "timestamp": 1729822226746,
            },
        }
        return orjson.dumps(message)

    def _gap(self, name: str, near: int) -> int:
        best_ask, best_bid = min(self.asks), max(self.bids)
        side = self.asks if name == "asks" else self.bids
        for _ in range(50):
            tick = near + self.rng.randint(-4, 4)
            if tick not in side and (tick > best_bid if name == "asks" else tick < best_ask):
                return tick
        return max(side) + 1 if name == "asks" else min(side) - 1


def _price(tick: int) -> str:
    return f"{tick // 10}.{tick % 10}"


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


def _per_message(make: Callable[[], Any], body: Callable[[Any], None], count: int) -> float:
    store = make()
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        body(store)
        return (time.perf_counter() - start) / count
    finally:
        gc.enable()


def _interleaved(
    cases: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]], count: int, repeat: int
) -> dict[str, float]:
    """Best seconds per message of each case, run in turns (a busy machine slows them alike)."""
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(repeat):
        for name, (make, body) in cases.items():
            best[name] = min(best[name], _per_message(make, body, count))
    return best


def run(report: Report) -> None:
    snapshot, frames = make_stream()
    loads = orjson.loads
    group = "KuCoin level-2 book"
    count = len(frames)

    def parse_apply(store: Any) -> None:
        onmessage = store.onmessage
        for raw in frames:
            onmessage(loads(raw))

    def parse_only(store: Any) -> None:
        for raw in frames:
            loads(raw)

    parsed = [loads(raw) for raw in frames]  # the store does not change the messages

    def apply_only(store: Any) -> None:
        onmessage = store.onmessage
        for message in parsed:
            onmessage(message)

    def apply_sorted(store: Any) -> None:
        onmessage = store.onmessage
        book = store.orderbook
        query = {"symbol": SYMBOL}
        for raw in frames:
            onmessage(loads(raw))
            book.sorted(query, limit=10)

    mine = lambda: _topgun_store(snapshot)  # noqa: E731
    _check(mine(), parse_apply)

    seconds = _interleaved({"topgun": (mine, parse_apply), "floor": (mine, parse_only)}, count, 15)
    report.add(
        group, "parse + apply one level2 message", seconds, unit="msg", target="topgun <= 4x floor"
    )
    seconds = _interleaved({"topgun": (mine, apply_only)}, count, 15)
    report.add(group, "apply one level2 message (pre-parsed)", seconds, unit="msg")
    checked = _interleaved(
        {"on": (mine, apply_only), "off": (lambda: _unverified_store(snapshot), apply_only)},
        count,
        15,
    )
    print(
        f"  the sequence check costs {(checked['on'] - checked['off']) * 1e9:.0f} ns per message "
        f"({checked['on'] * 1e6:.2f} vs {checked['off'] * 1e6:.2f} µs with it switched off)"
    )
    seconds = _interleaved({"topgun": (mine, apply_sorted), "floor": (mine, parse_only)}, count, 15)
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
    frames = make_top50()
    loads = orjson.loads
    count = len(frames)

    def apply_sorted(store: Any) -> None:
        onmessage = store.onmessage
        book = store.orderbook50
        query = {"symbol": SYMBOL}
        for raw in frames:
            onmessage(loads(raw), None)
            book.sorted(query, limit=10)

    def parse_only(store: Any) -> None:
        for raw in frames:
            loads(raw)

    cases: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]] = {
        "topgun": (topgun.KuCoinDataStore, apply_sorted),
        "floor": (topgun.KuCoinDataStore, parse_only),
    }
    try:
        import pybotters
    except ImportError:
        print("  (pybotters not installed: `make bench` installs it for the side-by-side rows)")
    else:
        cases["pybotters"] = (pybotters.KuCoinDataStore, apply_sorted)
    seconds = _interleaved(cases, count, 7)
    report.add(
        "KuCoin top-50 book",
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
