"""KuCoin WebSocket: bullet tokens, the welcome check, the ping heartbeat and the uplink limit,
per https://www.kucoin.com/docs-new/websocket-api/base-info/introduction and the "Get Public /
Private Token" pages, against the local api.kucoin.com / api-futures.kucoin.com server."""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from yarl import URL

import topgun
from topgun.plugin import AuthenticationError, Credential
from topgun.testing import Registry
from topgun_kucoin.bullet import BulletError, url_from_bullet, ws_url
from topgun_kucoin.ws import RATE_LIMIT, await_welcome, heartbeat_for, ping_message

KEY = "kucoin-test-key"
SECRET = "kucoin-test-secret"
PASSPHRASE = "kucoin-test-passphrase"


async def test_public_token_is_fetched_without_credentials(
    exchange: Any, registry: Registry
) -> None:
    async with exchange.client(
        apis={"kucoin": [KEY, SECRET, PASSPHRASE]}, registry=registry
    ) as client:
        url = await ws_url(client)
    record = exchange.seen[-1]
    assert (record["method"], record["host"], record["path_qs"]) == (
        "POST",
        "api.kucoin.com",
        "/api/v1/bullet-public",
    )
    assert not any(name.upper().startswith("KC-API-") for name in record["headers"])
    assert (url.scheme, url.host, url.path) == ("wss", "ws-api-spot.kucoin.com", "/")
    assert url.query["token"].startswith("public-token-")
    assert len(url.query["connectId"]) == 16
    assert heartbeat_for(url).interval == 18.0  # the response's pingInterval, 18000 ms


async def test_private_futures_token_is_signed(exchange: Any, registry: Registry) -> None:
    async with exchange.client(
        apis={"kucoin": [KEY, SECRET, PASSPHRASE]}, registry=registry
    ) as client:
        first = await ws_url(client, private=True, futures=True)
        second = await ws_url(client, private=True, futures=True)
    record = exchange.seen[-1]
    assert record["verified"] and record["host"] == "api-futures.kucoin.com"
    assert record["path_qs"] == "/api/v1/bullet-private"
    assert first.host == "ws-api-futures.kucoin.com"
    assert first.query["token"] != second.query["token"]  # a fresh token each time
    assert first.query["connectId"] != second.query["connectId"]


async def test_private_token_needs_credentials(exchange: Any, registry: Registry) -> None:
    async with exchange.client(apis={}, registry=registry) as client:
        with pytest.raises(BulletError, match="needs 'kucoin' credentials"):
            await ws_url(client, private=True)
    assert exchange.seen == []  # nothing was sent


async def test_refused_token_is_an_error_without_secrets(
    exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with exchange.client(
        apis={"kucoin": [KEY, "wrong-secret", PASSPHRASE]}, registry=registry
    ) as client:
        with pytest.raises(BulletError, match="400005") as error:
            await ws_url(client, private=True)
    assert "wrong-secret" not in str(error.value) and "wrong-secret" not in caplog.text


def test_bullet_response_parsing() -> None:
    data = {
        "token": "tok",
        "instanceServers": [{"endpoint": "wss://ws-api-spot.kucoin.com/", "pingInterval": 10000}],
    }
    url = url_from_bullet(data, connect_id="abc")
    assert str(url) == "wss://ws-api-spot.kucoin.com/?token=tok&connectId=abc"
    assert heartbeat_for(url).interval == 10.0
    assert heartbeat_for(URL("wss://ws-api-spot.kucoin.com/?token=unknown")).interval == 18.0
    with pytest.raises(BulletError):
        url_from_bullet({"token": "tok", "instanceServers": []})
    with pytest.raises(BulletError):
        url_from_bullet(None)


def test_ping_payload_and_limit() -> None:
    heartbeat = heartbeat_for(URL("wss://ws-api-futures.kucoin.com/?token=t"))
    assert heartbeat.message is ping_message and heartbeat.frame == "text"
    assert orjson.loads(ping_message(topgun.FixedClock(1545910590.801))) == {
        "id": "1545910590801",
        "type": "ping",
    }  # the docs' sample ping
    assert (RATE_LIMIT.messages, RATE_LIMIT.per_seconds) == (100, 10.0)


def _login(fake_login: Any, replies: list[Any]) -> Any:
    return fake_login(
        "wss://ws-api-spot.kucoin.com/?token=t&connectId=c",
        Credential("kucoin", [KEY, SECRET, PASSPHRASE]),
        topgun.FixedClock(1700000000.0),
        lambda message: [],
        early=replies,
    )


async def test_welcome_makes_the_connection_usable(fake_login: Any) -> None:
    login = _login(fake_login, [{"id": "c", "type": "welcome"}])
    await await_welcome(login)
    assert login.sent == []  # nothing is sent: the token in the URL is the authentication


async def test_no_welcome_is_a_timeout(fake_login: Any) -> None:
    with pytest.raises(TimeoutError):
        await await_welcome(_login(fake_login, [{"type": "message", "topic": "/x"}]))


async def test_refusal_is_reported_for_the_token_of_the_url(fake_login: Any) -> None:
    from topgun_kucoin.ws import notify_on_refusal

    refused: list[str] = []
    remove = notify_on_refusal("t", lambda: refused.append("t"))
    notify_on_refusal("other", lambda: refused.append("other"))
    login = _login(
        fake_login, [{"id": "c", "type": "error", "code": 401, "data": "token is invalid"}]
    )
    with pytest.raises(AuthenticationError):
        await await_welcome(login)
    remove()
    with pytest.raises(AuthenticationError):
        await await_welcome(
            _login(fake_login, [{"id": "c", "type": "error", "code": 401, "data": "again"}])
        )
    assert refused == ["t"]
