"""``WebSocketApp.close()`` in every state finishes every waiter.

Whatever the app is doing when ``close()`` is called (its task not started yet, connecting,
logging in, backing off, already closed), afterwards ``app.closed`` is true, ``ready()`` and
``await app`` raise ``WebSocketClosedError``, ``wait()`` returns, and the Client no longer
lists the app. Every wait is bounded so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import topgun
from topgun import Backoff, ConnectionState
from topgun.errors import WebSocketClosedError
from topgun.testing import WebSocketExchange, eventually

BOUND = 5.0
"""Seconds a waiter may take to finish after close(); only a hang comes near it."""


async def _awaited(app: topgun.WebSocketApp) -> topgun.WebSocketApp:
    return await app


def _waiters(app: topgun.WebSocketApp) -> dict[str, asyncio.Task[Any]]:
    return {
        "ready": asyncio.ensure_future(app.ready()),
        "await": asyncio.ensure_future(_awaited(app)),
        "wait": asyncio.ensure_future(app.wait()),
    }


async def _close_and_check(
    client: topgun.Client, app: topgun.WebSocketApp, waiters: dict[str, asyncio.Task[Any]]
) -> None:
    async with asyncio.timeout(BOUND):
        await app.close()
    assert app.closed
    assert app.state is ConnectionState.CLOSED
    assert app not in client._ws_apps
    async with asyncio.timeout(BOUND):
        done = await asyncio.gather(*waiters.values(), return_exceptions=True)
    outcome = dict(zip(waiters, done, strict=True))
    assert outcome["wait"] is None, outcome
    # ``ready()`` and ``await app`` return if their moment came before the close, else raise.
    for name in ("ready", "await"):
        assert outcome[name] is app or isinstance(outcome[name], WebSocketClosedError), outcome
    # And after the close, new waits end at once.
    async with asyncio.timeout(BOUND):
        with pytest.raises(WebSocketClosedError):
            await app.ready()
        with pytest.raises(WebSocketClosedError):
            await app
        await app.wait()


async def test_close_before_the_apps_task_has_run(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    async with kit.toy_client(server) as client:
        app = client.ws_connect(kit.TOY_URL)  # no await since: its task has not started
        waiters = _waiters(app)
        await _close_and_check(client, app, waiters)
        assert server.accepted == 0
        for name in ("ready", "await"):
            assert isinstance(waiters[name].exception(), WebSocketClosedError)


async def test_close_while_connecting(raw: Any, kit: Any) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accepts TCP, never answers the upgrade

    server = await raw(never_answer)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url)
        waiters = _waiters(app)
        await kit.eventually(lambda: server.accepted == 1)
        assert app.state is ConnectionState.CONNECTING
        await _close_and_check(client, app, waiters)
        for name in ("ready", "await"):
            assert isinstance(waiters[name].exception(), WebSocketClosedError)


async def test_close_while_logging_in(serve: Any, kit: Any) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.read()
        await conn.drain()  # never answers the login

    server = await serve(behaviour)
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL)
        waiters = _waiters(app)
        await kit.eventually(lambda: app.state is ConnectionState.AUTHENTICATING)
        await _close_and_check(client, app, waiters)
        assert waiters["await"].result() is app
        assert isinstance(waiters["ready"].exception(), WebSocketClosedError)


async def test_close_during_backoff(kit: Any) -> None:
    async with topgun.Client() as client:
        url = f"ws://127.0.0.1:{kit.free_port()}/ws"  # nothing listens: refused, then backoff
        app = client.ws_connect(url, backoff=Backoff(60, 60, 2, 60))
        waiters = _waiters(app)
        await kit.eventually(lambda: app.state is ConnectionState.BACKOFF)
        await _close_and_check(client, app, waiters)
        for name in ("ready", "await"):
            assert isinstance(waiters[name].exception(), WebSocketClosedError)


async def test_close_twice_and_concurrently(serve: Any, kit: Any) -> None:
    server = await serve(lambda conn: conn.drain())
    async with kit.toy_client(server) as client:
        app = client.ws_connect(kit.TOY_URL)
        waiters = _waiters(app)
        async with asyncio.timeout(BOUND):
            await asyncio.gather(app.close(), app.close())
        await _close_and_check(client, app, waiters)


async def test_close_from_inside_a_handler_before_returning(serve: Any, kit: Any) -> None:
    server = await serve(kit.sending({"hi": 1}))
    closing: list[asyncio.Task[None]] = []
    async with kit.toy_client(server) as client:

        def handler(message: Any, ws: Any) -> None:
            closing.append(asyncio.ensure_future(app.close()))

        app = client.ws_connect(kit.TOY_URL, hdlr_json=handler)
        waiters = _waiters(app)
        await kit.eventually(lambda: closing)
        await _close_and_check(client, app, waiters)
        await closing[0]


@pytest.mark.parametrize("closer", ["app", "client"])
async def test_close_of_a_live_connection_is_a_close_handshake(closer: str) -> None:
    """The server gets a close frame with 1000 (normal closure), not a dropped socket (1006):
    to an exchange, a bot that stopped cleanly does not look like a network failure."""
    server = WebSocketExchange(["ws.toy.test"], lambda conn, message: [message])
    async with server:
        client = topgun.Client(**server.client_kwargs())
        app = client.ws_connect("wss://ws.toy.test/ws", send_json={"op": "subscribe"})
        async with asyncio.timeout(BOUND):
            await app.ready()
        await eventually(lambda: app.stats.messages_received == 1)  # the echo
        async with asyncio.timeout(BOUND):
            await (app.close() if closer == "app" else client.close())
        await client.close()
        (conn,) = server.connections
        await eventually(lambda: conn.ws.closed)
    assert conn.ws.close_code == 1000
    assert app.stats.reconnects == 0 and app.stats.connects == 1  # and no reconnection began
