"""OKJ (OKCoin Japan) HTTP request signing, for the V3 and V5 REST APIs alike.

Recipe (OKJ API guide, REST "Authentication": V3 https://dev.okj.com/apidoc/v3/en/ , formerly
https://dev.okcoin.jp/en/ ; V5 https://dev.okj.com/apidoc/v5/en/ ; the same in OKJ's official SDKs,
github.com/okcoinjapan/V3-Open-API-SDK okcoin/utils.py and V5-Open-API-SDK okj/utils.py):

- OK-ACCESS-KEY: the API key; OK-ACCESS-PASSPHRASE: the passphrase chosen with the key;
- OK-ACCESS-TIMESTAMP: UTC time in ISO-8601 with milliseconds, e.g. ``2020-12-08T09:08:57.715Z``;
- OK-ACCESS-SIGN: base64 HMAC-SHA256, keyed by the secret, of timestamp + METHOD + request path
  (with the query string, as sent) + body (the exact JSON bytes sent; nothing for a GET).

The timestamp comes from the Client's clock, so ``client.clock.offset`` fixes a skewed machine.

Market data takes no credentials and is sent without them, so the key and passphrase travel only
where needed: V3's instruments (tickers, books, trades and candles live under
``/api/spot/v3/instruments``) and general endpoints (``/api/general/v3/``, the server time), and
V5's ``/api/v5/public/`` and ``/api/v5/market/``.
"""

from __future__ import annotations

import time

from topgun.plugin import Clock, SignedRequest, SigningRequest, hmac_sha256_b64

PUBLIC_PREFIXES = (
    "/api/spot/v3/instruments",
    "/api/general/v3/",
    "/api/v5/public/",
    "/api/v5/market/",
)


def iso_timestamp(clock: Clock) -> str:
    """``YYYY-MM-DDThh:mm:ss.sssZ`` in UTC, from the clock's milliseconds."""
    seconds, millis = divmod(clock.time_ms(), 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def sign_request(request: SigningRequest) -> SignedRequest:
    if request.url.path.startswith(PUBLIC_PREFIXES):
        return SignedRequest()
    credential = request.credential
    timestamp = iso_timestamp(request.clock)
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
