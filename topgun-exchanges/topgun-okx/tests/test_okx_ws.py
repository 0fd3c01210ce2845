"""OKX v5 WebSocket login and heartbeat, against an in-memory login double.

Docs: https://www.okx.com/docs-v5/en/#overview-websocket-login and
https://www.okx.com/docs-v5/en/#overview-websocket-connect (the "ping"/"pong" keep-alive).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest

import topgun
from topgun.plugin import Credential
from topgun_okx.ws import HEARTBEAT, authenticate, login_message

KEY, PASSPHRASE = "okx-ws-key", "okx-ws-pass"
DOC_SECRET = "22582BD0CFF14C41EDBF1AB98506286D"  # the docs' example SecretKey
DOC_TIMESTAMP = 1538054050  # the docs' example login timestamp (seconds)


def okx_server(message: Any) -> list[Any]:
    """Answer a login the way OKX documents it, checking the sign independently."""
    if not isinstance(message, dict) or message.get("op") != "login":
        return []
    (args,) = message["args"]
    want = base64.b64encode(
        hmac.new(
            DOC_SECRET.encode(),
            f"{args['timestamp']}GET/users/self/verify".encode(),
            hashlib.sha256,
        ).digest()
    ).decode()
    if args["apiKey"] == KEY and args["passphrase"] == PASSPHRASE and args["sign"] == want:
        return [{"event": "login", "code": "0", "msg": "", "connId": "a4d3ae55"}]
    return [{"event": "error", "code": "60009", "msg": "Login failed.", "connId": "a4d3ae55"}]


def _credential(passphrase: str = PASSPHRASE) -> Credential:
    return Credential("okx", [KEY, DOC_SECRET, passphrase])


def test_login_message_vector() -> None:
    # Hand-computed from the docs' example inputs:
    # printf '%s' 1538054050GET/users/self/verify | openssl dgst -sha256 -hmac <secret> -binary | base64
    assert login_message(KEY, DOC_SECRET, PASSPHRASE, DOC_TIMESTAMP) == {
        "op": "login",
        "args": [
            {
                "apiKey": KEY,
                "passphrase": PASSPHRASE,
                "timestamp": "1538054050",
                "sign": "+LdIr8lkkvhr5hoA3g9TMC0+uQJ849ftAcocA/ouu4M=",
            }
        ],
    }


@pytest.mark.parametrize(
    "url",
    [
        "wss://ws.okx.com:8443/ws/v5/private",
        "wss://ws.okx.com:8443/ws/v5/business",
        "wss://wspap.okx.com:8443/ws/v5/private",
    ],
)
async def test_login_succeeds_and_skips_other_frames(fake_login: Any, url: str) -> None:
    early = {"event": "subscribe", "arg": {"channel": "tickers"}}
    login = fake_login(
        url, _credential(), topgun.FixedClock(DOC_TIMESTAMP + 0.9), okx_server, early=(early,)
    )
    await authenticate(login)
    assert login.sent[0]["args"][0]["timestamp"] == "1538054050"  # seconds, from the Client clock
    assert login.kept == [early]


async def test_no_reply_is_a_timeout(fake_login: Any) -> None:
    login = fake_login(
        "wss://ws.okx.com:8443/ws/v5/private", _credential(), topgun.FixedClock(0), lambda m: []
    )
    with pytest.raises(TimeoutError):
        await authenticate(login)


async def test_public_path_sends_no_credentials(fake_login: Any) -> None:
    login = fake_login(
        "wss://ws.okx.com:8443/ws/v5/public", _credential(), topgun.FixedClock(0), okx_server
    )
    await authenticate(login)
    assert login.sent == []


def test_heartbeat_is_text_ping_well_inside_the_30_second_idle_cut() -> None:
    assert HEARTBEAT.message == "ping" and HEARTBEAT.frame == "text"
    assert HEARTBEAT.interval < 30
    assert HEARTBEAT.replies == ("pong",)
