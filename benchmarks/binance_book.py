"""Binance USDⓈ-M order book: topgun (verified) vs pybotters vs the orjson parse floor.

The stream is a seeded random walk of a BTCUSDT book of ~1,000 levels per side: ``depthUpdate``
diffs of 1-20 levels (size changes, size-0 deletions, new levels, the market moving through the
best levels) with update ids chained as on USDⓈ-M (``pu`` = the previous ``u``, ``U`` a few ids
past it), each a combined-stream frame (``{"stream", "data"}``) as raw bytes. Both libraries start
from the same REST snapshot (``/fapi/v1/depth`` body) given to their order book's response
handler, and then get the same frames. topgun checks every diff's ``pu`` chain; pybotters only
drops diffs at or below its last update id. The end-to-end row sends the diffs over a loopback
WebSocket (``ws_connect`` -> ``hdlr_json=store.onmessage``), the book reset to the snapshot
before each burst.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import orjson
from yarl import URL

import topgun

from ._books import BookFeed, assert_same_book
from ._report import Report, best_of, interleaved
from ._walk import MESSAGES, SEED, TickBook
from ._wsserver import burst_server
from .datastore_e2e import measure

SYMBOL = "BTCUSDT"
_URL = URL(f"https://fapi.binance.com/fapi/v1/depth?symbol={SYMBOL}&limit=1000")


class _Market:
    """Binance's snapshot and diffs of the shared walk; every diff is consistent."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.book = TickBook(
            rng, lambda r: f"{r.randint(1, 4000) * 0.001:.3f}", step=5, first_bid=949_999
        )
        self.last = 6_000_000_000

    def snapshot(self) -> dict[str, Any]:
        return {
            "lastUpdateId": self.last,
            "E": 1765152000000,
            "T": 1765151999990,
            **self.book.sides(),
        }

    def diff(self) -> bytes:
        rng, book = self.rng, self.book
        changes: dict[str, dict[int, str]] = {"asks": {}, "bids": {}}
        for _ in range(rng.randint(1, 20)):
            name, near, index = book.draw()
            side, level = book.side(name), near[index]
            roll = rng.random()
            if 0.55 <= roll < 0.8 and len(side) >= book.depth * 0.9:
                del side[level]
                changes[name][level] = "0.000"
                continue
            tick = level if roll < 0.55 else book.free_near(name, level)
            side[tick] = changes[name][tick] = book.size()
        book.trade_through(changes, "0.000")
        prev = self.last
        first = prev + 1 + rng.randint(0, 3)
        self.last = first + rng.randint(0, 40)
        event = {
            "e": "depthUpdate",
            "E": 1765152000000,
            "T": 1765151999990,
            "s": SYMBOL,
            "U": first,
            "u": self.last,
            "pu": prev,
            "b": TickBook.changed_rows(changes, "bids"),
            "a": TickBook.changed_rows(changes, "asks"),
        }
        return orjson.dumps({"stream": "btcusdt@depth@100ms", "data": event})


def make_stream(seed: int = SEED, messages: int = MESSAGES) -> tuple[dict[str, Any], list[bytes]]:
    """(the REST snapshot body, then the stream of diff frames that follows it)."""
    market = _Market(random.Random(seed))
    snapshot = market.snapshot()
    return snapshot, [market.diff() for _ in range(messages)]


# -- the two libraries -------------------------------------------------------------------------


def _topgun_store(snapshot: dict[str, Any]) -> Any:
    store = topgun.BinanceUSDSMDataStore()
    store.orderbook._onresponse(orjson.loads(orjson.dumps(snapshot)), _URL)
    return store


def _pybotters_store(snapshot: dict[str, Any]) -> Any:
    import pybotters

    store = pybotters.BinanceUSDSMDataStore()
    store.orderbook._onresponse(SYMBOL, orjson.loads(orjson.dumps(snapshot)))
    return store


