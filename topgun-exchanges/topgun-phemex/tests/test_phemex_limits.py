"""Phemex server time and rate-limit groups against a local exchange under the real hostname.

Server time: https://github.com/phemex/phemex-api-docs/blob/master/Public-Spot-API-en.md ("Query
server time"). Groups and headers:
https://github.com/phemex/phemex-api-docs/blob/master/Generic-API-Info.en.md
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from yarl import URL

from topgun.testing import HttpExchange, Registry
from topgun_phemex.limits import buckets, read

HOSTS = ("api.phemex.com",)
CREDENTIALS = {"phemex": ["phemex-key", "cGhlbWV4LXNlY3JldA=="]}
AHEAD = 3.2


def test_headers_read_per_group() -> None:
    now = 1_700_000_010.0
    headers = {
        "x-ratelimit-remaining-contract": "497",
        "x-ratelimit-capacity-contract": "500",
        "x-ratelimit-remaining": "99",
        "x-ratelimit-capacity": "100",
    }
    readings = {r.bucket: r for r in read(URL("https://api.phemex.com/orders"), headers, now)}
    assert readings["contract"] == ("contract", 3, 497, 500, 1_700_000_040.0)
    assert readings["others"].remaining == 99 and readings["others"].limit == 100
    limited = read(
        URL("https://api.phemex.com/spot/orders"), {"x-ratelimit-retry-after-spotorder": "12"}, now
    )
    assert limited == [("spotorder", None, 0.0, None, now + 12)]
    assert buckets("POST", URL("https://api.phemex.com/spot/orders")) == ("spotorder",)
    assert buckets("GET", URL("https://api.phemex.com/accounts/accountPositions")) == ("contract",)
    assert buckets("GET", URL("https://api.phemex.com/md/orderbook")) == ("others",)


async def test_sync_clock_reads_the_documented_answer(registry: Registry) -> None:
    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        now = time.time() + AHEAD
        return web.json_response({"code": 0, "msg": "", "data": {"serverTime": int(now * 1000)}})

    async with (
        HttpExchange(HOSTS, handle) as server,
        server.client(apis=CREDENTIALS, registry=registry) as client,
    ):
        result = await client.sync_clock()
    assert result.api == "phemex" and result.url == "https://api.phemex.com/public/time"
    assert abs(result.offset - AHEAD) <= result.round_trip / 2 + 0.003


async def test_a_429_pauses_its_group_for_the_retry_after(registry: Registry) -> None:
    answered: list[float] = []

    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        answered.append(time.time())
        if len(answered) == 1:
            return web.json_response(
                {"code": 429, "msg": "Too many requests"},
                status=429,
                headers={
                    "x-ratelimit-retry-after-contract": "1",
                    "x-ratelimit-capacity-contract": "500",
                },
            )
        return web.json_response(
            {"code": 0, "msg": "", "data": {}},
            headers={
                "x-ratelimit-remaining-contract": "499",
                "x-ratelimit-capacity-contract": "500",
            },
        )

    async with (
        HttpExchange(HOSTS, handle) as server,
        server.client(apis=CREDENTIALS, registry=registry, pace=True) as client,
    ):
        first = await client.fetch("GET", "https://api.phemex.com/orders/activeList?symbol=BTCUSD")
        second = await client.fetch("GET", "https://api.phemex.com/orders/activeList?symbol=BTCUSD")
        contract = client.rate_limits["phemex"]["contract"]
    assert first.response.status == 429 and second.response.status == 200
    assert answered[1] - answered[0] >= 0.9  # the second waited out the group's Retry-After
    assert contract.remaining == 499 and contract.limit == 500
