"""How many messages a second a loopback WebSocket can push through ``ws_connect`` → ``hdlr_json``.

The server runs in its own process and writes pre-built frames straight to the socket, so it is
never the bottleneck: what is measured is the client, from the request for a burst to the last
message handled. Three clients read the same bursts of a realistic bitFlyer ticker message:

- topgun: ``client.ws_connect(url, hdlr_json=handler)``;
- pybotters 1.11.2: the same call (installed by ``make bench``; skipped when missing);
- floor: raw aiohttp, ``ws.receive()`` then ``orjson.loads`` (text kept as bytes), no handlers.
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

MESSAGES = 50_000
ROUNDS = 7
TICKER = {
    "jsonrpc": "2.0",
    "method": "channelMessage",
    "params": {
        "channel": "lightning_ticker_BTC_JPY",
        "message": {
            "product_code": "BTC_JPY",
            "state": "RUNNING",
            "timestamp": "2026-12-03T08:00:00.123456Z",
            "tick_id": 123456789,
            "best_bid": 15000000.0,
            "best_ask": 15000500.0,
            "best_bid_size": 0.123,
            "best_ask_size": 0.456,
            "total_bid_depth": 1234.5678,
            "total_ask_depth": 2345.6789,
            "market_bid_size": 0.0,
            "market_ask_size": 0.0,
            "ltp": 15000250.0,
            "volume": 12345.678,
            "volume_by_product": 2345.678,
        },
    },
}


class _Counter:
    """A handler that counts messages and wakes the benchmark when a burst is complete."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.count = 0
        self.target = MESSAGES
        self.done: asyncio.Future[float] = loop.create_future()

    def expect(self) -> None:
        self.count = 0
        self.done = self.loop.create_future()

    def __call__(self, msg: Any, ws: Any) -> None:
        self.count += 1
        if self.count == self.target:
            self.done.set_result(time.perf_counter())


async def _burst(send: Callable[[], Any], counter: _Counter) -> float:
    """Seconds per message for one burst."""
    counter.expect()
    start = time.perf_counter()
    await send()
    end = await asyncio.wait_for(counter.done, 60)
    return (end - start) / MESSAGES


async def _measure(url: str) -> dict[str, float]:
    """Open the three clients, then time their bursts interleaved, so drift hits all alike."""
    loop = asyncio.get_running_loop()
    cases: dict[str, tuple[Callable[[], Any], _Counter]] = {}
    async with contextlib.AsyncExitStack() as stack:
        counter = _Counter(loop)
        client = await stack.enter_async_context(topgun.Client())
        app = client.ws_connect(url, hdlr_json=counter)
        await app.ready()
        ws = app.current_ws
        assert ws is not None
        cases["topgun"] = (lambda: ws.send_str("go"), counter)

        try:
            import pybotters
        except ImportError:
            print("  (pybotters not installed: `make bench` installs it for the side-by-side rows)")
        else:
            reference = _Counter(loop)
            ref_client = await stack.enter_async_context(pybotters.Client())
            ref_app = await ref_client.ws_connect(url, hdlr_json=reference)
            ref_ws = ref_app.current_ws
            cases["pybotters"] = (lambda: ref_ws.send_str("go"), reference)

        floor = _Counter(loop)
        session = await stack.enter_async_context(aiohttp.ClientSession())
        raw = await stack.enter_async_context(session.ws_connect(url, decode_text=False))
        loads = orjson.loads

        async def raw_burst() -> None:
            await raw.send_str("go")
            receive = raw.receive
            for _ in range(MESSAGES):
                floor(loads((await receive()).data), raw)

        cases["floor"] = (raw_burst, floor)

        best = dict.fromkeys(cases, float("inf"))
        for round_ in range(ROUNDS + 1):
            for name, (send, count) in cases.items():
                seconds = await _burst(send, count)
                if round_:  # the first round warms up
                    best[name] = min(best[name], seconds)
    return best


def run(report: Report) -> None:
    with burst_server([orjson.dumps(TICKER)] * MESSAGES) as url:
        seconds = asyncio.run(_measure(url))
    size = len(orjson.dumps(TICKER))
    report.add(
        "websocket",
        f"loopback push -> hdlr_json ({size} B ticker)",
        seconds,
        unit="msg",
    )
    rates = ", ".join(f"{name} {1 / s:,.0f} msg/s" for name, s in seconds.items())
    print(f"  {rates}")
    if "pybotters" in seconds:
        print(
            f"  topgun is {seconds['pybotters'] / seconds['topgun']:.1f}x pybotters and "
            f"{seconds['topgun'] / seconds['floor']:.2f}x the floor's time per message"
        )
