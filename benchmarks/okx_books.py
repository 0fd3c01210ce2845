"""OKXDataStore's ``books`` on a generated OKX ``books`` feed: topgun vs pybotters vs orjson.

The stream is a seeded random walk of a BTC-USDT book of ~1,000 levels per side, sent as OKX
sends it (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel):
a ``snapshot`` push, then ``update`` pushes of 1-20 rows ``[px, sz, "0", numOrders]`` (size
changes, size-0 deletions, new levels, the market trading through the best level), chained by
``seqId``/``prevSeqId``. topgun verifies the chain on every message (pybotters verifies nothing).
Production sends ``checksum: 0`` since 2026-06-23, so the main stream carries 0; a copy of it
with real checksums measures what verifying a non-zero checksum costs per message.
Both libraries get the same bytes in the same process, parsed with orjson inside the timed loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from typing import Any

import orjson

from benchmarks._report import Report
from benchmarks.datastore import _against_floor, _per_message, _repeats

INST = "BTC-USDT"
DEPTH = 1_000
MESSAGES = 3_000
SEED = 20261208
E2E_MESSAGES = 5_000
E2E_ROUNDS = 5


class _Market:
    """The true book the generator walks (prices in tenths); every push is consistent with it."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.asks: dict[int, str] = {}
        self.bids: dict[int, str] = {}
        self.seq = 1_000_000
        price = 420_000
        for _ in range(DEPTH):
            price += rng.randint(1, 5)
            self.asks[price] = self._size()
        price = 420_000
        for _ in range(DEPTH):
            self.bids[price] = self._size()
            price -= rng.randint(1, 5)

    def _size(self) -> str:
        return (
            f"{self.rng.choice((0.001, 0.01, 0.05, 0.1, 0.5, 1.0)) * self.rng.randint(1, 20):.4g}"
        )

    def _row(self, price: int, size: str) -> list[str]:
        return [f"{price / 10:.1f}", size, "0", str(self.rng.randint(1, 9)) if size != "0" else "0"]

    def checksum(self) -> int:
        from topgun_okx.store import checksum

        bids = [{"px": f"{p / 10:.1f}", "sz": self.bids[p]} for p in sorted(self.bids)[::-1][:25]]
        asks = [{"px": f"{p / 10:.1f}", "sz": self.asks[p]} for p in sorted(self.asks)[:25]]
        return checksum(bids, asks)

    def _push(self, action: str, asks: list[Any], bids: list[Any], prev: int, crc: bool) -> bytes:
        data = {
            "asks": asks,
            "bids": bids,
            "ts": "1733616000000",
            "checksum": self.checksum() if crc else 0,
            "prevSeqId": prev,
            "seqId": self.seq,
        }
        arg = {"channel": "books", "instId": INST}
        return orjson.dumps({"arg": arg, "action": action, "data": [data]})

    def snapshot(self, crc: bool) -> bytes:
        asks = [self._row(p, s) for p, s in sorted(self.asks.items())]
        bids = [self._row(p, s) for p, s in sorted(self.bids.items(), reverse=True)]
        return self._push("snapshot", asks, bids, -1, crc)

    def update(self, crc: bool) -> bytes:
        rng = self.rng
        changes: dict[str, dict[int, str]] = {"asks": {}, "bids": {}}
        for _ in range(rng.randint(1, 20)):
            name = rng.choice(("asks", "bids"))
            side = self.asks if name == "asks" else self.bids
            near = sorted(side, reverse=name == "bids")[:60]
            index = min(int(rng.expovariate(1 / 8)), len(near) - 1)
            roll = rng.random()
            if roll < 0.55 or len(side) < DEPTH * 0.9:
                price = near[index] if roll < 0.55 else self._gap(name, index)
                side[price] = self._size()
            elif roll < 0.8 and len(side) > 2:
                price = near[index]
                del side[price]
            else:
                price = self._gap(name, index)
                side[price] = self._size()
            changes[name][price] = side.get(price, "0")
        if rng.random() < 0.08:  # the market trades through the best level of one side
            name = rng.choice(("asks", "bids"))
            side = self.asks if name == "asks" else self.bids
            best = min(side) if name == "asks" else max(side)
            del side[best]
            changes[name][best] = "0"
        prev, self.seq = self.seq, self.seq + rng.randint(1, 3)
        asks = [self._row(p, s) for p, s in changes["asks"].items()]
        bids = [self._row(p, s) for p, s in changes["bids"].items()]
        return self._push("update", asks, bids, prev, crc)

    def _gap(self, name: str, index: int) -> int:
        ask, bid = min(self.asks), max(self.bids)
        side = self.asks if name == "asks" else self.bids
        for _ in range(50):
            step = self.rng.randint(-1, index * 4 + 2)
            price = ask + step if name == "asks" else bid - step
            if bid < price < ask or price in side:
                continue
            if (name == "asks" and price > bid) or (name == "bids" and price < ask):
                return price
        return max(side) + 1 if name == "asks" else min(side) - 1


