"""BitMEX rate-limit headers and 429 Retry-After against a local exchange under the real hostname.

https://www.bitmex.com/app/restAPI ("Limits"): x-ratelimit-limit / -remaining / -reset (UNIX
seconds), x-ratelimit-remaining-1s on order endpoints, HTTP 429 with Retry-After.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from yarl import URL

from topgun.testing import Registry, burst_unpaced_then_paced
from topgun_bitmex.limits import buckets, read

HOSTS = ("www.bitmex.com",)
CREDENTIALS = {"bitmex": ["bitmex-key", "bitmex-secret"]}


def test_headers_read() -> None:
    headers = {
        "x-ratelimit-limit": "120",
        "x-ratelimit-remaining": "119",
        "x-ratelimit-reset": "1700000060",
        "x-ratelimit-remaining-1s": "9",
    }
    minute, burst = read(URL("https://www.bitmex.com/api/v1/order"), headers, 1_700_000_000.2)
    assert minute == ("requests", 1, 119, 120, 1_700_000_060)
    assert burst.bucket == "orders 1s" and burst.remaining == 9 and burst.reset == 1_700_000_001
    assert buckets("POST", URL("https://www.bitmex.com/api/v1/order")) == ("requests", "orders 1s")
    assert buckets("GET", URL("https://www.bitmex.com/api/v1/order")) == ("requests",)


class Allowance:
    """``per_window`` requests per one-second window, BitMEX's headers, 429 + Retry-After beyond."""

    def __init__(self, per_window: int) -> None:
        self.per_window = per_window
        self.window = 0
        self.left = per_window
        self.statuses: list[int] = []

    async def handle(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.Response:
        now = time.time()
        if int(now) != self.window:
            self.window, self.left = int(now), self.per_window
        status = 200 if self.left > 0 else 429
        self.left = max(0, self.left - 1)
        self.statuses.append(status)
        headers = {
            "x-ratelimit-limit": str(self.per_window),
            "x-ratelimit-remaining": str(self.left),
            "x-ratelimit-reset": str(int(now) + 1),  # when this window ends
        }
        if status == 429:
            headers["Retry-After"] = "1"
            return web.json_response(
                {"error": {"message": "Rate limit exceeded", "name": "RateLimitError"}},
                status=429,
                headers=headers,
            )
        return web.json_response([], headers=headers)


async def test_pacing_avoids_the_429(registry: Registry) -> None:
    unpaced, paced, limits = await burst_unpaced_then_paced(
        lambda: Allowance(per_window=3),
        HOSTS,
        registry,
        "https://www.bitmex.com/api/v1/position",
        7,
        apis=CREDENTIALS,
    )
    assert 429 in unpaced.statuses
    assert paced.statuses == [200] * 7
    assert limits["bitmex"]["requests"].limit == 3
