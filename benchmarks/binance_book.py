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
import contextlib
import gc
import random
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson
from yarl import URL

import topgun

from ._report import Report, best_of
from ._wsserver import burst_server
from .datastore_e2e import _Done

SYMBOL = "BTCUSDT"
DEPTH = 1_000
MESSAGES = 3_000
E2E_ROUNDS = 5
SEED = 20261208
_URL = URL(f"https://fapi.binance.com/fapi/v1/depth?symbol={SYMBOL}&limit=1000")


class _Market:
    """The true book the generator walks (prices in ticks of 0.1); every diff is consistent."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.asks: dict[int, str] = {}
        self.bids: dict[int, str] = {}
        tick = 950_000  # 95,000.0
        for _ in range(DEPTH):
            tick += rng.randint(1, 5)
            self.asks[tick] = self._size()
        tick = 949_999
        for _ in range(DEPTH):
            self.bids[tick] = self._size()
            tick -= rng.randint(1, 5)
        self.last = 6_000_000_000

    def _size(self) -> str:
        return f"{self.rng.randint(1, 4000) * 0.001:.3f}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "lastUpdateId": self.last,
            "E": 1765152000000,
            "T": 1765151999990,
            "bids": [[_price(t), q] for t, q in sorted(self.bids.items(), reverse=True)],
            "asks": [[_price(t), q] for t, q in sorted(self.asks.items())],
        }

    def diff(self) -> bytes:
        rng = self.rng
        changes: dict[str, dict[int, str]] = {"a": {}, "b": {}}
        for _ in range(rng.randint(1, 20)):
            name = rng.choice("ab")
            side = self.asks if name == "a" else self.bids
            near = sorted(side, reverse=name == "b")[:60]
            level = near[min(int(rng.expovariate(1 / 8)), len(near) - 1)]
            roll = rng.random()
            if roll < 0.55 or len(side) < DEPTH * 0.9:
                tick = level if roll < 0.55 else self._gap(name, level)
                side[tick] = self._size()
                changes[name][tick] = side[tick]
            elif roll < 0.8 and len(side) > 2:
                del side[level]
                changes[name][level] = "0.000"
            else:
                tick = self._gap(name, level)
                side[tick] = self._size()
                changes[name][tick] = side[tick]
        if rng.random() < 0.08:  # a trade takes the best level of one side
            name = rng.choice("ab")
            side = self.asks if name == "a" else self.bids
            best = min(side) if name == "a" else max(side)
            del side[best]
            changes[name][best] = "0.000"
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
            "b": [[_price(t), q] for t, q in changes["b"].items()],
            "a": [[_price(t), q] for t, q in changes["a"].items()],
        }
        return orjson.dumps({"stream": "btcusdt@depth@100ms", "data": event})

    def _gap(self, name: str, near: int) -> int:
        """A free tick near ``near`` on the side ``name``, never crossing the other side."""
        best_ask, best_bid = min(self.asks), max(self.bids)
        side = self.asks if name == "a" else self.bids
        for _ in range(50):
            tick = near + self.rng.randint(-4, 4)
            if tick not in side and (tick > best_bid if name == "a" else tick < best_ask):
                return tick
        return max(side) + 1 if name == "a" else min(side) - 1


def _price(tick: int) -> str:
    return f"{tick // 10}.{tick % 10}"


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


_MAKERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "topgun": _topgun_store,
    "pybotters": _pybotters_store,
}


def _per_message(make: Callable[[], Any], body: Callable[[Any], None], count: int) -> float:
    """Seconds per message of one run of ``body(fresh store)`` (GC paused)."""
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
    """Best seconds per message of each case, run in turns so that a machine busy with other
    work slows them alike."""
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(repeat):
        for name, (make, body) in cases.items():
            best[name] = min(best[name], _per_message(make, body, count))
    return best


def run(report: Report) -> None:
    snapshot, frames = make_stream()
    loads = orjson.loads
    group = "Binance USDⓈ-M book"

    def parse_apply(store: Any) -> None:
        onmessage = store.onmessage
        for raw in frames:
            onmessage(loads(raw))

    def parse_only(store: Any) -> None:
        for raw in frames:
            loads(raw)

    def apply_sorted(store: Any) -> None:
        onmessage = store.onmessage
        book = store.orderbook
        for raw in frames:
            onmessage(loads(raw))
            book.sorted({"s": SYMBOL}, limit=10)

    parsed = [loads(raw) for raw in frames]  # neither library changes the messages it is given

    def apply_only(store: Any) -> None:
        onmessage = store.onmessage
        for message in parsed:
            onmessage(message)

    mine = lambda: _topgun_store(snapshot)  # noqa: E731
    theirs = lambda: _pybotters_store(snapshot)  # noqa: E731
    count = len(frames)
    _check_same_book(mine(), theirs(), parse_apply)

    # 1. parse + apply one diff, against parsing it (the floor)
    seconds = _interleaved({"topgun": (mine, parse_apply), "floor": (mine, parse_only)}, count, 15)
    seconds["pybotters"] = _interleaved({"p": (theirs, parse_apply)}, count, 3)["p"]
    report.add(
        group, "parse + apply one depth diff", seconds, unit="msg", target="topgun <= 4x floor"
    )

    # 2. apply alone (pre-parsed), verification on
    seconds = _interleaved({"topgun": (mine, apply_only)}, count, 15)
    seconds["pybotters"] = _interleaved({"p": (theirs, apply_only)}, count, 3)["p"]
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
    seconds = _interleaved({"topgun": (mine, apply_sorted)}, count, 15)
    seconds["pybotters"] = _interleaved({"p": (theirs, apply_sorted)}, 1, 1)["p"] / count
    seconds["floor"] = _interleaved({"f": (mine, parse_only)}, count, 7)["f"]
    report.add(
        group,
        "apply + sorted(limit=10) per msg",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 50x",
    )

    # 5. end to end over a loopback WebSocket
    with burst_server(frames) as url:
        seconds = asyncio.run(_measure(url, snapshot, len(frames)))
    report.add(
        group,
        "loopback ws_connect -> BinanceUSDSMDataStore.onmessage",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 2x",
    )


def _check_same_book(ours: Any, ref: Any, feed: Callable[[Any], None]) -> None:
    """The generated stream is consistent: verified all the way, and the same book as pybotters'."""
    feed(ours)
    feed(ref)
    book = ours.orderbook
    assert book.in_sync(SYMBOL) and book.stats.gaps == book.stats.stale_dropped == 0, book.stats
    _assert_same(ours, ref)