def make_stream(crc: bool, messages: int = MESSAGES) -> tuple[bytes, list[bytes]]:
    """(snapshot push, then ``messages`` update pushes); the same walk whatever ``crc``."""
    market = _Market(random.Random(SEED))
    snapshot = market.snapshot(crc)
    return snapshot, [market.update(crc) for _ in range(messages)]


def _topgun(snapshot: bytes) -> Any:
    import topgun

    store = topgun.OKXDataStore()
    store.onmessage(orjson.loads(snapshot))
    assert store.books.in_sync(INST), "the benchmark's snapshot did not sync"
    return store


def _pybotters(snapshot: bytes) -> Any:
    import pybotters

    store = pybotters.OKXDataStore()
    store.onmessage(orjson.loads(snapshot))
    return store


_MAKERS: dict[str, Callable[[bytes], Any]] = {"topgun": _topgun, "pybotters": _pybotters}


def run(report: Report) -> None:
    group = "OKX books"
    loads = orjson.loads
    snapshot, stream = make_stream(crc=False)
    parsed = [loads(raw) for raw in stream]

    def check(store: Any) -> None:
        books = store.books
        if hasattr(books, "out_of_sync") and books.out_of_sync:
            raise RuntimeError(f"the stream broke the book: {books.stats.last_reason}")

    # 1. parse + apply one update (verification on) against parsing it
    def parse_apply(store: Any) -> None:
        onmessage = store.onmessage
        for raw in stream:
            onmessage(loads(raw))
        check(store)

    ours, floor = _against_floor(lambda: _topgun(snapshot), parse_apply, stream)
    theirs = _per_message(lambda: _pybotters(snapshot), parse_apply, len(stream), 3)
    report.add(
        group,
        "parse + apply one update (seqId chain checked)",
        {"topgun": ours, "pybotters": theirs, "floor": floor},
        unit="msg",
        target="topgun <= 4x floor",
    )

    # 2. apply alone (messages already parsed)
    def apply(store: Any) -> None:
        onmessage = store.onmessage
        for msg in parsed:
            onmessage(msg)
        check(store)

    seconds = {
        name: _per_message(lambda make=make: make(snapshot), apply, len(parsed), _repeats(name))
        for name, make in _MAKERS.items()
    }
    report.add(
        group, "apply one update (pre-parsed)", seconds, unit="msg", target="topgun/pybotters >= 1x"
    )

    # 3. apply + sorted(limit=10) after every message
    def apply_sorted(store: Any) -> None:
        onmessage = store.onmessage
        books = store.books
        query = {"instId": INST}
        for raw in stream:
            onmessage(loads(raw))
            books.sorted(query, limit=10)
        check(store)

    seconds = {
        name: _per_message(
            lambda make=make: make(snapshot), apply_sorted, len(stream), _repeats(name)
        )
        for name, make in _MAKERS.items()
    }
    report.add(
        group,
        "parse + apply + sorted(limit=10) per msg",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 50x",
    )

    # 4. what a non-zero checksum costs: the same walk with real checksums
    crc_snapshot, crc_stream = make_stream(crc=True)

    def parse_apply_crc(store: Any) -> None:
        onmessage = store.onmessage
        for raw in crc_stream:
            onmessage(loads(raw))
        check(store)
        if store.books.stats.checksums_verified < len(crc_stream):
            raise RuntimeError("the checksums were not verified")

    with_crc, crc_floor = _against_floor(lambda: _topgun(crc_snapshot), parse_apply_crc, crc_stream)
    report.add(
        group,
        "parse + apply one update, non-zero checksum verified",
        {"topgun": with_crc, "floor": crc_floor},
        unit="msg",
        target="(checksum cost = this - row 1)",
    )
    print(f"  checksum verification costs {(with_crc - ours) * 1e6:.2f} us per message")

    # 5. end to end over a loopback WebSocket
    _, e2e_stream = make_stream(crc=False, messages=E2E_MESSAGES)
    frames = [snapshot, *e2e_stream]
    from benchmarks._wsserver import burst_server

    with burst_server(frames) as url:
        seconds = asyncio.run(_measure_e2e(url, len(frames)))
    report.add(
        group,
        "loopback ws_connect -> OKXDataStore.onmessage",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 2x",
    )


