"""Bitget server time against a local exchange under the real hostname.

https://www.bitget.com/api-doc/common/public/Get-Server-Time
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from topgun.testing import HttpExchange, Registry

AHEAD = 3.2
CREDENTIALS = {"bitget": ["bitget-key", "bitget-secret", "bitget-passphrase"]}


async def _answer(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    if request.path == "/api/v2/public/time":
        now = int((time.time() + AHEAD) * 1000)
        return web.json_response(
            {
                "code": "00000",
                "msg": "success",
                "requestTime": now,
                "data": {"serverTime": str(now)},
            }
        )
    record["stamp"] = request.headers.get("ACCESS-TIMESTAMP")
    return web.json_response({"code": "00000", "msg": "success", "data": []})


async def test_first_signed_request_syncs_the_clock(registry: Registry) -> None:
    async with (
        HttpExchange(["api.bitget.com"], _answer) as server,
        server.client(apis=CREDENTIALS, registry=registry, sync_clock=True) as client,
    ):
        await client.fetch("GET", "https://api.bitget.com/api/v2/spot/market/tickers", auth=None)
        assert len(server.seen) == 1  # an unsigned request does not wait for a sync
        await client.fetch("GET", "https://api.bitget.com/api/v2/spot/account/assets")
        assert [r["path"] for r in server.seen].count("/api/v2/public/time") == 5
        stamp = int(server.seen[-1]["stamp"]) / 1000
        assert abs(client.clock.offset - AHEAD) < 0.5
        # Signed on the exchange's clock, not 3.2 s off it.
        assert abs(stamp - (time.time() + AHEAD)) < 2.0


async def test_demo_trading_uses_the_same_clock(registry: Registry) -> None:
    assert registry.apis["bitget_demo"].server_time is registry.apis["bitget"].server_time
    async with (
        HttpExchange(["api.bitget.com"], _answer) as server,
        server.client(apis=CREDENTIALS, registry=registry) as client,
    ):
        result = await client.sync_clock("bitget_demo", samples=3)
    assert abs(result.offset - AHEAD) <= result.round_trip / 2 + 0.003
