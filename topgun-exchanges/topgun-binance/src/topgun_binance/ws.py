"""Binance WebSocket: WebSocket API request signing, stream send limits, and why no heartbeat.

WebSocket API (spot ``wss://ws-api.binance.com:443/ws-api/v3``, USDⓈ-M ``ws-fapi.binance.com/ws-fapi/v1``,
COIN-M ``ws-dapi.binance.com/ws-dapi/v1`` and their testnets): per "Request security" and "SIGNED
request example (HMAC)" in
https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/request-security, a
``TRADE`` / ``USER_DATA`` request carries ``apiKey``, ``timestamp`` and ``signature`` in its
``params``; the signature covers every other param, sorted by name, as ``k=v&k=v``. ``USER_STREAM``
requests carry ``apiKey`` only; ``NONE`` requests (``ping``, ``time``, market data) carry nothing.
The signer returns a new message and never changes the caller's.

Heartbeat: the servers send a ping frame (every 20 s on spot streams, 3 minutes on the
WebSocket API and futures) and want a pong back with the same payload; unsolicited pongs are
allowed but do not keep a connection alive, and on spot streams they count against the message
limit. Answering pings is the WebSocket layer's job (automatic), so no application heartbeat is
registered.

Send limits: spot streams accept 5 incoming messages per second per connection, pings and pongs
included ("WebSocket Limits" in web-socket-streams); USDⓈ-M and COIN-M market streams accept 10
("Websocket Market Streams"). topgun enforces them locally, without asking the exchange anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from topgun.plugin import MessageSigningRequest, RateLimit

from .keys import payload_signer

WS_API_PATHS = ("/ws-api/", "/ws-fapi/", "/ws-dapi/")

# Security type NONE ("General requests", "Market data requests", "Session" requests), plus the
# stream control methods, which are not WebSocket API requests at all.
UNSIGNED_METHODS = frozenset(
    {
        "ping",
        "time",
        "exchangeInfo",
        "depth",
        "trades.recent",
        "trades.aggregate",
        "klines",
        "uiKlines",
        "avgPrice",
        "ticker",
        "ticker.24hr",
        "ticker.tradingDay",
        "ticker.price",
        "ticker.book",
        "session.status",
        "session.logout",
        "userDataStream.subscribe",
        "userDataStream.unsubscribe",
        "SUBSCRIBE",
        "UNSUBSCRIBE",
        "LIST_SUBSCRIPTIONS",
        "SET_PROPERTY",
        "GET_PROPERTY",
    }
)
# Security type USER_STREAM / MARKET_DATA: "API key: required, Signature: (none)".
KEY_ONLY_METHODS = frozenset(
    {"userDataStream.start", "userDataStream.ping", "userDataStream.stop", "trades.historical"}
)

SPOT_STREAM_LIMIT = RateLimit(messages=5, per_seconds=1.0)
FUTURES_STREAM_LIMIT = RateLimit(messages=10, per_seconds=1.0)


def sign_message(request: MessageSigningRequest) -> Any:
    """Add ``apiKey`` / ``timestamp`` / ``signature`` to a WebSocket API request that needs them."""
    message = request.message
    if not isinstance(message, Mapping) or not request.url.path.startswith(WS_API_PATHS):
        return message
    method = message.get("method")
    if not isinstance(method, str):
        return message
    name = method.rpartition("/")[2]  # "v3/order.place" -> "order.place"
    if name in UNSIGNED_METHODS:
        return message
    params = message.get("params", {})
    if not isinstance(params, Mapping) or "signature" in params:
        return message  # not a request object, or signed by the caller already
    signed = dict(params)
    credential = request.credential
    signed.setdefault("apiKey", credential.key)
    if name not in KEY_ONLY_METHODS:
        signed.setdefault("timestamp", request.clock.time_ms())
        payload = "&".join(f"{key}={_text(signed[key])}" for key in sorted(signed))
        signed["signature"] = payload_signer(credential)(payload.encode())
    return {**message, "params": signed}


def _text(value: Any) -> str:
    """A param value as the server reads it back from the JSON request."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return orjson.dumps(value).decode()
