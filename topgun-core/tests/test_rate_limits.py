"""client.rate_limits and pacing, on a made-up exchange (core knows none).

``limits.toy.test`` answers ``X-TOY-REMAINING`` / ``X-TOY-LIMIT`` / ``X-TOY-RESET`` (epoch ms) for
a budget of ``quota`` requests per window, HTTP 429 beyond it (with ``Retry-After`` when asked).
"""

from __future__ import annotations

import asyncio
import email.utils
import io
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from aiohttp import web
from yarl import URL

from topgun.cli import print_exchanges
from topgun.http.ratelimits import Bucket, retry_after
from topgun.plugin import ApiSpec, Host, HttpRateLimits, RateLimitReading
from topgun.plugin.limits import header_number
from topgun.registry import Registry, build_registry
from topgun.testing import HttpExchange

HOST = "limits.toy.test"
URL_ = f"https://{HOST}/v1/orders"


def _read(url: URL, headers: Mapping[str, str], now: float) -> Sequence[RateLimitReading]:
    remaining = header_number(headers, "X-TOY-REMAINING")
    if remaining is None:
        return ()
    limit = header_number(headers, "X-TOY-LIMIT")
    reset = header_number(headers, "X-TOY-RESET")
    return (
        RateLimitReading(
            "orders",
            used=None if limit is None else limit - remaining,
            remaining=remaining,
            limit=limit,
            reset=None if reset is None else reset / 1000,
        ),
    )


SPEC = HttpRateLimits(
    headers=("X-TOY-REMAINING", "X-TOY-LIMIT", "X-TOY-RESET"),
    read=_read,
    buckets=lambda method, url: ("orders",),
)


@pytest.fixture
def registry(plugin_factory: Any) -> Registry:
    plugin = plugin_factory(
        "toylimits",
        apis=[ApiSpec("toylimits")],
        hosts=[Host(HOST, api="toylimits", body="json", rate_limits=SPEC)],
    )
    return build_registry([plugin], strict=True)


