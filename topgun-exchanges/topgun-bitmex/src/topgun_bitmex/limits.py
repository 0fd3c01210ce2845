"""BitMEX HTTP rate limits, as https://www.bitmex.com/app/restAPI ("Limits") gives them.

Every answer carries ``x-ratelimit-limit`` (requests allowed per minute), ``x-ratelimit-remaining``
and ``x-ratelimit-reset`` (the UNIX time, in seconds, at which the allowance is full again).
Order endpoints also have a burst limit of ten per second, reported as
``x-ratelimit-remaining-1s``. Going over answers HTTP 429 with ``Retry-After`` (seconds).

No server time is declared: BitMEX signs with ``api-expires`` (a deadline a few seconds ahead),
and its docs give no dedicated server-time endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from yarl import URL

from topgun.plugin import HttpRateLimits, RateLimitReading, header_number, next_window

MINUTE: Final = "requests"
BURST: Final = "orders 1s"


def read(url: URL, headers: Mapping[str, str], now: float) -> Sequence[RateLimitReading]:
    readings: list[RateLimitReading] = []
    remaining = header_number(headers, "x-ratelimit-remaining")
    if remaining is not None:
        limit = header_number(headers, "x-ratelimit-limit")
        readings.append(
            RateLimitReading(
                MINUTE,
                used=None if limit is None else limit - remaining,
                remaining=remaining,
                limit=limit,
                reset=header_number(headers, "x-ratelimit-reset"),
            )
        )
    burst = header_number(headers, "x-ratelimit-remaining-1s")
    if burst is not None:
        readings.append(RateLimitReading(BURST, remaining=burst, reset=next_window(now, 1.0)))
    return readings


def buckets(method: str, url: URL) -> tuple[str, ...]:
    if method != "GET" and url.path.startswith("/api/v1/order"):
        return (MINUTE, BURST)
    return (MINUTE,)


RATE_LIMITS: Final = HttpRateLimits(
    headers=(
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-remaining-1s",
        "Retry-After",
    ),
    read=read,
    buckets=buckets,
)
