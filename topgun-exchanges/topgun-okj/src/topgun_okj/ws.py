"""OKJ WebSocket: logins for the V3 and V5 streams, the V3 frame decoder, the ping heartbeat.

V3 (wss://connect.okcoin.jp:443/ws/v3, also served as wss://connect.okj.com:443/ws/v3; OKJ API
guide V3 "WebSocket API", https://dev.okj.com/apidoc/v3/en/ ; official SDK
github.com/okcoinjapan/V3-Open-API-SDK okcoin-python-sdk-api/okcoin/websocket.py):

- every message from the server is a BINARY frame compressed with raw deflate (no zlib header,
  window bits -15), the login reply included; ``inflate`` undoes it;
- login: ``{"op": "login", "args": [KEY, PASSPHRASE, TIMESTAMP, SIGN]}``, TIMESTAMP the Unix time
  in seconds (with milliseconds as decimals), SIGN = base64 HMAC-SHA256(secret, TIMESTAMP + "GET"
  + "/users/self/verify"); the reply is ``{"event": "login", "success": true}`` or
  ``{"event": "error", "message": ..., "errorCode": ...}``.

V5 (wss://ws.okj.com:443/ws/v5/public, /private, /business; OKJ API guide V5,
https://dev.okj.com/apidoc/v5/en/ ; official SDK github.com/okcoinjapan/V5-Open-API-SDK
okj/websocket/ws_utils.py): plain text JSON frames; login only on the private and business paths:
``{"op": "login", "args": [{"apiKey", "passphrase", "timestamp", "sign"}]}``, timestamp in whole
seconds, same SIGN recipe; the reply is ``{"event": "login", "code": "0"}`` or ``{"event":
"error", "code": ..., "msg": ...}``.

Both: the server drops a connection that has seen no traffic for 30 seconds; the client keeps it
alive by sending the text ``ping`` (answered with ``pong``) more often than that.
"""

from __future__ import annotations

from typing import Any, Final

from topgun.plugin import (
    AuthenticationError,
    Decompressor,
    Heartbeat,
    WebSocketLogin,
    hmac_sha256_b64,
)

VERIFY_PATH: Final = "GET/users/self/verify"
REPLY_TIMEOUT: Final = 10.0
V5_LOGIN_PATHS: Final = frozenset({"/ws/v5/private", "/ws/v5/business"})

HEARTBEAT: Final = Heartbeat(interval=15.0, message="ping", frame="text", replies=("pong",))
"""Text ``ping`` every 15 s, well inside the 30 s the server tolerates without traffic."""


inflate: Final = Decompressor("deflate")
"""The V3 server's frames are raw deflate streams (window bits -15), one per message; core calls
it with the connection's maximum message size, which bounds what a frame may open to."""


def login_sign(secret: bytes, timestamp: str) -> str:
    return hmac_sha256_b64(secret, (timestamp + VERIFY_PATH).encode())


def _is_login_reply(message: Any) -> bool:
    return isinstance(message, dict) and message.get("event") in ("login", "error")


def _describe(reply: dict[str, Any]) -> str:
    # The exchange's own words (event, code, message); never anything we sent.
    keys = ("event", "code", "errorCode", "msg", "message")
    return repr({k: reply[k] for k in keys if k in reply})


async def authenticate_v3(login: WebSocketLogin) -> None:
    credential = login.credential
    millis = login.clock.time_ms()
    timestamp = f"{millis // 1000}.{millis % 1000:03d}"
    sign = login_sign(credential.secret_bytes, timestamp)
    await login.send_json(
        {"op": "login", "args": [credential.key, credential.passphrase, timestamp, sign]}
    )
    reply = await login.receive_json(REPLY_TIMEOUT, match=_is_login_reply)
    if reply.get("event") != "login" or reply.get("success") is not True:
        raise AuthenticationError(f"OKJ refused the login: {_describe(reply)}")


async def authenticate_v5(login: WebSocketLogin) -> None:
    if login.url.path.rstrip("/") not in V5_LOGIN_PATHS:
        return  # the public stream takes no login
    credential = login.credential
    timestamp = str(login.clock.time_ms() // 1000)
    sign = login_sign(credential.secret_bytes, timestamp)
    args = {
        "apiKey": credential.key,
        "passphrase": credential.passphrase,
        "timestamp": timestamp,
        "sign": sign,
    }
    await login.send_json({"op": "login", "args": [args]})
    reply = await login.receive_json(REPLY_TIMEOUT, match=_is_login_reply)
    if reply.get("event") != "login" or str(reply.get("code")) != "0":
        raise AuthenticationError(f"OKJ refused the login: {_describe(reply)}")
