"""Phemex WebSocket login (``user.auth``), heartbeat and send limit, per https://phemex-docs.github.io/
("Contract Websocket API" > "Heartbeat", "User authentication", "API Rate Limits"), against an
in-memory double that verifies the signature the way Phemex documents it."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import orjson
import pytest

import topgun
from topgun.plugin import AuthenticationError, Credential
from topgun_phemex.ws import (
    HEARTBEAT,
    HEARTBEAT_ID,
    LOGIN_EXPIRY_IN,
    LOGIN_ID,
    authenticate,
    is_login_reply,
    login_message,
)

KEY = "phemex-test-key"
SECRET = "phemex-test-secret"
NOW = 1700000000.5


def exchange_side(message: Any) -> list[Any]:
    """Phemex's side: recompute hex(HMAC_SHA256(secret, apiKey + expiry)); reply with the id."""
    if message.get("method") == "server.ping":
        return [{"error": None, "id": message["id"], "result": "pong"}]
    if message.get("method") != "user.auth":
        return []
    kind, key, signature, expiry = message["params"]
    want = hmac.new(SECRET.encode(), f"{key}{expiry}".encode(), hashlib.sha256).hexdigest()
    ok = (
        kind == "API"
        and key == KEY
        and 0 < expiry - NOW <= 120
        and hmac.compare_digest(signature, want)
    )
    if ok:
        return [{"error": None, "id": message["id"], "result": {"status": "success"}}]
    return [
        {
            "error": {"code": 6012, "message": "invalid login token"},
            "id": message["id"],
            "result": None,
        }
    ]


def _login(fake_login: Any, secret: str = SECRET, **kw: Any) -> Any:
    return fake_login(
        "wss://ws.phemex.com",
        Credential("phemex", [KEY, secret]),
        topgun.FixedClock(NOW),
        exchange_side,
        **kw,
    )


def test_login_message_vector() -> None:
    # With the key and expiry of the docs' "Request sample"; the signature was computed by hand:
    # printf '806066b0-f02b-4d3e-b444-76ec718e10231570091232' | openssl dgst -sha256 -hmac phemex-test-secret
    message = login_message("806066b0-f02b-4d3e-b444-76ec718e1023", SECRET.encode(), 1570091232)
    assert message == {
        "method": "user.auth",
        "params": [
            "API",
            "806066b0-f02b-4d3e-b444-76ec718e1023",
            "4350e89b8cacf501f2183f465eb1c3f463b50e1e5e00ceeab12ac26c63ea51aa",
            1570091232,
        ],
        "id": LOGIN_ID,
    }


async def test_login_waits_for_its_own_reply(fake_login: Any) -> None:
    # A pong that arrives first (same shape: error null, a result) must not end the login.
    pong = {"error": None, "id": HEARTBEAT_ID, "result": "pong"}
    login = _login(fake_login, early=[pong])
    await authenticate(login)
    [sent] = login.sent
    assert sent["method"] == "user.auth" and sent["params"][3] == int(NOW) + LOGIN_EXPIRY_IN


async def test_rejected_login_raises_without_secrets(fake_login: Any) -> None:
    login = _login(fake_login, secret="wrong-secret")
    with pytest.raises(AuthenticationError, match="6012") as error:
        await authenticate(login)
    assert "wrong-secret" not in str(error.value)
    assert login.sent[0]["params"][2] not in str(error.value)


async def test_no_reply_is_a_timeout(fake_login: Any) -> None:
    login = fake_login(
        "wss://vapi.phemex.com/ws",
        Credential("phemex", [KEY, SECRET]),
        topgun.FixedClock(NOW),
        lambda message: [],
    )
    with pytest.raises(TimeoutError):
        await authenticate(login)


def test_heartbeat_payload_interval_and_reply() -> None:
    assert isinstance(HEARTBEAT.message, str)
    ping = orjson.loads(HEARTBEAT.message)
    assert ping == {"id": HEARTBEAT_ID, "method": "server.ping", "params": []}
    assert HEARTBEAT_ID != LOGIN_ID
    assert 0 < HEARTBEAT.interval < 30  # "interval less than 30 seconds", 5 s recommended
    [reply] = exchange_side(ping)
    assert not is_login_reply(reply)
