"""OKX v5 HTTP request signing, live and demo.

Recipe (https://www.okx.com/docs-v5/en/#overview-rest-authentication, "Making Requests" and
"Signature"): OK-ACCESS-SIGN is the Base64 HMAC-SHA256, keyed by the SecretKey, of
timestamp + METHOD + requestPath + body, where requestPath carries the query string
(``/api/v5/account/balance?ccy=BTC``) and body is the request body as sent (empty for GET).
OK-ACCESS-TIMESTAMP is ISO-8601 UTC with milliseconds (``2020-12-08T09:08:57.715Z``), and the same
value goes into the signature. OK-ACCESS-KEY and OK-ACCESS-PASSPHRASE carry the key and the
passphrase chosen when the key was created.

Demo trading (https://www.okx.com/docs-v5/en/#overview-demo-trading-services) uses the same REST
host with the header ``x-simulated-trading: 1``; ``choose_api`` reads it to pick the ``okx_demo``
credentials, and the header itself is sent to OKX unchanged.

Public endpoints (``/api/v5/market/...`` and ``/api/v5/public/...``, which the docs list as needing
no authentication) are sent without credentials: a key is only ever sent where it is needed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from topgun.plugin import SignedRequest, SigningRequest, hmac_sha256_b64

API = "okx"
DEMO_API = "okx_demo"
DEMO_HEADER = "x-simulated-trading"
PUBLIC_PREFIXES = ("/api/v5/market/", "/api/v5/public/")
_UNSIGNED = SignedRequest()


def iso_timestamp(ms: int) -> str:
    """``2020-12-08T09:08:57.715Z`` for a millisecond Unix time (UTC, always three decimals)."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def sign_request(request: SigningRequest) -> SignedRequest:
    if request.url.raw_path.startswith(PUBLIC_PREFIXES):
        return _UNSIGNED
    timestamp = iso_timestamp(request.clock.time_ms())
    credential = request.credential
    text = (
        timestamp.encode()
        + request.method.upper().encode()
        + request.url.raw_path_qs.encode()
        + request.body
    )
    return SignedRequest(
        headers={
            "OK-ACCESS-KEY": credential.key,
            "OK-ACCESS-SIGN": hmac_sha256_b64(credential.secret_bytes, text),
            "OK-ACCESS-TIMESTAMP": timestamp,
            "OK-ACCESS-PASSPHRASE": credential.passphrase,
        }
    )


def choose_api(headers: Mapping[str, str]) -> str:
    """``okx_demo`` when the request carries ``x-simulated-trading: 1`` (any header case)."""
    value = headers.get(DEMO_HEADER)
    if value is None:
        for name, item in headers.items():
            if name.lower() == DEMO_HEADER:
                value = item
                break
    return DEMO_API if value is not None and value.strip() == "1" else API
