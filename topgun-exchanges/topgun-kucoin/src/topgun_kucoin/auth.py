"""KuCoin REST API request signing (spot, margin and futures hosts share one recipe).

Recipe (https://www.kucoin.com/docs-new/authentication, and the older
https://www.kucoin.com/docs/basic-info/connection-method/authentication/signing-a-message):

- ``KC-API-SIGN`` = base64(HMAC_SHA256(apiSecret, timestamp + METHOD + endpoint + body)), where
  ``endpoint`` is the path with its query string for GET and DELETE (``/api/v1/deposit-addresses
  ?currency=BTC``) and the body is the JSON string sent, or "" when there is none.
- The endpoint is signed in its *decoded* form: "When generating signature, the URL must use the
  content that has not been URL-encoded to participate in the signature", e.g.
  ``/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc%21%40%2311`` is signed as
  ``...&passphrase=abc!@#11``. The URL is still sent percent-encoded; only the signature text is
  decoded, completely (``+`` in a query is a space, as in form encoding).
- ``KC-API-TIMESTAMP`` is in milliseconds; ``KC-API-KEY-VERSION`` is the key's version, and for
  versions 2 and 3 ``KC-API-PASSPHRASE`` = base64(HMAC_SHA256(apiSecret, passphrase)).

Public endpoints (server time and status, the public bullet, symbols, currencies, prices, and
the market data of spot and futures) take no credentials and are sent without them, so the key
and passphrase travel only where needed. The full order book (``/api/v3/market/orderbook/
level2``) is private on KuCoin and stays signed.
"""

from __future__ import annotations

from urllib.parse import unquote, unquote_plus

from yarl import URL

from topgun.plugin import SignedRequest, SigningError, SigningRequest, hmac_sha256_b64

PUBLIC_PATHS = frozenset(
    {"/api/v1/timestamp", "/api/v1/status", "/api/v1/bullet-public", "/api/v1/prices"}
)
PUBLIC_PREFIXES = (
    "/api/v1/market/",
    "/api/v1/level2/",
    "/api/v1/symbols",
    "/api/v2/symbols",
    "/api/v1/currencies",
    "/api/v3/currencies",
    "/api/v1/contracts/",
    "/api/v1/ticker",
    "/api/v1/kline/query",
    "/api/v1/trade/history",
    "/api/v1/mark-price/",
    "/api/v1/funding-rate/",
)

DEFAULT_KEY_VERSION = "2"
KEY_VERSIONS = frozenset({"2", "3"})
"""Versions whose passphrase is sent HMAC'd; version 1 keys (plain passphrase) were retired in 2021."""


def signed_endpoint(url: URL) -> str:
    """The path and query as KuCoin signs them: fully percent-decoded."""
    raw_path = url.raw_path
    path = unquote(raw_path) if "%" in raw_path else raw_path
    raw_query = url.raw_query_string
    if not raw_query:
        return path
    query = unquote_plus(raw_query) if "%" in raw_query or "+" in raw_query else raw_query
    return f"{path}?{query}"


def passphrase_header(secret: bytes, passphrase: str) -> str:
    """``KC-API-PASSPHRASE`` for key versions 2 and 3: base64(HMAC_SHA256(secret, passphrase))."""
    return hmac_sha256_b64(secret, passphrase.encode())


def key_version(values: tuple[str, ...]) -> str:
    version = values[3] if len(values) > 3 else DEFAULT_KEY_VERSION
    if version not in KEY_VERSIONS:
        raise SigningError(
            f"apis['kucoin']: the 4th element is the API key version and must be one of "
            f"{sorted(KEY_VERSIONS)} (see KuCoin's API Management page), not {version!r}"
        )
    return version


def sign_request(request: SigningRequest) -> SignedRequest:
    path = request.url.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return SignedRequest()
    credential = request.credential
    secret = credential.secret_bytes
    timestamp = str(request.clock.time_ms())
    text = (
        f"{timestamp}{request.method.upper()}{signed_endpoint(request.url)}".encode() + request.body
    )
    return SignedRequest(
        headers={
            "KC-API-KEY": credential.key,
            "KC-API-SIGN": hmac_sha256_b64(secret, text),
            "KC-API-TIMESTAMP": timestamp,
            "KC-API-PASSPHRASE": passphrase_header(secret, credential.passphrase),
            "KC-API-KEY-VERSION": key_version(credential.values),
        }
    )
