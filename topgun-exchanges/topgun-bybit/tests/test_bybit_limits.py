"""Bybit time and rate limits against a local exchange under the real hostnames.

Server time: https://bybit-exchange.github.io/docs/v5/market/time ; 10002 and 10006:
https://bybit-exchange.github.io/docs/v5/error ; headers: https://bybit-exchange.github.io/docs/v5/rate-limit
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from yarl import URL

from topgun.testing import (
    ClockScenario,
    HttpExchange,
    Registry,
    TimestampRules,
    burst_unpaced_then_paced,
    header_stamp,
)
from topgun.testing.conformance import ClockSuite
from topgun_bybit.limits import read

HOSTS = ("api.bybit.com", "api-testnet.bybit.com")
CREDENTIALS = {"bybit": ["bybit-key", "bybit-secret"]}


def _time_body(now: float) -> dict[str, Any]:
    return {
        "retCode": 0,
        "retMsg": "OK",
        "result": {"timeSecond": str(int(now)), "timeNano": str(int(now * 1e9))},
        "retExtInfo": {},
        "time": int(now * 1000),
    }


RULES = TimestampRules(
    time_path="/v5/market/time",
    time_body=_time_body,
    timestamp=header_stamp("X-BAPI-TIMESTAMP"),
    window=2.0,  # the X-BAPI-RECV-WINDOW: 2000 the scenario sends
    rejection=lambda: web.json_response(
        {
            "retCode": 10002,
            "retMsg": "The request time exceeds the time window range.",
            "result": {},
            "retExtInfo": {},
            "time": 1672738134824,  # the docs' example; a fixed body can be compared whole
        }
    ),
)
SCENARIO = ClockScenario(
    api="bybit",
    credentials=CREDENTIALS,
    hosts=HOSTS,
    rules=RULES,
    get_url="https://api.bybit.com/v5/account/wallet-balance?accountType=UNIFIED",
    post_url="https://api.bybit.com/v5/order/create",
    post_data={
        "category": "linear",
        "symbol": "BTCUSDT",
        "side": "Buy",
        "orderType": "Market",
        "qty": "0.001",
    },
    headers={"X-BAPI-RECV-WINDOW": "2000"},
)


class TestBybitClock(ClockSuite):
    scenario = SCENARIO


def test_headers_read_into_the_endpoint_bucket() -> None:
    now = 1_672_738_134.0
    url = URL("https://api.bybit.com/v5/order/create")
    doc_example = {
        "X-Bapi-Limit": "100",
        "X-Bapi-Limit-Status": "99",
        "X-Bapi-Limit-Reset-Timestamp": "1672738134824",
    }
    (reading,) = read(url, doc_example, now)
    assert reading == ("/v5/order/create", 1, 99, 100, 1672738134.824)
    spent = {
        "X-Bapi-Limit": "10",
        "X-Bapi-Limit-Status": "0",
        "X-Bapi-Limit-Reset-Timestamp": str(int(now * 1000)),
    }
    (reading,) = read(url, spent, now)
    assert reading.remaining == 0 and reading.reset == now + 1.0  # the rolling second
    assert read(url, {"Content-Type": "application/json"}, now) == ()


class EndpointLimit:
    """Bybit's per-endpoint limit over one-second windows, with its headers and retCode 10006."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.window = 0
        self.count = 0
        self.codes: list[int] = []

    async def handle(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.Response:
        now = time.time()
        if int(now) != self.window:
            self.window, self.count = int(now), 0
        self.count += 1
        exceeded = self.count > self.limit
        code = 10006 if exceeded else 0
        self.codes.append(code)
        reset = (self.window + 1) if exceeded else now
        headers = {
            "X-Bapi-Limit": str(self.limit),
            "X-Bapi-Limit-Status": str(max(0, self.limit - self.count)),
            "X-Bapi-Limit-Reset-Timestamp": str(int(reset * 1000)),
        }
        payload = {
            "retCode": code,
            "retMsg": "Too many visits!" if exceeded else "OK",
            "result": {},
            "retExtInfo": {},
            "time": int(now * 1000),
        }
        return web.json_response(payload, headers=headers)


async def test_pacing_keeps_a_burst_under_the_endpoint_limit(registry: Registry) -> None:
    unpaced, paced, limits = await burst_unpaced_then_paced(
        lambda: EndpointLimit(limit=3),
        HOSTS,
        registry,
        "https://api.bybit.com/v5/order/realtime?category=linear",
        7,
        apis=CREDENTIALS,
    )
    assert 10006 in unpaced.codes
    assert paced.codes == [0] * 7
    bucket = limits["bybit"]["/v5/order/realtime"]
    assert bucket.limit == 3 and bucket.remaining is not None and bucket.remaining >= 0


async def test_ip_ban_pauses_every_endpoint(registry: Registry) -> None:
    async def banned(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        return web.Response(status=403, text="access too frequent")

    async with HttpExchange(HOSTS, banned) as server, server.client(registry=registry) as client:
        result = await client.fetch("GET", "https://api.bybit.com/v5/market/tickers")
        ip = client.rate_limits["bybit"]["ip"]
        assert result.response.status == 403
        assert ip.paused_until is not None
        assert ip.paused_until - client.clock.time() > 590  # the documented 10 minutes
        assert len(server.seen) == 1  # nothing was re-sent