class _Done:
    def __init__(self, total: int) -> None:
        self.total = total
        self.count = 0
        self.future: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def reset(self) -> None:
        self.count = 0
        self.future = asyncio.get_running_loop().create_future()

    def __call__(self, msg: Any, ws: Any) -> None:
        self.count += 1
        if self.count == self.total:
            self.future.set_result(time.perf_counter())


async def _measure_e2e(url: str, total: int) -> dict[str, float]:
    import aiohttp

    import topgun

    cases: dict[str, tuple[Callable[[], Any], _Done, Any]] = {}
    async with contextlib.AsyncExitStack() as stack:
        store = topgun.OKXDataStore()
        done = _Done(total)
        client = await stack.enter_async_context(topgun.Client())
        app = client.ws_connect(url, hdlr_json=[store.onmessage, done])
        await app.ready()
        ws = app.current_ws
        assert ws is not None
        cases["topgun"] = (lambda: ws.send_str("go"), done, store)
        try:
            import pybotters
        except ImportError:
            print("  (pybotters not installed: `make bench` installs it for the side-by-side rows)")
        else:
            ref_store = pybotters.OKXDataStore()
            ref_done = _Done(total)
            ref_client = await stack.enter_async_context(pybotters.Client())
            ref_app = await ref_client.ws_connect(url, hdlr_json=[ref_store.onmessage, ref_done])
            ref_ws = ref_app.current_ws
            cases["pybotters"] = (lambda: ref_ws.send_str("go"), ref_done, ref_store)
        floor = _Done(total)
        session = await stack.enter_async_context(aiohttp.ClientSession())
        raw = await stack.enter_async_context(session.ws_connect(url, decode_text=False))

        async def raw_burst() -> None:
            await raw.send_str("go")
            receive, loads = raw.receive, orjson.loads
            for _ in range(total):
                floor(loads((await receive()).data), raw)

        cases["floor"] = (raw_burst, floor, None)
        best = dict.fromkeys(cases, float("inf"))
        for round_ in range(E2E_ROUNDS + 1):
            for name, (send, counter, _) in cases.items():
                counter.reset()
                start = time.perf_counter()
                await send()
                end = await asyncio.wait_for(counter.future, 120)
                if round_:  # round 0 warms up
                    best[name] = min(best[name], (end - start) / total)
        assert store.books.in_sync(INST), store.books.stats.last_reason
        await store.close()
    return best
