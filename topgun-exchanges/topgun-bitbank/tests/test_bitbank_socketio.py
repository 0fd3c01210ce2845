"""bitbank's public stream through ``client.ws_connect`` against a local Socket.IO-speaking server
reached as stream.bitbank.cc: subscription with ``send_str`` and the Engine.IO heartbeat.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md (handshake
``0{..."pingInterval":25000,"pingTimeout":60000}``, ``42["join-room", room]``, messages
``42["message", {...}]``) and https://github.com/socketio/engine.io-protocol ("Heartbeat": protocol
3 clients ping with ``2``; under protocol 4 the server pings and a client ``2`` is an error). The
server below enforces the direction like an Engine.IO server does. The heartbeat interval is
shortened through ``topgun_bitbank.ws.heartbeats(interval)``; the plugin registers 15 s.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import WSMsgType, web

import topgun
from topgun.plugin import ApiSpec, Host, hookimpl
from topgun.testing import LocalExchange, build_registry, eventually
from topgun_bitbank import STREAM_URL, join_room
from topgun_bitbank.ws import heartbeats

HANDSHAKE = '0{"sid":"local-sid","upgrades":[],"pingInterval":25000,"pingTimeout":60000}'
TICKER = '{"sell":"5000001","buy":"5000000","last":"5000000","timestamp":1700000000000}'


@dataclass
class StreamState:
    client_pings: int = 0
    client_pongs: int = 0
    rooms: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for(self, condition: Callable[[], bool], within: float = 5.0) -> None:
        await eventually(condition, within, changed=self.changed)


def socketio_app(state: StreamState) -> web.Application:
    async def handler(request: web.Request) -> web.StreamResponse:
        eio = request.query.get("EIO")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(HANDSHAKE)
        connected = eio != "4"
        if connected:
            await ws.send_str("40")  # protocol 3: the default namespace is joined by the server
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            text = msg.data
            if text == "2":
                if eio == "4":
                    state.violations.append("invalid heartbeat direction")
                    await ws.close()
                    break
                state.client_pings += 1
                await ws.send_str("3")
            elif text == "3":
                if eio != "4":
                    state.violations.append("invalid heartbeat direction")
                    await ws.close()
                    break
                state.client_pongs += 1
            elif text == "40" and eio == "4":
                connected = True
                await ws.send_str('40{"sid":"namespace-sid"}')
            elif text.startswith('42["join-room",'):
                if not connected:
                    state.violations.append("event before the namespace connect")
                    await ws.close()
                    break
                room = text[len('42["join-room","') : -2]
                state.rooms.append(room)
                await ws.send_str(
                    f'42["message",{{"room_name":"{room}","message":{{"data":{TICKER}}}}}]'
                )
            state.changed.set()
        state.changed.set()
        return ws

    app = web.Application()
    app.router.add_get("/socket.io/", handler)
    return app


def fast_plugin() -> types.ModuleType:
    module = types.ModuleType("topgun_bitbank_fast_heartbeat")

    @hookimpl
    def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
        register(ApiSpec("bitbank"))

    @hookimpl
    def topgun_register_hosts(register: Callable[[Host], None]) -> None:
        register(Host("stream.bitbank.cc", ws_heartbeat=heartbeats(0.02)))

    module.topgun_register_apis = topgun_register_apis  # type: ignore[attr-defined]
    module.topgun_register_hosts = topgun_register_hosts  # type: ignore[attr-defined]
    return module


@pytest.fixture
async def stream() -> Any:
    state = StreamState()
    async with LocalExchange(socketio_app(state), ["stream.bitbank.cc"]) as server:
        server.state = state  # type: ignore[attr-defined]
        yield server


def client_for(server: Any) -> topgun.Client:
    return server.client(apis={}, registry=build_registry([fast_plugin()]))


async def test_eio3_subscribes_with_send_str_and_pings(stream: Any) -> None:
    frames: list[str] = []
    async with client_for(stream) as client:
        app = client.ws_connect(
            STREAM_URL,
            send_str=[join_room("ticker_btc_jpy"), join_room("depth_whole_btc_jpy")],
            hdlr_str=lambda msg, ws: frames.append(msg),
        )
        await app.ready()
        await stream.state.wait_for(lambda: stream.state.client_pings >= 3)
        await app.close()
    assert stream.state.rooms == ["ticker_btc_jpy", "depth_whole_btc_jpy"]
    assert stream.state.violations == []
    assert frames[0] == HANDSHAKE
    assert any(f.startswith('42["message",{"room_name":"ticker_btc_jpy"') for f in frames)
    assert "3" in frames  # the server's answers to the pings reach hdlr_str as they are


async def test_eio4_answers_instead_of_pinging(stream: Any) -> None:
    url = "wss://stream.bitbank.cc/socket.io/?EIO=4&transport=websocket"

    sends: list[asyncio.Task[None]] = []

    def join_after_connect(msg: str, ws: Any) -> None:
        if msg.startswith("40{"):  # protocol 4: join rooms once the namespace connect is acked
            sends.append(asyncio.ensure_future(ws.send_str(join_room("ticker_btc_jpy"))))

    async with client_for(stream) as client:
        app = client.ws_connect(url, send_str="40", hdlr_str=join_after_connect)
        await stream.state.wait_for(
            lambda: stream.state.client_pongs >= 3 and stream.state.rooms == ["ticker_btc_jpy"]
        )
        await asyncio.gather(*sends)
        await app.close()
    assert stream.state.client_pings == 0
    assert stream.state.violations == []
