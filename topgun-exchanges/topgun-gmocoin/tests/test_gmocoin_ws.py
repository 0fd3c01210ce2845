"""GMO Coin WebSockets through ``client.ws_connect`` against local servers at api.coin.z.com.

https://api.coin.z.com/docs/: 制限 / API Limiting (Public and Private WebSocket: one subscribe or
unsubscribe request per second), Private WebSocket API (``wss://api.coin.z.com/ws/private/v1/
{token}``; the token from #ws-auth-post, extended by #ws-auth-put). The rate-limit test runs at
the real limit, so it takes about a second.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import topgun
from topgun_gmocoin import (
    PUBLIC_WS_URL,
    SUBSCRIPTION_LIMIT,
    GMOCoinTokenManager,
    Retry,
    private_ws,
    private_ws_url,
)

FAST_RECONNECT = (0.01, 0.05, 2.0, 0.01)
TICKER = {"command": "subscribe", "channel": "ticker", "symbol": "BTC"}
TRADES = {"command": "subscribe", "channel": "trades", "symbol": "BTC"}
EXECUTIONS = {"command": "subscribe", "channel": "executionEvents"}


def fast_manager(client: topgun.Client) -> GMOCoinTokenManager:
    return GMOCoinTokenManager(
        client, extend_every=3000.0, check_every=0.01, retry=Retry(first=0.01, cap=0.02)
    )


async def test_subscriptions_are_spaced_one_per_limit_without_http_calls(gmo: Any) -> None:
    async with gmo.client() as client:
        app = client.ws_connect(PUBLIC_WS_URL, send_json=[TICKER, TRADES])
        await app.ready()
        await gmo.state.wait_for(lambda: len(gmo.state.ws_messages) == 2)
        await app.close()
    (first, _, one), (second, _, two) = gmo.state.ws_messages
    assert (one, two) == (TICKER, TRADES)
    # Arrival times on the server's event-loop clock: at least the documented second apart (the
    # sender spaces them by SUBSCRIPTION_LIMIT; a late first arrival may eat into the margin).
    assert SUBSCRIPTION_LIMIT.per_seconds > 1.0
    assert second - first >= 1.0
    assert gmo.state.seen == []  # no HTTP request per message (the reference polled /status)
    upgrade = gmo.state.ws_connections[0]
    assert not any(h.upper().startswith("API-") for h in upgrade["headers"])


async def test_private_websocket_follows_a_renewed_token_across_a_reconnect(gmo: Any) -> None:
    async with gmo.client() as client, fast_manager(client) as tokens:
        app = client.ws_connect(tokens.url, send_json=EXECUTIONS, backoff=FAST_RECONNECT)
        tokens.attach(app)
        await app.ready()
        await gmo.state.wait_for(lambda: len(gmo.state.ws_messages) == 1)
        first = gmo.state.issued[0]
        assert gmo.state.ws_connections[-1]["token"] == first
        # A maintenance: connections dropped, the token no longer valid.
        gmo.state.expire(first)
        await gmo.state.drop_websockets()
        await gmo.state.wait_for(lambda: len(gmo.state.ws_connections) == 2)
        second = gmo.state.issued[1]
        assert gmo.state.ws_refused[:1] == [first]  # the reconnect with the old token failed
        assert gmo.state.ws_connections[-1]["token"] == second
        assert app.url == str(private_ws_url(second))
        await app.ready()
        await gmo.state.wait_for(lambda: len(gmo.state.ws_messages) == 2)
        assert [m for _, _, m in gmo.state.ws_messages] == [EXECUTIONS, EXECUTIONS]
        assert tokens.renewals == 1
        await app.close()
        async with asyncio.timeout(5):
            await tokens.wait()  # the app it served closed: the manager stopped by itself
    assert gmo.state.revoked == [second]


async def test_closing_the_client_stops_app_and_manager(gmo: Any) -> None:
    client = gmo.client()
    tokens = fast_manager(client)
    await tokens.start()
    app = client.ws_connect(tokens.url, send_json=EXECUTIONS)
    tokens.attach(app)
    await app.ready()
    await client.close()
    assert app.closed
    await tokens.wait()
    assert not tokens.running
    await tokens.close()


async def test_private_ws_owns_app_and_token(gmo: Any) -> None:
    received: list[Any] = []
    async with gmo.client() as client:
        async with await private_ws(
            client, send_json=EXECUTIONS, hdlr_json=lambda msg, ws: received.append(msg)
        ) as stream:
            await stream.app.ready()
            token = gmo.state.issued[0]
            assert stream.app.url == str(private_ws_url(token)) == str(stream.tokens.url)
            assert gmo.state.ws_connections[-1]["token"] == token
            assert token not in repr(stream)
        assert stream.app.closed
        assert not stream.tokens.running
    assert gmo.state.revoked == [token]


async def test_private_ws_without_credentials_fails_before_connecting(gmo: Any) -> None:
    async with gmo.client(apis={}) as client:
        with pytest.raises(topgun.CredentialError, match="gmocoin"):
            await private_ws(client, send_json=EXECUTIONS)
    assert gmo.state.ws_connections == []


async def test_tokens_stay_out_of_websocket_logs(
    gmo: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with (
        gmo.client() as client,
        await private_ws(
            client, send_json=EXECUTIONS, backoff=FAST_RECONNECT, check_every=0.01
        ) as stream,
    ):
        await stream.app.ready()
        gmo.state.expire(gmo.state.issued[0])
        await gmo.state.drop_websockets()
        await gmo.state.wait_for(lambda: len(gmo.state.ws_connections) == 2)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("topgun"))
    assert "connected" in ours and "renewal 1" in ours
    for token in gmo.state.issued:
        assert token not in ours
