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
account's order count. Intervals are fixed windows (a minute, ten seconds, a day). Breaking a limit
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
)
from topgun.plugin.limits import INTERVAL_SECONDS, next_window, response_code

_WEIGHT: Final = "x-mbx-used-weight-"
_ORDERS: Final = "x-mbx-order-count-"

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


def read(url: URL, headers: Mapping[str, str], now: float) -> Sequence[RateLimitReading]:
    readings: list[RateLimitReading] = []
    fam: str | None = None
    for name, value in headers.items():
        lower = name.lower()
        if lower.startswith(_WEIGHT):
            kind, interval = "weight", lower[len(_WEIGHT) :]
        elif lower.startswith(_ORDERS):
            kind, interval = "orders", lower[len(_ORDERS) :]
        else:
            continue
        seconds = _interval_seconds(interval)
        if seconds is None:
            continue
        try:
            used = float(value)
        except ValueError:
            continue
        fam = fam or family(url)
        limit = LIMITS.get((fam, kind, interval))
        readings.append(
            RateLimitReading(
                f"{fam} {kind} {interval}",
                used=used,
                remaining=None if limit is None else limit - used,
                limit=limit,
                reset=next_window(now, seconds),
            )
        )
    return readings


def _interval_seconds(interval: str) -> float | None:
    unit = INTERVAL_SECONDS.get(interval[-1:])
    if unit is None or not interval[:-1].isdigit():
        return None
    return int(interval[:-1]) * unit


def buckets(method: str, url: URL) -> tuple[str, ...]:
    """The IP weight of the product; new orders also count against the order limits."""
    fam = family(url)
    if method == "POST" and "order" in url.path.lower():
        return (
            f"{fam} weight 1m",
            *(f"{fam} orders {i}" for (f, kind, i) in LIMITS if f == fam and kind == "orders"),
        )
    return (f"{fam} weight 1m",)


RATE_LIMITS: Final = HttpRateLimits(
    headers=("X-MBX-USED-WEIGHT-*", "X-MBX-ORDER-COUNT-*", "Retry-After"),
    read=read,
    buckets=buckets,
    ban_statuses=frozenset({429, 418}),
)
