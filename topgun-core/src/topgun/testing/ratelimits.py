"""A bot's burst of requests against a local exchange, for tests of rate-limit tracking and pacing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, Protocol

from aiohttp import web

from ..http.ratelimits import RateLimits
from ..registry import Registry
from .http import HttpExchange

__all__ = ["Bursts", "Limiter", "burst", "burst_unpaced_then_paced"]


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


class Limiter(Protocol):
    """A test's model of an exchange's rate limit: it answers each request and keeps what it
    answered, for the test to look at afterwards."""

    async def handle(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.StreamResponse: ...


class Bursts(NamedTuple):
    """The same burst sent twice, each to a fresh limiter: without pacing, then with it.

    ``unpaced`` and ``paced`` are the two limiters, as the test's factory made them (typed
    ``Any`` so that a test reads what its own limiter kept, statuses or codes, without a cast).
    """

    unpaced: Any
    paced: Any
    limits: RateLimits
    """The paced Client's ``rate_limits`` once its burst was done."""


async def burst_unpaced_then_paced(
    limiter: Callable[[], Limiter],
    hosts: Iterable[str],
    registry: Registry,
    url: str,
    count: int,
    *,
    apis: Mapping[str, Any] | None = None,
) -> Bursts:
    """``burst`` ``count`` GETs to ``url`` at ``hosts`` answered by a new ``limiter()``, first
    without pacing, then with it: the contrast a pacing test asserts."""
    hosts = tuple(hosts)
    unpaced = limiter()
    await burst(HttpExchange(hosts, unpaced.handle), registry, url, count, pace=False, apis=apis)
    paced = limiter()
    exchange = HttpExchange(hosts, paced.handle)
    limits = await burst(exchange, registry, url, count, pace=True, apis=apis)
    return Bursts(unpaced, paced, limits)
