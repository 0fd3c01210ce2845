"""bitFlyer Lightning HTTP API request signing.

Recipe (https://lightning.bitflyer.com/docs?lang=en#authentication): ACCESS-SIGN is the hex
HMAC-SHA256, keyed by the API secret, of ACCESS-TIMESTAMP + HTTP method + request path (with the
query string) + request body. ACCESS-TIMESTAMP is the Unix time of the request; like the docs'
sample (``Date.now()``) it is sent in milliseconds.

Only the HTTP Private API takes these headers, and all of it lives under ``/v1/me/``
(https://lightning.bitflyer.com/docs?lang=en#http-private-api); the public API (tickers, boards,
executions, health) is sent without them, so the key never travels where it is not needed.
"""

from __future__ import annotations

from topgun.plugin import SignedRequest, SigningRequest, hmac_sha256_hex

PRIVATE_PREFIX = "/v1/me/"


def sign_request(request: SigningRequest) -> SignedRequest:
    if not request.url.path.startswith(PRIVATE_PREFIX):
        return SignedRequest()
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
