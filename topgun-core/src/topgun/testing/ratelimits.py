"""A bot's burst of requests against a local exchange, for tests of rate-limit tracking and pacing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..http.ratelimits import RateLimits
from ..registry import Registry
from .http import HttpExchange

__all__ = ["burst"]


async def burst(
    exchange: HttpExchange,
    registry: Registry,
    url: str,
    count: int,
    *,
    pace: bool,
    apis: Mapping[str, Any] | None = None,
) -> RateLimits:
    """Start ``exchange``, send ``count`` GETs to ``url`` one after the other (as a bot's loop
    does) through a Client with ``pace``, stop it; return that Client's ``rate_limits``."""
    kwargs: dict[str, Any] = {"registry": registry, "pace": pace}
    if apis is not None:
        kwargs["apis"] = dict(apis)
    async with exchange, exchange.client(**kwargs) as client:
        for _ in range(count):
            await client.fetch("GET", url)
        return client.rate_limits
