"""Bitget v2 HTTP request signing (HMAC keys).

Recipe (https://www.bitget.com/api-doc/common/signature, "HMAC"): ACCESS-SIGN is the Base64
HMAC-SHA256, keyed by the secret, of timestamp + METHOD + requestPath + "?" + queryString + body,
the ``"?" + queryString`` part only when there is a query. ACCESS-TIMESTAMP is in milliseconds,
ACCESS-PASSPHRASE is the passphrase set when the key was created, and every request carries
``Content-Type: application/json`` (https://www.bitget.com/api-doc/common/intro, request headers).
``locale`` is optional and the caller may add it; it is not signed.

Bitget also accepts self-generated RSA keys: put the PEM private key where the secret goes, and the
same text is signed with SHA256withRSA, Base64-encoded (see ``keys``).

Demo trading (https://www.bitget.com/api-doc/common/demotrading/restapi) shares the host: a
request with the header ``paptrading: 1`` is signed with the ``bitget_demo`` credentials (a Demo
API Key), any other with ``bitget``; the header itself goes to Bitget unchanged.

Public endpoints (``/api/v2/public/...`` and the spot and futures ``public``/``market`` groups,
which need no authentication) are sent without credentials: a key is only sent where needed.
"""

from __future__ import annotations

from collections.abc import Mapping

from topgun.plugin import SignedRequest, SigningRequest, hmac_sha256_b64

from .keys import is_rsa_key, rsa_sha256_b64

API = "bitget"
DEMO_API = "bitget_demo"
DEMO_HEADER = "paptrading"
JSON = "application/json"
PUBLIC_PREFIXES = (
    "/api/v2/public/",
    "/api/v2/spot/public/",
    "/api/v2/spot/market/",
    "/api/v2/mix/market/",
)
_UNSIGNED = SignedRequest()


def sign_request(request: SigningRequest) -> SignedRequest:
    if request.url.raw_path.startswith(PUBLIC_PREFIXES):
        return _UNSIGNED
    return signed_headers(request)


def signed_headers(request: SigningRequest) -> SignedRequest:
    """The signature headers for any path (``sign_request`` skips public ones)."""
    timestamp = str(request.clock.time_ms())
    credential = request.credential
    text = (
        timestamp.encode()
        + request.method.upper().encode()
        + request.url.raw_path_qs.encode()  # path, then "?" + query only when there is one
        + request.body
    )
    headers = {
        "ACCESS-KEY": credential.key,
        "ACCESS-SIGN": sign_text(credential.secret, credential.secret_bytes, text),
        "ACCESS-TIMESTAMP": timestamp,
        "ACCESS-PASSPHRASE": credential.passphrase,
    }
    # aiohttp hands signers a case-insensitive mapping; a body already set its own type.
    if "Content-Type" not in request.headers:
        headers["Content-Type"] = JSON
    return SignedRequest(headers=headers)


def sign_text(secret: str, secret_bytes: bytes, text: bytes) -> str:
    """Base64 HMAC-SHA256 for HMAC keys; Base64 SHA256withRSA for RSA keys (PEM secrets)."""
    if is_rsa_key(secret):
        return rsa_sha256_b64(secret, text)
    return hmac_sha256_b64(secret_bytes, text)


def choose_api(headers: Mapping[str, str]) -> str:
    """``bitget_demo`` when the request carries ``paptrading: 1`` (any header case)."""
    value = headers.get(DEMO_HEADER)
    if value is None:
        value = next((item for name, item in headers.items() if name.lower() == DEMO_HEADER), None)
    return DEMO_API if value is not None and value.strip() == "1" else API
