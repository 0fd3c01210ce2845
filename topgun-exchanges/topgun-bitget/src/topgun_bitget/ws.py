"""Bitget v2 WebSocket: login, heartbeat and send rate limit.

Docs: https://www.bitget.com/api-doc/common/websocket-intro ("Connect", "Login", limits).

- Login, on private streams only (``/v2/ws/private``; ``/v2/ws/public`` needs none), and on the
  legacy V1 streams (``/mix/v1/stream``, ``/spot/v1/stream``), which carry public and private
  channels on one URL (https://bitgetlimited.github.io/apidoc/en/mix/#login, same message):
  ``{"op": "login", "args": [{"apiKey", "passphrase", "timestamp", "sign"}]}`` with ``timestamp``
  in seconds and ``sign`` the Base64 HMAC-SHA256 of ``timestamp + "GET" + "/user/verify"``. The
  reply is ``{"event": "login", "code": 0}`` or ``{"event": "error", "code": 30005, "msg": ...}``.
- Heartbeat: the text ``ping`` every 30 seconds, answered by the text ``pong``; Bitget closes a
  connection that sent no ping for two minutes. The ``pong`` is not JSON, so it cannot be taken
  for the login reply.
- Rate limit: at most 10 messages per second per connection, pings included.
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import AuthenticationError, Heartbeat, RateLimit, WebSocketLogin

from .auth import sign_text

LOGIN_TIMEOUT = 10.0
"""Seconds to wait for the ``login``/``error`` event."""

HEARTBEAT = Heartbeat(interval=30.0, message="ping", replies=("pong",))
RATE_LIMIT = RateLimit(messages=10, per_seconds=1.0)


def login_message(key: str, secret: str, passphrase: str, timestamp: int) -> dict[str, Any]:
    """The ``login`` request; an RSA key (PEM) signs with SHA256withRSA, like HTTP."""
    ts = str(timestamp)
    sign = sign_text(secret, secret.encode(), ts.encode() + b"GET/user/verify")
    return {
        "op": "login",
        "args": [{"apiKey": key, "passphrase": passphrase, "timestamp": ts, "sign": sign}],
    }


def needs_login(path: str) -> bool:
    """Private streams (``/v2/ws/private``, and the same shape on later versions) log in, and so
    do the V1 streams (``/mix/v1/stream``, ``/spot/v1/stream``), where private channels share
    the URL with public ones (with credentials loaded, as pybotters did)."""
    path = path.rstrip("/")
    return path.endswith("/private") or path.endswith("/v1/stream")


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
    raise AuthenticationError(f"Bitget rejected the WebSocket login: {detail} (code {code})")
