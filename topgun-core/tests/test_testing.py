"""``topgun.testing``'s helpers for plugin tests: the login double, the HTTP and WebSocket exchanges,
waiting, and the quicker plugin, over real sockets where there are sockets."""

from __future__ import annotations

import asyncio
import itertools
import zlib
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

import topgun
from topgun.credentials import Credential
from topgun.plugin import ApiSpec, AuthenticationError, Heartbeat, Host, WebSocketLogin
from topgun.registry import build_registry
from topgun.testing import (
    FAST_BACKOFF,
    Connection,
    FakeLogin,
    HttpExchange,
    WebSocketExchange,
    eventually,
    with_heartbeat_interval,
)

CREDENTIAL = Credential("toy", ["toy-key", "toy-secret"])
LOGIN_URL = "wss://ws.toy.test/private"


def is_login_reply(message: Any) -> bool:
    return isinstance(message, dict) and message.get("op") == "login"


async def authenticate(login: WebSocketLogin) -> None:
    """A toy authenticator: one login message, then its reply among whatever else arrives."""
    await login.send_json({"op": "login", "key": login.credential.key, "ts": login.clock.time()})
    reply = await login.receive_json(2.0, match=is_login_reply)
    if reply.get("ok") is not True:
        raise AuthenticationError(f"refused: {reply.get('reason')}")


def toy_exchange(message: Any) -> list[Any]:
    if is_login_reply(message):
        return [{"op": "ticker"}, {"op": "login", "ok": message["key"] == "toy-key"}]
    return []


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(data) + packer.flush()


def inflate(data: bytes, max_size: int) -> bytes:
    return zlib.decompress(data, wbits=-15)


# -- FakeLogin ---------------------------------------------------------------------------------


async def test_fake_login_answers_and_keeps_what_is_not_the_reply() -> None:
    welcome = {"op": "welcome"}
    login = FakeLogin(
        LOGIN_URL, CREDENTIAL, topgun.FixedClock(1700000000.5), toy_exchange, [welcome]
    )
    await authenticate(login)
    assert login.url.host == "ws.toy.test"
    assert login.sent == [{"op": "login", "key": "toy-key", "ts": 1700000000.5}]
    assert login.kept == [welcome, {"op": "ticker"}]
    assert login.timeouts == [2.0]


async def test_fake_login_sent_is_what_the_exchange_reads() -> None:
    login = FakeLogin(LOGIN_URL, CREDENTIAL, topgun.FixedClock(0))
    await login.send_json({"args": ("a", 1)})  # a tuple goes over the wire as a JSON array
    await login.send_str('{"op": "ping"}')
    await login.send_str("ping")
    assert login.sent == [{"args": ["a", 1]}, {"op": "ping"}, "ping"]
    with pytest.raises(TypeError):
        await login.send_json({"raw": b"bytes are not JSON"})


async def test_fake_login_refusal_and_silence() -> None:
    refused = FakeLogin(
        LOGIN_URL, Credential("toy", ["other-key", "s"]), topgun.FixedClock(0), toy_exchange
    )
    with pytest.raises(AuthenticationError, match="refused"):
        await authenticate(refused)
    silent = FakeLogin(
        LOGIN_URL, CREDENTIAL, topgun.FixedClock(0), lambda message: [{"op": "ticker"}]
    )
    with pytest.raises(TimeoutError, match="within 2 s"):
        await authenticate(silent)
    assert silent.kept == [{"op": "ticker"}]


async def test_fake_login_decode_marks_answers_that_are_no_message() -> None:
    def decode(answer: Any) -> Any:
        if answer == "garbage":
            raise ValueError("not a message")
        return {"op": answer, "ok": True}

    login = FakeLogin(
        LOGIN_URL, CREDENTIAL, topgun.FixedClock(0), early=["garbage", "login"], decode=decode
    )
    assert await login.receive_json(1.0, match=is_login_reply) == {"op": "login", "ok": True}
    assert login.kept == ["garbage"]


async def test_framed_login_reads_frames_like_the_login_session() -> None:
    def compressed_exchange(message: Any) -> list[tuple[str, Any]]:
        return [
            ("text", "not json at all"),
            ("binary", b"not deflated"),
            ("binary", raw_deflate(b'{"op":"ticker"}')),
            ("binary", raw_deflate(b'{"op":"login","ok":true}')),
        ]

    login = FakeLogin.framed(
        LOGIN_URL, CREDENTIAL, topgun.FixedClock(0), compressed_exchange, inflate
    )
    await authenticate(login)
    assert login.kept == compressed_exchange(None)[:3]  # as the frames came

    undecoded = FakeLogin.framed(LOGIN_URL, CREDENTIAL, topgun.FixedClock(0), compressed_exchange)
    with pytest.raises(TimeoutError):
        await authenticate(undecoded)  # deflated bytes are no JSON
    assert len(undecoded.kept) == 4

    texts = FakeLogin.framed(
        LOGIN_URL, CREDENTIAL, topgun.FixedClock(0), early=[("text", '{"op":"login","ok":true}')]
    )
    assert await texts.receive_json(1.0) == {"op": "login", "ok": True}


