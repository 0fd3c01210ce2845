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

from benchmarks._report import Report, best_of
from benchmarks.datastore import _against_floor, _per_message, _repeats

SYMBOL = "BTCUSDT"
DEPTH = 1_000
MESSAGES = 3_000
SEED = 20261208
_ARG = {"instType": "USDT-FUTURES", "channel": "books", "instId": SYMBOL}
_TRADE_ARG = {"instType": "USDT-FUTURES", "channel": "trade", "instId": SYMBOL}


class _Market:
    """The true book the generator walks; prices in 0.1 ticks, sizes as 4-decimal strings."""

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
        self.seq = 427_583_461_144
        self.ts = 1_765_000_000_000
        self.trade_id = 0

    def _size(self) -> str:
        return f"{self.rng.randint(1, 40000) / 10000:.4f}"

    def _checksum(self) -> int:
        asks = sorted(self.asks)[:25]
        bids = sorted(self.bids, reverse=True)[:25]
        parts: list[str] = []
        for i in range(25):
            for side, ticks in ((self.bids, bids), (self.asks, asks)):
                if i < len(ticks):
                    parts += (_price(ticks[i]), side[ticks[i]])
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
        asks = [[_price(t), s] for t, s in sorted(self.asks.items())]
        bids = [[_price(t), s] for t, s in sorted(self.bids.items(), reverse=True)]
        return self._message("snapshot", asks, bids)

    def update(self) -> Any:
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
            "update",
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

    def trades(self) -> Any:
        rows = []
        for _ in range(self.rng.randint(1, 4)):
            self.trade_id += 1
            side = self.rng.choice(("buy", "sell"))
            tick = min(self.asks) if side == "buy" else max(self.bids)
            rows.append(
                {
                    "ts": str(self.ts),
                    "price": _price(tick),
                    "size": self._size(),
                    "side": side,
                    "tradeId": f"11{self.trade_id:012d}",
                }
            )
        return {"action": "snapshot", "arg": _TRADE_ARG, "data": rows, "ts": self.ts}


def _price(tick: int) -> str:
    return f"{tick // 10}.{tick % 10}"


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


def _topgun_store(snapshot: bytes) -> Any:
    import topgun

    store = topgun.BitgetV2DataStore()
    store.onmessage(orjson.loads(snapshot))
    return store


def _pybotters_store(snapshot: bytes) -> Any:
    import pybotters

    store = pybotters.BitgetV2DataStore()
    store.onmessage(orjson.loads(snapshot))
    return store


_MAKERS = {"topgun": _topgun_store, "pybotters": _pybotters_store}


def run(report: Report) -> None:
    snapshot_msg, stream = make_stream()
    snapshot = orjson.dumps(snapshot_msg)
    frames = [orjson.dumps(m) for m in stream]
    book_frames = [raw for raw, m in zip(frames, stream, strict=True) if m["arg"] is _ARG]
    plain_snapshot = orjson.dumps(_without_checksum(snapshot_msg))
    plain_frames = [orjson.dumps(_without_checksum(m)) for m in stream if m["arg"] is _ARG]
    loads = orjson.loads
    group = "Bitget V2 books"

    def parse() -> None:
        for raw in book_frames:
            loads(raw)

    floor = best_of(parse, repeat=7) / len(book_frames)

    def apply(store: Any, frames: list[bytes] = book_frames) -> None:
        onmessage = store.onmessage
        for raw in frames:
            onmessage(loads(raw))

    def apply_sorted(store: Any) -> None:
        onmessage = store.onmessage
        book = store.book
        for raw in book_frames:
            onmessage(loads(raw))
            book.sorted(limit=10)

    for case, body, target in (
        ("apply updates (checksum + seq/pseq verified)", apply, "topgun/pybotters >= 1x"),
        ("apply + sorted(limit=10) per update", apply_sorted, "topgun/pybotters >= 50x"),
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
        "parse + apply one update (checksum verified) vs parsing it",
        {"topgun": ours, "floor": floor},
        unit="msg",
        target="topgun <= 4x floor",
    )
    plain, plain_floor = _against_floor(
        lambda: _topgun_store(plain_snapshot),
        lambda store: apply(store, plain_frames),
        plain_frames,
    )
    report.add(
        group,
        "parse + apply one update, seq/pseq only (no checksum) vs parsing it",
        {"topgun": plain, "floor": plain_floor},
        unit="msg",
        target="topgun <= 4x floor",
    )
    _check(snapshot, book_frames)


def _check(snapshot: bytes, frames: list[bytes]) -> None:
    """Both libraries end with the same book, and ours verified every push."""
    ours, theirs = _topgun_store(snapshot), _pybotters_store(snapshot)
    for raw in frames:
        ours.onmessage(orjson.loads(raw))
        theirs.onmessage(orjson.loads(raw))
    stats = ours.book.stats
    if stats.gaps or stats.checksum_failures or not ours.book.in_sync(("USDT-FUTURES", SYMBOL)):
        raise RuntimeError(f"topgun's book failed verification on a clean stream: {stats}")
    mine = ours.book.sorted(limit=50)
    ref = theirs.book.sorted(limit=50)
    if mine != ref or not mine["asks"]:
        raise RuntimeError("topgun's and pybotters' books differ after the stream")
