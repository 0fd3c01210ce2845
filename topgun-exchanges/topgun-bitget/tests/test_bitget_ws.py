"""Bitget v2 WebSocket login, heartbeat and rate limit, against an in-memory login double.

Docs: https://www.bitget.com/api-doc/common/websocket-intro ("Connect", "Login").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest

import topgun
from topgun.plugin import Credential
from topgun_bitget.ws import HEARTBEAT, RATE_LIMIT, authenticate, login_message, needs_login

KEY, SECRET, PASSPHRASE = "bitget-ws-key", "bitget-test-secret", "bitget-ws-pass"


def bitget_server(message: Any) -> list[Any]:
    """Answer a login as Bitget documents it, checking the sign independently."""
    if not isinstance(message, dict) or message.get("op") != "login":
        return []
    (args,) = message["args"]
    want = base64.b64encode(
        hmac.new(
            SECRET.encode(), f"{args['timestamp']}GET/user/verify".encode(), hashlib.sha256
        ).digest()
    ).decode()
    if args["apiKey"] == KEY and args["passphrase"] == PASSPHRASE and args["sign"] == want:
        return [{"event": "login", "code": 0, "msg": ""}]
    return [{"event": "error", "code": 30005, "msg": "Invalid sign"}]


def _credential(secret: str = SECRET) -> Credential:
    return Credential("bitget", [KEY, secret, PASSPHRASE])


def test_login_message_vector() -> None:
    # Hand-computed: printf '%s' 1538054050GET/user/verify | openssl dgst -sha256
    #   -hmac bitget-test-secret -binary | base64
    assert login_message(KEY, SECRET, PASSPHRASE, 1538054050) == {
        "op": "login",
        "args": [
            {
                "apiKey": KEY,
                "passphrase": PASSPHRASE,
                "timestamp": "1538054050",
                "sign": "dDUNKoPnJrfwUIqbxvAq53dgF1AWMMhWdRTUpo/pkYc=",
            }
        ],
    }


async def test_login_on_the_private_stream(fake_login: Any) -> None:
    login = fake_login(
        "wss://ws.bitget.com/v2/ws/private",
        _credential(),
        topgun.FixedClock(1538054050.5),
        bitget_server,
        early=({"event": "subscribe", "arg": {}},),
    )
    await authenticate(login)
    assert login.sent[0]["args"][0]["timestamp"] == "1538054050"  # seconds, from the Client clock
    assert len(login.kept) == 1


async def test_no_reply_is_a_timeout(fake_login: Any) -> None:
    login = fake_login(
        "wss://ws.bitget.com/v2/ws/private", _credential(), topgun.FixedClock(0), lambda m: []
    )
    with pytest.raises(TimeoutError):
        await authenticate(login)


async def test_public_stream_sends_no_credentials(fake_login: Any) -> None:
    login = fake_login(
        "wss://ws.bitget.com/v2/ws/public", _credential(), topgun.FixedClock(0), bitget_server
    )
    await authenticate(login)
    assert login.sent == []


@pytest.mark.parametrize(
    ("path", "login"),
    [
        ("/v2/ws/private", True),
        ("/v2/ws/public", False),
        ("/v3/ws/private", True),
        ("/mix/v1/stream", True),  # V1: public and private channels share the URL
        ("/spot/v1/stream/", True),
    ],
)
def test_which_streams_log_in(path: str, login: bool) -> None:
    assert needs_login(path) is login


def test_heartbeat_and_rate_limit_follow_the_docs() -> None:
    assert (HEARTBEAT.message, HEARTBEAT.frame, HEARTBEAT.interval) == ("ping", "text", 30.0)
    assert HEARTBEAT.replies == ("pong",)
    assert (RATE_LIMIT.messages, RATE_LIMIT.per_seconds) == (10, 1.0)