def _assert_same(ours: Any, ref: Any) -> None:
    mine = ours.orderbook.sorted({"s": SYMBOL})
    theirs = ref.orderbook.sorted({"s": SYMBOL})
    for side in ("a", "b"):
        assert [(i["p"], i["q"]) for i in mine[side]] == [(i["p"], i["q"]) for i in theirs[side]]


async def _measure(url: str, snapshot: dict[str, Any], total: int) -> dict[str, float]:
    cases: dict[str, tuple[Callable[[], Any], _Done, Callable[[], None]]] = {}
    async with contextlib.AsyncExitStack() as stack:
        done = _Done(total)
        store = _topgun_store(snapshot)
        client = await stack.enter_async_context(topgun.Client())
        app = client.ws_connect(url, hdlr_json=[store.onmessage, done])
        await app.ready()
        ws = app.current_ws
        assert ws is not None

        def reset_topgun() -> None:
            store.orderbook._onresponse(orjson.loads(orjson.dumps(snapshot)), _URL)

        cases["topgun"] = (lambda: ws.send_str("go"), done, reset_topgun)
        try:
            import pybotters
        except ImportError:
            print("  (pybotters not installed: `make bench` installs it for the side-by-side rows)")
        else:
            ref_done = _Done(total)
            ref_store = _pybotters_store(snapshot)
            ref_client = await stack.enter_async_context(pybotters.Client())
            ref_app = await ref_client.ws_connect(url, hdlr_json=[ref_store.onmessage, ref_done])
            ref_ws = ref_app.current_ws

            def reset_pybotters() -> None:
                # Its diff buffer keeps every diff, also after the snapshot; left in place, the
                # last burst's ids would make it skip the whole next burst as already applied.
                ref_store.orderbook._buff.clear()
                ref_store.orderbook._onresponse(SYMBOL, orjson.loads(orjson.dumps(snapshot)))

            cases["pybotters"] = (lambda: ref_ws.send_str("go"), ref_done, reset_pybotters)
        floor = _Done(total)
        session = await stack.enter_async_context(aiohttp.ClientSession())
        raw = await stack.enter_async_context(session.ws_connect(url, decode_text=False))

        async def raw_burst() -> None:
            await raw.send_str("go")
            receive, loads = raw.receive, orjson.loads
            for _ in range(total):
                floor(loads((await receive()).data), raw)

        cases["floor"] = (raw_burst, floor, lambda: None)
        best = dict.fromkeys(cases, float("inf"))
        for round_ in range(E2E_ROUNDS + 1):
            for name, (send, counter, reset) in cases.items():
                reset()
                counter.reset()
                start = time.perf_counter()
                await send()
                end = await asyncio.wait_for(counter.future, 120)
                if round_:  # round 0 warms up
                    best[name] = min(best[name], (end - start) / total)
        book = store.orderbook
        assert book.in_sync(SYMBOL) and book.stats.gaps == 0, book.stats
        if "pybotters" in cases:
            _assert_same(store, ref_store)
    return best
