"""Bybit V5 WebSocket: login, heartbeat and the trade stream's per-message header.

Docs: https://bybit-exchange.github.io/docs/v5/ws/connect ("Authentication", "How to Send the
Heartbeat Packet") and https://bybit-exchange.github.io/docs/v5/websocket/trade/guideline
("Authentication", "Create/Amend/Cancel Order").

- Login: ``{"op": "auth", "args": [api_key, expires, signature]}`` with ``expires`` a millisecond
  timestamp in the future and ``signature`` the hex HMAC-SHA256 of ``"GET/realtime" + expires``
  (Base64 RSA-SHA256 for a self-generated RSA key).
  Public topics need none, so ``/v5/public/...`` paths skip it; ``/v5/private`` and ``/v5/trade``
  log in. The private stream answers ``{"op": "auth", "success": true|false, "ret_msg": ...}``,
  the trade stream ``{"op": "auth", "retCode": 0, "retMsg": "OK"}``; both are accepted.
- Heartbeat: ``{"op": "ping"}`` every 20 seconds, as the docs recommend. Its replies carry
  ``op`` ``"ping"``/``"pong"``, never ``"auth"``, so they cannot be taken for the login reply.
- Trade stream (``/v5/trade``): each order message needs ``header["X-BAPI-TIMESTAMP"]``
  (optionally ``X-BAPI-RECV-WINDOW`` and ``Referer``, which the caller may set in ``header``);
  the signer adds the timestamp to a copy of the message and keeps the caller's header fields.
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import (
    AuthenticationError,
    Heartbeat,
    MessageSigningRequest,
    WebSocketLogin,
)

from .auth import sign_text

LOGIN_TIMEOUT = 10.0
"""Seconds to wait for the ``auth`` reply."""

EXPIRES_AFTER_MS = 10_000
"""How far in the future the login's ``expires`` lies. Bybit's sample uses 1 s; 10 s leaves room
for a slow handshake without keeping a captured login replayable for long."""

HEARTBEAT = Heartbeat(interval=20.0, message='{"op":"ping"}')

TIMESTAMP_HEADER = "X-BAPI-TIMESTAMP"
_UNSIGNED_OPS = frozenset({"auth", "ping", "pong"})


def login_message(key: str, secret: str, expires: int) -> dict[str, Any]:
    """The ``auth`` request; an RSA key (PEM) signs with RSA-SHA256, Base64, like HTTP."""
    signature = sign_text(secret, secret.encode(), b"GET/realtime" + str(expires).encode())
    return {"op": "auth", "args": [key, expires, signature]}


def needs_login(path: str) -> bool:
    """Public topics need no authentication; private and trade streams do."""
    return not path.startswith("/v5/public")


def _is_auth_reply(message: Any) -> bool:
    return isinstance(message, dict) and message.get("op") == "auth"


async def authenticate(login: WebSocketLogin) -> None:
    if not needs_login(login.url.path):
        return
    credential = login.credential
    expires = login.clock.time_ms() + EXPIRES_AFTER_MS
    await login.send_json(login_message(credential.key, credential.secret, expires))
    reply = await login.receive_json(LOGIN_TIMEOUT, match=_is_auth_reply)
    if reply.get("success") is True or reply.get("retCode") == 0:
        return
    code = reply.get("retCode")
    detail = reply.get("ret_msg") or reply.get("retMsg") or "no reason given"
    suffix = f" (retCode {code})" if code is not None else ""
    raise AuthenticationError(f"Bybit rejected the WebSocket login: {detail}{suffix}")


def sign_trade_message(request: MessageSigningRequest) -> Any:
    """Add ``header.X-BAPI-TIMESTAMP`` (ms, from the Client's clock) to trade-stream requests.

    Returns a new message; the caller's dict and its ``header`` are never modified. Messages that
    already carry a timestamp, non-request messages and messages on other streams pass unchanged.
    """
    message = request.message
    if not request.url.path.startswith("/v5/trade") or not isinstance(message, dict):
        return message
    if message.get("op") in _UNSIGNED_OPS:
        return message
    header = message.get("header")
    if isinstance(header, dict) and TIMESTAMP_HEADER in header:
        return message
    signed = dict(message)
    signed["header"] = {
        TIMESTAMP_HEADER: str(request.clock.time_ms()),
        **(header if isinstance(header, dict) else {}),
    }
    return signed
