"""What replaying a recording costs over applying the same messages directly.

A bitFlyer Lightstream feed (https://bf-lightning-api.readme.io/docs/realtime-board and
.../realtime-ticker): one board snapshot of 200 levels per side, then 20,000 frames mixing board
diffs (``topgun.testing.books.ModelBook`` steps) and tickers, as the JSON-RPC text frames the
exchange sends. Rows:

- direct: ``orjson.loads`` + ``bitFlyerDataStore.onmessage`` over the frames held in memory (what
  the live connection's JSON handler does);
- replay: ``topgun.replay_into`` of the same frames from a zstandard recording (read,
  decompress, decode the record lines, then the same parse and apply).

Both are timed interleaved, best of 9, in CPU time (the machine may be shared). Target (issue
18): replay <= 1.5x direct.
"""

from __future__ import annotations

import asyncio
import gc
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

import topgun
from benchmarks._report import Report
from topgun.testing.books import Change, ModelBook
from topgun_bitflyer.store import bitFlyerDataStore

PRODUCT = "FX_BTC_JPY"
FRAMES = 20_000
SEED = 20261208
ROUNDS = 9


def _frame(channel: str, message: Any) -> str:
    params = {"channel": channel, "message": message}
    return orjson.dumps({"jsonrpc": "2.0", "method": "channelMessage", "params": params}).decode()


def _board(asks: Change, bids: Change, mid: float) -> dict[str, Any]:
    return {
        "mid_price": mid,
        "asks": [{"price": p, "size": s} for p, s in asks],
        "bids": [{"price": p, "size": s} for p, s in bids],
    }


def feed() -> list[str]:
    rng = random.Random(SEED)
    model = ModelBook.seeded(rng, depth=200, mid=5_000_000.0)
    asks, bids = model.top()
    frames = [_frame(f"lightning_board_snapshot_{PRODUCT}", _board(asks, bids, 5_000_000.0))]
    for n in range(FRAMES):
        if n % 4 == 3:
            ltp = min(model.asks)
            ticker = {"product_code": PRODUCT, "tick_id": n, "ltp": ltp, "best_ask": ltp}
            frames.append(_frame(f"lightning_ticker_{PRODUCT}", ticker))
        else:
            asks, bids = model.step(rng)
            mid = (min(model.asks) + max(model.bids)) / 2
            frames.append(_frame(f"lightning_board_{PRODUCT}", _board(asks, bids, mid)))
    return frames


def _cpu_seconds(fn: Callable[[], object]) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        fn()
        return time.process_time() - start
    finally:
        gc.enable()


def run(report: Report) -> None:
    frames = feed()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.jsonl.zst"
        with topgun.Recorder(path) as recorder:
            for text in frames:
                recorder.onmessage(text, None)

        def direct() -> bitFlyerDataStore:
            store = bitFlyerDataStore()
            onmessage, loads = store.onmessage, orjson.loads
            for text in frames:
                onmessage(loads(text), None)
            return store

        def replayed() -> bitFlyerDataStore:
            store = bitFlyerDataStore()
            asyncio.run(topgun.replay_into(store, path))
            return store

        assert replayed().board.sorted() == direct().board.sorted()
        # Interleaved, best of each, in CPU time: a loaded machine moves both alike.
        direct_s = replay_s = float("inf")
        for _ in range(ROUNDS):
            direct_s = min(direct_s, _cpu_seconds(direct))
            replay_s = min(replay_s, _cpu_seconds(replayed))
    group = "replay"
    case = f"bitFlyer feed, {len(frames):,} frames"
    report.add(group, f"{case}: apply directly", {"topgun": direct_s})
    report.add(
        group,
        f"{case}: replay from .jsonl.zst",
        {"topgun": replay_s, "floor": direct_s},
        unit="feed",
        target="topgun <= 1.5x floor (floor = direct)",
    )
    print(f"  replay / direct = {replay_s / direct_s:.2f}x", flush=True)
