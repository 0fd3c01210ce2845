"""BitMEX Realtime API: login by message, and the idle heartbeat.

Login (https://www.bitmex.com/app/wsAPI, "Authentication"): after the handshake send
``{"op": "authKeyExpires", "args": [apiKey, expires, signature]}`` with ``signature`` =
hex(HMAC_SHA256(apiSecret, "GET/realtime" + expires)) and ``expires`` in UNIX seconds, as for REST
(https://www.bitmex.com/app/apiKeysUsage). BitMEX answers with a message whose ``request`` echoes
the command: ``{"success": true, "request": {...}}`` on success, ``{"status": 401, "error": "...",
"request": {...}}`` otherwise. The message form is used rather than signed upgrade headers so the
reply can be checked and a rejection made visible (logged, retried with backoff).

Heartbeat (same page, "Heartbeats"): BitMEX sends no pings; a client worried about a silently
dropped connection restarts a 5-second timer on every message received and, when it fires, sends
the literal text ``ping`` and expects ``pong``. topgun does exactly that (an idle heartbeat): no
``ping`` while messages keep arriving, one after each 5 seconds of silence; ``pong`` is known as
the heartbeat's reply.
"""

from __future__ import annotations

from typing import Any

from yarl import URL

from topgun.plugin import AuthenticationError, Heartbeat, WebSocketLogin

from .auth import expires_at, signature

LOGIN_PATH = "/realtime"
"""The documented login path; the login signature always covers ``GET/realtime``."""
REPLY_TIMEOUT = 10.0
"""Seconds to wait for the reply to ``authKeyExpires``."""

HEARTBEAT = Heartbeat(interval=5.0, message="ping", frame="text", replies=("pong",), idle=True)


def login_message(key: str, secret: bytes, expires: int) -> dict[str, Any]:
    return {
        "op": "authKeyExpires",
        "args": [key, expires, signature(secret, "GET", LOGIN_PATH, expires)],
    }


def is_login_reply(message: Any) -> bool:
    if not isinstance(message, dict):
        return False
    request = message.get("request")
    return isinstance(request, dict) and request.get("op") == "authKeyExpires"


def needs_login(url: URL) -> bool:
    """Only ``/realtime`` takes a login; ``/realtimePlatform`` (platform topics) is public."""
    return url.path.rstrip("/") == LOGIN_PATH


async def authenticate(login: WebSocketLogin) -> None:
    """Send ``authKeyExpires`` and return once BitMEX confirms; raise AuthenticationError if not."""
    if not needs_login(login.url):
        return
    credential = login.credential
    expires = expires_at(login.clock)
    await login.send_json(login_message(credential.key, credential.secret_bytes, expires))
    reply = await login.receive_json(REPLY_TIMEOUT, match=is_login_reply)
    if reply.get("success") is True:
        return
    # The reply echoes the request (key and signature); only BitMEX's verdict is quoted.
    raise AuthenticationError(
        f"BitMEX rejected authKeyExpires: status {reply.get('status')!r}, "
        f"error {reply.get('error')!r}"
    )
