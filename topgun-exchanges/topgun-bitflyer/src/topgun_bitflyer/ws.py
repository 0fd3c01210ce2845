"""bitFlyer Lightning Realtime API: the login that private channels need.

Recipe (https://bf-lightning-api.readme.io/docs/realtime-api-auth): call the JSON-RPC method
``auth`` with params ``api_key``, ``timestamp`` (Unix time, 10 or 13 digits; sent in
milliseconds, like the docs' ``Date.now()``), ``nonce`` (a random string of 16 to 255 characters)
and ``signature``: the hex HMAC-SHA256, keyed by the API secret, of timestamp + nonce. The server
answers ``true`` when the login succeeded, which clients must check
(https://bf-lightning-api.readme.io/docs/endpoint-json-rpc), and a JSON-RPC error otherwise.
"""

from __future__ import annotations

import secrets
from typing import Any

from topgun import Clock, Credential
from topgun.plugin import AuthenticationError, WebSocketLogin, hmac_sha256_hex

__all__ = ["AUTH_TIMEOUT", "auth_params", "authenticate"]

AUTH_TIMEOUT = 10.0
"""Seconds to wait for the reply to ``auth``."""


def auth_params(credential: Credential, clock: Clock, nonce: str | None = None) -> dict[str, Any]:
    """The ``params`` of the ``auth`` call: key, timestamp (ms), nonce, signature."""
    timestamp = clock.time_ms()
    nonce = nonce if nonce is not None else secrets.token_hex(16)  # 32 characters
    signature = hmac_sha256_hex(credential.secret_bytes, f"{timestamp}{nonce}".encode())
    return {
        "api_key": credential.key,
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": signature,
    }


async def authenticate(login: WebSocketLogin) -> None:
    """Log in on a fresh ``json-rpc`` connection; return once bitFlyer answers ``true``."""
    request_id = f"topgun-auth-{secrets.token_hex(4)}"
    await login.send_json(
        {
            "jsonrpc": "2.0",
            "method": "auth",
            "params": auth_params(login.credential, login.clock),
            "id": request_id,
        }
    )
    reply = await login.receive_json(
        AUTH_TIMEOUT, match=lambda m: isinstance(m, dict) and m.get("id") == request_id
    )
    if reply.get("result") is True:
        return
    raise AuthenticationError(f"bitFlyer refused the realtime API login: {_describe(reply)}")


def _describe(reply: dict[str, Any]) -> str:
    error = reply.get("error")
    if isinstance(error, dict):
        parts = [f"code {error.get('code')}", str(error.get("message", "")).strip()]
        if error.get("data") is not None:
            parts.append(f"data {error['data']!r}")
        return ", ".join(p for p in parts if p)
    if error is not None:
        return repr(error)
    return f"result {reply.get('result')!r} (expected true)"
