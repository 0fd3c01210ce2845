"""{{LABEL}} request signing. Adapt to the exchange's documented recipe and cite its docs here.

This starting point signs hex HMAC-SHA256(secret, timestamp + METHOD + path?query + body) into
X-API-KEY / X-API-TIMESTAMP / X-API-SIGN headers, the shape most exchanges use. Public endpoints
(here everything under PUBLIC_PREFIX) go without them, so the key travels only where needed.
"""

from __future__ import annotations

import hmac

from topgun.plugin import SignedRequest, SigningRequest

PUBLIC_PREFIX = "/v1/public/"


def sign_request(request: SigningRequest) -> SignedRequest:
    if request.url.path.startswith(PUBLIC_PREFIX):
        return SignedRequest()
    timestamp = str(request.clock.time_ms())
    text = (timestamp + request.method + request.url.raw_path_qs).encode() + request.body
    signature = hmac.digest(request.credential.secret_bytes, text, "sha256").hex()
    return SignedRequest(
        headers={"X-API-KEY": request.credential.key, "X-API-TIMESTAMP": timestamp, "X-API-SIGN": signature}
    )
