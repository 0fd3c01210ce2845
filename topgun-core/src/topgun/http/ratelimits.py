"""What exchanges say about their HTTP rate limits, kept per API name and bucket, and pacing by it.

Every response to a host whose plugin declares rate-limit headers is read (a few header lookups)
into ``Client.rate_limits``. With pacing on, a request whose bucket is known to be exhausted
waits for the bucket's reset before it is sent, and a ban answer (HTTP 429, or an exchange's own ban status) with
``Retry-After`` pauses the request's buckets for that long. Nothing is ever re-sent: pacing only
delays requests that have not left yet.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse

from ..clock import Clock
from ..plugin.specs import HttpRateLimits

__all__ = ["Bucket", "RateLimitMiddleware", "RateLimits", "retry_after"]

log = logging.getLogger("topgun.ratelimit")


@dataclass(slots=True)
class Bucket:
    """The last known state of one rate-limit bucket (times on the Client's clock, in seconds).

    ``used``/``remaining``/``limit``/``reset`` are what the latest response said (``None``: it
    did not say). ``paused_until`` is set by a ban answer. ``in_flight`` counts paced requests
    sent and not yet answered, which pacing counts against ``remaining``.
    """

    used: float | None = None
    remaining: float | None = None
    limit: float | None = None
    reset: float | None = None
    paused_until: float | None = None
    updated: float | None = None
    in_flight: int = 0

    def blocked_until(self, now: float) -> float | None:
        """When a new request may go, if it may not go now; ``None`` when it may."""
        if self.paused_until is not None and self.paused_until > now:
            return self.paused_until
        reset = self.reset
        if reset is None or reset <= now:
            return None
        left = self.remaining
        if left is None and self.limit is not None and self.used is not None:
            left = self.limit - self.used
        if left is not None and left - self.in_flight <= 0:
            return reset
        return None


class RateLimits(Mapping[str, Mapping[str, Bucket]]):
    """``client.rate_limits``: API name -> bucket name -> ``Bucket``, live and read-only."""

    __slots__ = ("_apis", "clock")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._apis: dict[str, dict[str, Bucket]] = {}

    def __getitem__(self, api: str) -> Mapping[str, Bucket]:
        return MappingProxyType(self._apis[api])

    def __iter__(self) -> Iterator[str]:
        return iter(self._apis)

    def __len__(self) -> int:
        return len(self._apis)

    def __repr__(self) -> str:
        return f"<RateLimits {dict((api, sorted(b)) for api, b in self._apis.items())}>"

    def _buckets(self, api: str) -> dict[str, Bucket]:
        buckets = self._apis.get(api)
        if buckets is None:
            buckets = self._apis[api] = {}
        return buckets

    def record(self, api: str, spec: HttpRateLimits, response: ClientResponse) -> None:
        now = self.clock.time()
        buckets = self._buckets(api)
        for reading in spec.read(response.url, response.headers, now):
            bucket = buckets.get(reading.bucket)
            if bucket is None:
                bucket = buckets[reading.bucket] = Bucket()
            bucket.used = reading.used
            bucket.remaining = reading.remaining
            bucket.limit = reading.limit
            bucket.reset = reading.reset
            bucket.updated = now

    def pause(
        self, api: str, names: tuple[str, ...], response: ClientResponse, default: float | None
    ) -> float | None:
        """After a ban answer: pause ``names`` for its Retry-After (else ``default``) seconds."""
        now = self.clock.time()
        delay = retry_after(response.headers.get("Retry-After"), now)
        if delay is None:
            delay = default
        if delay is None:
            return None
        until = now + delay
        buckets = self._buckets(api)
        for name in names:
            bucket = buckets.get(name)
            if bucket is None:
                bucket = buckets[name] = Bucket()
            if bucket.paused_until is None or bucket.paused_until < until:
                bucket.paused_until = until
        return delay

    async def acquire(self, api: str, names: tuple[str, ...]) -> None:
        """Wait while one of ``names`` is exhausted or paused, then count the request in."""
        buckets = self._buckets(api)
        while True:
            now = self.clock.time()
            until = max(
                (t for name in names if (b := buckets.get(name)) and (t := b.blocked_until(now))),
                default=None,
            )
            if until is None:
                break
            log.info(
                "pacing %s %s: waiting %.3f s for the exchange's reset", api, names, until - now
            )
            await asyncio.sleep(until - now)
        for name in names:
            bucket = buckets.get(name)
            if bucket is not None:
                bucket.in_flight += 1

    def release(self, api: str, names: tuple[str, ...]) -> None:
        buckets = self._apis.get(api, {})
        for name in names:
            bucket = buckets.get(name)
            if bucket is not None and bucket.in_flight > 0:
                bucket.in_flight -= 1


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True, slots=True)
class RateLimitMiddleware:
    """Per request to a host with declared rate limits: pace (if asked), then record the answer."""

    api: str
    host: str
    spec: HttpRateLimits
    limits: RateLimits
    pace: bool

    async def __call__(self, request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        if (request.url.host or "").removesuffix(".") != self.host:
            # A redirect elsewhere: not this exchange's budget.
            return await handler(request)
        spec, limits, api = self.spec, self.limits, self.api
        names = spec.buckets(request.method, request.url)
        if not self.pace:
            response = await handler(request)
        else:
            await limits.acquire(api, names)
            try:
                response = await handler(request)
            finally:
                limits.release(api, names)
        limits.record(api, spec, response)
        if response.status in spec.ban_statuses:
            delay = limits.pause(api, names, response, spec.ban_pause)
            log.warning(
                "%s answered HTTP %d to %s %s (rate limit)%s",
                api,
                response.status,
                request.method,
                request.url.path,
                f"; {names} paused for {delay:.1f} s" if delay is not None else "",
            )
        return response
