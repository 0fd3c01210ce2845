"""MEXC futures WebSocket login and heartbeat, against an in-memory WebSocketLogin double.

Doc: https://mexcdevelop.github.io/apidocs/contract_v1_en/ "Private Channels > Login
authentication" (signature = HMAC-SHA256 hex of apiKey + reqTime; success ``rs.login``, failure
``rs.error``) and "Detailed data interaction commands" (``{"method":"ping"}``, 10-20 s).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import orjson
import pytest

import topgun
from topgun.plugin import Credential, RateLimit
from topgun.testing import build_registry
from topgun_mexc import plugin
from topgun_mexc.ws import FUTURES_HEARTBEAT, SPOT_HEARTBEAT, futures_login

KEY = "mx0aBYs33eIilxBWC5"
SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"
URL_ = "wss://contract.mexc.com/edge"


def _login(fake_login: Any, replies: list[Any]) -> Any:
    return fake_login(
        URL_, Credential("mexc", [KEY, SECRET]), topgun.FixedClock(1700000000.123), early=replies
    )


async def test_login_message_and_success(fake_login: Any) -> None:
    login = _login(
        fake_login,
        [
            {"channel": "pong", "data": 1700000000200},
            {"channel": "push.ticker", "data": {"symbol": "BTC_USDT"}},
            {"channel": "rs.login", "data": "success", "ts": "1700000000300"},
        ],
    )
    await futures_login(login)
    (sent,) = login.sent
    # reqTime in milliseconds, as in the docs' signature string "mx0aBYs33eIilxBW5C1657186536762".
    # openssl: echo -n "mx0aBYs33eIilxBWC51700000000123" | openssl dgst -sha256 -hmac "$SECRET"
    assert sent == {
        "method": "login",
        "param": {
            "apiKey": KEY,
            "reqTime": "1700000000123",
            "signature": "d533ef77a79142e1aae986dc5f69f9cf61eb514a7573c54851b867b929231d8e",
        },
    }
    independent = hmac.new(SECRET.encode(), (KEY + "1700000000123").encode(), hashlib.sha256)
    assert sent["param"]["signature"] == independent.hexdigest()
    # The heartbeat reply and early data are not the login reply; they stay for the handlers.
    assert [m["channel"] for m in login.kept] == ["pong", "push.ticker"]


async def test_no_reply_is_a_failed_login(fake_login: Any) -> None:
    with pytest.raises(TimeoutError):
        await futures_login(_login(fake_login, [{"channel": "pong", "data": 1}]))


def test_heartbeat_payload_and_interval() -> None:
    assert orjson.loads(FUTURES_HEARTBEAT.message) == {"method": "ping"}  # type: ignore[arg-type]
    assert FUTURES_HEARTBEAT.frame == "text"
    assert 10 <= FUTURES_HEARTBEAT.interval <= 20  # docs: "send a ping for 10-20 seconds"


def test_hosts_carry_login_heartbeat_and_spot_limit() -> None:
    registry = build_registry([plugin], strict=True)
    futures = registry.hosts["contract.mexc.com"].host
    assert futures.ws_authenticator is futures_login and futures.ws_heartbeat is FUTURES_HEARTBEAT
    for host in ("wbs-api.mexc.com", "wbs.mexc.com"):
        assert registry.hosts[host].host.ws_rate_limit == RateLimit(messages=100, per_seconds=1.0)
        assert registry.hosts[host].host.ws_heartbeat is SPOT_HEARTBEAT


def test_spot_heartbeat_payload_and_interval() -> None:
    # spot_v3 "Websocket Market Streams > PING/PONG Mechanism"; idle connections close after 60 s.
    assert orjson.loads(SPOT_HEARTBEAT.message) == {"method": "PING"}  # type: ignore[arg-type]
    assert SPOT_HEARTBEAT.interval < 60
