"""BitTrade HTTP request signing: signature version 2, carried in the query string.

Recipe (BitTrade API documentation, "Rest API共通情報" > "セキュリティ認証" and "署名処理",
https://api-doc.bittrade.co.jp/ ; source github.com/BitTrade-Inc/BitTrade-api-docs "rest api.md"):

1. add AccessKeyId, SignatureMethod=HmacSHA256, SignatureVersion=2 and Timestamp (UTC,
   ``YYYY-MM-DDThh:mm:ss``) to the request's own query parameters;
2. URL-encode names and values, sort by name in ASCII order, join as ``k=v`` with ``&``;
3. sign ``METHOD\\nhost (lower case)\\npath\\nthat query`` with HMAC-SHA256 keyed by the secret,
   base64-encode it, and send it as the last query parameter ``Signature``.

For POST only those four parameters are signed: the JSON body is not part of the signature. The
signer therefore returns a new URL (``SignedRequest.url``) and no headers.

The public API ("Public API": ``/v1/common/...`` and ``/market/...``) takes no signature, and is
left unsigned: with query signing the access key would otherwise sit in every public URL, where
proxies and logs keep it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from urllib.parse import quote

from yarl import URL

from topgun.plugin import Clock, SignedRequest, SigningRequest, hmac_sha256_b64

SIGNATURE_METHOD = "HmacSHA256"
PUBLIC_PREFIXES = ("/market/", "/v1/common/")
_NOTHING = SignedRequest()


def utc_timestamp(clock: Clock) -> str:
    """``YYYY-MM-DDThh:mm:ss`` in UTC, whole seconds of the clock."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(clock.time())))


def encode(value: str) -> str:
    """Percent-encode everything but RFC 3986 unreserved characters (``:`` becomes ``%3A``)."""
    return quote(value, safe="-_.~")


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Encoded ``k=v`` pairs sorted by encoded name (ASCII order), joined with ``&``."""
    encoded = sorted((encode(k), encode(v)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def string_to_sign(method: str, host: str, path: str, query: str) -> str:
    return f"{method.upper()}\n{host.lower()}\n{path}\n{query}"


def sign_request(request: SigningRequest) -> SignedRequest:
    url = request.url
    if url.raw_path.startswith(PUBLIC_PREFIXES):
        return _NOTHING
    credential = request.credential
    pairs = [
        *url.query.items(),
        ("AccessKeyId", credential.key),
        ("SignatureMethod", SIGNATURE_METHOD),
        ("SignatureVersion", "2"),
        ("Timestamp", utc_timestamp(request.clock)),
    ]
    query = canonical_query(pairs)
    host = url.host or ""
    path = url.raw_path
    text = string_to_sign(request.method, host, path, query).encode()
    signature = encode(hmac_sha256_b64(credential.secret_bytes, text))
    signed = URL(
        f"{url.scheme}://{url.raw_authority}{path}?{query}&Signature={signature}", encoded=True
    )
    return SignedRequest(url=signed)
