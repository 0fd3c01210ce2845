"""Phemex WebSocket API: ``user.auth`` login, the ``server.ping`` heartbeat, the send limit.

From https://phemex-docs.github.io/ ("Contract Websocket API": "Heartbeat", "User
authentication"; "API Rate Limits" of the WebSocket API):

- Login: ``{"method": "user.auth", "params": ["API", apiKey, signature, expiry], "id": <id>}`` with
  ``signature`` = hex(HMAC_SHA256(apiSecret, apiKey + expiry)) and ``expiry`` in epoch seconds,
  at most request time + 2 minutes. The reply carries the same id: ``{"error": null, "id": <id>,
  "result": {"status": "success"}}``, or an ``error`` object.
- Heartbeat: ``{"id": <id>, "method": "server.ping", "params": []}`` at an interval below 30 s
  (5 s recommended); the reply is ``{"error": null, "id": <id>, "result": "pong"}``.
- "Each connection has throttle limit to 20 request/s."

The login and the heartbeat use different ids, so a pong can never pass for a login reply.
"""

from __future__ import annotations

from typing import Any, Final

from topgun.plugin import AuthenticationError, Heartbeat, RateLimit, WebSocketLogin, hmac_sha256_hex

from .auth import expiry_at

LOGIN_ID: Final = 7_000_001
HEARTBEAT_ID: Final = 7_000_002
LOGIN_EXPIRY_IN: Final = 60
"""Seconds; the documented maximum is 120."""
REPLY_TIMEOUT: Final = 10.0

HEARTBEAT = Heartbeat(
    interval=5.0,
    message=f'{{"id":{HEARTBEAT_ID},"method":"server.ping","params":[]}}',
    frame="text",
)
"""Its pong is JSON and reaches the JSON handlers, told apart from other replies by its id."""
RATE_LIMIT = RateLimit(messages=20, per_seconds=1.0)


def login_message(key: str, secret: bytes, expiry: int) -> dict[str, Any]:
    signature = hmac_sha256_hex(secret, f"{key}{expiry}".encode())
    return {"method": "user.auth", "params": ["API", key, signature, expiry], "id": LOGIN_ID}


def is_login_reply(message: Any) -> bool:
    return isinstance(message, dict) and message.get("id") == LOGIN_ID


async def authenticate(login: WebSocketLogin) -> None:
    """Send ``user.auth`` and return once Phemex confirms; raise AuthenticationError if not."""
    credential = login.credential
    expiry = expiry_at(login.clock, LOGIN_EXPIRY_IN)
    await login.send_json(login_message(credential.key, credential.secret_bytes, expiry))
    reply = await login.receive_json(REPLY_TIMEOUT, match=is_login_reply)
    error = reply.get("error")
    result = reply.get("result")
    if error is None and isinstance(result, dict) and result.get("status") == "success":
        return
    if isinstance(error, dict):
        detail = f"code {error.get('code')!r}, message {error.get('message')!r}"
    else:
        detail = f"error {error!r}, result {result!r}"
    raise AuthenticationError(f"Phemex rejected user.auth: {detail}")
