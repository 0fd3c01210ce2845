"""Frames to handlers: text, binary, JSON decoded once, non-JSON frames, raising handlers."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import pytest

import topgun
from topgun import Backoff


async def test_text_binary_and_json_frames_reach_the_right_handlers(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.ws.send_str("hello")  # text, not JSON
        await conn.ws.send_bytes(b'{"b": 1}')  # binary JSON
        await conn.ws.send_bytes(b"\x00\x01\x02")  # binary, not JSON
        await conn.ws.send_str("pong")  # a keep-alive string: not JSON, but no warning
        await conn.ws.send_str('{"a": "é"}')  # text JSON, non-ASCII
        await conn.ws.send_str("[1, 2")  # broken JSON: logged at DEBUG, the first one warned
        await conn.ws.send_str('{"last": true}')
        await conn.drain()

    server = await serve(behaviour)
    texts: list[Any] = []
    blobs: list[Any] = []
    decoded: list[Any] = []
    sockets: list[Any] = []
    caplog.set_level(logging.DEBUG, logger="topgun.ws")
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url,
            hdlr_str=lambda m, ws: texts.append(m),
            hdlr_bytes=lambda m, ws: blobs.append(m),
            hdlr_json=[lambda m, ws: decoded.append(m), lambda m, ws: sockets.append(ws)],
        )
        await kit.eventually(lambda: {"last": True} in decoded)
        assert app.stats.connects == 1  # the connection carried on
        assert app.stats.messages_received == 7
        assert app.stats.bytes_received == 5 + 8 + 3 + 4 + len('{"a": "é"}'.encode()) + 5 + 14
        assert app.stats.non_json == 3  # hello, the binary blob, the broken JSON (not "pong")
        assert all(ws is app.current_ws for ws in sockets)
    assert texts == ["hello", "pong", '{"a": "é"}', "[1, 2", '{"last": true}']
    assert all(isinstance(t, str) for t in texts)
    assert blobs == [b'{"b": 1}', b"\x00\x01\x02"]
    assert decoded == [{"b": 1}, {"a": "é"}, {"last": True}]
    not_json = [r for r in caplog.records if "is not JSON" in r.getMessage()]
    assert [r.levelno for r in not_json] == [logging.WARNING, logging.DEBUG, logging.DEBUG]
    assert "b'hello'" in not_json[0].getMessage()
    assert not any("pong" in r.getMessage() for r in not_json)


async def test_a_raising_handler_is_logged_and_the_others_carry_on(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server = await serve(kit.sending(*({"i": i} for i in range(5))))
    after: list[Any] = []
    texts: list[Any] = []

    def broken(msg: Any, ws: Any) -> None:
        raise ValueError(f"cannot handle {msg}")

    def broken_text(msg: Any, ws: Any) -> None:
        raise KeyError("text")

    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url,
            hdlr_str=[broken_text, lambda m, ws: texts.append(m)],
            hdlr_json=[broken, lambda m, ws: after.append(m)],
            backoff=Backoff(0.01, 0.05, 2, 0.01),
        )
        await kit.eventually(lambda: len(after) == 5)
        assert app.stats.handler_errors == 10
        assert app.stats.connects == 1  # no reconnect: a handler bug is not a connection problem
    assert after == [{"i": i} for i in range(5)]
    assert len(texts) == 5
    raised = [r for r in caplog.records if "raised" in r.getMessage()]
    # One traceback per handler (then at most one every 10 s), not one per message.
    assert len(raised) == 2
    assert all(r.exc_info is not None for r in raised)
    assert {r.exc_info[0] for r in raised if r.exc_info} == {ValueError, KeyError}
    assert "broken" in raised[0].getMessage() or "broken" in raised[1].getMessage()


async def test_handlers_are_called_in_the_receive_loop_in_order(serve: Any, kit: Any) -> None:
    """No call_soon per message: every handler ran for a frame before the next frame is read."""

    server = await serve(kit.sending(*range(50)))
    order: list[tuple[str, int]] = []
    async with topgun.Client() as client:
        client.ws_connect(
            server.url,
            hdlr_json=[lambda m, ws: order.append(("a", m)), lambda m, ws: order.append(("b", m))],
        )
        await kit.eventually(lambda: len(order) == 100)
    assert order == [(name, i) for i in range(50) for name in ("a", "b")]


async def test_websocket_queue_as_handler_with_async_for(serve: Any, kit: Any) -> None:
    server = await serve(kit.sending(*({"i": i} for i in range(3))))
    queue = topgun.WebSocketQueue()
    assert isinstance(queue, asyncio.Queue)
    got = []
    async with topgun.Client() as client:
        client.ws_connect(server.url, hdlr_json=queue.onmessage)
        async with asyncio.timeout(5):
            async for msg in queue:
                got.append(msg)
                if len(got) == 3:
                    break
    assert got == [{"i": 0}, {"i": 1}, {"i": 2}]


async def test_bounded_websocket_queue_drops_the_oldest(caplog: pytest.LogCaptureFixture) -> None:
    queue = topgun.WebSocketQueue(maxsize=2)
    for i in range(5):
        queue.onmessage(i, None)
    assert [queue.get_nowait() for _ in range(queue.qsize())] == [3, 4]
    assert queue.dropped == 3
    assert sum("is full" in r.getMessage() for r in caplog.records) == 1


async def test_invalid_utf8_text_frame_is_dropped_for_str_handlers(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def behaviour(conn: Any) -> None:
        # A raw text frame carrying invalid UTF-8 (send_str could not produce it).
        await conn.ws.send_frame(b"\xff\xfe", aiohttp.WSMsgType.TEXT)
        await conn.ws.send_str("ok")
        await conn.drain()

    server = await serve(behaviour)
    texts: list[str] = []
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, hdlr_str=lambda m, ws: texts.append(m))
        await kit.eventually(lambda: texts == ["ok"])
        assert app.stats.connects == 1
    assert any("not valid UTF-8" in r.getMessage() for r in caplog.records)


async def test_a_hosts_notices_reach_str_handlers_without_a_warning(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.ws.send_str("Welcome to toy.")  # the host's documented greeting
        await conn.ws.send_str("surprise")  # any other text is still reported
        await conn.ws.send_str('{"last": true}')
        await conn.drain()

    server = await serve(behaviour)
    texts: list[Any] = []
    decoded: list[Any] = []
    caplog.set_level(logging.DEBUG, logger="topgun.ws")
    registry = kit.toy_registry(ws_authenticator=None, ws_notices=("Welcome to toy.",))
    async with kit.toy_client(server, registry) as client:
        app = client.ws_connect(
            kit.TOY_URL,
            hdlr_str=lambda m, ws: texts.append(m),
            hdlr_json=lambda m, ws: decoded.append(m),
        )
        await kit.eventually(lambda: {"last": True} in decoded)
        assert app.stats.non_json == 1
    assert texts == ["Welcome to toy.", "surprise", '{"last": true}']
    not_json = [r.getMessage() for r in caplog.records if "is not JSON" in r.getMessage()]
    assert len(not_json) == 1 and "b'surprise'" in not_json[0]
