"""Automatic clock: sync_clock's measurement, sync on first signed use, the retry-once rule.

A made-up exchange (core knows none): ``clock.toy.test`` stamps requests with ``X-TOY-TS`` (ms),
tells its time at ``/time`` and refuses a stamp more than 2 s old with HTTP 400 code 4001.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
import pytest
from aiohttp import web

import topgun
from topgun.errors import ClockSyncError
from topgun.plugin import (
    ApiSpec,
    AuthenticationError,
    Host,
    ServerTime,
    SignedRequest,
    SigningRequest,
    TimestampRejection,
    WebSocketLogin,
)
from topgun.registry import Registry, build_registry
from topgun.testing import HttpExchange
from topgun.testing.timekeeping import (
    CLOCK_CHECKS,
    ClockCheck,
    ClockScenario,
    TimestampExchange,
    TimestampRules,
)

HOST = "clock.toy.test"


def stamp_signer(request: SigningRequest) -> SignedRequest:
    return SignedRequest(
        headers={"X-TOY-KEY": request.credential.key, "X-TOY-TS": str(request.clock.time_ms())}
    )


def _registry(
    plugin_factory: Any, *, not_executed: bool, url: str = f"https://{HOST}/time"
) -> Registry:
    rejection = TimestampRejection(
        lambda status, body: body.get("code") == 4001,
        statuses=frozenset({400}),
        marker=b"4001",
        not_executed=not_executed,
    )
    server_time = ServerTime(url, lambda body: body["serverTime"] / 1000, rejection)
    plugin = plugin_factory(
        "toyclock",
        apis=[ApiSpec("toyclock", server_time=server_time), ApiSpec("toyplain")],
        hosts=[Host(HOST, api="toyclock", signer=stamp_signer, body="json")],
    )
    return build_registry([plugin], strict=True)


def _stamp(request: web.Request, body: bytes) -> float | None:
    value = request.headers.get("X-TOY-TS")
    return None if value is None else int(value) / 1000


RULES = TimestampRules(
    time_path="/time",
    time_body=lambda now: {"serverTime": int(now * 1000)},
    timestamp=_stamp,
    window=2.0,
    rejection=lambda: web.json_response({"code": 4001, "msg": "stale timestamp"}, status=400),
)
SCENARIO = ClockScenario(
    api="toyclock",
    credentials={"toyclock": ["toy-key", "toy-secret"]},
    hosts=(HOST,),
    rules=RULES,
    get_url=f"https://{HOST}/v1/account",
    post_url=f"https://{HOST}/v1/order",
    post_data={"side": "buy"},
)


@pytest.mark.parametrize("not_executed", [True, False], ids=["documented", "undocumented"])
@pytest.mark.parametrize("check", CLOCK_CHECKS, ids=lambda c: c.__name__)
async def test_clock_checks(check: ClockCheck, not_executed: bool, plugin_factory: Any) -> None:
    await check(SCENARIO, _registry(plugin_factory, not_executed=not_executed))


async def test_sync_clock_without_api_name_picks_a_credentialed_one(plugin_factory: Any) -> None:
    registry = _registry(plugin_factory, not_executed=True)
    async with SCENARIO.exchange() as server, SCENARIO.client(server, registry) as client:
        result = await client.sync_clock(samples=2)
    assert result.api == "toyclock" and result.url == f"https://{HOST}/time"
    assert len(result.samples) == 2


async def test_sync_clock_refuses_names_without_a_server_time(plugin_factory: Any) -> None:
    registry = _registry(plugin_factory, not_executed=True)
    async with topgun.Client(apis={"toyplain": ["k", "s"]}, registry=registry) as client:
        with pytest.raises(ValueError, match=r"none of this client's credentials.*'toyclock'"):
            await client.sync_clock()
        with pytest.raises(ValueError, match=r"'toyplain'.*these do: \['toyclock'\]"):
            await client.sync_clock("toyplain")
        with pytest.raises(ValueError, match="at least 1"):
            await client.sync_clock("toyclock", samples=0)


async def _broken(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    if request.path == "/time":
        return web.Response(text="<html>maintenance</html>", status=503)
    if request.path == "/odd-time":
        return web.json_response({"unexpected": True})
    return web.json_response({"ok": True})


async def test_unreadable_server_time_is_a_clear_error(plugin_factory: Any) -> None:
    async with HttpExchange([HOST], _broken) as server:
        for path, expected in [("/time", "answered HTTP 503"), ("/odd-time", "KeyError")]:
            registry = _registry(plugin_factory, not_executed=True, url=f"https://{HOST}{path}")
            async with server.client(apis=dict(SCENARIO.credentials), registry=registry) as client:
                with pytest.raises(ClockSyncError, match=expected):
                    await client.sync_clock("toyclock")


async def test_failed_first_sync_still_sends_the_request(
    plugin_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    registry = _registry(plugin_factory, not_executed=True)
    async with (
        HttpExchange([HOST], _broken) as server,
        server.client(
            apis=dict(SCENARIO.credentials), registry=registry, sync_clock=True
        ) as client,
    ):
        with caplog.at_level(logging.WARNING, "topgun.clock"):
            first = await client.fetch("GET", f"https://{HOST}/v1/account")
            second = await client.fetch("GET", f"https://{HOST}/v1/account")
    assert first.data == second.data == {"ok": True}
    assert [r["path"] for r in server.seen] == ["/time", "/v1/account", "/v1/account"]
    assert "clock sync for toyclock failed" in caplog.text and "HTTP 503" in caplog.text
    assert "toy-secret" not in caplog.text


async def test_concurrent_first_signed_requests_share_one_sync(plugin_factory: Any) -> None:
    registry = _registry(plugin_factory, not_executed=True)
    async with (
        SCENARIO.exchange() as server,
        SCENARIO.client(server, registry, sync_clock=True) as client,
    ):
        results = await asyncio.gather(*(client.fetch("GET", SCENARIO.get_url) for _ in range(4)))
    assert all(r.data == {"ok": True} for r in results)
    assert server.time_requests() == 5 and server.rejected == []


async def _login(login: WebSocketLogin) -> None:
    await login.send_json({"op": "login", "ts": login.clock.time_ms()})
    reply = await login.receive_json(5.0, lambda m: isinstance(m, dict) and m.get("op") == "login")
    if not reply.get("ok"):
        raise AuthenticationError(f"login refused: {reply}")


async def test_websocket_login_syncs_first(plugin_factory: Any) -> None:
    """With sync_clock=True the first login to an exchange waits for the clock, as requests do."""
    rejection = TimestampRejection(lambda status, body: False)
    server_time = ServerTime(
        f"https://{HOST}/time", lambda body: body["serverTime"] / 1000, rejection
    )
    plugin = plugin_factory(
        "toyclock",
        apis=[ApiSpec("toyclock", server_time=server_time)],
        hosts=[
            Host(HOST, api="toyclock", signer=stamp_signer, body="json", ws_authenticator=_login)
        ],
    )
    registry = build_registry([plugin], strict=True)
    logins: list[float] = []

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            stamp = orjson.loads(msg.data)["ts"] / 1000
            lag = server.now() - stamp
            logins.append(lag)
            await ws.send_json({"op": "login", "ok": -1.0 <= lag <= RULES.window})
        return ws

    server = TimestampExchange([HOST], RULES)
    server.app.router.add_get("/ws", websocket)
    async with (
        server,
        server.client(
            apis=dict(SCENARIO.credentials), registry=registry, sync_clock=True
        ) as client,
    ):
        app = client.ws_connect(f"wss://{HOST}/ws")
        await asyncio.wait_for(app.ready(), 10)
        assert server.time_requests() == 5
        assert len(logins) == 1 and abs(logins[0]) < RULES.window
        await app.close()


async def test_no_hook_runs_for_syncs_retries_or_rate_limits(
    plugin_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The declarations are frozen into the registry: no pluggy hook runs per request."""
    import pluggy

    from topgun.registry import build as build_module

    registry = _registry(plugin_factory, not_executed=True)
    original = pluggy.HookCaller.__call__

    def refuse(caller: Any, *args: Any, **kwargs: Any) -> Any:
        if caller.name.startswith("topgun_"):
            raise AssertionError(f"pluggy hook {caller.name} ran on the request path")
        return original(caller, *args, **kwargs)

    def no_collect(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the registry was rebuilt on the request path")

    monkeypatch.setattr(pluggy.HookCaller, "__call__", refuse)
    monkeypatch.setattr(build_module, "_collect", no_collect)
    for check in CLOCK_CHECKS:
        await check(SCENARIO, registry)


async def test_a_checked_answer_still_reaches_the_caller_whole(plugin_factory: Any) -> None:
    """A rejection looked for in every answer (any status) leaves the body to the caller intact."""
    rejection = TimestampRejection(lambda status, body: body.get("code") == 4001, marker=b"4001")
    server_time = ServerTime(
        f"https://{HOST}/time", lambda body: body["serverTime"] / 1000, rejection
    )
    plugin = plugin_factory(
        "toyclock",
        apis=[ApiSpec("toyclock", server_time=server_time)],
        hosts=[Host(HOST, api="toyclock", signer=stamp_signer, body="json")],
    )
    registry = build_registry([plugin], strict=True)
    async with (
        SCENARIO.exchange() as server,
        SCENARIO.client(server, registry, sync_clock=True, max_response_size=1024) as client,
    ):
        fetched = await client.fetch("GET", SCENARIO.get_url)
        async with client.get(SCENARIO.get_url) as response:
            streamed = await response.json()
    assert fetched.data == streamed == {"ok": True}
