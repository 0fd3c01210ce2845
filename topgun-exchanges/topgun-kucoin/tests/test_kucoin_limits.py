"""KuCoin server time, 400002 and the gw-ratelimit headers against a local exchange.

https://www.kucoin.com/docs/rest/spot-trading/market-data/get-server-time ; 400002 "Invalid
KC-API-TIMESTAMP" (HTTP 400), and KC-API-TIMESTAMP must be within 5 s:
https://www.kucoin.com/docs/basic-info/request-error-code ; rate-limit headers and 429000:
https://www.kucoin.com/docs/basic-info/request-rate-limit/rest-api
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from topgun.testing import (
    ClockScenario,
    Registry,
    TimestampRules,
    burst_unpaced_then_paced,
    header_stamp,
)
from topgun.testing.conformance import ClockSuite

WINDOW = 5.0
HOSTS = ("api.kucoin.com", "api-futures.kucoin.com")
CREDENTIALS = {"kucoin": ["kucoin-key", "kucoin-secret", "kucoin-passphrase"]}


RULES = TimestampRules(
    time_path="/api/v1/timestamp",
    time_body=lambda now: {"code": "200000", "msg": "success", "data": int(now * 1000)},
    timestamp=header_stamp("KC-API-TIMESTAMP"),
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


class TestKuCoinClock(ClockSuite):
    scenario = SCENARIO


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


async def test_pacing_waits_for_the_pool_reset(registry: Registry) -> None:
    unpaced, paced, limits = await burst_unpaced_then_paced(
        lambda: Pool(quota=3, window=0.5),
        HOSTS,
        registry,
        "https://api.kucoin.com/api/v1/orders",
        7,
        apis=CREDENTIALS,
    )
    assert 429 in unpaced.statuses
    assert paced.statuses == [200] * 7
    spot = limits["kucoin"]["spot"]
    assert spot.limit == 3 and spot.reset is not None
