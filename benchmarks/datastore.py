"""bitFlyerDataStore on a generated bitFlyer feed: topgun vs pybotters vs the orjson parse floor.

The stream is a seeded random walk of a FX_BTC_JPY book of ~1,000 levels per side: board diffs
of 1-20 levels (size changes, size-0 deletions, new levels, the market moving through the best
levels) mixed with execution messages, every message a JSON-RPC frame as raw bytes, parsed with
orjson inside the timed loop for both libraries. Both get the same bytes in the same process.

pybotters only accepts a board snapshot through a live ClientWebSocketResponse (it answers it with
an unsubscribe), so here its snapshot is applied through ``Board._onmessage`` and the product is
marked ready, exactly as that code path would do; every diff then goes through its ``onmessage``.

The end-to-end loopback case (``ws_connect`` -> ``hdlr_json=store.onmessage``) is the
``datastore_e2e`` benchmark, on the same generated stream.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import orjson

from benchmarks._books import BookFeed, row_parse_apply
from benchmarks._report import Report, best_of, repeats
from benchmarks._walk import PriceBook

PRODUCT = "FX_BTC_JPY"
DEPTH = 1_000
MESSAGES = 3_000
SEED = 20240607

_BOARD = f"lightning_board_{PRODUCT}"
_SNAPSHOT = f"lightning_board_snapshot_{PRODUCT}"
_EXECUTIONS = f"lightning_executions_{PRODUCT}"


def _frame(channel: str, message: Any) -> bytes:
    return orjson.dumps(
        {
            "jsonrpc": "2.0",
            "method": "channelMessage",
            "params": {"channel": channel, "message": message},
        }
    )


class _Market(PriceBook):
    """The walk as bitFlyer sends it, with executions at the best prices between board diffs."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, DEPTH)
        self.exec_id = 2_500_000_000

    def snapshot(self) -> bytes:
        return _frame(_SNAPSHOT, self.levels())

    def diff(self) -> bytes:
        return _frame(_BOARD, self.step())

    def executions(self) -> bytes:
        ask, bid = self.best()
        rows = []
        for _ in range(self.rng.randint(1, 5)):
            self.exec_id += 1
            side = self.rng.choice(("BUY", "SELL"))
            rows.append(
                {
                    "id": self.exec_id,
                    "side": side,
                    "price": ask if side == "BUY" else bid,
                    "size": self.size(),
                    "exec_date": "2024-06-07T01:23:45.6789012Z",
                    "buy_child_order_acceptance_id": f"JRF20240607-012345-{self.exec_id % 999_983:06d}",
                    "sell_child_order_acceptance_id": f"JRF20240607-012345-{self.exec_id % 999_979:06d}",
                }
            )
        return _frame(_EXECUTIONS, rows)


def make_stream(seed: int = SEED, messages: int = MESSAGES) -> tuple[bytes, list[bytes]]:
    """(snapshot frame, then the stream of diff and execution frames)."""
    market = _Market(random.Random(seed))
    snapshot = market.snapshot()
    stream = [
        market.executions() if market.rng.random() < 0.25 else market.diff()
        for _ in range(messages)
    ]
    return snapshot, stream


# -- the two libraries ---------------------------------------------------------------------


def _topgun_store(snapshot: bytes) -> Any:
    import topgun

    store = topgun.bitFlyerDataStore()
    store.onmessage(orjson.loads(snapshot))
    return store


def _pybotters_store(snapshot: bytes) -> Any:
    import pybotters

    store = pybotters.bitFlyerDataStore()
    store._snapshots.add(PRODUCT)
    store.board._onmessage(PRODUCT, orjson.loads(snapshot)["params"]["message"])
    return store


_MAKERS: dict[str, Callable[[bytes], Any]] = {
    "topgun": _topgun_store,
    "pybotters": _pybotters_store,
}


def run(report: Report) -> None:
    snapshot, stream = make_stream()
    makers = {name: partial(make, snapshot) for name, make in _MAKERS.items()}
    feed = BookFeed("bitFlyer store", makers, stream, book="board")
    group, stream_floor = feed.group, feed.floor()

    # 1. apply the stream
    seconds = feed.per_library(feed.parse_apply())
    report.add(
        group,
        f"apply stream ({len(stream)} msgs)",
        {**seconds, "floor": stream_floor},
        unit="msg",
        target="topgun/pybotters >= 20x",
    )

    # 2. apply + sorted(limit=10) after every message
    seconds = feed.per_library(feed.apply_sorted())
    report.add(
        group,
        "apply + sorted(limit=10) per msg",
        {**seconds, "floor": stream_floor},
        unit="msg",
        target="topgun/pybotters >= 30x",
    )

    # 3. sorted(limit=10) alone on a full book
    seconds = {}
    for name, make in _MAKERS.items():
        board = make(snapshot).board
        calls = 200 if name == "pybotters" else 20_000

        def many(board: Any = board, calls: int = calls) -> None:
            for _ in range(calls):
                board.sorted(limit=10)

        seconds[name] = best_of(many, repeat=5) / calls
    report.add(
        group,
        f"sorted(limit=10), {DEPTH}-level sides",
        seconds,
        unit="call",
        target="topgun/pybotters >= 100x",
    )

    # 4. the stream with one watch() consumer on the board
    seconds = {
        name: _watched(make, snapshot, stream, repeats(name)) for name, make in _MAKERS.items()
    }
    report.add(
        group,
        "apply stream, one board watch() consumer",
        {**seconds, "floor": stream_floor},
        unit="msg",
        target="topgun/pybotters >= 3x",
    )

    # 5. parse + apply of one board message against parsing it
    board = BookFeed(
        group, makers, [raw for raw in stream if _BOARD.encode() in raw[:120]], "board"
    )
    row_parse_apply(report, board, "parse + apply one board diff", target="topgun <= 5x floor")
    print("  end-to-end over a loopback WebSocket: see the datastore_e2e benchmark")


def _watched(
    make: Callable[[bytes], Any], snapshot: bytes, stream: list[bytes], repeat: int
) -> float:
    async def one() -> float:
        store = make(snapshot)
        seen = 0
        stream_ = store.board.watch()

        async def consume() -> None:
            nonlocal seen
            async for _ in stream_:
                seen += 1

        consumer = asyncio.create_task(consume())
        await asyncio.sleep(0)
        loads = orjson.loads
        onmessage = store.onmessage
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            for raw in stream:
                onmessage(loads(raw))
                await asyncio.sleep(0)
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
        consumer.cancel()
        stream_.close()
        if not seen:
            raise RuntimeError("the watch() consumer saw no change")
        return elapsed / len(stream)

    return min(asyncio.run(one()) for _ in range(repeat))
