"""Binance time and rate limits against a local exchange under the real hostnames.

Server time and -1021: https://developers.binance.com/docs/binance-spot-api-docs/rest-api/general-endpoints
("Check server time") and https://developers.binance.com/docs/binance-spot-api-docs/errors.
Rate-limit headers, 429/418 and Retry-After:
https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from topgun.testing import (
    ClockScenario,
    HttpExchange,
    Registry,
    TimestampRules,
    burst_unpaced_then_paced,
    query_stamp,
)
from topgun.testing.conformance import ClockSuite
from topgun_binance.limits import buckets, read

HOSTS = ("api.binance.com", "fapi.binance.com")
CREDENTIALS = {"binance": ["binance-key", "binance-secret"]}


RULES = TimestampRules(
    time_path="/api/v3/time",
    time_body=lambda now: {"serverTime": int(now * 1000)},
    timestamp=query_stamp(),
    window=2.0,  # the recvWindow=2000 the scenario's requests carry
    rejection=lambda: web.json_response(
        {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."},
        status=400,
    ),
)
SCENARIO = ClockScenario(
    api="binance",
    credentials=CREDENTIALS,
    hosts=HOSTS,
    rules=RULES,
    get_url="https://api.binance.com/api/v3/account?recvWindow=2000",
    post_url="https://api.binance.com/api/v3/order",
    post_data={
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "MARKET",
        "quantity": "0.001",
        "recvWindow": 2000,
    },
)


class TestBinanceClock(ClockSuite):
    scenario = SCENARIO


def test_headers_read_into_buckets() -> None:
    now = 1_700_000_030.5
    headers = CIMultiDict(
        {
            "X-MBX-USED-WEIGHT-1M": "120",
            "X-MBX-ORDER-COUNT-10S": "3",
            "X-MBX-ORDER-COUNT-1D": "40",
            "Content-Type": "application/json",
        }
    )
    readings = {
        r.bucket: r for r in read(URL("https://api.binance.com/api/v3/order"), headers, now)
    }
    assert readings["spot weight 1m"].used == 120
    assert readings["spot weight 1m"].remaining == 5880 and readings["spot weight 1m"].limit == 6000
    assert readings["spot weight 1m"].reset == 1_700_000_040.0  # the minute ends at :40
    assert readings["spot orders 10s"].remaining == 97
    assert readings["spot orders 1d"].reset == 1_700_006_400.0  # midnight UTC
    futures = read(
        URL("https://fapi.binance.com/fapi/v1/order"),
        CIMultiDict({"x-mbx-used-weight-1m": "7"}),
        now,
    )
    assert [(r.bucket, r.limit) for r in futures] == [("usdm weight 1m", 2400)]
    assert read(URL("https://api.binance.com/x"), {"X-MBX-USED-WEIGHT-1M": "n/a"}, now) == []
    assert buckets("GET", URL("https://api1.binance.com/api/v3/depth")) == ("spot weight 1m",)
    assert buckets("POST", URL("https://fapi.binance.com/fapi/v1/order")) == (
        "usdm weight 1m",
        "usdm orders 10s",
        "usdm orders 1m",
        "usdm orders 1d",
    )


class WeightCounter:
    """A Binance IP budget: ``limit`` weight, 429 + Retry-After once spent, 418 for who goes on."""

    def __init__(self, limit: int, retry_after: int = 1) -> None:
        self.limit = limit
        self.retry_after = retry_after
        self.used = 0
        self.banned_until = 0.0
        self.statuses: list[int] = []

    async def handle(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.Response:
        now = time.monotonic()
        if now < self.banned_until:
            status, payload = 418, {"code": -1003, "msg": "Way too many requests; IP banned."}
            self.banned_until = now + 60
        elif self.used >= self.limit:
            status, payload = 429, {"code": -1003, "msg": "Too many requests."}
            self.banned_until = now + self.retry_after
            self.used = 0  # the window the Retry-After waits for starts afresh
        else:
            self.used += 1
            status, payload = 200, {"ok": True}
        self.statuses.append(status)
        headers = {"X-MBX-USED-WEIGHT-1M": str(self.used)}
        if status != 200:
            headers["Retry-After"] = str(self.retry_after if status == 429 else 60)
        return web.json_response(payload, status=status, headers=headers)


async def test_pacing_turns_a_banned_burst_into_a_clean_one(registry: Registry) -> None:
    url = "https://api.binance.com/api/v3/depth?symbol=BTCUSDT"
    unpaced, paced, limits = await burst_unpaced_then_paced(
        lambda: WeightCounter(limit=3), HOSTS, registry, url, 6
    )
    assert 418 in unpaced.statuses  # the burst went on after the 429 and got the IP banned
    assert 418 not in paced.statuses
    assert paced.statuses.count(429) == 1 and paced.statuses.count(200) == 5
    spot = limits["binance"]["spot weight 1m"]
    assert spot.used == 2 and spot.limit == 6000 and spot.paused_until is not None


async def test_rate_limits_filled_from_every_response(registry: Registry) -> None:
    counter = WeightCounter(limit=100)
    async with (
        HttpExchange(HOSTS, counter.handle) as server,
        server.client(apis=CREDENTIALS, registry=registry) as client,
    ):
        await client.fetch("GET", "https://api.binance.com/api/v3/depth")
        await client.fetch("GET", "https://api.binance.com/api/v3/account")
        await client.fetch("GET", "https://fapi.binance.com/fapi/v1/depth")
        limits = client.rate_limits
    assert set(limits) == {"binance"}
    assert limits["binance"]["spot weight 1m"].used == 2
    assert limits["binance"]["usdm weight 1m"].used == 3
