"""The simulator's Realtime API: bitFlyer-like JSON-RPC 2.0 over WebSocket, with the login checked.

Served as ``wss://ws.lightstream.bitflyer.com/json-rpc``. Methods ``auth`` and ``subscribe``; data
arrives as ``channelMessage``. The login is verified the way bitFlyer documents it
(https://bf-lightning-api.readme.io/docs/realtime-api-auth): ``api_key``; ``timestamp``, a Unix
time of 10 or 13 digits; ``nonce``, 16 to 255 characters; ``signature``, the hex HMAC-SHA256 of
timestamp + nonce keyed by the API secret. Private channels need that login.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import WSCloseCode, WSMsgType, web

WS_HOST = "ws.lightstream.bitflyer.com"
PRIVATE_CHANNELS = frozenset({"child_order_events", "parent_order_events"})
TICK_SECONDS = 0.1


class Realtime:
    """Connections, logins and subscriptions of the simulator's realtime endpoint."""

    def __init__(
        self,
        key: str,
        secret: str,
        ltp: Callable[[], float],
        orders: Callable[[], list[dict[str, Any]]],
        max_skew: float,
    ) -> None:
        self._key = key
        self._secret = secret.encode()
        self._ltp = ltp
        self._orders = orders
        self._max_skew = max_skew
        self.logins: list[str | None] = []  # None: accepted; else why refused
        self.subscriptions: list[list[str]] = []  # per connection, in order
        self._sockets: set[web.WebSocketResponse] = set()

    def verify(self, params: Any) -> str | None:
        """Why an ``auth`` call is refused, or None when it is valid."""
        if not isinstance(params, dict) or params.get("api_key") != self._key:
            return "Invalid API key"
        timestamp, nonce = params.get("timestamp"), params.get("nonce")
        if not isinstance(timestamp, int) or len(str(timestamp)) not in (10, 13):
            return "timestamp must be a Unix time of 10 or 13 digits"
        seconds = timestamp / 1000 if len(str(timestamp)) == 13 else float(timestamp)
        if abs(seconds - time.time()) > self._max_skew:
            return "timestamp is too far from the exchange clock"
        if not isinstance(nonce, str) or not 16 <= len(nonce) <= 255:
            return "nonce must be 16 to 255 characters"
        expected = hmac.new(self._secret, f"{timestamp}{nonce}".encode(), hashlib.sha256)
        if not hmac.compare_digest(str(params.get("signature", "")), expected.hexdigest()):
            return "Invalid signature"
        return None

    async def restart(self) -> None:
        """Close every realtime connection, as an exchange does for maintenance."""
        for ws in tuple(self._sockets):
            await ws.close(code=WSCloseCode.SERVICE_RESTART, message=b"server restart")

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        channels: list[str] = []
        self.subscriptions.append(channels)
        authed = False
        ticker = asyncio.ensure_future(self._tick(ws, channels))
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                call = orjson.loads(msg.data)
                method, params, call_id = call.get("method"), call.get("params"), call.get("id")
                if method == "auth":
                    problem = self.verify(params)
                    self.logins.append(problem)
                    authed = problem is None
                    await self._reply(ws, call_id, problem)
                elif method == "subscribe":
                    channel = (params or {}).get("channel", "")
                    if channel in PRIVATE_CHANNELS and not authed:
                        await self._reply(ws, call_id, "Permission denied: call auth first")
                        continue
                    channels.append(channel)
                    await self._reply(ws, call_id, None)
                    if channel == "child_order_events":
                        await self._send(ws, channel, self._executions())
        finally:
            self._sockets.discard(ws)
            ticker.cancel()
            await asyncio.gather(ticker, return_exceptions=True)
        return ws

    @staticmethod
    async def _reply(ws: web.WebSocketResponse, call_id: Any, problem: str | None) -> None:
        if call_id is None:
            return
        if problem is None:
            await ws.send_json({"jsonrpc": "2.0", "id": call_id, "result": True})
        else:
            error = {"code": -32000, "message": problem}
            await ws.send_json({"jsonrpc": "2.0", "id": call_id, "error": error})

    @staticmethod
    async def _send(ws: web.WebSocketResponse, channel: str, message: Any) -> None:
        params = {"channel": channel, "message": message}
        await ws.send_json({"jsonrpc": "2.0", "method": "channelMessage", "params": params})

    async def _tick(self, ws: web.WebSocketResponse, channels: list[str]) -> None:
        while not ws.closed:
            await asyncio.sleep(TICK_SECONDS)
            for channel in channels:
                if channel.startswith("lightning_ticker_"):
                    product = channel.removeprefix("lightning_ticker_")
                    ltp = self._ltp()
                    tick = {
                        "product_code": product,
                        "ltp": ltp,
                        "best_bid": ltp - 500,
                        "best_ask": ltp + 500,
                    }
                    await self._send(ws, channel, tick)

    def _executions(self) -> list[dict[str, Any]]:
        """An EXECUTION event for each order accepted over HTTP so far."""
        return [
            {
                "product_code": order["product_code"],
                "child_order_acceptance_id": order["child_order_acceptance_id"],
                "event_type": "EXECUTION",
                "side": order["side"],
                "price": self._ltp(),
                "size": order["size"],
            }
            for order in self._orders()
        ]
