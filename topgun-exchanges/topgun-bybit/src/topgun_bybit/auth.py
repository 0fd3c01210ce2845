"""Bybit V5 HTTP request signing.

Recipe (https://bybit-exchange.github.io/docs/v5/guide, "Authentication" > "Parameters for
Authenticated Endpoints" and "Create A Request"): X-BAPI-SIGN is the hex HMAC-SHA256, keyed by the
API secret, of timestamp + API key + recv_window + (GET: the query string as sent | POST: the raw
JSON body). X-BAPI-TIMESTAMP is in milliseconds; X-BAPI-RECV-WINDOW (milliseconds) says how long
the request stays valid, 5000 by default on Bybit's side.

The recv window always takes part in the signature, so it is always sent: the caller's own
``X-BAPI-RECV-WINDOW`` header when given (signed as given), otherwise the documented default
``5000``. Sending it explicitly keeps the signed text and the server's reading of it identical,
rather than relying on how the server treats an absent window.

Self-generated RSA keys are supported: put the PEM private key where the secret goes, and the
same text is signed with RSA-SHA256, Base64-encoded (see ``keys``).

Market data (``/v5/market/...``, the docs' "Market" section, all public) is sent without
credentials: a key is only ever sent where it is needed.
"""

from __future__ import annotations

from collections.abc import Mapping

from multidict import CIMultiDict, CIMultiDictProxy

from topgun.plugin import SignedRequest, SigningRequest, hmac_sha256_hex

from .keys import is_rsa_key, rsa_sha256_b64

RECV_WINDOW_HEADER = "X-BAPI-RECV-WINDOW"
DEFAULT_RECV_WINDOW = "5000"
PUBLIC_PREFIXES = ("/v5/market/",)
_UNSIGNED = SignedRequest()


def sign_request(request: SigningRequest) -> SignedRequest:
    if request.url.raw_path.startswith(PUBLIC_PREFIXES):
        return _UNSIGNED
    timestamp = str(request.clock.time_ms())
    key = request.credential.key
    recv_window = header_value(request.headers, RECV_WINDOW_HEADER)
    # GET signs the query string exactly as it goes on the wire; every other method (Bybit V5
    # uses POST) signs the body bytes exactly as sent.
    if request.method.upper() == "GET":
        payload = request.url.raw_query_string.encode()
    else:
        payload = request.body
    window = DEFAULT_RECV_WINDOW if recv_window is None else recv_window
    signature = sign_text(
        request.credential.secret,
        request.credential.secret_bytes,
        (timestamp + key + window).encode() + payload,
    )
    headers = {
        "X-BAPI-API-KEY": key,
        "X-BAPI-TIMESTAMP": timestamp,
        "X-BAPI-SIGN": signature,
    }
    if recv_window is None:
        headers[RECV_WINDOW_HEADER] = DEFAULT_RECV_WINDOW
    return SignedRequest(headers=headers)


def sign_text(secret: str, secret_bytes: bytes, text: bytes) -> str:
    """Hex HMAC-SHA256 for system-generated keys; Base64 RSA-SHA256 for self-generated RSA keys."""
    if is_rsa_key(secret):
        return rsa_sha256_b64(secret, text)
    return hmac_sha256_hex(secret_bytes, text)


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """``headers[name]`` ignoring case (aiohttp hands signers a case-insensitive mapping already)."""
    value = headers.get(name)
    if value is not None or isinstance(headers, (CIMultiDict, CIMultiDictProxy)):
        return value
    lowered = name.lower()
    for key, item in headers.items():
        if key.lower() == lowered:
            return item
    return None
