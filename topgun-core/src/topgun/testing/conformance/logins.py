"""WebSocket checks: logins as the exchange answers them, keep-alive and send pacing."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import pytest
from yarl import URL

from ...plugin import AuthenticationError, Heartbeat, Host
from ...registry import Registry
from ...registry.hostname import lookup
from ..plugins import FAST_BACKOFF
from ..waiting import eventually
from ..websocket import Connection, WebSocketExchange
from .description import Exchange, Login, Socket

__all__ = ["check_login", "check_quiet_socket", "check_socket", "websocket_hosts"]

_WS_FEATURES = (
    "ws_authenticator",
    "ws_heartbeat",
    "ws_message_signer",
    "ws_rate_limit",
    "ws_decoder",
    "ws_responder",
)


def websocket_hosts(registry: Registry) -> list[str]:
    """Hosts that declare anything for WebSockets (a login, a heartbeat, pacing, a decoder...)."""
    return sorted(
        name
        for name, route in registry.hosts.items()
        if any(getattr(route.host, feature) is not None for feature in _WS_FEATURES)
    )


def _host(registry: Registry, url: str) -> Host:
    route = lookup(registry.hosts, URL(url))
    assert route is not None, f"no host is registered for {url}"
    return route.host


def _api(exchange: Exchange, registry: Registry, login: Login) -> str:
    if login.api is not None:
        return login.api
    names = [name for name in _host(registry, login.url).api_names if name in exchange.apis]
    assert len(names) == 1, f"{login.url} may use {names}: name the Login's api"
    return names[0]


async def check_login(
    exchange: Exchange,
    registry: Registry,
    login: Login,
    *,
    accepted: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Log in where the exchange accepts (then subscribe) or refuses (visible, no subscription)."""
    assert _host(registry, login.url).ws_authenticator is not None, f"{login.url} has no login"
    api = _api(exchange, registry, login)
    credential = list(exchange.apis[api])
    logins: list[Any] = []
    others: list[Any] = []  # everything else: the subscription (signed, maybe), then any more

    def respond(conn: Connection, message: Any) -> Iterable[Any]:
        if not login.is_login(message):
            others.append((conn, message))
            return ()
        logins.append((conn, message))
        return login.replies(message, accepted)

    greeting = [*login.greeting, *(login.replies(None, accepted) if login.on_open else ())]
    by_greeting = login.on_open  # the token in the URL is the login: nothing is sent

    async def greet(conn: Connection) -> None:
        for message in greeting:
            await conn.send(message)

    caplog.set_level(logging.DEBUG)
    async with (
        WebSocketExchange(
            [URL(login.url).host or ""], respond, on_open=greet, compress=login.compress
        ) as server,
        server.client(apis={api: credential}, registry=registry) as client,
    ):
        got: list[Any] = []
        app = client.ws_connect(
            login.url,
            send_json=login.subscribe,
            hdlr_json=lambda message, ws: got.append(message),
            backoff=FAST_BACKOFF,
        )
        if accepted:
            await app.ready()
            await eventually(lambda: bool(others))
            conn, subscription = others[0]
            if not by_greeting:
                assert logins, "the app subscribed without logging in"
                assert logins[0][0] is conn, "the login and the subscription went to two sockets"
                assert conn.received.index(subscription) > conn.received.index(logins[0][1])
            assert app.stats.auth_failures == 0
        else:
            with pytest.raises(AuthenticationError) as raised:
                await app.ready()
            assert logins or by_greeting, "no login was sent"
            assert app.stats.auth_failures >= 1
            assert others == [], "a message went out on a connection whose login was refused"
            assert login.reason in str(raised.value), raised.value
            errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            assert any(login.reason in error for error in errors), errors
            assert got == [], got
            # Retried with backoff, and never subscribed on the new connection either.
            await eventually(lambda: len(server.connections) >= 2)
            assert others == [], "a message went out on a connection whose login was refused"
            for value in credential:  # not even the key: the refusal is about the exchange
                assert value not in str(raised.value)
            for secret in credential[1:] or credential:
                assert secret not in caplog.text


async def check_quiet_socket(exchange: Exchange, registry: Registry, url: str) -> None:
    """On a path that takes no login, the first thing the exchange hears is the app's own message."""
    host = _host(registry, url)
    assert host.ws_authenticator is not None, f"{url}: the host logs in nowhere; no need to list it"
    apis = {name: list(exchange.apis[name]) for name in host.api_names if name in exchange.apis}
    probe = {"op": "conformance-probe"}
    async with (
        WebSocketExchange([URL(url).host or ""], lambda conn, message: ()) as server,
        server.client(apis=apis, registry=registry) as client,
    ):
        app = client.ws_connect(url, send_json=probe, backoff=FAST_BACKOFF)
        await app.ready()
        await eventually(lambda: any(c.received for c in server.connections))
        assert server.connections[0].received[0] == probe, server.connections[0].received
        assert app.stats.auth_failures == 0


def check_socket(registry: Registry, socket: Socket, url: str) -> None:
    """``url``'s host keeps the connection alive and paces sends as ``socket`` documents."""
    host = _host(registry, url)
    beat = host.ws_heartbeat
    if beat is not None and not isinstance(beat, Heartbeat):
        beat = beat(URL(url))
    where = f"{url} ({socket.doc})" if socket.doc else url
    if socket.idle_timeout is None and socket.heartbeat_every is None:
        assert beat is None, f"{where}: the exchange documents no client heartbeat"
    else:
        assert beat is not None, f"{where}: no heartbeat, though the exchange asks for one"
        if socket.idle_timeout is not None:
            assert 0 < beat.interval < socket.idle_timeout, (
                f"{where}: a heartbeat every {beat.interval:g} s, but the exchange drops a "
                f"connection quiet for {socket.idle_timeout:g} s"
            )
        if socket.heartbeat_every is not None:
            assert 0 < beat.interval <= socket.heartbeat_every, (
                f"{where}: a heartbeat every {beat.interval:g} s; the exchange asks for one "
                f"every {socket.heartbeat_every:g} s"
            )
    paced, documented = host.ws_rate_limit, socket.rate_limit
    if documented is None:
        assert paced is None, f"{where}: sends paced at {paced}, but the exchange sets no limit"
        return
    assert paced is not None, f"{where}: sends are not paced; the exchange allows {documented}"
    assert paced.messages <= documented.messages and (
        paced.messages / paced.per_seconds <= documented.messages / documented.per_seconds
    ), f"{where}: sends paced at {paced}, faster than the documented {documented}"