# -- eventually --------------------------------------------------------------------------------


async def test_eventually_returns_once_another_task_made_it_true() -> None:
    done: list[bool] = []
    asyncio.get_running_loop().call_later(0.02, done.append, True)
    await eventually(lambda: done, within=2.0)
    assert done == [True]


async def test_eventually_fails_the_test_when_it_never_holds() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(AssertionError, match=r"not met within 0\.05 s"):
        await eventually(lambda: False, within=0.05)
    assert loop.time() - started >= 0.05  # it gave the condition the whole time


async def test_eventually_looks_again_as_soon_as_the_watched_side_changes() -> None:
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()
    state: list[int] = []

    def change() -> None:
        state.append(1)
        changed.set()

    checks: list[bool] = []

    def check() -> bool:
        checks.append(bool(state))
        return bool(state)

    loop.call_soon(change)
    # An hour between polls: returning at all means the change woke it.
    async with asyncio.timeout(30):
        await eventually(check, within=7200.0, interval=3600.0, changed=changed)
    assert checks == [False, True]
    with pytest.raises(AssertionError):
        await eventually(lambda: False, within=0.05, changed=changed)


# -- HttpExchange ------------------------------------------------------------------------------


async def test_http_exchange_records_every_request_before_the_handler_answers() -> None:
    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        if request.headers.get("X-TOY-KEY") != "toy-key":
            return web.json_response({"error": "who are you"}, status=401)
        record["verified"] = True
        record["size"] = len(body)
        return web.json_response({"ok": True})

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="up")

    records: list[dict[str, Any]] = []
    async with (
        HttpExchange(
            ["api.toy.test"], handle, routes=[web.get("/health", health)], seen=records
        ) as server,
        aiohttp.ClientSession(connector=server.connector()) as session,
    ):
        async with session.get("https://api.toy.test/health") as response:
            assert await response.text() == "up"
        sent_as_is = URL("https://api.toy.test/v1/order%20s?b=2&a=%2F", encoded=True)
        async with session.post(sent_as_is, data=b"{}", headers={"X-TOY-KEY": "no"}) as response:
            assert response.status == 401
        async with session.delete(
            "https://api.toy.test/v1/order", headers={"X-TOY-KEY": "toy-key"}
        ) as response:
            assert await response.json() == {"ok": True}
    assert server.seen is records
    refused, accepted = records  # /health is a route of its own, not recorded
    assert refused == {
        "method": "POST",
        "host": "api.toy.test",
        "path": "/v1/order s",
        "path_qs": "/v1/order%20s?b=2&a=%2F",
        "query": "b=2&a=%2F",
        "headers": refused["headers"],
        "body": b"{}",
        "verified": False,
    }
    assert refused["headers"]["X-TOY-KEY"] == "no"
    assert accepted["method"] == "DELETE" and accepted["verified"] is True
    assert accepted["size"] == 0 and accepted["query"] == ""


async def test_local_exchange_client_reaches_its_hosts() -> None:
    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        return web.json_response({"host": record["host"]})

    async with (
        HttpExchange(["api.toy.test"], handle) as server,
        server.client(apis={}) as client,
    ):
        result = await client.fetch("GET", "https://api.toy.test/v1/ping")
    assert result.data == {"host": "api.toy.test"}
    assert [r["path"] for r in server.seen] == ["/v1/ping"]


# -- WebSocketExchange -------------------------------------------------------------------------


def echo(conn: Connection, message: Any) -> list[Any]:
    """Replies of every kind: JSON for a dict, text for a str, and binary for bytes."""
    conn.state["count"] = conn.state.get("count", 0) + 1
    if message == "ping":
        return ["pong"]
    if isinstance(message, bytes):
        return [message[::-1]]
    return [{"path": conn.path, "echo": message, "count": conn.state["count"]}]


async def test_ws_exchange_records_and_answers_under_the_real_hostname() -> None:
    async with (
        WebSocketExchange(["ws.toy.test", "alt.toy.test"], echo) as server,
        aiohttp.ClientSession(connector=server.connector()) as session,
        session.ws_connect("wss://alt.toy.test/v1/stream?x=1") as ws,
    ):
        await ws.send_json({"op": "subscribe"})
        assert await ws.receive_json() == {
            "path": "/v1/stream",
            "echo": {"op": "subscribe"},
            "count": 1,
        }
        await ws.send_str("ping")
        assert await ws.receive_str() == "pong"
        await ws.send_bytes(b"\x01\x02")
        assert await ws.receive_bytes() == b"\x02\x01"
    [conn] = server.connections
    assert conn.received == [{"op": "subscribe"}, "ping", b"\x01\x02"]
    assert conn.times == sorted(conn.times) and len(conn.times) == 3
    assert conn.request.host == "alt.toy.test" and conn.request.query["x"] == "1"


