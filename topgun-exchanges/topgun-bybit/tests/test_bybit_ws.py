"""Bybit V5 WebSocket login, heartbeat and trade-stream headers, against an in-memory login double.

Docs: https://bybit-exchange.github.io/docs/v5/ws/connect ("Authentication", "How to Send the
Heartbeat Packet"); https://bybit-exchange.github.io/docs/v5/websocket/trade/guideline.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from typing import Any

import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, MessageSigningRequest
from topgun_bybit.ws import HEARTBEAT, authenticate, login_message, sign_trade_message

KEY, SECRET = "bybit-ws-key", "bybit-test-secret"
NOW = 1662350390.0  # expires = NOW + 10 s = 1662350400000 ms, the docs' sample value


def _verify(message: Any) -> bool:
    """Check a login the way the docs describe, independently of the plugin."""
    key, expires, signature = message["args"]
    want = hmac.new(SECRET.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
    return key == KEY and isinstance(expires, int) and signature == want


def private_stream(message: Any) -> list[Any]:
    """Replies as /v5/private sends them: a pong first would be a heartbeat, then the auth reply."""
    if message.get("op") == "auth":
        ok = _verify(message)
        return [
            {"success": ok, "ret_msg": "" if ok else "error sign", "op": "auth", "conn_id": "c1"}
        ]
    return []


def trade_stream(message: Any) -> list[Any]:
    if message.get("op") == "auth":
        ok = _verify(message)
        return [
            {"retCode": 0 if ok else 10004, "retMsg": "OK" if ok else "invalid sign", "op": "auth"}
        ]
    return []


def _credential(secret: str = SECRET) -> Credential:
    return Credential("bybit", [KEY, secret])


def test_login_message_vector() -> None:
    # Hand-computed: printf '%s' GET/realtime1662350400000 | openssl dgst -sha256 -hmac bybit-test-secret
    assert login_message(KEY, SECRET, 1662350400000) == {
        "op": "auth",
        "args": [
            KEY,
            1662350400000,
            "e5afa359fdaabfeeae6a8755687997f43c4696196a957502edf608dcd3c83caa",
        ],
    }


@pytest.mark.parametrize(
    ("url", "respond"),
    [
        ("wss://stream.bybit.com/v5/private", private_stream),
        ("wss://stream-testnet.bybit.com/v5/trade", trade_stream),
    ],
)
async def test_login_succeeds_on_private_and_trade_streams(
    fake_login: Any, url: str, respond: Any
) -> None:
    pong = {"success": True, "ret_msg": "pong", "op": "ping", "conn_id": "c1"}
    login = fake_login(url, _credential(), topgun.FixedClock(NOW), respond, early=(pong,))
    await authenticate(login)
    assert login.sent[0]["args"][1] == 1662350400000  # expires from the Client's clock
    assert login.kept == [pong]  # a heartbeat reply is not taken for the login reply


async def test_no_reply_is_a_timeout_not_a_silent_success(fake_login: Any) -> None:
    login = fake_login(
        "wss://stream.bybit.com/v5/private", _credential(), topgun.FixedClock(NOW), lambda m: []
    )
    with pytest.raises(TimeoutError):
        await authenticate(login)
    assert login.timeouts == [10.0]


@pytest.mark.parametrize("path", ["/v5/public/linear", "/v5/public/spot", "/v5/public/misc/status"])
async def test_public_streams_do_not_log_in(fake_login: Any, path: str) -> None:
    login = fake_login(
        f"wss://stream.bybit.com{path}", _credential(), topgun.FixedClock(NOW), private_stream
    )
    await authenticate(login)
    assert login.sent == []


def test_heartbeat_is_op_ping_every_20_seconds() -> None:
    assert HEARTBEAT.interval == 20.0
    assert HEARTBEAT.message == '{"op":"ping"}'
    assert HEARTBEAT.frame == "text"


def _sign_trade(message: Any, path: str = "/v5/trade", at: float = 1711001595.207) -> Any:
    return sign_trade_message(
        MessageSigningRequest(
            message, URL(f"wss://stream.bybit.com{path}"), _credential(), topgun.FixedClock(at)
        )
    )


def test_trade_message_gets_a_timestamp_header_in_a_copy() -> None:
    # The guideline's "Create/Amend/Cancel Order" request example, minus the header we add.
    order = {
        "reqId": "test-005",
        "header": {"X-BAPI-RECV-WINDOW": "8000", "Referer": "bot-001"},
        "op": "order.create",
        "args": [{"symbol": "ETHUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.2"}],
    }
    original = copy.deepcopy(order)
    signed = _sign_trade(order)
    assert signed["header"] == {
        "X-BAPI-TIMESTAMP": "1711001595207",
        "X-BAPI-RECV-WINDOW": "8000",
        "Referer": "bot-001",
    }
    assert signed["op"] == "order.create" and signed["args"] == order["args"]
    assert order == original  # the caller's message is untouched


def test_trade_message_without_header_gets_one() -> None:
    signed = _sign_trade({"op": "order.cancel", "args": [{"orderId": "1"}]})
    assert signed["header"] == {"X-BAPI-TIMESTAMP": "1711001595207"}


@pytest.mark.parametrize(
    ("message", "path"),
    [
        ({"op": "order.create", "header": {"X-BAPI-TIMESTAMP": "1"}, "args": []}, "/v5/trade"),
        ({"op": "ping"}, "/v5/trade"),
        ({"op": "auth", "args": []}, "/v5/trade"),
        ({"op": "subscribe", "args": ["order"]}, "/v5/private"),
        ("not a dict", "/v5/trade"),
    ],
)
def test_messages_that_need_no_header_pass_unchanged(message: Any, path: str) -> None:
    assert _sign_trade(message, path) is message
