"""What keeping ``client.rate_limits`` costs per response, and what pacing adds to a request.

The per-response work is the plugin's header read plus storing the readings; it is measured
alone (Binance's and Bybit's documented headers in a realistic header set), and then as the
difference between loopback GETs to a host with the rate-limit declaration and the same host
without it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import types
from collections.abc import Callable
from typing import Any

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import topgun
from topgun.http.ratelimits import RateLimits
from topgun.plugin import ApiSpec, Host, HttpRateLimits, hookimpl
from topgun.registry import build_registry
from topgun.testing import LocalExchange
from topgun_binance import limits as binance_limits
from topgun_binance import plugin as binance_plugin
from topgun_bybit import limits as bybit_limits

from ._report import Report, best_of

REQUESTS = 1500
ROUNDS = 5

_COMMON = {
    "Content-Type": "application/json;charset=UTF-8",
    "Content-Length": "512",
    "Connection": "keep-alive",
    "Date": "Tue, 08 Dec 2026 02:00:00 GMT",
    "Server": "nginx",
    "Vary": "Accept-Encoding",
    "Strict-Transport-Security": "max-age=31536000; includeSubdomains",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Xss-Protection": "1; mode=block",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache, no-store, must-revalidate",
}
BINANCE_HEADERS = {
    **_COMMON,
    "X-MBX-UUID": "7c9f0a4e-1b7d-4c1e-9a55-7f0e3c2b9d11",
    "X-MBX-USED-WEIGHT": "21",
    "X-MBX-USED-WEIGHT-1M": "21",
    "X-MBX-ORDER-COUNT-10S": "1",
    "X-MBX-ORDER-COUNT-1D": "12",
}
BYBIT_HEADERS = {
    **_COMMON,
    "X-Bapi-Limit": "10",
    "X-Bapi-Limit-Status": "9",
    "X-Bapi-Limit-Reset-Timestamp": "1672738134824",
    "Traceid": "a2b5c3d4e5f6",
}


@dataclasses.dataclass
class _Answer:
    """The two attributes ``RateLimits.record`` reads from an aiohttp response."""

    url: URL
    headers: CIMultiDictProxy[str]


def _record_cost(spec: HttpRateLimits, url: str, headers: dict[str, str]) -> float:
    limits = RateLimits(topgun.Clock())
    answer = _Answer(URL(url), CIMultiDictProxy(CIMultiDict(headers)))
    return best_of(lambda: limits.record("x", spec, answer), repeat=7, number=20000)  # type: ignore[arg-type]


def run(report: Report) -> None:
    binance = _record_cost(
        binance_limits.RATE_LIMITS, "https://api.binance.com/api/v3/order", BINANCE_HEADERS
    )
    report.add("rate limits", "Binance headers read + stored, per response", {"topgun": binance})
    bybit = _record_cost(
        bybit_limits.RATE_LIMITS, "https://api.bybit.com/v5/order/create", BYBIT_HEADERS
    )
    report.add("rate limits", "Bybit headers read + stored, per response", {"topgun": bybit})
    asyncio.run(_loopback(report))


def _without_rate_limits(module: types.ModuleType) -> types.ModuleType:
    """The same plugin with its hosts' rate-limit declarations taken out."""
    copy = types.ModuleType("topgun_binance_untracked")

    @hookimpl
    def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
        module.topgun_register_apis(register)

    @hookimpl
    def topgun_register_hosts(register: Callable[[Host], None]) -> None:
        module.topgun_register_hosts(
            lambda host: register(dataclasses.replace(host, rate_limits=None))
        )

    copy.topgun_register_apis = topgun_register_apis  # type: ignore[attr-defined]
    copy.topgun_register_hosts = topgun_register_hosts  # type: ignore[attr-defined]
    return copy


async def _loopback(report: Report) -> None:
    served = {k: v for k, v in BINANCE_HEADERS.items() if k != "Content-Length"}

    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=b"{}", headers=served)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    target = "http://api.binance.com/api/v3/depth?symbol=BTCUSDT"
    tracked = build_registry([binance_plugin], strict=True)
    untracked = build_registry([_without_rate_limits(binance_plugin)], strict=True)
    async with LocalExchange(app, ["api.binance.com"], tls=False) as server:
        clients = {
            "untracked": topgun.Client(registry=untracked, connector=server.connector()),
            "tracked": topgun.Client(registry=tracked, connector=server.connector()),
            "tracked + pace": topgun.Client(
                registry=tracked, pace=True, connector=server.connector()
            ),
        }
        best = {name: float("inf") for name in clients}
        for _ in range(ROUNDS):
            for name, client in clients.items():  # interleaved, so drift hits every case alike
                for _ in range(50):
                    await _get(client, target)
                start = time.perf_counter()
                for _ in range(REQUESTS):
                    await _get(client, target)
                best[name] = min(best[name], (time.perf_counter() - start) / REQUESTS)
        for client in clients.values():
            await client.close()
    for name, seconds in best.items():
        report.add("rate limits", f"loopback GET, {name}", {"topgun": seconds})
    print(
        f"  rate-limit tracking per request: {(best['tracked'] - best['untracked']) * 1e6:+.1f} µs; "
        f"with pacing: {(best['tracked + pace'] - best['untracked']) * 1e6:+.1f} µs"
    )


async def _get(client: Any, url: str) -> None:
    async with client.get(url) as response:
        await response.read()
        assert response.status == 200, response.status
