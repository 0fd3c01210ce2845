"""Outgoing messages: the plugin's message signer and rate limit, and no hook per message."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Any

import orjson
import pytest

import topgun
from topgun.plugin import RateLimit


def signed_ok(message: Any, secret: str) -> bool:
    if not isinstance(message, dict):
        return False
    body = {k: v for k, v in message.items() if k != "sig"}
    want = hmac.new(
        secret.encode(), orjson.dumps(body, option=orjson.OPT_SORT_KEYS), hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(message.get("sig", ""), want)


async def test_send_json_is_signed_at_subscribe_time_and_through_current_ws(
    serve: Any, kit: Any
) -> None:
    server = await serve(kit.accept_login)
    registry = kit.toy_registry(ws_message_signer=kit.toy_sign_message)
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, send_json={"op": "subscribe", "ch": "orders"})
        await app.ready()
        ws = app.current_ws
        assert isinstance(ws, topgun.ClientWebSocketResponse)
        order = {"op": "order", "size": 1}
        await ws.send_json(order)
        await ws.send_json({"op": "plain"}, auth=None)
        await ws.send_str("raw text is never signed")
        await kit.eventually(lambda: len(server.connections[0].received) == 5)
        assert order == {"op": "order", "size": 1}  # the caller's dict is not changed
    login, subscribe, signed, plain, raw = server.connections[0].received
    # Login messages are the authenticator's own, never passed through the message signer.
    assert login["sig"] == kit.toy_login_signature(kit.TOY_SECRET, login["ts"])
    assert not signed_ok(login, kit.TOY_SECRET)
    assert signed_ok(subscribe, kit.TOY_SECRET) and subscribe["ch"] == "orders"
    assert signed_ok(signed, kit.TOY_SECRET) and signed["size"] == 1
    assert plain == {"op": "plain"}
    assert raw == "raw text is never signed"


async def test_auth_none_turns_message_signing_off(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    registry = kit.toy_registry(ws_message_signer=kit.toy_sign_message)
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, send_json={"op": "subscribe"}, auth=None)
        await app.ready()
        await app.current_ws.send_json({"op": "x"})  # type: ignore[union-attr]
        await kit.eventually(lambda: len(server.connections[0].received) == 2)
    assert server.connections[0].received == [{"op": "subscribe"}, {"op": "x"}]


async def test_rate_limit_paces_sends_without_holding_up_receiving(serve: Any, kit: Any) -> None:
    async def behaviour(conn: Any) -> None:
        for i in range(20):  # the server streams while the client is throttled
            await conn.ws.send_json({"tick": i})
            await asyncio.sleep(0.02)
        await conn.drain()

    server = await serve(behaviour)
    registry = kit.toy_registry(ws_authenticator=None, ws_rate_limit=RateLimit(2, 0.25))
    ticks: list[tuple[float, Any]] = []
    loop = asyncio.get_running_loop()
    async with kit.toy_client(server, registry) as client:
        app = client.ws_connect(
            kit.TOY_URL,
            send_json=[{"sub": i} for i in range(6)],
            hdlr_json=lambda m, ws: ticks.append((loop.time(), m)),
        )
        await app
        started = loop.time()
        await app.ready()  # six subscriptions at 2 per 0.25 s: two full windows of waiting
        done = loop.time()
        await kit.eventually(lambda: len(server.connections[0].received) == 6)
    assert done - started >= 0.45
    assert server.connections[0].received == [{"sub": i} for i in range(6)]
    during = [m for t, m in ticks if started <= t < done]
    assert len(during) >= 5, "frames kept being handled while the sends waited for the limit"


async def test_rate_limiter_is_fifo_and_exact() -> None:
    from topgun.ws.ratelimit import SendLimiter

    limiter = SendLimiter(RateLimit(3, 0.2))
    loop = asyncio.get_running_loop()
    stamps: list[tuple[int, float]] = []

    async def send(i: int) -> None:
        await limiter.acquire()
        stamps.append((i, loop.time()))

    await asyncio.gather(*(send(i) for i in range(9)))
    assert [i for i, _ in stamps] == list(range(9))
    times = [t for _, t in stamps]
    for k in range(3, 9):  # any 4 consecutive sends span at least the window
        assert times[k] - times[k - 3] >= 0.2 - 1e-3
    with pytest.raises(ValueError, match="messages >= 1"):
        SendLimiter(RateLimit(0, 1.0))


async def test_no_hook_runs_per_websocket_connection_or_message(
    serve: Any, kit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registry is built once; connecting, logging in and sending only look up dicts."""
    import pluggy

    from topgun.registry import build as build_module

    server = await serve(kit.accept_login)
    registry = kit.toy_registry(
        ws_message_signer=kit.toy_sign_message, ws_rate_limit=RateLimit(100, 1.0)
    )

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a pluggy hook ran on the WebSocket path")

    original_call = pluggy.HookCaller.__call__

    def guarded(caller: Any, *args: Any, **kwargs: Any) -> Any:
        if caller.name.startswith("topgun_"):
            refuse()
        return original_call(caller, *args, **kwargs)

    monkeypatch.setattr(pluggy.HookCaller, "__call__", guarded)
    monkeypatch.setattr(build_module, "_collect", refuse)
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, send_json={"op": "subscribe"})
        await app.ready()
        for i in range(20):
            await app.current_ws.send_json({"i": i})  # type: ignore[union-attr]
        await kit.eventually(lambda: len(server.connections[0].received) == 22)
    assert all(signed_ok(m, kit.TOY_SECRET) for m in server.connections[0].received[1:])


async def test_a_foreign_ws_response_class_is_reported(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import aiohttp

    server = await serve(lambda conn: conn.drain())
    registry = kit.toy_registry(ws_authenticator=None, ws_rate_limit=RateLimit(5, 1.0))
    async with kit.toy_client(
        server, registry, ws_response_class=aiohttp.ClientWebSocketResponse
    ) as client:
        app = client.ws_connect(kit.TOY_URL)
        await app.ready()
    assert any("neither signed nor rate limited" in r.getMessage() for r in caplog.records)
