"""BybitDataStore's order book on a generated ``orderbook.1000.BTCUSDT`` feed: topgun (verifying
every ``u``) vs pybotters (which verifies nothing) vs the orjson parse floor, plus end to end over
a loopback WebSocket.

The stream is a seeded random walk of a ~1,000-level-per-side book in Bybit's V5 shape
(https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook): one snapshot, then deltas
of 1-20 ``[price, size]`` rows (size changes, ``"0"`` deletions, new levels, the market trading
through the best level) with ``u`` going up by one, mixed with ``publicTrade`` messages. Both
libraries get the same bytes in the same process, parsed with orjson inside the timed loop.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import orjson

from benchmarks._report import Report, best_of
from benchmarks._wsserver import burst_server
from benchmarks.datastore import _against_floor, _per_message, _repeats
from benchmarks.datastore_e2e import measure

SYMBOL = "BTCUSDT"
DEPTH = 1_000
MESSAGES = 3_000
SEED = 20261208
_BOOK = f"orderbook.{DEPTH}.{SYMBOL}"
_TRADE = f"publicTrade.{SYMBOL}"


class _Market:
    """The true book the generator walks; prices in 0.1 ticks, as strings like Bybit's."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.asks: dict[int, str] = {}
        self.bids: dict[int, str] = {}
        tick = 950_000  # 95,000.0
        for _ in range(DEPTH):
            tick += rng.randint(1, 4)
            self.asks[tick] = self._size()
        tick = 950_000
        for _ in range(DEPTH):
            self.bids[tick] = self._size()
            tick -= rng.randint(1, 4)
        self.u = 80_000_000
        self.seq = 430_000_000_000
        self.ts = 1_765_000_000_000
        self.trade_id = 0

    def _size(self) -> str:
        return f"{self.rng.randint(1, 4000) / 1000:.3f}"

    def _message(self, kind: str, asks: list[list[str]], bids: list[list[str]]) -> bytes:
        self.u += 1
        self.seq += self.rng.randint(1, 40)
        self.ts += self.rng.randint(5, 30)
        return orjson.dumps(
            {
                "topic": _BOOK,
                "type": kind,
                "ts": self.ts,
                "data": {"s": SYMBOL, "b": bids, "a": asks, "u": self.u, "seq": self.seq},
                "cts": self.ts - 2,
            }
        )

    def snapshot(self) -> bytes:
        asks = [[_price(t), s] for t, s in sorted(self.asks.items())]
        bids = [[_price(t), s] for t, s in sorted(self.bids.items(), reverse=True)]
        return self._message("snapshot", asks, bids)

    def delta(self) -> bytes:
        rng = self.rng
        changes: dict[str, dict[int, str]] = {"a": {}, "b": {}}
        for _ in range(rng.randint(1, 20)):
            name = rng.choice("ab")
            side = self.asks if name == "a" else self.bids
            near = sorted(side, reverse=name == "b")[:60]
            index = min(int(rng.expovariate(1 / 8)), len(near) - 1)
            roll = rng.random()
            if roll < 0.55:
                tick = near[index]
            elif roll < 0.8 and len(side) > DEPTH * 0.9:
                tick = near[index]
                del side[tick]
                changes[name][tick] = "0"
                continue
            else:
                tick = self._free(name, index)
            side[tick] = changes[name][tick] = self._size()
        if rng.random() < 0.08:
            name = rng.choice("ab")
            side = self.asks if name == "a" else self.bids
            best = min(side) if name == "a" else max(side)
            del side[best]
            changes[name][best] = "0"
        return self._message(
            "delta",
            [[_price(t), s] for t, s in changes["a"].items()],
            [[_price(t), s] for t, s in changes["b"].items()],
        )

    def _free(self, name: str, index: int) -> int:
        ask, bid = min(self.asks), max(self.bids)
        side = self.asks if name == "a" else self.bids
        for _ in range(50):
            step = self.rng.randint(0, index * 4 + 4)
            tick = ask + step if name == "a" else bid - step
            if tick not in side:  # never crosses: asks at or above the best ask, bids below
                return tick
        return (max(side) + 1) if name == "a" else (min(side) - 1)

    def trades(self) -> bytes:
        rows = []
        for _ in range(self.rng.randint(1, 4)):
            self.trade_id += 1
            side = self.rng.choice(("Buy", "Sell"))
            tick = min(self.asks) if side == "Buy" else max(self.bids)
            rows.append(
                {
                    "T": self.ts,
                    "s": SYMBOL,
                    "S": side,
                    "v": self._size(),
                    "p": _price(tick),
                    "L": "PlusTick",
                    "i": f"2100000000{self.trade_id:09d}",
                    "BT": False,
                }
            )
        return orjson.dumps({"topic": _TRADE, "type": "snapshot", "ts": self.ts, "data": rows})


