"""bitFlyer Lightning HTTP API request signing.

Recipe (https://lightning.bitflyer.com/docs?lang=en#authentication): ACCESS-SIGN is the hex
HMAC-SHA256, keyed by the API secret, of ACCESS-TIMESTAMP + HTTP method + request path (with the
query string) + request body. ACCESS-TIMESTAMP is the Unix time of the request; like the docs'
sample (``Date.now()``) it is sent in milliseconds.
"""

from __future__ import annotations

from topgun.plugin import SignedRequest, SigningRequest, hmac_sha256_hex


def sign_request(request: SigningRequest) -> SignedRequest:
    timestamp = str(request.clock.time_ms())
    text = (
        timestamp.encode()
        + request.method.upper().encode()
        + request.url.raw_path_qs.encode()
        + request.body
    )
    signature = hmac_sha256_hex(request.credential.secret_bytes, text)
    return SignedRequest(
        headers={
            "ACCESS-KEY": request.credential.key,
            "ACCESS-TIMESTAMP": timestamp,
            "ACCESS-SIGN": signature,
        }
    )
