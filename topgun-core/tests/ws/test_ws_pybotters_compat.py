"""What pybotters 1.11.2's public tests (tests/test_ws.py, tests/test_client.py) expect of the
WebSocket and client API, checked against topgun's own implementation with real local servers.

Only expectations about the public API are carried over (their mock-based tests of internals
have no counterpart here); each difference that remains is listed in docs/migrating.rst.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

import topgun
from topgun.errors import UnknownApiNameWarning
from topgun.testing import FAST_BACKOFF


async def test_single_values_and_lists_are_both_accepted_and_sent(serve: Any, kit: Any) -> None:
    async def echo(conn: Any) -> None:
        while True:
            (msg,) = await conn.read()
            await (conn.ws.send_json(msg) if isinstance(msg, dict) else conn.ws.send_str(msg))

    server = await serve(echo)
    got: list[Any] = []
    async with topgun.Client() as client:
        single = client.ws_connect(
            server.url,
            send_str="spam",
            send_json={"bacon": "tomato"},
            hdlr_str=lambda m, ws: got.append(m),
        )
        listed = client.ws_connect(
            server.url,
            send_str=["spam"],
            send_json=[{"bacon": "tomato"}],
            hdlr_json=[lambda m, ws: got.append(m)],
        )
        async with asyncio.timeout(5):
            await single.ready()
            await listed.ready()
        await kit.eventually(lambda: len(got) >= 3)
    assert "spam" in got and {"bacon": "tomato"} in got


async def test_handlers_get_str_bytes_and_json_of_text_and_binary_frames(
    serve: Any, kit: Any
) -> None:
    async def frames(conn: Any) -> None:
        await conn.ws.send_str('{"spam":"egg"}')
        await conn.ws.send_bytes(b'{"bacon":"tomato"}')
        await conn.ws.send_str("__TEXT__")
        await conn.ws.send_bytes(b"__BYTES__")
        await conn.drain()

    server = await serve(frames)
    texts: list[Any] = []
    blobs: list[Any] = []
    decoded: list[Any] = []
    async with topgun.Client() as client:
        client.ws_connect(
            server.url,
            hdlr_str=lambda m, ws: texts.append(m),
            hdlr_bytes=lambda m, ws: blobs.append(m),
            hdlr_json=lambda m, ws: decoded.append(m),
        )
        await kit.eventually(lambda: len(texts) == 2 and len(blobs) == 2)
    assert texts == ['{"spam":"egg"}', "__TEXT__"]
    assert blobs == [b'{"bacon":"tomato"}', b"__BYTES__"]
    assert decoded == [{"spam": "egg"}, {"bacon": "tomato"}]


async def test_url_current_ws_await_and_reconnect_after_a_clean_close(serve: Any, kit: Any) -> None:
    # pybotters' functional test: a server that echoes one message then closes cleanly; the app
    # reconnects and sends its subscription again, and the queue sees both echoes.
    async def echo_once(conn: Any) -> None:
        (msg,) = await conn.read()
        await conn.ws.send_json(msg)
        await conn.ws.close()

    server = await serve(echo_once)
    queue = topgun.WebSocketQueue()
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url, send_json={"spam": "egg"}, hdlr_json=queue.onmessage, backoff=FAST_BACKOFF
        )
        assert await app is app
        assert app.url == server.url
        new_url = "wss://new-websocket-url.com"
        app.url = new_url
        assert app.url == new_url  # read back as the str that was set
        app.url = server.url
        async with asyncio.timeout(5):
            received = [await queue.get(), await queue.get()]
    assert received == [{"spam": "egg"}, {"spam": "egg"}]


async def test_heartbeat_with_autoping_and_no_monitor(serve: Any) -> None:
    async def pong_then_data(conn: Any) -> None:
        await conn.drain()  # aiohttp's server answers the pings

    server = await serve(pong_then_data)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, heartbeat=None, autoping=True)
        async with asyncio.timeout(5):
            await app.heartbeat(0.5)
        assert isinstance(app.current_ws, aiohttp.ClientWebSocketResponse)


async def test_websocket_queue_yields_in_order() -> None:
    queue = topgun.WebSocketQueue()
    menu = ["spam", "ham", "eggs"]
    for dish in menu:
        queue.onmessage(dish, None)
    result = []
    async for item in queue:
        result.append(item)
        if len(result) == len(menu):
            break
    assert result == menu


async def test_send_json_takes_data_by_keyword_and_auth_none(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    async with topgun.Client() as client:
        app = client.ws_connect(server.url)
        await app
        assert app.current_ws is not None
        await app.current_ws.send_json(data={"foo": "bar"}, auth=topgun.Auth)
        await app.current_ws.send_json({"foo": "baz"}, auth=None)
        await kit.eventually(lambda: len(server.connections[0].received) == 2)
    assert server.connections[0].received == [{"foo": "bar"}, {"foo": "baz"}]


async def test_client_keeps_its_own_copy_of_apis_and_accepts_one_element_lists() -> None:
    apis = {"name1": ["key1", "secret1"], "name4": ["key4"]}
    with pytest.warns(UnknownApiNameWarning):  # no plugin declares them: kept, but said so
        client = topgun.Client(apis=apis, base_url="http://example.com")
    async with client:
        apis["name1"].append("changed later")
        assert not client.closed
        assert client.base_url == "http://example.com"
        assert set(client.api_names) == {"name1", "name4"}
        user_agent = client.session.headers["User-Agent"]
    assert client.closed
    assert user_agent == f"topgun/{topgun.__version__}"


async def test_websocketapp_built_directly_takes_aiohttp_keywords(serve: Any, kit: Any) -> None:
    # pybotters' WebSocketApp(session, url, ..., **kwargs) hands extra keywords to aiohttp.
    server = await serve(lambda conn: conn.drain())
    async with topgun.Client() as client:
        app = topgun.WebSocketApp(client.session, server.url, headers={"X-Bot": "1"})
        assert await app is app
        await app.close()
    assert server.connections[0].request.headers["X-Bot"] == "1"
