"""KuCoin WebSocket through ``client.ws_connect`` and ``topgun_kucoin.connect`` against local
servers reached as api.kucoin.com, ws-api-spot.kucoin.com and ws-api-futures.kucoin.com: bullet
token in the URL, the welcome message, the ping heartbeat at the bullet's ``pingInterval``
(https://www.kucoin.com/docs-new/websocket-api/base-info/introduction), and a fresh token for
every reconnection."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from topgun import AuthenticationError, Backoff
from topgun.testing import Registry, stream_until
from topgun_kucoin import connect, ws_url

KEY = "kucoin-test-key"
SECRET = "kucoin-test-secret"
PASSPHRASE = "kucoin-test-passphrase"
APIS = {"kucoin": [KEY, SECRET, PASSPHRASE]}
FAST = Backoff(min=0.01, max=0.02, factor=1.0, initial=0.01, healthy_after=60.0)
SUBSCRIBE = {
    "id": 1,
    "type": "subscribe",
    "topic": "/spotMarket/tradeOrders",
    "privateChannel": True,
    "response": True,
}


async def test_private_stream_waits_for_welcome_then_subscribes(
    exchange: Any, registry: Registry
) -> None:
    async with exchange.client(apis=APIS, registry=registry) as client:
        url = await ws_url(client, private=True)
        _, got = await stream_until(
            client, url, lambda got: any(m.get("type") == "ack" for m in got), send_json=SUBSCRIBE
        )
    [connection] = exchange.realtime.connections
    assert connection["host"] == "ws-api-spot.kucoin.com"
    assert connection["received"][0] == SUBSCRIBE  # nothing before it: the token is the login
    assert not any(m.get("type") == "welcome" for m in got)  # the welcome check consumed it


async def test_refused_token_is_a_visible_login_failure(
    eventually: Any, exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with exchange.client(apis=APIS, registry=registry) as client:
        url = await ws_url(client, private=True, futures=True)
        exchange.realtime.tokens.clear()  # as if it had expired
        app = client.ws_connect(url, send_json=SUBSCRIBE, backoff=FAST)
        with pytest.raises(AuthenticationError, match="token is invalid"):
            async with asyncio.timeout(5):
                await app.ready()
        await eventually(lambda: len(exchange.realtime.connections) >= 2)  # retried, with backoff
    assert all(not c["received"] for c in exchange.realtime.connections)  # never subscribed
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("topgun"))
    assert "token is invalid" in ours
    assert url.query["token"] not in ours and SECRET not in ours


async def test_ping_follows_the_bullet_ping_interval(
    eventually: Any, exchange: Any, registry: Registry
) -> None:
    exchange.realtime.ping_interval = 50  # milliseconds, as the bullet response says
    async with exchange.client(apis={}, registry=registry) as client:
        app = client.ws_connect(await ws_url(client, futures=True))
        async with asyncio.timeout(5):
            await app.ready()
        await eventually(
            lambda: (
                sum(m.get("type") == "ping" for m in exchange.realtime.connections[0]["received"])
                >= 3
            )
        )
    pings = [m for m in exchange.realtime.connections[0]["received"] if m["type"] == "ping"]
    assert all(set(p) == {"id", "type"} and p["id"].isdigit() for p in pings)


async def test_reconnection_uses_a_fresh_token(
    eventually: Any, exchange: Any, registry: Registry
) -> None:
    async with (
        exchange.client(apis=APIS, registry=registry) as client,
        await connect(
            client, private=True, send_json=SUBSCRIBE, backoff=FAST, refresh_every=3600
        ) as stream,
    ):
        async with asyncio.timeout(5):
            await stream.app.ready()
        first = exchange.realtime.connections[0]["token"]
        exchange.realtime.tokens.discard(first)  # the first token expires...
        await exchange.realtime.drop_all()  # ...and KuCoin drops the connection
        await eventually(lambda: len(exchange.realtime.connections) >= 2)
        async with asyncio.timeout(5):
            await stream.app.ready()
        await eventually(lambda: stream.refreshes >= 1)
    tokens = [c["token"] for c in exchange.realtime.connections]
    assert len(set(tokens)) == len(tokens)  # never the same token twice
    # A refused token is never retried forever: the live connection came up on a fresh one.
    assert exchange.realtime.connections[-1]["received"][0] == SUBSCRIBE


async def test_a_refused_token_is_replaced_at_once(
    eventually: Any, exchange: Any, registry: Registry
) -> None:
    async with (
        exchange.client(apis=APIS, registry=registry) as client,
        await connect(client, private=True, send_json=SUBSCRIBE, backoff=FAST) as stream,
    ):
        async with asyncio.timeout(5):
            await stream.app.ready()
        await eventually(lambda: stream.refreshes >= 1)
        exchange.realtime.tokens.clear()  # every token issued so far is revoked
        await exchange.realtime.drop_all()
        await eventually(lambda: stream.app.stats.auth_failures >= 1)
        # Back, on a token fetched after the refusal (ready() may still report the refusal
        # until that reconnection is logged in, so wait for its subscription instead).
        await eventually(lambda: bool(exchange.realtime.connections[-1]["received"]))
    refused, live = exchange.realtime.connections[-2:]
    assert not refused["received"] and refused["token"] != live["token"]
    assert live["received"][0] == SUBSCRIBE


async def test_stream_close_ends_the_refresher(
    eventually: Any, exchange: Any, registry: Registry
) -> None:
    async with exchange.client(apis={}, registry=registry) as client:
        stream = await connect(client, refresh_every=0.05)
        await eventually(lambda: stream.refreshes >= 2)  # periodic refresh, no reconnection needed
        await stream.close()
        assert stream.app.closed
        count = stream.refreshes
        await asyncio.sleep(0.1)
        assert stream.refreshes == count