class Budget:
    def __init__(self, quota: int, window: float, retry_after: str | None = None) -> None:
        self.quota = quota
        self.window = window
        self.retry_after = retry_after
        self.started = 0.0
        self.used = 0
        self.statuses: list[int] = []
        self.arrivals: list[float] = []

    async def handle(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.Response:
        now = time.time()
        self.arrivals.append(now)
        if now - self.started >= self.window:
            self.started, self.used = now, 0
        self.used += 1
        status = 200 if self.used <= self.quota else 429
        self.statuses.append(status)
        headers = {
            "X-TOY-REMAINING": str(max(0, self.quota - self.used)),
            "X-TOY-LIMIT": str(self.quota),
            "X-TOY-RESET": str(int((self.started + self.window) * 1000) + 1),
        }
        if status == 429 and self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        return web.json_response({"ok": status == 200}, status=status, headers=headers)


async def test_every_response_fills_rate_limits(registry: Registry) -> None:
    budget = Budget(quota=10, window=60)
    async with (
        HttpExchange([HOST], budget.handle) as server,
        server.client(registry=registry) as client,
    ):
        assert dict(client.rate_limits) == {}
        await client.fetch("GET", URL_)
        await client.fetch("POST", URL_, data={"side": "buy"})
        bucket = client.rate_limits["toylimits"]["orders"]
    assert isinstance(bucket, Bucket)
    assert (bucket.used, bucket.remaining, bucket.limit) == (2, 8, 10)
    assert bucket.reset is not None and bucket.updated is not None
    assert "toylimits" in repr(client.rate_limits)


async def test_pacing_waits_for_the_reset_instead_of_a_429(registry: Registry) -> None:
    for pace, expect_429 in [(False, True), (True, False)]:
        budget = Budget(quota=2, window=0.3)
        async with (
            HttpExchange([HOST], budget.handle) as server,
            server.client(registry=registry, pace=pace) as client,
        ):
            for _ in range(5):
                await client.fetch("GET", URL_)
        assert (429 in budget.statuses) is expect_429, budget.statuses


async def test_pace_per_request_overrides_the_client(registry: Registry) -> None:
    budget = Budget(quota=1, window=0.3)
    async with (
        HttpExchange([HOST], budget.handle) as server,
        server.client(registry=registry, pace=True) as client,
    ):
        await client.fetch("GET", URL_)
        await client.fetch("GET", URL_, pace=False)  # sent at once, into the 429
        await client.fetch("GET", URL_)  # paced: waits for the window
    assert budget.statuses == [200, 429, 200]


async def test_concurrent_paced_requests_count_what_is_in_flight(registry: Registry) -> None:
    budget = Budget(quota=3, window=0.4)
    async with (
        HttpExchange([HOST], budget.handle) as server,
        server.client(registry=registry, pace=True) as client,
    ):
        await client.fetch("GET", URL_)  # learn the budget: 2 left in this window
        await asyncio.gather(*(client.fetch("GET", URL_) for _ in range(4)))
        assert client.rate_limits["toylimits"]["orders"].in_flight == 0
    assert budget.statuses == [200] * 5


async def test_retry_after_pauses_paced_requests_and_nothing_is_resent(
    registry: Registry,
) -> None:
    budget = Budget(quota=1, window=0.5, retry_after="1")
    async with (
        HttpExchange([HOST], budget.handle) as server,
        server.client(registry=registry, pace=True) as client,
    ):
        await client.fetch("GET", URL_)
        limited = await client.fetch("POST", URL_, data={"side": "buy"}, pace=False)
        assert limited.response.status == 429
        assert len(server.seen) == 2  # the POST was answered 429 and not sent again
        bucket = client.rate_limits["toylimits"]["orders"]
        assert bucket.paused_until is not None
        await client.fetch("GET", URL_)
    assert budget.statuses == [200, 429, 200]
    assert budget.arrivals[2] >= budget.arrivals[1] + 0.9  # it waited for the Retry-After


def test_retry_after_forms() -> None:
    now = time.time()
    assert retry_after("7", now) == 7.0
    assert retry_after(None, now) is None and retry_after("soon", now) is None
    date = email.utils.formatdate(now + 30, usegmt=True)
    parsed = retry_after(date, now)
    assert parsed is not None and 28 <= parsed <= 31
    assert retry_after(email.utils.formatdate(now - 30, usegmt=True), now) == 0.0


def test_bucket_blocked_until() -> None:
    assert Bucket(remaining=5, reset=100.0).blocked_until(50.0) is None
    assert Bucket(remaining=0, reset=100.0).blocked_until(50.0) == 100.0
    assert Bucket(remaining=0, reset=100.0).blocked_until(150.0) is None  # reset has passed
    assert Bucket(used=10, limit=10, reset=100.0).blocked_until(50.0) == 100.0
    assert Bucket(remaining=2, reset=100.0, in_flight=2).blocked_until(50.0) == 100.0
    assert Bucket(remaining=0).blocked_until(50.0) is None  # no reset known: nothing to wait for
    assert Bucket(paused_until=80.0).blocked_until(50.0) == 80.0


async def test_redirect_to_another_host_is_not_counted(registry: Registry) -> None:
    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        if request.host.startswith(HOST):
            raise web.HTTPFound("https://other.toy.test/landing")
        return web.json_response({}, headers={"X-TOY-REMAINING": "0", "X-TOY-RESET": "1"})

    async with (
        HttpExchange([HOST, "other.toy.test"], handle) as server,
        server.client(registry=registry) as client,
    ):
        await client.fetch("GET", URL_)
        assert dict(client.rate_limits) == {"toylimits": {}}


def test_exchanges_command_lists_http_and_ws_limits(registry: Registry) -> None:
    out = io.StringIO()
    print_exchanges(registry, out)
    text = out.getvalue()
    assert f"http-limit {HOST}: X-TOY-REMAINING, X-TOY-LIMIT, X-TOY-RESET; ban statuses 429" in text
