"""An embedded, bitFlyer-like exchange for the demo: it verifies signatures as bitFlyer documents.

Served on 127.0.0.1 behind TLS with a throwaway CA, under bitFlyer's real hostnames, so the demo bot
uses real URLs (``https://api.bitflyer.com/...``, ``wss://ws.lightstream.bitflyer.com/json-rpc``)
and topgun's real host routing; nothing leaves the machine. Signature check: hex
HMAC-SHA256(secret, ACCESS-TIMESTAMP + method + path?query + body),
https://lightning.bitflyer.com/docs?lang=en#authentication ; stale timestamps are refused too.
The realtime API (``realtime.py``) checks its JSON-RPC login the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from typing import Any

import orjson
from aiohttp import web

from topgun.testing import LocalExchange

from .realtime import WS_HOST, Realtime

HTTP_HOST = "api.bitflyer.com"
DEMO_KEY = "demo-api-key"
DEMO_SECRET = "demo-api-secret"
MAX_CLOCK_SKEW_S = 60.0


class Simulator:
    """Exchange state plus the aiohttp application that serves it."""

    def __init__(self) -> None:
        self.ltp = 15_000_000.0
        self.balances = {"JPY": 1_000_000.0, "BTC": 0.5}
        self.orders: list[dict[str, Any]] = []
        self.rejected = 0
        self._ids = itertools.count(1)
        self.app = web.Application()
        self.app.router.add_get("/v1/getticker", self.ticker)
        self.app.router.add_get("/v1/me/getbalance", self.private(self.balance))
        self.app.router.add_post("/v1/me/sendchildorder", self.private(self.send_child_order))
        self._walk = itertools.cycle((500.0, 500.0, -500.0, 1000.0, -1500.0, 500.0))
        self.realtime = Realtime(
            DEMO_KEY, DEMO_SECRET, self.tick, lambda: self.orders, MAX_CLOCK_SKEW_S
        )
        self.app.router.add_get("/json-rpc", self.realtime.handle)

    def serve(self) -> LocalExchange:
        return LocalExchange(self.app, [HTTP_HOST, WS_HOST])

    def tick(self) -> float:
        """Move the last traded price a little (the realtime ticker), and return it."""
        self.ltp += next(self._walk)
        return self.ltp

    async def ticker(self, request: web.Request) -> web.Response:
        product = request.query.get("product_code", "BTC_JPY")
        return web.json_response(
            {
                "product_code": product,
                "ltp": self.ltp,
                "best_bid": self.ltp - 500,
                "best_ask": self.ltp + 500,
            }
        )

    def private(self, handler: Any) -> Any:
        async def checked(request: web.Request) -> web.Response:
            body = await request.read()
            problem = self._verify(request, body)
            if problem:
                self.rejected += 1
                return web.json_response({"status": -500, "error_message": problem}, status=401)
            return await handler(request, body)  # type: ignore[no-any-return]

        return checked

    def _verify(self, request: web.Request, body: bytes) -> str | None:
        key = request.headers.get("ACCESS-KEY")
        timestamp = request.headers.get("ACCESS-TIMESTAMP", "")
        sign = request.headers.get("ACCESS-SIGN", "")
        if key is None:
            return "Missing ACCESS-KEY: this endpoint needs a signed request"
        if key != DEMO_KEY:
            return "Unknown API key"
        try:
            skew = abs(time.time() - int(timestamp) / 1000)
        except ValueError:
            return "ACCESS-TIMESTAMP is not a Unix time in milliseconds"
        if skew > MAX_CLOCK_SKEW_S:
            return f"ACCESS-TIMESTAMP is {skew:.0f} s away from the exchange clock"
        text = (timestamp + request.method + request.raw_path).encode() + body
        expected = hmac.new(DEMO_SECRET.encode(), text, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(sign, expected):
            return "Invalid signature"
        return None

    async def balance(self, request: web.Request, body: bytes) -> web.Response:
        return web.json_response(
            [{"currency_code": c, "amount": a, "available": a} for c, a in self.balances.items()]
        )

    async def send_child_order(self, request: web.Request, body: bytes) -> web.Response:
        order = orjson.loads(body)
        acceptance_id = f"JRF20261203-{next(self._ids):06d}"
        self.orders.append({**order, "child_order_acceptance_id": acceptance_id})
        return web.json_response({"child_order_acceptance_id": acceptance_id})
