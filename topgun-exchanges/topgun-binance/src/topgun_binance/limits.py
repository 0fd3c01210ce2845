"""Binance server time, timestamp rejections and HTTP rate limits, as the docs give them.

Server time: ``GET /api/v3/time`` (spot) and ``GET /fapi/v1/time`` (USDⓈ-M futures) answer
``{"serverTime": <ms>}``
(https://developers.binance.com/docs/binance-spot-api-docs/rest-api/general-endpoints,
"Check server time").

Timestamp rejection: error ``-1021`` (INVALID_TIMESTAMP, "Timestamp for this request is outside of
the recvWindow." / "...was 1000ms ahead of the server's time.") with HTTP 400
(https://developers.binance.com/docs/binance-spot-api-docs/errors). The "Timing security"
section of https://developers.binance.com/docs/binance-spot-api-docs/rest-api/endpoint-security-type
gives the server's logic: the request is processed only when the timestamp is inside the window,
otherwise rejected, so a -1021 order was not placed and may be sent again.

Rate limits (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits):
every response carries ``X-MBX-USED-WEIGHT-(intervalNum)(intervalLetter)``, the IP's used weight
in that interval; order responses carry ``X-MBX-ORDER-COUNT-(intervalNum)(intervalLetter)``, the
account's order count. The intervals read are the ones ``exchangeInfo`` lists (weight per minute,
orders per 10 s, minute and day). Intervals are fixed windows (a minute, ten seconds, a day). Breaking a limit
gives HTTP 429 with ``Retry-After`` (seconds); going on after a 429 gives HTTP 418, an IP ban, with
``Retry-After`` too. The limits themselves are in ``exchangeInfo`` (``rateLimits``); the defaults
it lists are used here: spot 6,000 weight per minute, 100 orders per 10 s and 200,000 per day;
USDⓈ-M and COIN-M futures 2,400 weight per minute, USDⓈ-M 300 orders per 10 s and 1,200 per
minute. Spot hosts (api, api1-4, api-gcp) share one IP budget; each futures product has its own.
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
    next_window,
    response_code,
)

_FAMILY_BY_HOST: Final = {
    "fapi.binance.com": "usdm",
    "dapi.binance.com": "coinm",
    "eapi.binance.com": "options",
    "papi.binance.com": "papi",
}
_FAMILY_BY_PATH: Final = {"fapi": "usdm", "dapi": "coinm", "eapi": "options", "papi": "papi"}

LIMITS: Final[Mapping[tuple[str, str, str], float]] = {
    ("spot", "weight", "1m"): 6000,
    ("spot", "orders", "10s"): 100,
    ("spot", "orders", "1d"): 200_000,
    ("usdm", "weight", "1m"): 2400,
    ("usdm", "orders", "10s"): 300,
    ("usdm", "orders", "1m"): 1200,
    ("coinm", "weight", "1m"): 2400,
}


def _rejected(status: int, body: Any) -> bool:
    return response_code(body, "code") == -1021


REJECTION: Final = TimestampRejection(
    _rejected, statuses=frozenset({400}), marker=b"-1021", not_executed=True
)


def _server_time(body: Any) -> float:
    return float(body["serverTime"]) / 1000


SPOT_TIME: Final = ServerTime("https://api.binance.com/api/v3/time", _server_time, REJECTION)
SPOT_TESTNET_TIME: Final = ServerTime(
    "https://testnet.binance.vision/api/v3/time", _server_time, REJECTION
)
FUTURES_TESTNET_TIME: Final = ServerTime(
    "https://testnet.binancefuture.com/fapi/v1/time", _server_time, REJECTION
)


def family(url: URL) -> str:
    """Which budget a URL draws from: ``spot``, ``usdm``, ``coinm``, ``options`` or ``papi``."""
    by_host = _FAMILY_BY_HOST.get(url.host or "")
    if by_host is not None:
        return by_host
    parts = url.path.split("/", 2)
    return _FAMILY_BY_PATH.get(parts[1] if len(parts) > 1 else "", "spot")


# The intervals exchangeInfo lists: weight per minute; orders per 10 s, minute and day. Looking
# these names up costs far less than scanning every header of every response.
_HEADERS: Final = (
    ("X-MBX-USED-WEIGHT-1M", "weight", "1m", 60),
    ("X-MBX-ORDER-COUNT-10S", "orders", "10s", 10),
    ("X-MBX-ORDER-COUNT-1M", "orders", "1m", 60),
    ("X-MBX-ORDER-COUNT-1D", "orders", "1d", 86400),
)
_TABLE: Final = {
    fam: tuple(
        (header, f"{fam} {kind} {interval}", LIMITS.get((fam, kind, interval)), seconds)
        for header, kind, interval, seconds in _HEADERS
    )
    for fam in ("spot", "usdm", "coinm", "options", "papi")
}


def read(url: URL, headers: Mapping[str, str], now: float) -> Sequence[RateLimitReading]:
    readings: list[RateLimitReading] = []
    for header, bucket, limit, seconds in _TABLE[family(url)]:
        value = headers.get(header)
        if value is None:
            continue
        try:
            used = float(value)
        except ValueError:
            continue
        remaining = None if limit is None else limit - used
        readings.append(RateLimitReading(bucket, used, remaining, limit, next_window(now, seconds)))
    return readings


def buckets(method: str, url: URL) -> tuple[str, ...]:
    """The IP weight of the product; new orders also count against the order limits."""
    fam = family(url)
    if method == "POST" and "order" in url.path.lower():
        return (
            f"{fam} weight 1m",
            *(bucket for _, bucket, _, _ in _TABLE[fam][1:]),
        )
    return (f"{fam} weight 1m",)


RATE_LIMITS: Final = HttpRateLimits(
    headers=("X-MBX-USED-WEIGHT-*", "X-MBX-ORDER-COUNT-*", "Retry-After"),
    read=read,
    buckets=buckets,
    ban_statuses=frozenset({429, 418}),
)
