"""Bitget v2 HTTP request signing (HMAC keys).

Recipe (https://www.bitget.com/api-doc/common/signature, "HMAC"): ACCESS-SIGN is the Base64
HMAC-SHA256, keyed by the secret, of timestamp + METHOD + requestPath + "?" + queryString + body,
the ``"?" + queryString`` part only when there is a query. ACCESS-TIMESTAMP is in milliseconds,
ACCESS-PASSPHRASE is the passphrase set when the key was created, and every request carries
``Content-Type: application/json`` (https://www.bitget.com/api-doc/common/intro, request headers).
``locale`` is optional and the caller may add it; it is not signed.

Bitget also accepts self-generated RSA keys (SHA256withRSA over the same text); topgun signs with
HMAC keys only.
"""

from __future__ import annotations

from topgun.plugin import SignedRequest, SigningRequest, hmac_sha256_b64

JSON = "application/json"


def sign_request(request: SigningRequest) -> SignedRequest:
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
        "ACCESS-SIGN": hmac_sha256_b64(credential.secret_bytes, text),
        "ACCESS-TIMESTAMP": timestamp,
        "ACCESS-PASSPHRASE": credential.passphrase,
    }
    # aiohttp hands signers a case-insensitive mapping; a body already set its own type.
    if "Content-Type" not in request.headers:
        headers["Content-Type"] = JSON
    return SignedRequest(headers=headers)