def run(report: Report) -> None:
    snapshot, frames = make_stream()
    mine = lambda: _topgun_store(snapshot)  # noqa: E731
    theirs = lambda: _pybotters_store(snapshot)  # noqa: E731
    feed = BookFeed(
        "Binance USDⓈ-M book",
        {"topgun": mine, "pybotters": theirs},
        frames,
        book="orderbook",
        query={"s": SYMBOL},
    )
    group, count, parsed = feed.group, len(frames), feed.parsed
    parse_apply, parse_only = feed.parse_apply(), feed.parse_only()
    apply_only, apply_sorted = feed.apply(), feed.apply_sorted()

    _check_same_book(feed)

    # 1. parse + apply one diff, against parsing it (the floor)
    seconds = interleaved({"topgun": (mine, parse_apply), "floor": (mine, parse_only)}, count, 15)
    seconds["pybotters"] = interleaved({"p": (theirs, parse_apply)}, count, 3)["p"]
    report.add(
        group, "parse + apply one depth diff", seconds, unit="msg", target="topgun <= 4x floor"
    )

    # 2. apply alone (pre-parsed), verification on
    seconds = interleaved({"topgun": (mine, apply_only)}, count, 15)
    seconds["pybotters"] = interleaved({"p": (theirs, apply_only)}, count, 3)["p"]
    report.add(
        group,
        "apply one depth diff (pre-parsed)",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 1x",
    )

    # 3. what the pu-chain check costs: the rule's verdict on every diff of the stream
    rule = type(mine().orderbook)._SEQUENCE
    assert rule is not None
    ids = [(m["data"]["U"], m["data"]["u"], m["data"]["pu"]) for m in parsed]

    def check_all() -> None:
        book = ids[0][2]
        for first, last, prev in ids:
            rule.check(book, first, last, prev, False)
            book = last

    per_diff = best_of(check_all, repeat=15) / count
    print(f"  the pu-chain check ({rule!r}) costs {per_diff * 1e9:.0f} ns per diff")

    # 4. apply + sorted(limit=10) after every message
    seconds = interleaved({"topgun": (mine, apply_sorted)}, count, 15)
    seconds["pybotters"] = interleaved({"p": (theirs, apply_sorted)}, 1, 1)["p"] / count
    seconds["floor"] = interleaved({"f": (mine, parse_only)}, count, 7)["f"]
    report.add(
        group,
        "apply + sorted(limit=10) per msg",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 50x",
    )

    # 5. end to end over a loopback WebSocket
    with burst_server(frames) as url:
        seconds = asyncio.run(
            measure(url, len(frames), "BinanceUSDSMDataStore", _in_sync, _reset(snapshot))
        )
    report.add(
        group,
        "loopback ws_connect -> BinanceUSDSMDataStore.onmessage",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 2x",
    )


def _check_same_book(feed: BookFeed) -> None:
    """The generated stream is consistent: verified all the way, and the same book as pybotters'."""
    ours = assert_same_book(feed, limit=None, levels=_levels)
    book = ours.orderbook
    assert book.in_sync(SYMBOL) and book.stats.gaps == book.stats.stale_dropped == 0, book.stats


def _levels(book: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[str, str]]]:
    return {side: [(i["p"], i["q"]) for i in book[side]] for side in ("a", "b")}


def _reset(snapshot: dict[str, Any]) -> Callable[[str, Any], None]:
    """Put a library's book back on the REST snapshot before each burst."""

    def reset(library: str, store: Any) -> None:
        body = orjson.loads(orjson.dumps(snapshot))
        if library == "topgun":
            store.orderbook._onresponse(body, _URL)
        else:
            # Its diff buffer keeps every diff, also after the snapshot; left in place, the
            # last burst's ids would make it skip the whole next burst as already applied.
            store.orderbook._buff.clear()
            store.orderbook._onresponse(SYMBOL, body)

    return reset


def _in_sync(store: Any) -> None:
    book = store.orderbook
    assert book.in_sync(SYMBOL) and book.stats.gaps == 0, book.stats
