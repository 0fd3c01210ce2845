"""BitgetV2DataStore's order book on a generated ``books`` feed: topgun (verifying every push's
``checksum`` and ``seq``/``pseq``) vs pybotters (which verifies nothing) vs the orjson parse floor.

The stream is a seeded random walk of a ~1,000-level-per-side book in Bitget's V2 shape
(https://www.bitget.com/api-doc/contract/websocket/public/Order-Book-Channel): one snapshot, then
updates of 1-20 ``[price, size]`` rows (size changes, ``"0"`` deletions, new levels, the market
trading through the best level), each with the CRC32 ``checksum`` of the true book's best 25
levels and ``seq``/``pseq`` chained, mixed with ``trade`` pushes. A second copy of the stream
without ``checksum`` (what Bitget sends today: seq/pseq only) measures what the checksum costs.
Both libraries get the same bytes in the same process, parsed with orjson inside the timed loop.
"""

from __future__ import annotations

import random
import zlib
from typing import Any

import orjson

from benchmarks._books import BookFeed, assert_same_book, row_apply_sorted, row_parse_apply
from benchmarks._report import Report
from benchmarks._walk import MESSAGES, SEED, TickBook

SYMBOL = "BTCUSDT"
_ARG = {"instType": "USDT-FUTURES", "channel": "books", "instId": SYMBOL}
_TRADE_ARG = {"instType": "USDT-FUTURES", "channel": "trade", "instId": SYMBOL}


class _Market:
    """Bitget's pushes of the shared walk (sizes as 4-decimal strings)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.book = TickBook(
            rng, lambda r: f"{r.randint(1, 40000) / 10000:.4f}", step=4, first_bid=950_000
        )
        self.seq = 427_583_461_144
        self.ts = 1_765_000_000_000
        self.trade_id = 0

    def _checksum(self) -> int:
        asks, bids = self.book.rows("asks", 25), self.book.rows("bids", 25)
        parts: list[str] = []
        for i in range(25):
            for rows in (bids, asks):
                if i < len(rows):
                    parts += rows[i]
        value = zlib.crc32(":".join(parts).encode())
        return value - (1 << 32) if value >= 1 << 31 else value

    def _message(self, action: str, asks: list[list[str]], bids: list[list[str]]) -> Any:
        prev = 0 if action == "snapshot" else self.seq
        self.seq += self.rng.randint(1, 40)
        self.ts += self.rng.randint(5, 30)
        element = {
            "asks": asks,
            "bids": bids,
            "checksum": self._checksum(),
            "seq": self.seq,
            "pseq": prev,
            "ts": str(self.ts),
        }
        return {"action": action, "arg": _ARG, "data": [element], "ts": self.ts + 1}

    def snapshot(self) -> Any:
        return self._message("snapshot", self.book.rows("asks"), self.book.rows("bids"))

    def update(self) -> Any:
        changes = self.book.walk(removed="0")
        return self._message(
            "update",
            TickBook.changed_rows(changes, "asks"),
            TickBook.changed_rows(changes, "bids"),
        )

    def trades(self) -> Any:
        rows = []
        for side, px, size in self.book.trades(("buy", "sell")):
            self.trade_id += 1
            trade_id = f"11{self.trade_id:012d}"
            rows.append(
                {"ts": str(self.ts), "price": px, "size": size, "side": side, "tradeId": trade_id}
            )
        return {"action": "snapshot", "arg": _TRADE_ARG, "data": rows, "ts": self.ts}


def make_stream(seed: int = SEED, messages: int = MESSAGES) -> tuple[Any, list[Any]]:
    """(the snapshot push, then the stream of update and trade pushes), as Python values."""
    market = _Market(random.Random(seed))
    snapshot = market.snapshot()
    stream = [
        market.trades() if market.rng.random() < 0.2 else market.update() for _ in range(messages)
    ]
    return snapshot, stream


def _without_checksum(message: Any) -> Any:
    if message["arg"]["channel"] != "books":
        return message
    element = {k: v for k, v in message["data"][0].items() if k != "checksum"}
    return {**message, "data": [element]}


def _store(library: str, snapshot: bytes) -> Any:
    store = __import__(library).BitgetV2DataStore()
    store.onmessage(orjson.loads(snapshot))
    return store


def _feed(snapshot: bytes, frames: list[bytes]) -> BookFeed:
    return BookFeed(
        "Bitget V2 books",
        {name: lambda name=name: _store(name, snapshot) for name in ("topgun", "pybotters")},
        frames,
        book="book",
    )


def run(report: Report) -> None:
    snapshot_msg, stream = make_stream()
    books = [m for m in stream if m["arg"] is _ARG]
    feed = _feed(orjson.dumps(snapshot_msg), [orjson.dumps(m) for m in books])
    plain = _feed(
        orjson.dumps(_without_checksum(snapshot_msg)),
        [orjson.dumps(_without_checksum(m)) for m in books],
    )
    floor = feed.floor()
    seconds = feed.per_library(feed.parse_apply())
    report.add(
        feed.group,
        "apply updates (checksum + seq/pseq verified)",
        {**seconds, "floor": floor},
        unit="msg",
        target="topgun/pybotters >= 1x",
    )
    row_apply_sorted(report, feed, "apply + sorted(limit=10) per update", floor=floor)
    row_parse_apply(report, feed, "parse + apply one update (checksum verified) vs parsing it")
    row_parse_apply(
        report, plain, "parse + apply one update, seq/pseq only (no checksum) vs parsing it"
    )
    ours = assert_same_book(feed)
    stats = ours.book.stats
    if stats.gaps or stats.checksum_failures or not ours.book.in_sync(("USDT-FUTURES", SYMBOL)):
        raise RuntimeError(f"topgun's book failed verification on a clean stream: {stats}")
