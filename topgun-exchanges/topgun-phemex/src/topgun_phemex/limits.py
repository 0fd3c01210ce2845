"""Phemex server time and HTTP rate limits, as the docs give them.

Server time: ``GET /public/time`` answers ``{"code": 0, "data": {"serverTime": <ms>}}``
(https://github.com/phemex/phemex-api-docs/blob/master/Public-Spot-API-en.md, "Query server
time"). Phemex signs with ``x-phemex-request-expiry`` (a deadline); its docs name no error code
for an expired request, so no timestamp rejection is declared and nothing is retried.

Rate limits (https://github.com/phemex/phemex-api-docs/blob/master/Generic-API-Info.en.md):
APIs fall into the groups ``Contract``, ``SpotOrder`` and ``Others``, each a per-minute capacity
per user. Answers carry ``x-ratelimit-remaining-<group>``, ``x-ratelimit-capacity-<group>`` and,
once limited, ``x-ratelimit-retry-after-<group>`` (seconds); the suffix is empty for Others.
Going over answers HTTP 429. The group of a request follows the docs' "Api Groups" tables.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any, Final

from yarl import URL

from topgun.plugin import HttpRateLimits, RateLimitReading, ServerTime, next_window

_REMAINING: Final = "x-ratelimit-remaining"
_CAPACITY: Final = "x-ratelimit-capacity"
_RETRY: Final = "x-ratelimit-retry-after"
OTHERS: Final = "others"
_CONTRACT_PATHS: Final = ("/orders", "/accounts/accountPositions", "/accounts/positions")


def _server_time(body: Any) -> float:
    return int(body["data"]["serverTime"]) / 1000


SERVER_TIME: Final = ServerTime("https://api.phemex.com/public/time", _server_time)
TESTNET_TIME: Final = ServerTime("https://testnet-api.phemex.com/public/time", _server_time)


def read(url: URL, headers: Mapping[str, str], now: float) -> Sequence[RateLimitReading]:
    found: dict[str, dict[str, float]] = {}
    for name, value in headers.items():
        lower = name.lower()
        for prefix in (_REMAINING, _CAPACITY, _RETRY):
            if lower.startswith(prefix):
                named = lower[len(prefix) :].lstrip("-") or OTHERS
                with contextlib.suppress(ValueError):
                    found.setdefault(named, {})[prefix] = float(value)
                break
    readings = []
    for named, values in found.items():
        remaining = values.get(_REMAINING)
        capacity = values.get(_CAPACITY)
        retry = values.get(_RETRY)
        readings.append(
            RateLimitReading(
                named,
                used=None if capacity is None or remaining is None else capacity - remaining,
                remaining=0.0 if retry is not None else remaining,
                limit=capacity,
                reset=now + retry if retry is not None else next_window(now, 60.0),
            )
        )
    return readings


def group(url: URL) -> str:
    path = url.path
    if path.startswith("/spot/orders"):
        return "spotorder"
    if path.startswith(_CONTRACT_PATHS):
        return "contract"
    return OTHERS


def buckets(method: str, url: URL) -> tuple[str, ...]:
    return (group(url),)


RATE_LIMITS: Final = HttpRateLimits(
    headers=(
        "x-ratelimit-remaining-<group>",
        "x-ratelimit-capacity-<group>",
        "x-ratelimit-retry-after-<group>",
    ),
    read=read,
    buckets=buckets,
)
