"""Measuring the offset between the local clock and an exchange's, and keeping a Client's in line.

A single request's server time is off by however long the answer took to come back. Several
round trips are made and the fastest one is kept: its midpoint is the best estimate of when the
exchange read its clock, so network latency does not become skew.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import aiohttp
import orjson

from ..clock import Clock
from ..errors import ClockSyncError
from ..plugin.specs import ServerTime, TimestampRejection
from .limit import read_small

__all__ = [
    "DEFAULT_SAMPLES",
    "MAX_REJECTION_SIZE",
    "SAFE_METHODS",
    "ClockKeeper",
    "ClockSync",
    "TimestampGuard",
    "describe",
    "measure",
]

log = logging.getLogger("topgun.clock")

DEFAULT_SAMPLES: Final = 5
_TIMEOUT: Final = aiohttp.ClientTimeout(total=10.0)
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_REJECTION_SIZE: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class ClockSync:
    """One measurement: ``offset`` (exchange time minus local time, seconds) from the sample
    with the shortest ``round_trip``; ``samples`` holds every ``(offset, round_trip)`` taken."""

    api: str
    url: str
    offset: float
    round_trip: float
    samples: tuple[tuple[float, float], ...]


async def measure(
    session: aiohttp.ClientSession, api: str, spec: ServerTime, samples: int = DEFAULT_SAMPLES
) -> ClockSync:
    """Ask ``spec.url`` for the time ``samples`` times, one after the other."""
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    taken: list[tuple[float, float]] = []
    for _ in range(samples):
        sent_wall = time.time()
        sent = time.perf_counter()
        server = await _server_time(session, api, spec)
        round_trip = time.perf_counter() - sent
        taken.append((server - (sent_wall + round_trip / 2), round_trip))
    offset, round_trip = min(taken, key=lambda sample: sample[1])
    return ClockSync(api, spec.url, offset, round_trip, tuple(taken))


async def _server_time(session: aiohttp.ClientSession, api: str, spec: ServerTime) -> float:
    try:
        async with session.get(spec.url, timeout=_TIMEOUT) as response:
            raw = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ClockSyncError(
            f"could not reach {api}'s server time at {spec.url}: {type(exc).__name__}: {exc}"
        ) from exc
    if status != 200:
        raise ClockSyncError(
            f"{api}'s server time at {spec.url} answered HTTP {status}: {raw[:200]!r}"
        )
    try:
        return float(spec.read(orjson.loads(raw)))
    except (orjson.JSONDecodeError, LookupError, TypeError, ValueError) as exc:
        raise ClockSyncError(
            f"{api}'s server time at {spec.url} answered something the plugin cannot read "
            f"({type(exc).__name__}: {exc}): {raw[:200]!r}"
        ) from exc


class ClockKeeper:
    """Syncs one Client's clock against the exchanges it signs for, each at most once at a time.

    ``ensure`` runs before a signed request: the first one per server-time endpoint measures
    (when ``auto``), the others return at once. ``resync`` runs after a timestamp rejection; a
    rejection of a request signed before the latest sync finished reuses that sync instead of
    measuring again, so a burst of rejected requests costs one measurement.
    """

    __slots__ = ("_auto", "_finished", "_last", "_locks", "_session", "_specs", "clock", "samples")

    def __init__(
        self,
        session: aiohttp.ClientSession,
        clock: Clock,
        specs: Mapping[str, ServerTime],
        *,
        auto: bool,
        samples: int = DEFAULT_SAMPLES,
    ) -> None:
        self._session = session
        self.clock = clock
        self._specs = specs
        self._auto = auto
        self.samples = samples
        self._locks: dict[str, asyncio.Lock] = {}
        self._finished: dict[str, float] = {}  # endpoint -> monotonic time its last sync ended
        self._last: dict[str, ClockSync] = {}

    @property
    def auto(self) -> bool:
        return self._auto

    @property
    def api_names(self) -> tuple[str, ...]:
        return tuple(self._specs)

    def spec(self, api: str) -> ServerTime | None:
        return self._specs.get(api)

    async def sync(self, api: str, *, samples: int | None = None) -> ClockSync:
        spec = self._specs[api]
        async with self._lock(spec.url):
            return await self._measure(api, spec, samples)

    async def ensure(self, api: str) -> None:
        spec = self._specs.get(api)
        if spec is None or spec.url in self._finished:
            return
        async with self._lock(spec.url):
            if spec.url in self._finished:
                return
            try:
                await self._measure(api, spec, None)
            except ClockSyncError as exc:
                # The request still goes out on the current clock; a rejection re-syncs later.
                self._finished[spec.url] = time.monotonic()
                log.warning("clock sync for %s failed, signing with the clock as is: %s", api, exc)

    async def resync(self, api: str, signed_at: float) -> ClockSync | None:
        """Re-measure after a rejection of a request signed at ``signed_at`` (monotonic)."""
        spec = self._specs[api]
        async with self._lock(spec.url):
            if self._finished.get(spec.url, -1.0) > signed_at and spec.url in self._last:
                return self._last[spec.url]
            try:
                return await self._measure(api, spec, None)
            except ClockSyncError as exc:
                log.warning("clock re-sync for %s failed: %s", api, exc)
                return None

    async def _measure(self, api: str, spec: ServerTime, samples: int | None) -> ClockSync:
        result = await measure(
            self._session, api, spec, self.samples if samples is None else samples
        )
        self.clock.sync_to(time.time() + result.offset)
        self._finished[spec.url] = time.monotonic()
        self._last[spec.url] = result
        log.info(
            "clock synced to %s: offset %+.3f s (fastest round trip %.1f ms of %d)",
            api,
            result.offset,
            result.round_trip * 1000,
            len(result.samples),
        )
        return result

    def _lock(self, url: str) -> asyncio.Lock:
        lock = self._locks.get(url)
        if lock is None:
            lock = self._locks[url] = asyncio.Lock()
        return lock


class TimestampGuard:
    """One API name's automatic clock, as the signing middleware uses it (built once per Client).

    Sync before the first signed request, recognise a timestamp rejection cheaply, and say
    whether the rejected request may be sent again.
    """

    __slots__ = ("api", "keeper", "rejection")

    def __init__(self, api: str, keeper: ClockKeeper, rejection: TimestampRejection | None) -> None:
        self.api = api
        self.keeper = keeper
        self.rejection = rejection

    async def rejected(self, response: aiohttp.ClientResponse) -> bool:
        rejection = self.rejection
        if rejection is None:
            return False
        if rejection.statuses is not None and response.status not in rejection.statuses:
            return False
        # A rejection is a small JSON object: a body of unknown or larger size is left unread, so
        # the caller's own bound on what it reads (fetch's max_response_size) still holds.
        raw = await read_small(response, MAX_REJECTION_SIZE)
        if raw is None or rejection.marker not in raw:
            return False
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return False
        return bool(rejection.matches(response.status, body))

    def may_retry(self, method: str) -> bool:
        return method in SAFE_METHODS or (
            self.rejection is not None and self.rejection.not_executed
        )


def describe(result: Any) -> str:
    """``+3.200 s (round trip 0.4 ms)``, for warnings; ``unknown`` when no measurement."""
    if not isinstance(result, ClockSync):
        return "unknown (the re-sync failed)"
    return f"{result.offset:+.3f} s (round trip {result.round_trip * 1000:.1f} ms)"
