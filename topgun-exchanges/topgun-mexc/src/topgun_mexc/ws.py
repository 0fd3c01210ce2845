"""MEXC WebSocket: the futures login, the futures heartbeat and the spot send limit.

Futures (https://mexcdevelop.github.io/apidocs/contract_v1_en/, "WebSocket API > Detailed data
interaction commands" and "Private Channels > Login authentication"): the login is
``{"method": "login", "param": {"apiKey", "reqTime", "signature"}}`` with ``signature`` = hex
HMAC-SHA256 of apiKey + reqTime, reqTime in milliseconds (the docs' signature-string example is
``"mx0aBYs33eIilxBW5C1657186536762"``). Success is a ``rs.login`` reply (``"data": "success"``),
failure a ``rs.error`` reply; topgun waits for one of them and raises on anything but success.
The client must send ``{"method": "ping"}`` (the reply is ``{"channel": "pong", ...}``): without a
ping for a minute the server disconnects, and the docs recommend one every 10 to 20 seconds.
Login and heartbeat replies are on different channels, so they cannot be mistaken for each other.

Spot (https://mexcdevelop.github.io/apidocs/spot_v3_en/, "General Info > LIMITS > Websocket
Limits"): at most 100 messages per second per connection. "Websocket Market Streams": a
subscribed connection without data flow is dropped after one minute, and "the client can send a
ping to keep the connection alive": ``{"method": "PING"}`` (reply ``{"id":0,"code":0,"msg":"PONG"}``),
sent every 20 s here, which matters for quiet private streams. Private spot streams are opened with a
listen key in the URL (``wss://wbs-api.mexc.com/ws?listenKey=...``) that users create with
``POST /api/v3/userDataStream`` (a SIGNED endpoint, so topgun signs it) and keep alive with
``PUT /api/v3/userDataStream`` every 30 minutes; there is no login message.
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import AuthenticationError, Heartbeat, RateLimit, WebSocketLogin, hmac_sha256_hex

LOGIN_TIMEOUT = 10.0
LOGIN_REPLY_CHANNELS = frozenset({"rs.login", "rs.error"})

FUTURES_HEARTBEAT = Heartbeat(interval=15.0, message='{"method":"ping"}')
SPOT_HEARTBEAT = Heartbeat(interval=20.0, message='{"method":"PING"}')
SPOT_LIMIT = RateLimit(messages=100, per_seconds=1.0)


def login_message(api_key: str, secret: bytes, req_time: str) -> dict[str, Any]:
    signature = hmac_sha256_hex(secret, (api_key + req_time).encode())
    return {
        "method": "login",
        "param": {"apiKey": api_key, "reqTime": req_time, "signature": signature},
    }


def _is_login_reply(message: Any) -> bool:
    return isinstance(message, dict) and message.get("channel") in LOGIN_REPLY_CHANNELS


async def futures_login(login: WebSocketLogin) -> None:
    """Log in on a fresh futures connection; return once MEXC confirms, raise if it refuses."""
    credential = login.credential
    req_time = str(login.clock.time_ms())
    await login.send_json(login_message(credential.key, credential.secret_bytes, req_time))
    reply = await login.receive_json(LOGIN_TIMEOUT, match=_is_login_reply)
    if reply.get("channel") == "rs.login" and reply.get("data") == "success":
        return
    raise AuthenticationError(f"MEXC futures WebSocket login rejected: {reply.get('data')!r}")
