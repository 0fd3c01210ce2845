"""A local send rate limit: at most N messages per window, first come first served.

Some exchanges drop a connection that sends faster than a few messages a second. The limit is
kept with the event loop's clock alone, never by asking the exchange for its time, and only the
sending coroutine waits: receiving is never held up.
"""

from __future__ import annotations

import asyncio
from collections import deque

from ..plugin.specs import RateLimit

__all__ = ["SendLimiter"]


class SendLimiter:
    """Sliding-window limiter for one WebSocketApp (it outlives reconnects, as limits usually do)."""

    __slots__ = ("_lock", "_sent", "limit")

    def __init__(self, limit: RateLimit) -> None:
        if limit.messages < 1 or limit.per_seconds <= 0:
            raise ValueError(f"a rate limit needs messages >= 1 and per_seconds > 0, got {limit}")
        self.limit = limit
        self._sent: deque[float] = deque(maxlen=limit.messages)
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Return when one more message may be sent now (and count it as sent)."""
        loop = asyncio.get_running_loop()
        if not self._lock.locked() and self._free_at(loop.time()) <= 0:
            self._sent.append(loop.time())
            return
        async with self._lock:  # FIFO: callers leave in the order they came
            while (wait := self._free_at(loop.time())) > 0:  # noqa: ASYNC110 - waits on time
                await asyncio.sleep(wait)
            self._sent.append(loop.time())

    def _free_at(self, now: float) -> float:
        """Seconds until a slot frees up (<= 0: one is free)."""
        sent = self._sent
        if len(sent) < self.limit.messages:
            return 0.0
        return sent[0] + self.limit.per_seconds - now
