"""The exchange login on every connection: awaited, checked, and a failure never goes unseen."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from typing import Any

import aiohttp
import pytest

import topgun
from topgun import AuthenticationError, Backoff, ConnectionState
from topgun.plugin import WebSocketLogin


def toy_login_checker(kit: Any, *, ok: bool = True, early: Any = None, delay: float = 0.0) -> Any:
    """A server behaviour that verifies the toy login like the toy exchange documents it."""

    async def behaviour(conn: Any) -> None:
        if early is not None:
            await conn.ws.send_json(early)  # arrives before the login reply
        (login,) = await conn.read()
        expected = kit.toy_login_signature(kit.TOY_SECRET, login["ts"])
        verified = (
            login.get("op") == "login"
            and login.get("key") == kit.TOY_KEY
            and abs(int(login["ts"]) / 1000 - time.time()) < 30
            and hmac.compare_digest(login.get("sig", ""), expected)
        )
        conn.verified = verified
        await asyncio.sleep(delay)
        if ok and verified:
            await conn.ws.send_json({"op": "login", "ok": True})
            await conn.ws.send_json({"data": "private", "n": conn.index})
            await conn.drain()
        else:
            await conn.ws.send_json({"op": "login", "ok": False, "reason": "invalid signature"})
            await conn.drain()

    return behaviour


async def test_login_comes_first_then_subscriptions_and_early_frames_are_kept(
    serve: Any, kit: Any
) -> None:
    server = await serve(toy_login_checker(kit, early={"op": "welcome"}))
    got: list[Any] = []
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(
            kit.TOY_URL,
            send_json=[{"op": "subscribe", "ch": "orders"}],
            hdlr_json=lambda m, ws: got.append(m),
        )
        assert await app.ready() is app
        assert app.state is ConnectionState.READY
        await kit.eventually(lambda: len(server.connections[0].received) == 2)
        await kit.eventually(lambda: len(got) == 2)
    conn = server.connections[0]
    assert conn.verified
    assert conn.received[0]["op"] == "login"
    assert conn.received[1] == {"op": "subscribe", "ch": "orders"}  # unsigned: no signer here
    # The welcome frame came before the login reply: kept and handed over after the login; the
    # login reply itself is the authenticator's and goes to no handler.
    assert got == [{"op": "welcome"}, {"data": "private", "n": 0}]
    assert app.stats.auth_failures == 0


async def test_rejected_login_is_logged_counted_retried_and_never_subscribes(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = await serve(toy_login_checker(kit))
    wrong = {"toy": [kit.TOY_KEY, "not-the-secret-at-all"]}
    async with kit.toy_client(server, apis=wrong) as client:
        app = client.ws_connect(
            kit.TOY_URL,
            send_json={"op": "subscribe", "ch": "orders"},
            backoff=Backoff(0.05, 0.2, 2.0, 0.05),
        )
        with pytest.raises(AuthenticationError, match="invalid signature"):
            await app.ready()
        await kit.eventually(lambda: app.stats.auth_failures >= 3, within=5.0)
        assert app.state is not ConnectionState.READY
        failures = app.stats.auth_failures
    assert all(len(conn.received) == 1 for conn in server.connections)  # the login only
    assert failures <= 15  # backoff, not a tight loop
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and "login" in r.getMessage()]
    assert errors and "invalid signature" in errors[0].getMessage()
    everything = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert "not-the-secret-at-all" not in everything


async def test_ready_waits_for_the_login_and_the_subscriptions(serve: Any, kit: Any) -> None:
    server = await serve(toy_login_checker(kit, delay=0.3))
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, send_json={"op": "subscribe"})
        await app  # the handshake
        assert app.current_ws is not None
        assert app.state is ConnectionState.AUTHENTICATING
        started = asyncio.get_running_loop().time()
        await app.ready()
        assert asyncio.get_running_loop().time() - started >= 0.25
        await kit.eventually(lambda: len(server.connections[0].received) == 2)


async def test_login_timeout_is_a_failed_login(serve: Any, kit: Any) -> None:
    async def silent_login(login: WebSocketLogin) -> None:
        await login.send_json({"op": "login"})
        await login.receive_json(0.2)

    server = await serve(lambda conn: conn.drain())
    registry = kit.toy_registry(ws_authenticator=silent_login)
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, backoff=Backoff(0.05, 0.1, 2.0, 0.05))
        with pytest.raises(AuthenticationError, match="timed out"):
            await app.ready()
        assert app.stats.auth_failures >= 1


async def test_server_closing_during_login_is_a_failed_login(serve: Any, kit: Any) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.read()
        await conn.ws.close(code=aiohttp.WSCloseCode.POLICY_VIOLATION, message=b"go away")

    server = await serve(behaviour)
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, backoff=Backoff(0.05, 0.1, 2.0, 0.05))
        with pytest.raises(AuthenticationError, match="closed the connection during login"):
            await app.ready()
        assert app.stats.auth_failures >= 1


async def test_an_authenticator_bug_is_a_failed_login_not_a_silent_success(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def buggy(login: WebSocketLogin) -> None:
        raise KeyError("oops")

    server = await serve(lambda conn: conn.drain())
    registry = kit.toy_registry(ws_authenticator=buggy)
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, send_str="sub", backoff=Backoff(0.05, 0.1, 2.0, 0.05))
        with pytest.raises(AuthenticationError, match="authenticator raised KeyError"):
            await app.ready()
    assert all(conn.received == [] for conn in server.connections)  # nothing subscribed
    assert any(r.exc_info for r in caplog.records if "authenticator raised" in r.getMessage())


async def test_auth_none_and_missing_credentials_skip_the_login(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="topgun")
    server = await serve(lambda conn: conn.drain())
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, send_str="public", auth=None)
        await app.ready()
        await kit.eventually(lambda: server.connections[0].received == ["public"])
    async with kit.toy_client(server) as client:  # no credentials at all
        app = client.ws_connect(kit.TOY_URL, send_str="public")
        await app.ready()
        await kit.eventually(lambda: len(server.connections) == 2)
        await kit.eventually(lambda: server.connections[1].received == ["public"])
    assert any("no credentials loaded for toy" in r.getMessage() for r in caplog.records)


async def test_pings_during_the_login_are_answered(serve: Any, kit: Any) -> None:
    pongs: list[bytes] = []

    async def behaviour(conn: Any) -> None:
        await conn.ws.ping(b"during-login")
        login_seen = False
        while not (login_seen and pongs):  # the reply waits for the pong
            msg = await conn.ws.receive()
            if msg.type is aiohttp.WSMsgType.PONG:
                pongs.append(msg.data)
            elif msg.type is aiohttp.WSMsgType.TEXT:
                login_seen = True
        await conn.ws.send_json({"op": "login", "ok": True})
        await conn.drain()

    server = await serve(behaviour, autoping=False)
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL)
        await app.ready()
    assert pongs == [b"during-login"]


async def test_login_session_repr_never_shows_the_secret(serve: Any, kit: Any) -> None:
    seen: list[str] = []

    async def peek(login: WebSocketLogin) -> None:
        seen.append(repr(login) + str(login))
        raise AuthenticationError("no")

    server = await serve(lambda conn: conn.drain())
    registry = kit.toy_registry(ws_authenticator=peek)
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, backoff=Backoff(1.0, 1.0, 1.0, 1.0))
        with pytest.raises(AuthenticationError):
            await app.ready()
    assert seen and kit.TOY_SECRET not in seen[0] and kit.TOY_HOST in seen[0]


def test_the_login_session_satisfies_the_plugin_protocol() -> None:
    from topgun.ws.login import LoginSession

    def accepts(login: WebSocketLogin) -> None: ...

    # mypy checks this line (a LoginSession is a WebSocketLogin); at runtime, the members exist.
    assert all(
        hasattr(LoginSession, name)
        for name in ("url", "credential", "clock", "send_json", "send_str", "receive_json")
    )
    assert callable(accepts)
    assert topgun.AuthenticationError is AuthenticationError


async def test_a_rejection_quoting_the_key_is_logged_redacted(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def echoing_login(login: WebSocketLogin) -> None:
        # Some exchanges quote what they refused; topgun must not copy it into its logs.
        raise AuthenticationError(f"exchange replied: apiKey {login.credential.key} is unknown")

    caplog.set_level(logging.DEBUG)
    server = await serve(lambda conn: conn.drain())
    registry = kit.toy_registry(ws_authenticator=echoing_login)
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, backoff=Backoff(0.05, 0.1, 2.0, 0.05))
        with pytest.raises(AuthenticationError, match=r"apiKey \*\*\* is unknown") as info:
            await app.ready()
    assert kit.TOY_KEY not in str(info.value)
    assert kit.TOY_KEY not in caplog.text
