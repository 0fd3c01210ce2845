"""Binance WebSocket: WebSocket API request signing, stream send limits, and why no heartbeat.

WebSocket API (spot ``wss://ws-api.binance.com:443/ws-api/v3``, USDⓈ-M ``ws-fapi.binance.com/ws-fapi/v1``,
COIN-M ``ws-dapi.binance.com/ws-dapi/v1`` and their testnets): per "Request security" and "SIGNED
request example (HMAC)" in
https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/request-security, a
``TRADE`` / ``USER_DATA`` request carries ``apiKey``, ``timestamp`` and ``signature`` in its
``params``; the signature covers every other param, sorted by name, as ``k=v&k=v``. ``USER_STREAM``
requests carry ``apiKey`` only; ``NONE`` requests (``ping``, ``time``, market data) carry nothing.
The signer returns a new message and never changes the caller's.

Session login (``session.logon``, "Log in with API key (SIGNED)" in
https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/authentication-requests
and the USDⓈ-M futures WebSocket API): with an Ed25519 key (the only kind it takes), topgun sends
``session.logon`` right after every handshake on a ``/ws-api/`` or ``/ws-fapi/`` path, signed like
any request (``apiKey``, ``timestamp``, ``signature`` over ``apiKey=...&timestamp=...``), and waits
for its ``status: 200`` reply before the ``send_*`` messages, so requests that need an
authenticated session (``userDataStream.subscribe``) work, after every reconnection too. HMAC and
RSA keys have no session login; their requests are signed one by one, as before. Requests are
signed one by one after a logon too (Binance accepts that), so nothing depends on the session.

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
from yarl import URL

from topgun.plugin import (
    AuthenticationError,
    Clock,
    Credential,
    MessageSigningRequest,
    RateLimit,
    WebSocketLogin,
)

from .keys import is_ed25519, payload_signer

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

LOGON_PATHS = ("/ws-api/", "/ws-fapi/")
LOGON_ID = "topgun-session-logon"
LOGON_TIMEOUT = 10.0
"""Seconds to wait for the ``session.logon`` reply."""

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


def logon_request(url: URL, credential: Credential, clock: Clock) -> Any:
    """The ``session.logon`` request, signed like any other WebSocket API request."""
    logon = {"id": LOGON_ID, "method": "session.logon", "params": {}}
    return sign_message(MessageSigningRequest(logon, url, credential, clock))


async def authenticate(login: WebSocketLogin) -> None:
    """``session.logon`` on WebSocket API connections with an Ed25519 key; nothing otherwise."""
    if not login.url.path.startswith(LOGON_PATHS) or not is_ed25519(login.credential):
        return
    await login.send_json(logon_request(login.url, login.credential, login.clock))
    reply = await login.receive_json(LOGON_TIMEOUT, match=_is_logon_reply)
    if reply.get("status") == 200:
        return
    error = reply.get("error")
    detail = error if isinstance(error, dict) else {}
    raise AuthenticationError(
        f"Binance rejected session.logon: {detail.get('msg', 'no reason given')} "
        f"(status {reply.get('status')}, code {detail.get('code')})"
    )


def _is_logon_reply(message: Any) -> bool:
    return isinstance(message, dict) and message.get("id") == LOGON_ID
