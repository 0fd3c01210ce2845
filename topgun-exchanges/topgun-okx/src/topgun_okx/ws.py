"""OKX v5 WebSocket: login and heartbeat.

Docs: https://www.okx.com/docs-v5/en/#overview-websocket-login and
https://www.okx.com/docs-v5/en/#overview-websocket-connect.

- Login: ``{"op": "login", "args": [{"apiKey", "passphrase", "timestamp", "sign"}]}`` with
  ``timestamp`` the Unix time in seconds and ``sign`` the Base64 HMAC-SHA256 of
  ``timestamp + "GET" + "/users/self/verify"``. The reply is ``{"event": "login", "code": "0"}``
  or ``{"event": "error", "code": "60009", "msg": ...}``.
- Where: ``/ws/v5/private`` (account, orders, positions) and ``/ws/v5/business`` (algo orders and
  other business channels need a login there). ``/ws/v5/public`` needs none, so no credential is
  sent to it.
- Heartbeat: OKX cuts a connection that has been silent for 30 seconds; the client sends the text
  ``ping`` and gets the text ``pong``. topgun sends it every 20 seconds. The ``pong`` is plain
  text, never JSON with ``event``, so it cannot be taken for the login reply.
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import AuthenticationError, Heartbeat, WebSocketLogin, hmac_sha256_b64

LOGIN_TIMEOUT = 10.0
"""Seconds to wait for the ``login``/``error`` event."""

HEARTBEAT = Heartbeat(interval=20.0, message="ping", replies=("pong",))

_LOGIN_PATHS = ("/ws/v5/private", "/ws/v5/business")


def login_message(key: str, secret: str, passphrase: str, timestamp: int) -> dict[str, Any]:
    ts = str(timestamp)
    sign = hmac_sha256_b64(secret.encode(), ts.encode() + b"GET/users/self/verify")
    return {
        "op": "login",
        "args": [{"apiKey": key, "passphrase": passphrase, "timestamp": ts, "sign": sign}],
    }


def needs_login(path: str) -> bool:
    return path.startswith(_LOGIN_PATHS)


def _is_login_reply(message: Any) -> bool:
    return isinstance(message, dict) and message.get("event") in ("login", "error")


async def authenticate(login: WebSocketLogin) -> None:
    if not needs_login(login.url.path):
        return
    credential = login.credential
    await login.send_json(
        login_message(
            credential.key, credential.secret, credential.passphrase, int(login.clock.time())
        )
    )
    reply = await login.receive_json(LOGIN_TIMEOUT, match=_is_login_reply)
    if reply.get("event") == "login" and str(reply.get("code", "0")) == "0":
        return
    code = reply.get("code")
    detail = reply.get("msg") or "no reason given"
    raise AuthenticationError(f"OKX rejected the WebSocket login: {detail} (code {code})")
