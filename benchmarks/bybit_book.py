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

from benchmarks._books import BookFeed, assert_same_book, row_apply_sorted, row_parse_apply
from benchmarks._report import Report
from benchmarks._walk import DEPTH, MESSAGES, SEED, TickBook
from benchmarks._wsserver import burst_server
from benchmarks.datastore_e2e import measure

SYMBOL = "BTCUSDT"
_BOOK = f"orderbook.{DEPTH}.{SYMBOL}"
_TRADE = f"publicTrade.{SYMBOL}"


class _Market:
    """Bybit's messages of the shared walk (sizes as 3-decimal strings like Bybit's)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.book = TickBook(
            rng, lambda r: f"{r.randint(1, 4000) / 1000:.3f}", step=4, first_bid=950_000
        )
        self.u = 80_000_000
        self.seq = 430_000_000_000
        self.ts = 1_765_000_000_000
        self.trade_id = 0

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
        return self._message("snapshot", self.book.rows("asks"), self.book.rows("bids"))

    def delta(self) -> bytes:
        changes = self.book.walk(removed="0")
        return self._message(
            "delta",
            TickBook.changed_rows(changes, "asks"),
            TickBook.changed_rows(changes, "bids"),
        )

    def trades(self) -> bytes:
        rows = []
        for side, px, size in self.book.trades(("Buy", "Sell")):
            self.trade_id += 1
            trade_id = f"2100000000{self.trade_id:09d}"
            row = {"T": self.ts, "s": SYMBOL, "S": side, "v": size, "p": px, "L": "PlusTick"}
            rows.append({**row, "i": trade_id, "BT": False})
        return orjson.dumps({"topic": _TRADE, "type": "snapshot", "ts": self.ts, "data": rows})


def make_stream(seed: int = SEED, messages: int = MESSAGES) -> tuple[bytes, list[bytes]]:
    """(snapshot frame, then the stream of delta and trade frames)."""
    market = _Market(random.Random(seed))
    snapshot = market.snapshot()
    stream = [
        market.trades() if market.rng.random() < 0.2 else market.delta() for _ in range(messages)
    ]
    return snapshot, stream


def _store(library: str, snapshot: bytes) -> Any:
    store = __import__(library).BybitDataStore()
    store.onmessage(orjson.loads(snapshot))
    return store


def run(report: Report) -> None:
    snapshot, stream = make_stream()
    book_frames = [raw for raw in stream if raw.startswith(b'{"topic":"orderbook')]
    feed = BookFeed(
        "Bybit orderbook",
        {name: lambda name=name: _store(name, snapshot) for name in ("topgun", "pybotters")},
        book_frames,
        book="orderbook",
    )
    floor = feed.floor()
    seconds = feed.per_library(feed.parse_apply())
    report.add(
        feed.group,
        "apply deltas (u verified)",
        {**seconds, "floor": floor},
        unit="msg",
        target="topgun/pybotters >= 1x",
    )
    row_apply_sorted(report, feed, "apply + sorted(limit=10) per delta", floor=floor)
    row_parse_apply(report, feed, "parse + apply one delta vs parsing it")
    assert_same_book(feed)
    frames = [snapshot, *stream]
    with burst_server(frames) as url:
        seconds = asyncio.run(_loopback(url, len(frames)))
    report.add(
        feed.group,
        "loopback ws_connect -> BybitDataStore.onmessage",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 2x",
    )


async def _loopback(url: str, total: int) -> dict[str, float]:
    def check(store: Any) -> None:
        book = store.orderbook.sorted(limit=1)
        if not (book["a"] and book["b"]):
            raise RuntimeError("topgun's Bybit book is empty after the stream")

    return await measure(url, total, "BybitDataStore", check)
