"""KuCoin server time, 400002 and the gw-ratelimit headers against a local exchange.

https://www.kucoin.com/docs/rest/spot-trading/market-data/get-server-time ; 400002 "Invalid
KC-API-TIMESTAMP" (HTTP 400), and KC-API-TIMESTAMP must be within 5 s:
https://www.kucoin.com/docs/basic-info/request-error-code ; rate-limit headers and 429000:
https://www.kucoin.com/docs/basic-info/request-rate-limit/rest-api
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import (
    CLOCK_CHECKS,
    ClockCheck,
    ClockScenario,
    HttpExchange,
    Registry,
    TimestampRules,
    burst,
)

WINDOW = 5.0
HOSTS = ("api.kucoin.com", "api-futures.kucoin.com")
CREDENTIALS = {"kucoin": ["kucoin-key", "kucoin-secret", "kucoin-passphrase"]}


def _stamp(request: web.Request, body: bytes) -> float | None:
    value = request.headers.get("KC-API-TIMESTAMP")
    return None if value is None else int(value) / 1000


RULES = TimestampRules(
    time_path="/api/v1/timestamp",
    time_body=lambda now: {"code": "200000", "msg": "success", "data": int(now * 1000)},
    timestamp=_stamp,
    window=WINDOW,
    rejection=lambda: web.json_response(
        {"code": "400002", "msg": "Invalid KC-API-TIMESTAMP"}, status=400
    ),
)
SCENARIO = ClockScenario(
    api="kucoin",
    credentials=CREDENTIALS,
    hosts=HOSTS,
    rules=RULES,
    get_url="https://api.kucoin.com/api/v1/accounts",
    post_url="https://api.kucoin.com/api/v1/orders",
    post_data={
        "clientOid": "c1",
        "side": "buy",
        "symbol": "BTC-USDT",
        "type": "market",
        "size": "0.001",
    },
    ahead=WINDOW + 3.2,
)


@pytest.mark.parametrize("check", CLOCK_CHECKS, ids=lambda c: c.__name__)
async def test_clock(check: ClockCheck, registry: Registry) -> None:
    await check(SCENARIO, registry)


class Pool:
    """A KuCoin resource pool: ``quota`` per window, gw-ratelimit-* headers, 429000 beyond it."""

    def __init__(self, quota: int, window: float) -> None:
        self.quota = quota
        self.window = window
        self.started = 0.0
        self.left = quota
        self.statuses: list[int] = []

    async def handle(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.Response:
        now = time.monotonic()
        if now - self.started >= self.window:
            self.started, self.left = now, self.quota
        status = 200 if self.left > 0 else 429
        self.left = max(0, self.left - 1)
        self.statuses.append(status)
        headers = {
            "gw-ratelimit-limit": str(self.quota),
            "gw-ratelimit-remaining": str(self.left),
            "gw-ratelimit-reset": str(int((self.started + self.window - now) * 1000) + 1),
        }
        payload: dict[str, Any] = (
            {"code": "200000", "data": []}
            if status == 200
            else {"code": "429000", "msg": "Too Many Requests"}
        )
        return web.json_response(payload, status=status, headers=headers)


async def _burst(registry: Registry, pace: bool) -> tuple[list[int], Any]:
    pool = Pool(quota=3, window=0.5)
    exchange = HttpExchange(HOSTS, pool.handle)
    url = "https://api.kucoin.com/api/v1/orders"
    limits = await burst(exchange, registry, url, 7, pace=pace, apis=CREDENTIALS)
    return pool.statuses, limits


async def test_pacing_waits_for_the_pool_reset(registry: Registry) -> None:
    unpaced, _ = await _burst(registry, pace=False)
    assert 429 in unpaced
    paced, limits = await _burst(registry, pace=True)
    assert paced == [200] * 7
    spot = limits["kucoin"]["spot"]
    assert spot.limit == 3 and spot.reset is not None
