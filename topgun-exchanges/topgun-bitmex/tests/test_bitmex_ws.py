"""BitMEX Realtime API login (``authKeyExpires``) and heartbeat, per
https://www.bitmex.com/app/wsAPI ("Authentication", "Heartbeats"), against an in-memory double
that verifies the signature the way BitMEX documents it."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

import topgun
from topgun.plugin import AuthenticationError, Credential
from topgun_bitmex.auth import EXPIRES_IN
from topgun_bitmex.ws import HEARTBEAT, authenticate, login_message

KEY = "bitmex-test-key"
SECRET = "bitmex-test-secret"
NOW = 1700000000.5
WELCOME = {
    "info": "Welcome to the BitMEX Realtime API.",
    "version": "2.0",
    "limit": {"remaining": 39},
}


def exchange_side(message: Any) -> list[Any]:
    """BitMEX's side of the login: recompute hex(HMAC_SHA256(secret, 'GET/realtime' + expires))."""
    if message.get("op") != "authKeyExpires":
        return []
    key, expires, signature = message["args"]
    want = hmac.new(SECRET.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
    if (
        key == KEY
        and isinstance(expires, int)
        and expires > NOW
        and hmac.compare_digest(signature, want)
    ):
        return [{"success": True, "request": message}]
    return [{"status": 401, "error": "Signature not valid.", "meta": {}, "request": message}]


def _login(
    fake_login: Any, url: str = "wss://ws.bitmex.com/realtime", secret: str = SECRET, **kw: Any
) -> Any:
    credential = Credential("bitmex", [KEY, secret])
    return fake_login(url, credential, topgun.FixedClock(NOW), exchange_side, **kw)


def test_login_message_vector() -> None:
    # Hand-computed with `printf 'GET/realtime1518064236' | openssl dgst -sha256 -hmac <secret>`,
    # using the key and secret published on https://www.bitmex.com/app/apiKeysUsage.
    message = login_message(
        "LAqUlngMIQkIUjXMUreyu3qn", b"chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO", 1518064236
    )
    assert message == {
        "op": "authKeyExpires",
        "args": [
            "LAqUlngMIQkIUjXMUreyu3qn",
            1518064236,
            "6d459dc02866d35a2b965edeecc68063d488e296b77982235fc6eca24b934945",
        ],
    }


@pytest.mark.parametrize(
    "url",
    [
        "wss://ws.bitmex.com/realtime",
        "wss://www.bitmex.com/realtime",
        "wss://ws.testnet.bitmex.com/realtime?subscribe=instrument",
    ],
)
async def test_login_waits_for_success(fake_login: Any, url: str) -> None:
    login = _login(fake_login, url, early=[WELCOME])
    await authenticate(login)
    [sent] = login.sent
    assert sent["op"] == "authKeyExpires"
    assert sent["args"][1] == int(NOW) + EXPIRES_IN  # seconds, not milliseconds


async def test_rejected_login_raises_without_secrets(fake_login: Any) -> None:
    login = _login(fake_login, secret="wrong-secret")
    with pytest.raises(AuthenticationError) as error:
        await authenticate(login)
    text = str(error.value)
    assert "Signature not valid." in text and "401" in text
    assert "wrong-secret" not in text and login.sent[0]["args"][2] not in text


async def test_no_reply_is_a_timeout_not_a_success(fake_login: Any) -> None:
    login = fake_login(
        "wss://ws.bitmex.com/realtime",
        Credential("bitmex", [KEY, SECRET]),
        topgun.FixedClock(NOW),
        lambda message: [WELCOME],  # answers, but never to the login
    )
    with pytest.raises(TimeoutError):
        await authenticate(login)


async def test_platform_endpoint_needs_no_login(fake_login: Any) -> None:
    login = _login(fake_login, "wss://ws.bitmex.com/realtimePlatform")
    await authenticate(login)
    assert login.sent == []


def test_heartbeat_is_the_documented_text_ping() -> None:
    assert HEARTBEAT.message == "ping" and HEARTBEAT.frame == "text"
    assert HEARTBEAT.interval == 5.0  # "no messages received in 5 seconds"
    assert HEARTBEAT.idle  # after 5 s of silence, not every 5 s regardless of traffic
    assert HEARTBEAT.replies == ("pong",)
