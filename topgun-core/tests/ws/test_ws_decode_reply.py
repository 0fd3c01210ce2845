"""Host.ws_decoder and Host.ws_responder: compressed frames and replies to server pings.

The toy exchange compresses every message it sends (raw deflate, in BINARY frames) and pings
with ``{"hb": n}``, expecting ``{"hb_ack": n}``; the plugin declares a decoder and a responder.
"""

from __future__ import annotations

import asyncio
import zlib
from typing import Any

import orjson


def squeeze(message: Any) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(orjson.dumps(message)) + packer.flush()


def unsqueeze(payload: bytes, max_size: int) -> bytes:
    return zlib.decompress(payload, -15)


def ack(message: Any) -> Any:
    if isinstance(message, dict) and "hb" in message:
        return {"hb_ack": message["hb"]}
    return None


async def test_decoded_frames_reach_json_handlers_raw_ones_bytes_handlers(
    serve: Any, kit: Any
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.ws.send_bytes(squeeze({"n": 1}))
        await conn.ws.send_bytes(b"\x00not deflate")
        await conn.ws.send_bytes(squeeze({"n": 2}))
        await conn.drain()

    server = await serve(behaviour)
    json_got: list[Any] = []
    bytes_got: list[bytes] = []
    registry = kit.toy_registry(ws_authenticator=None, ws_decoder=unsqueeze)
    async with kit.toy_client(server, registry) as client:
        client.ws_connect(
            kit.TOY_URL,
            hdlr_json=lambda m, ws: json_got.append(m),
            hdlr_bytes=lambda m, ws: bytes_got.append(m),
        )
        await kit.eventually(lambda: len(json_got) == 2 and len(bytes_got) == 3)
    assert json_got == [{"n": 1}, {"n": 2}]
    assert bytes_got[0] == squeeze({"n": 1})  # as sent on the wire


async def test_responder_answers_each_ping_with_its_value(serve: Any, kit: Any) -> None:
    async def behaviour(conn: Any) -> None:
        for n in (7, 8, 9):
            await conn.ws.send_str(orjson.dumps({"hb": n}).decode())
        await conn.read(3)
        await conn.drain()

    server = await serve(behaviour)
    seen: list[Any] = []
    registry = kit.toy_registry(ws_authenticator=None, ws_responder=ack)
    async with kit.toy_client(server, registry) as client:
        client.ws_connect(kit.TOY_URL, hdlr_json=lambda m, ws: seen.append(m))
        conn = await server.wait_connections(1)
        await kit.eventually(lambda: len(conn.received) == 3)
    assert conn.received == [{"hb_ack": 7}, {"hb_ack": 8}, {"hb_ack": 9}]
    assert seen == [{"hb": 7}, {"hb": 8}, {"hb": 9}]  # handlers still see the pings


async def test_login_reads_a_compressed_reply_and_pings_meanwhile_are_answered_once(
    serve: Any, kit: Any
) -> None:
    async def behaviour(conn: Any) -> None:
        (login,) = await conn.read()
        await conn.ws.send_str(orjson.dumps({"hb": 1}).decode())
        ok = login.get("sig") == kit.toy_login_signature(kit.TOY_SECRET, login["ts"])
        await conn.ws.send_bytes(squeeze({"op": "login", "ok": ok}))
        await conn.drain()

    server = await serve(behaviour)
    registry = kit.toy_registry(ws_decoder=unsqueeze, ws_responder=ack)
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, send_json={"op": "subscribe"})
        async with asyncio.timeout(5):
            await app.ready()
        conn = await server.wait_connections(1)
        await kit.eventually(lambda: len(conn.received) == 3)
    rest = conn.received[1:]  # the ping is answered when replayed, once; order not promised
    assert sorted(rest, key=orjson.dumps) == [{"hb_ack": 1}, {"op": "subscribe"}]
