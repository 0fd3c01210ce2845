"""Coincheck private WebSocket login.

Flow (https://coincheck.com/documents/exchange/api, "Private WebSocket API" > "Connection Flow"
and "login Command"): connect to wss://stream.coincheck.com, send

    {"type": "login", "access_key": KEY, "access_nonce": NONCE, "access_signature": SIGNATURE}

with SIGNATURE = hex HMAC-SHA256(secret, NONCE + "wss://stream.coincheck.com/private") ("the uri
must always be wss://stream.coincheck.com/private", whatever URL was connected to), and wait for
``{"success": true, "available_channels": [...]}`` before subscribing with
``{"type": "subscribe", "channels": ["order-events", "execution-events"]}``. A reply with
``success`` false, or none within the deadline, is a failed login: the app does not go on to
subscribe unauthenticated. The public stream (wss://ws-api.coincheck.com) needs no login.
"""

from __future__ import annotations

from typing import Any, Final

from topgun.plugin import AuthenticationError, WebSocketLogin, hmac_sha256_hex

from .nonce import NONCES, NonceSource

SIGNED_URI: Final = "wss://stream.coincheck.com/private"
REPLY_TIMEOUT: Final = 10.0


def login_message(key: str, secret: bytes, nonce: int) -> dict[str, str]:
    text = f"{nonce}{SIGNED_URI}".encode()
    return {
        "type": "login",
        "access_key": key,
        "access_nonce": str(nonce),
        "access_signature": hmac_sha256_hex(secret, text),
    }


def _is_login_reply(message: Any) -> bool:
    return isinstance(message, dict) and "success" in message


class CoincheckLogin:
    """The WebSocket authenticator; shares the HTTP signer's nonce sequence."""

    __slots__ = ("nonces",)

    def __init__(self, nonces: NonceSource = NONCES) -> None:
        self.nonces = nonces

    async def __call__(self, login: WebSocketLogin) -> None:
        credential = login.credential
        nonce = self.nonces.next(credential.key, login.clock)
        await login.send_json(login_message(credential.key, credential.secret_bytes, nonce))
        reply = await login.receive_json(REPLY_TIMEOUT, match=_is_login_reply)
        if reply.get("success") is not True:
            raise AuthenticationError(f"Coincheck refused the login: {_describe(reply)}")

    def __repr__(self) -> str:
        return "<CoincheckLogin>"


def _describe(reply: dict[str, Any]) -> str:
    # The reply is the exchange's own words; it never holds our secret.
    shown = {k: v for k, v in reply.items() if k in {"success", "error", "message", "code"}}
    return repr(shown or reply)


authenticate = CoincheckLogin()
