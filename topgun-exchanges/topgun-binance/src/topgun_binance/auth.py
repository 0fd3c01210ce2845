"""Binance HTTP request signing: spot, margin, USDⓈ-M and COIN-M futures, options, portfolio margin.

Recipe (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security,
"SIGNED Endpoint security" and "Timing security"; the same text is in the USDⓈ-M, COIN-M, options
and portfolio-margin "General Info" pages): the API key goes in the ``X-MBX-APIKEY`` header;
``timestamp`` (milliseconds, from the Client's clock) joins the query string; ``signature`` is
computed over *totalParams* = the query string as sent + the request body as sent
(form-encoded), and appended to the query. ``recvWindow`` is an ordinary parameter the caller may
pass. Endpoints are signed according to their documented security type:

- ``NONE`` (public market data): nothing is added, so credentials never travel where not needed.
- ``USER_STREAM`` / ``MARKET_DATA`` (listen keys, historical trades): the API-key header only.
- everything else (``TRADE``, ``USER_DATA``, unknown endpoints): the full signature.

Users with a skewed clock set ``client.clock.offset`` (or call ``client.clock.sync_to(server
time)`` with ``GET /api/v3/time``'s ``serverTime / 1000``): every timestamp moves with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from yarl import URL

from topgun.plugin import SignedRequest, SigningRequest

from .keys import is_hex_signature, payload_signer

API_KEY_HEADER = "X-MBX-APIKEY"

# Security type USER_STREAM or MARKET_DATA: "Endpoint requires sending a valid API-Key" and no
# signature. Spot: rest-api "User data stream endpoints" and "Old trade lookup (MARKET_DATA)";
# margin: "Listen Key (Margin / Isolated Margin)"; USDⓈ-M, COIN-M, options, portfolio margin:
# "User Data Streams > Start User Data Stream (USER_STREAM)" and "Old Trades Lookup (MARKET_DATA)".
KEY_ONLY_PATHS = frozenset(
    {
        "/api/v3/userDataStream",
        "/sapi/v1/userDataStream",
        "/sapi/v1/userDataStream/isolated",
        "/fapi/v1/listenKey",
        "/dapi/v1/listenKey",
        "/eapi/v1/listenKey",
        "/papi/v1/listenKey",
        "/api/v3/historicalTrades",
        "/fapi/v1/historicalTrades",
        "/dapi/v1/historicalTrades",
        "/eapi/v1/historicalTrades",
    }
)

# Security type NONE: the market-data endpoints of each product's "Market Data endpoints" section.
# Every product (spot, USDⓈ-M, COIN-M, options) serves these under its own prefix.
_MARKET_DATA = ("ping", "time", "exchangeInfo", "depth", "trades", "klines")
# Spot and both futures products also serve these.
_SPOT_AND_FUTURES = ("aggTrades", "ticker/24hr", "ticker/price", "ticker/bookTicker")
PUBLIC_PATHS = frozenset(
    {
        *(
            f"/api/v3/{name}"
            for name in [
                *_MARKET_DATA,
                *_SPOT_AND_FUTURES,
                "uiKlines",
                "avgPrice",
                "ticker",
                "ticker/tradingDay",
            ]
        ),
        *(
            f"/{api}/v1/{name}"
            for api in ("fapi", "dapi")
            for name in [
                *_MARKET_DATA,
                *_SPOT_AND_FUTURES,
                "continuousKlines",
                "indexPriceKlines",
                "markPriceKlines",
                "premiumIndexKlines",
                "premiumIndex",
                "fundingRate",
                "fundingInfo",
                "openInterest",
                "constituents",
            ]
        ),
        "/fapi/v2/ticker/price",
        "/fapi/v1/indexInfo",  # USDⓈ-M composite index symbols (market data, no key)
        "/fapi/v1/assetIndex",  # USDⓈ-M multi-assets mode asset index (market data, no key)
        *(
            f"/eapi/v1/{name}"
            for name in [
                *_MARKET_DATA,
                "mark",
                "ticker",
                "index",
                "exerciseHistory",
                "openInterest",
            ]
        ),
        "/papi/v1/ping",
    }
)
PUBLIC_PREFIXES = ("/futures/data/",)  # USDⓈ-M / COIN-M "Market Data" statistics endpoints


def sign_request(request: SigningRequest) -> SignedRequest:
    path = request.url.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return SignedRequest()
    credential = request.credential
    headers = {API_KEY_HEADER: credential.key}
    if path in KEY_ONLY_PATHS:
        return SignedRequest(headers=headers)
    url = request.url
    query = url.raw_query_string
    if "timestamp" not in url.query and not _has_timestamp(request.data):
        stamp = f"timestamp={request.clock.time_ms()}"
        query = f"{query}&{stamp}" if query else stamp
    signature = payload_signer(credential)(query.encode() + request.body)
    if not is_hex_signature(credential):
        signature = quote(signature, safe="")  # base64 carries "+", "/" and "="
    query = f"{query}&signature={signature}" if query else f"signature={signature}"
    signed_url = URL(f"{url.with_query(None)}?{query}", encoded=True)
    return SignedRequest(headers=headers, url=signed_url)


def _has_timestamp(data: Any) -> bool:
    """Whether the caller already put ``timestamp`` in the form body (then it is not added twice)."""
    if isinstance(data, Mapping):
        return "timestamp" in data
    if isinstance(data, (list, tuple)):
        return any(isinstance(pair, tuple) and pair[:1] == ("timestamp",) for pair in data)
    if isinstance(data, (bytes, str)):
        text = data.decode() if isinstance(data, bytes) else data
        return any(part.split("=", 1)[0] == "timestamp" for part in text.split("&"))
    return False