def _price(tick: int) -> str:
    return f"{tick // 10}.{tick % 10}"


def make_stream(seed: int = SEED, messages: int = MESSAGES) -> tuple[bytes, list[bytes]]:
    """(snapshot frame, then the stream of delta and trade frames)."""
    market = _Market(random.Random(seed))
    snapshot = market.snapshot()
    stream = [
        market.trades() if market.rng.random() < 0.2 else market.delta() for _ in range(messages)
    ]
    return snapshot, stream


def _topgun_store(snapshot: bytes) -> Any:
    import topgun

    store = topgun.BybitDataStore()
    store.onmessage(orjson.loads(snapshot))
    return store


def _pybotters_store(snapshot: bytes) -> Any:
    import pybotters

    store = pybotters.BybitDataStore()
    store.onmessage(orjson.loads(snapshot))
    return store


_MAKERS = {"topgun": _topgun_store, "pybotters": _pybotters_store}


def run(report: Report) -> None:
    snapshot, stream = make_stream()
    book_frames = [raw for raw in stream if raw.startswith(b'{"topic":"orderbook')]
    loads = orjson.loads
    group = "Bybit orderbook"

    def parse() -> None:
        for raw in book_frames:
            loads(raw)

    floor = best_of(parse, repeat=7) / len(book_frames)

    def apply(store: Any) -> None:
        onmessage = store.onmessage
        for raw in book_frames:
            onmessage(loads(raw))

    def apply_sorted(store: Any) -> None:
        onmessage = store.onmessage
        book = store.orderbook
        for raw in book_frames:
            onmessage(loads(raw))
            book.sorted(limit=10)

    for case, body, target in (
        ("apply deltas (u verified)", apply, "topgun/pybotters >= 1x"),
        ("apply + sorted(limit=10) per delta", apply_sorted, "topgun/pybotters >= 50x"),
    ):
        seconds = {
            name: _per_message(
                lambda make=make: make(snapshot), body, len(book_frames), _repeats(name)
            )
            for name, make in _MAKERS.items()
        }
        report.add(group, case, {**seconds, "floor": floor}, unit="msg", target=target)

    ours, floor = _against_floor(lambda: _topgun_store(snapshot), apply, book_frames)
    report.add(
        group,
        "parse + apply one delta vs parsing it",
        {"topgun": ours, "floor": floor},
        unit="msg",
        target="topgun <= 4x floor",
    )
    _check(snapshot, book_frames)
    frames = [snapshot, *stream]
    with burst_server(frames) as url:
        seconds = asyncio.run(_loopback(url, len(frames)))
    report.add(
        group,
        "loopback ws_connect -> BybitDataStore.onmessage",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 2x",
    )


def _check(snapshot: bytes, frames: list[bytes]) -> None:
    """Both libraries end with the same book (so the timings compare the same work)."""
    ours, theirs = _topgun_store(snapshot), _pybotters_store(snapshot)
    for raw in frames:
        ours.onmessage(orjson.loads(raw))
        theirs.onmessage(orjson.loads(raw))
    mine = ours.orderbook.sorted(limit=50)
    ref = theirs.orderbook.sorted(limit=50)
    if mine != ref or not mine["a"]:
        raise RuntimeError("topgun's and pybotters' books differ after the stream")


async def _loopback(url: str, total: int) -> dict[str, float]:
    def check(store: Any) -> None:
        book = store.orderbook.sorted(limit=1)
        if not (book["a"] and book["b"]):
            raise RuntimeError("topgun's Bybit book is empty after the stream")

    return await measure(url, total, "BybitDataStore", check)