async def test_ws_exchange_compresses_replies_and_runs_on_open_per_connection() -> None:
    ended: list[int] = []

    async def on_open(conn: Connection) -> None:
        await conn.send({"op": "welcome"})
        try:
            while True:  # pings of the server's own, until the connection ends
                await asyncio.sleep(0.01)
                await conn.send({"op": "ping"})
        finally:
            ended.append(len(conn.received))

    async with (
        WebSocketExchange(["ws.toy.test"], echo, on_open=on_open, compress=raw_deflate) as server,
        aiohttp.ClientSession(connector=server.connector()) as session,
    ):
        async with session.ws_connect("wss://ws.toy.test/") as ws:
            got = [inflate(await ws.receive_bytes(), 0) for _ in range(3)]
            assert got == [b'{"op":"welcome"}', b'{"op":"ping"}', b'{"op":"ping"}']
            await ws.send_str("ping")
            await eventually(lambda: server.connections[0].received == ["ping"])
        await eventually(lambda: ended == [1])  # cancelled with its connection


# -- with_heartbeat_interval, FAST_BACKOFF -----------------------------------------------------

BEAT = Heartbeat(interval=30.0, message='{"op":"ping"}')


def test_with_heartbeat_interval_changes_only_the_interval(plugin_factory: Any) -> None:
    class Store(topgun.DataStoreCollection):
        pass

    plugin = plugin_factory(
        "toyws",
        apis=[ApiSpec("toy")],
        hosts=[
            Host("ws.toy.test", api="toy", ws_heartbeat=BEAT),
            Host("alt.toy.test", ws_heartbeat=lambda url: BEAT if url.path == "/ws" else None),
            Host("api.toy.test"),
        ],
        datastores=[("ToyStore", Store)],
    )
    registry = build_registry([with_heartbeat_interval(plugin, 0.05)], strict=True)
    hosts = {name: route.host for name, route in registry.hosts.items()}
    assert hosts["ws.toy.test"].ws_heartbeat == Heartbeat(interval=0.05, message='{"op":"ping"}')
    factory = hosts["alt.toy.test"].ws_heartbeat
    assert callable(factory) and not isinstance(factory, Heartbeat)
    assert factory(URL("wss://alt.toy.test/ws")) == Heartbeat(0.05, '{"op":"ping"}')
    assert factory(URL("wss://alt.toy.test/other")) is None
    assert hosts["api.toy.test"].ws_heartbeat is None
    assert set(registry.apis) == {"toy"} and registry.datastores["ToyStore"] is Store
    assert plugin.topgun_register_hosts is not None  # the plugin itself is left as it was
    assert build_registry([plugin], strict=True).hosts["ws.toy.test"].host.ws_heartbeat is BEAT


async def test_quicker_heartbeats_and_reconnects_through_a_client(plugin_factory: Any) -> None:
    plugin = plugin_factory("toyws", hosts=[Host("ws.toy.test", ws_heartbeat=BEAT)])
    registry = build_registry([with_heartbeat_interval(plugin, 0.05)], strict=True)

    async def close_the_first(conn: Connection) -> None:
        if len(server.connections) == 1:
            await conn.ws.close()

    async with (
        WebSocketExchange(["ws.toy.test"], on_open=close_the_first) as server,
        topgun.Client(registry=registry, **server.client_kwargs()) as client,
    ):
        app = client.ws_connect("wss://ws.toy.test/ws", backoff=FAST_BACKOFF)
        await eventually(lambda: len(server.connections) == 2)  # reconnected within FAST_BACKOFF
        second = server.connections[1]
        await eventually(lambda: second.received.count({"op": "ping"}) >= 3)
        assert app.stats.reconnects >= 1
    pings = [t for m, t in zip(second.received, second.times, strict=True) if m == {"op": "ping"}]
    assert all(b - a >= 0.04 for a, b in itertools.pairwise(pings))


# -- the pytest fixtures (imported by this directory's conftest, as a plugin's would) ------------


async def test_fixtures_hand_out_the_helpers(
    ws_exchange: Any,
    fake_login: Any,
    eventually: Any,
    fast_heartbeat: Any,
    fast_backoff: Any,
) -> None:
    assert fake_login is FakeLogin and fast_heartbeat is with_heartbeat_interval
    assert fast_backoff is FAST_BACKOFF
    first = await ws_exchange(["ws.toy.test"], echo)
    second = await ws_exchange(["alt.toy.test"])
    async with (
        aiohttp.ClientSession(connector=first.connector()) as session,
        session.ws_connect("wss://ws.toy.test/a") as ws,
    ):
        await ws.send_str("ping")
        assert await ws.receive_str() == "pong"
    await eventually(lambda: first.connections and first.connections[0].received == ["ping"])
    assert second.port != first.port and second.connections == []
