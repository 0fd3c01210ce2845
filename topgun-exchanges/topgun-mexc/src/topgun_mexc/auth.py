"""MEXC HTTP request signing: the spot v3 scheme and the futures (contract v1) scheme.

Spot v3 (https://mexcdevelop.github.io/apidocs/spot_v3_en/, "General Info > SIGNED" and "Timing
security"): header ``X-MEXC-APIKEY``; ``timestamp`` (ms) and ``signature`` = hex HMAC-SHA256 of
*totalParams* (query string + request body) go in the query string. The docs allow parameters
"as a query string" or "in the request body with content type application/json"; topgun sends
them all in the query string (as MEXC's own SDK does), so the signed text is exactly the query
sent and no form bytes are ever labelled JSON. Values are percent-encoded with upper-case hex,
commas included, as the docs require for batch endpoints.

Futures (https://mexcdevelop.github.io/apidocs/contract_v1_en/, "Integration guide >
Authentication method" and "Time security"): headers ``ApiKey``, ``Request-Time`` (ms),
``Signature`` = hex HMAC-SHA256 of accessKey + Request-Time + parameter string, and
``Content-Type: application/json``. The parameter string is, for GET and DELETE, the query
parameters sorted by name as ``k=v&...`` with values URL-encoded like the docs' Java
``URLEncoder`` example (space as ``%20``); for POST, the JSON body exactly as sent. Only
``/api/v1/private/`` endpoints are signed ("Signature is not required for public endpoint").

Both schemes read time from the Client's clock: with a skewed clock, set ``client.clock.offset``
or call ``client.clock.sync_to(...)`` with the server time (``GET /api/v3/time`` or
``GET /api/v1/contract/ping``, in ms, divided by 1000).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from yarl import URL

from topgun.plugin import SignedRequest, SigningError, SigningRequest, hmac_sha256_hex

SPOT_KEY_HEADER = "X-MEXC-APIKEY"
FUTURES_PRIVATE_PREFIX = "/api/v1/private/"

# Market data endpoints ("Market Data Endpoints" section): no key, no signature.
SPOT_PUBLIC_PATHS = frozenset(
    f"/api/v3/{name}"
    for name in [
        "ping",
        "time",
        "defaultSymbols",
        "exchangeInfo",
        "depth",
        "trades",
        "historicalTrades",
        "aggTrades",
        "klines",
        "avgPrice",
        "ticker/24hr",
        "ticker/price",
        "ticker/bookTicker",
        "etf/info",
    ]
)

_NO_BODY = b""


def sign_request(request: SigningRequest) -> SignedRequest:
    """api.mexc.com: spot v3, except futures endpoints served there under ``/api/v1/``."""
    if request.url.path.startswith("/api/v1/"):
        return sign_futures_request(request)
    return sign_spot_request(request)


def sign_spot_request(request: SigningRequest) -> SignedRequest:
    url = request.url
    if url.path in SPOT_PUBLIC_PATHS:
        return SignedRequest()
    pairs: list[tuple[str, str]] = [(k, v) for k, v in url.query.items()]
    body = request.body
    moved = _pairs(request.data) if body else None
    if moved is not None:
        pairs.extend(moved)  # parameters travel in the query string; the body is dropped
    if not any(key == "timestamp" for key, _ in pairs) and not (
        moved is None and _form_has_timestamp(body)
    ):
        pairs.append(("timestamp", str(request.clock.time_ms())))
    query = urlencode(pairs, quote_via=quote, safe="")
    kept_body = body if moved is None else _NO_BODY
    signature = hmac_sha256_hex(request.credential.secret_bytes, query.encode() + kept_body)
    signed_url = URL(f"{url.with_query(None)}?{query}&signature={signature}", encoded=True)
    return SignedRequest(
        headers={SPOT_KEY_HEADER: request.credential.key},
        url=signed_url,
        body=_NO_BODY if moved is not None else None,
    )


def sign_futures_request(request: SigningRequest) -> SignedRequest:
    url = request.url
    if not url.path.startswith(FUTURES_PRIVATE_PREFIX):
        return SignedRequest()
    credential = request.credential
    req_time = str(request.clock.time_ms())
    if request.method.upper() in ("GET", "DELETE"):
        params = sorted(url.query.items(), key=lambda kv: kv[0])
        text = "&".join(f"{key}={java_url_encode(value)}" for key, value in params).encode()
    else:
        text = request.body
    signature = hmac_sha256_hex(
        credential.secret_bytes, credential.key.encode() + req_time.encode() + text
    )
    return SignedRequest(
        headers={
            "ApiKey": credential.key,
            "Request-Time": req_time,
            "Signature": signature,
            "Content-Type": "application/json",
        }
    )


def java_url_encode(value: str) -> str:
    """``URLEncoder.encode(value, "UTF-8")`` with ``+`` as ``%20``, as in the docs' Java example.

    Java leaves only letters, digits and ``.-*_`` unescaped; Python's ``quote`` also leaves ``~``.
    """
    return quote(value, safe="*").replace("~", "%7E")


def _pairs(data: Any) -> list[tuple[str, str]] | None:
    """The caller's ``data`` as query pairs; None when it is raw bytes to keep as the body."""
    if data is None or isinstance(data, (bytes, str)):
        return None
    items: Iterable[Any] = data.items() if isinstance(data, Mapping) else data
    out: list[tuple[str, str]] = []
    try:
        for key, value in items:
            out.append((str(key), _text(value)))
    except (TypeError, ValueError):
        raise SigningError(
            "MEXC spot request data must be a mapping or a list of (name, value) pairs; they are "
            f"sent as query parameters, not {type(data).__name__}"
        ) from None
    return out


def _form_has_timestamp(body: bytes) -> bool:
    """A raw ``k=v&...`` body the caller built (docs' "mixed" example) may carry the timestamp."""
    return any(part.split(b"=", 1)[0] == b"timestamp" for part in body.split(b"&"))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
