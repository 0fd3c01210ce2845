"""Bybit V5 server time, timestamp rejections and HTTP rate limits, as the docs give them.

Server time: ``GET /v5/market/time`` answers ``result.timeSecond`` / ``result.timeNano``
(https://bybit-exchange.github.io/docs/v5/market/time).

Timestamp rejection: ``retCode`` 10002, "The request time exceeds the time window range."
(https://bybit-exchange.github.io/docs/v5/error), in an HTTP 200 answer. The authentication guide
(https://bybit-exchange.github.io/docs/v5/guide, "Authentication") gives the server's check,
``server_time - recv_window <= timestamp < server_time + 1000``, made before the request is
handled, so a 10002 order was not placed and may be sent again.

Rate limits (https://bybit-exchange.github.io/docs/v5/rate-limit): every answer carries
``X-Bapi-Limit-Status`` (requests left for this endpoint), ``X-Bapi-Limit`` (the endpoint's
limit) and ``X-Bapi-Limit-Reset-Timestamp`` (ms: when the limit resets once exceeded, else the
current time). Limits are per UID and endpoint over a rolling second; exceeding one answers
``retCode`` 10006. The IP limit (600 requests per 5 s over all hosts) answers HTTP 403 "access too
frequent", and the docs say to stop and wait at least 10 minutes.
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

IP_BUCKET: Final = "ip"
_ROLLING_WINDOW: Final = 1.0


def _rejected(status: int, body: Any) -> bool:
    return response_code(body, "retCode") == 10002


REJECTION: Final = TimestampRejection(_rejected, marker=b"10002", not_executed=True)


def _server_time(body: Any) -> float:
    return int(body["result"]["timeNano"]) / 1e9


MAINNET_TIME: Final = ServerTime("https://api.bybit.com/v5/market/time", _server_time, REJECTION)
TESTNET_TIME: Final = ServerTime(
    "https://api-testnet.bybit.com/v5/market/time", _server_time, REJECTION
)


def read(url: URL, headers: Mapping[str, str], now: float) -> Sequence[RateLimitReading]:
    remaining = header_number(headers, "X-Bapi-Limit-Status")
    if remaining is None:
        return ()
    limit = header_number(headers, "X-Bapi-Limit")
    reset_ms = header_number(headers, "X-Bapi-Limit-Reset-Timestamp")
    reset = now + _ROLLING_WINDOW if reset_ms is None else reset_ms / 1000
    if remaining <= 0 and reset <= now:
        reset = now + _ROLLING_WINDOW  # spent but not yet over: the rolling second frees it
    used = None if limit is None else limit - remaining
    return (RateLimitReading(url.path, used, remaining, limit, reset),)


def buckets(method: str, url: URL) -> tuple[str, ...]:
    """The endpoint's own limit, and the IP limit every request shares."""
    return (url.path, IP_BUCKET)


RATE_LIMITS: Final = HttpRateLimits(
    headers=("X-Bapi-Limit-Status", "X-Bapi-Limit", "X-Bapi-Limit-Reset-Timestamp"),
    read=read,
    buckets=buckets,
    ban_statuses=frozenset({403, 429}),
    ban_pause=600.0,
)
