"""Phemex REST API request signing.

Recipe (https://phemex-docs.github.io/#rest-request-header and "Endpoint security type" with its
three signature examples): ``x-phemex-access-token`` is the API key, ``x-phemex-request-expiry``
the UNIX time in SECONDS at which the request expires ("normally Now() + 1 minute"), and
``x-phemex-request-signature`` = hex(HMAC_SHA256(apiSecret, URL path + query string (without the
``?``) + expiry + body)). The path and query are signed exactly as sent (``raw_path`` /
``raw_query_string``), so a value with reserved characters signs the same bytes the server reads.

Public endpoints ("Endpoint security type: None": ``/public/...``, ``/exchange/public/...`` and
the market data under ``/md/...``) are sent without these headers, so the key travels only
where it is needed.
"""

from __future__ import annotations

from topgun.plugin import Clock, SignedRequest, SigningRequest, hmac_sha256_hex

EXPIRY_IN = 60
"""Seconds until a signed request expires, as the docs suggest (Now() + 1 minute)."""

PUBLIC_PREFIXES = ("/public/", "/exchange/public/", "/md/")


def expiry_at(clock: Clock, seconds: int = EXPIRY_IN) -> int:
    return int(clock.time()) + seconds


def signed_text(path: str, query: str, expiry: int, body: bytes = b"") -> bytes:
    """URL path + query string (no ``?``) + expiry + body: what the HMAC covers."""
    return f"{path}{query}{expiry}".encode() + body


def sign_request(request: SigningRequest) -> SignedRequest:
    credential = request.credential
    url = request.url
    if url.path.startswith(PUBLIC_PREFIXES):
        return SignedRequest()
    expiry = expiry_at(request.clock)
    text = signed_text(url.raw_path, url.raw_query_string, expiry, request.body)
    return SignedRequest(
        headers={
            "x-phemex-access-token": credential.key,
            "x-phemex-request-expiry": str(expiry),
            "x-phemex-request-signature": hmac_sha256_hex(credential.secret_bytes, text),
        }
    )
