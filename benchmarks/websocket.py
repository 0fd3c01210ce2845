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
import base64
import contextlib
import hashlib
import multiprocessing
import struct
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson

import topgun

from ._report import Report

MESSAGES = 50_000
ROUNDS = 7
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
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


def _frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """One unmasked server-to-client frame."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return header + payload


async def _client_frames(reader: asyncio.StreamReader) -> Any:
    """Yield (opcode, payload) of the client's masked frames."""
    while True:
        first, second = await reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", await reader.readexactly(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", await reader.readexactly(8))
        mask = await reader.readexactly(4)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(await reader.readexactly(size)))
        yield first & 0x0F, data


async def _serve(port_out: Any) -> None:
    burst = _frame(orjson.dumps(TICKER)) * MESSAGES

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        key = next(
            line.split(b":", 1)[1].strip()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        try:
            async for opcode, data in _client_frames(reader):
                if opcode == 0x1:  # a text frame asks for a burst
                    writer.write(burst)
                    await writer.drain()
                elif opcode == 0x9:
                    writer.write(_frame(data, 0xA))
                elif opcode == 0x8:
                    writer.write(_frame(data[:2], 0x8))
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    port_out.put(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def _server_process(port_out: Any) -> None:
    asyncio.run(_serve(port_out))


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
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    server = context.Process(target=_server_process, args=(ports,), daemon=True)
    server.start()
    try:
        url = f"ws://127.0.0.1:{ports.get(timeout=30)}/ws"
        seconds = asyncio.run(_measure(url))
    finally:
        server.terminate()
        server.join(5)
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
