"""BitTrade WebSocket: the private stream's auth, gzip frames, and replies to server pings.

From the BitTrade API documentation (https://api-doc.bittrade.co.jp/ , "websocket(Public)" and
"websocket(Private)"; source github.com/BitTrade-Inc/BitTrade-api-docs "websocket-api.md"), the
Huobi protocol on BitTrade's host:

- ``/ws`` (market data): every frame is BINARY and GZIP-compressed; ``gunzip`` undoes it. No login.
  The server sends ``{"ping": <ms>}`` every 5 s and closes the connection after two unanswered
  ones; the client answers ``{"pong": <the same ms>}``.
- ``/ws/v2`` (account data): text frames. Right after connecting the client sends
  ``{"action": "req", "ch": "auth", "params": {"authType": "api", "accessKey", "signatureMethod":
  "HmacSHA256", "signatureVersion": "2.1", "timestamp", "signature"}}``, signature = base64
  HMAC-SHA256(secret, "GET\\n" + host + "\\n/ws/v2\\n" + the four params URL-encoded, sorted by
  name and joined with ``&``; the params are not URL-encoded in the JSON itself). The reply is
  ``{"action": "req", "ch": "auth", "code": 200}``; any other code is a refusal. Server pings are
  ``{"action": "ping", "data": {"ts": <ms>}}``, answered ``{"action": "pong", "data": {"ts": <ms>}}``
  (also HuobiRDCenter/huobi_Python websocket_manage.py, the protocol's reference client).
- Limits on the private stream: 50 connections and requests per second.

Only ``/ws/v2`` is authenticated: the public paths (``/ws``, ``/retail/ws``) keep working for a
Client that has ``bittrade`` credentials loaded.
"""

from __future__ import annotations

from typing import Any, Final

from topgun.plugin import (
    AuthenticationError,
    Decompressor,
    RateLimit,
    WebSocketLogin,
    hmac_sha256_b64,
)

from .auth import SIGNATURE_METHOD, canonical_query, string_to_sign, utc_timestamp

PRIVATE_PATH: Final = "/ws/v2"
REPLY_TIMEOUT: Final = 10.0
RATE_LIMIT: Final = RateLimit(messages=50, per_seconds=1.0)


gunzip: Final = Decompressor("gzip")
"""The market stream's frames are gzip members, one per message; core calls it with the
connection's maximum message size, which bounds what a frame may open to."""


def reply_to_ping(message: Any) -> Any:
    """The pong a server ping asks for, echoing its timestamp; ``None`` for any other message."""
    if type(message) is not dict:
        return None
    if "ping" in message:
        return {"pong": message["ping"]}
    if message.get("action") == "ping":
        data = message.get("data")
        if isinstance(data, dict) and "ts" in data:
            return {"action": "pong", "data": {"ts": data["ts"]}}
    return None


def auth_message(key: str, secret: bytes, host: str, timestamp: str) -> dict[str, Any]:
    params = {
        "accessKey": key,
        "signatureMethod": SIGNATURE_METHOD,
        "signatureVersion": "2.1",
        "timestamp": timestamp,
    }
    text = string_to_sign("GET", host, PRIVATE_PATH, canonical_query(params.items()))
    signature = hmac_sha256_b64(secret, text.encode())
    return {
        "action": "req",
        "ch": "auth",
        "params": {"authType": "api", **params, "signature": signature},
    }


def _is_auth_reply(message: Any) -> bool:
    return isinstance(message, dict) and message.get("ch") == "auth"


async def authenticate(login: WebSocketLogin) -> None:
    url = login.url
    if url.path.rstrip("/") != PRIVATE_PATH:
        return  # public paths take no auth, with or without credentials
    credential = login.credential
    message = auth_message(
        credential.key, credential.secret_bytes, url.host or "", utc_timestamp(login.clock)
    )
    await login.send_json(message)
    reply = await login.receive_json(REPLY_TIMEOUT, match=_is_auth_reply)
    if reply.get("code") != 200:
        shown = {k: reply[k] for k in ("code", "message", "msg", "err-msg") if k in reply}
        raise AuthenticationError(f"BitTrade refused the auth: {shown!r}")
