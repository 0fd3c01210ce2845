"""End to end over a loopback WebSocket: ``ws_connect`` -> ``hdlr_json=store.onmessage``.

The server (its own process, see ``_wsserver``) pushes the same generated bitFlyer stream as the
DataStore benchmark — a 1,000-level-per-side board snapshot, then board diffs and executions —
to topgun's ``bitFlyerDataStore``, to pybotters' (same call, same frames) and to the floor: raw
aiohttp ``receive()`` + ``orjson.loads``, with no store.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson

import topgun

from ._report import Report
from ._wsserver import burst_server
from .datastore import make_stream

MESSAGES = 5_000
ROUNDS = 5


class _Done:
    """Counts messages; resolves when the burst's last one has been handled."""

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


async def measure(
    url: str,
    total: int,
    collection: str = "bitFlyerDataStore",
    check: Callable[[Any], None] | None = None,
    reset: Callable[[str, Any], None] | None = None,
) -> dict[str, float]:
    """Best seconds per message of a burst from ``url`` into topgun's ``collection``, pybotters'
    (same name) and the raw floor; ``reset(library, store)`` runs before every burst (to put a
    book back on its snapshot), ``check(topgun_store)`` after the last round."""
    cases: dict[str, tuple[Callable[[], Any], _Done]] = {}
    stores: dict[str, Any] = {}
    async with contextlib.AsyncExitStack() as stack:
        done = _Done(total)
        store = stores["topgun"] = getattr(topgun, collection)()
        client = await stack.enter_async_context(topgun.Client())
        app = client.ws_connect(url, hdlr_json=[store.onmessage, done])
        await app.ready()
        ws = app.current_ws
        assert ws is not None
        cases["topgun"] = (lambda: ws.send_str("go"), done)
        try:
            import pybotters
        except ImportError:
            print("  (pybotters not installed: `make bench` installs it for the side-by-side rows)")
        else:
            ref_done = _Done(total)
            ref_store = stores["pybotters"] = getattr(pybotters, collection)()
            ref_client = await stack.enter_async_context(pybotters.Client())
            ref_app = await ref_client.ws_connect(url, hdlr_json=[ref_store.onmessage, ref_done])
            ref_ws = ref_app.current_ws
            cases["pybotters"] = (lambda: ref_ws.send_str("go"), ref_done)
        floor = _Done(total)
        session = await stack.enter_async_context(aiohttp.ClientSession())
        raw = await stack.enter_async_context(session.ws_connect(url, decode_text=False))

        async def raw_burst() -> None:
            await raw.send_str("go")
            receive, loads = raw.receive, orjson.loads
            for _ in range(total):
                floor(loads((await receive()).data), raw)

        cases["floor"] = (raw_burst, floor)
        best = dict.fromkeys(cases, float("inf"))
        for round_ in range(ROUNDS + 1):
            for name, (send, counter) in cases.items():
                if reset is not None and name in stores:
                    reset(name, stores[name])
                counter.reset()
                start = time.perf_counter()
                await send()
                end = await asyncio.wait_for(counter.future, 120)
                if round_:  # round 0 warms up
                    best[name] = min(best[name], (end - start) / total)
        if check is None:
            board = store.board.sorted(limit=1)
            assert board["asks"] and board["bids"], "topgun's board is empty after the stream"
        else:
            check(store)
    return best


def run(report: Report) -> None:
    snapshot, stream = make_stream(messages=MESSAGES)
    frames = [snapshot, *stream]
    with burst_server(frames) as url:
        seconds = asyncio.run(measure(url, len(frames)))
    report.add(
        "datastore e2e",
        "loopback ws_connect -> bitFlyerDataStore.onmessage",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 2x",
    )
