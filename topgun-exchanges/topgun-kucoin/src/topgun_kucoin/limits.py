"""KuCoin server time, timestamp rejections and HTTP rate limits, as the docs give them.

Server time: ``GET /api/v1/timestamp`` answers ``{"code": "200000", "data": <ms>}``
(https://www.kucoin.com/docs/rest/spot-trading/market-data/get-server-time).

Timestamp rejection: ``400002`` "Invalid KC-API-TIMESTAMP", HTTP 400: KC-API-TIMESTAMP must be
within 5 seconds of the server's time (https://www.kucoin.com/docs/basic-info/request-error-code,
https://www.kucoin.com/docs/basic-info/connection-method/authentication/signing-a-message).
The docs do not say the request was not acted on, so only GET requests are sent again.

Rate limits (https://www.kucoin.com/docs/basic-info/request-rate-limit/rest-api): limits are
resource pools (spot, futures, management, public) with a quota per 30 s; every answer carries
``gw-ratelimit-limit`` (the pool's quota), ``gw-ratelimit-remaining`` and
``gw-ratelimit-reset`` (milliseconds until the quota resets). Exceeding it answers HTTP 429
with code ``429000``. The headers do not name the pool; it is taken from the host here
(api.kucoin.com: ``spot``, api-futures.kucoin.com: ``futures``), which lumps the public and
management pools of a host with its trading pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from yarl import URL

from topgun.plugin import (
    HttpRateLimits,
    RateLimitReading,
    ServerTime,
    TimestampRejection,
    header_number,
    response_code,
)

_POOLS: Final = {"api-futures.kucoin.com": "futures"}


def _rejected(status: int, body: Any) -> bool:
    return response_code(body, "code") == "400002"


REJECTION: Final = TimestampRejection(_rejected, statuses=frozenset({400}), marker=b"400002")


def _server_time(body: Any) -> float:
    return int(body["data"]) / 1000


SERVER_TIME: Final = ServerTime("https://api.kucoin.com/api/v1/timestamp", _server_time, REJECTION)


def pool(url: URL) -> str:
    return _POOLS.get(url.host or "", "spot")


def read(url: URL, headers: Mapping[str, str], now: float) -> Sequence[RateLimitReading]:
    remaining = header_number(headers, "gw-ratelimit-remaining")
    if remaining is None:
        return ()
    limit = header_number(headers, "gw-ratelimit-limit")
    reset_in = header_number(headers, "gw-ratelimit-reset")
    return (
        RateLimitReading(
            pool(url),
            used=None if limit is None else limit - remaining,
            remaining=remaining,
            limit=limit,
            reset=None if reset_in is None else now + reset_in / 1000,
        ),
    )


def buckets(method: str, url: URL) -> tuple[str, ...]:
    return (pool(url),)


RATE_LIMITS: Final = HttpRateLimits(
    headers=("gw-ratelimit-limit", "gw-ratelimit-remaining", "gw-ratelimit-reset"),
    read=read,
    buckets=buckets,
)
