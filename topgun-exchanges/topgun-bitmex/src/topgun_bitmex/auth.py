"""BitMEX REST API request signing.

Recipe (https://www.bitmex.com/app/apiKeysUsage, "Authenticating with an API Key"): send
``api-expires`` (a UNIX time in SECONDS after which the request is void), ``api-key`` and
``api-signature`` = hex(HMAC_SHA256(apiSecret, verb + path + expires + data)), where ``path`` is
the URL path with its query string exactly as sent on the wire ("Be sure to HMAC *exactly* what is
sent on the wire") and ``data`` is exactly the raw body sent ("The 'data' param": JSON or form,
the same bytes in the HMAC as in the request). This plugin sends JSON bodies, as the page's
worked POST example does.
"""

from __future__ import annotations

from topgun.plugin import Clock, SignedRequest, SigningRequest, hmac_sha256_hex

EXPIRES_IN = 10
"""Seconds a signed request stays valid. Short, to keep the replay window small (BitMEX's own
sample uses 5 s); set ``client.clock.offset`` if your clock is off, rather than raising this."""


def expires_at(clock: Clock, seconds: int = EXPIRES_IN) -> int:
    """The ``api-expires`` value: whole UNIX seconds ``seconds`` from now on the Client's clock."""
    return int(clock.time()) + seconds


def signature(secret: bytes, verb: str, path_qs: str, expires: int, body: bytes = b"") -> str:
    """hex(HMAC_SHA256(secret, verb + path + expires + data)), the documented construction."""
    return hmac_sha256_hex(secret, f"{verb}{path_qs}{expires}".encode() + body)


def sign_request(request: SigningRequest) -> SignedRequest:
    credential = request.credential
    expires = expires_at(request.clock)
    return SignedRequest(
        headers={
            "api-expires": str(expires),
            "api-key": credential.key,
            "api-signature": signature(
                credential.secret_bytes,
                request.method.upper(),
                request.url.raw_path_qs,
                expires,
                request.body,
            ),
        }
    )
