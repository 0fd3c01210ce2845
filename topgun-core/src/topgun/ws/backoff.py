"""When to reconnect: exponential backoff with jitter, and what counts as a healthy connection.

The ``backoff=(min, max, factor, initial)`` tuple of ``ws_connect`` keeps pybotters' meaning, with
jitter added to every step so that many bots dropped at once do not come back in lockstep:

- after a connection that had been healthy ends (for any reason), reconnect at once;
- the first failure in a row waits ``uniform(0, initial)``;
- failure ``n >= 2`` waits ``b * uniform(0.5, 1)`` with ``b = min(max, min * factor ** (n - 1))``.

A connection is healthy once it has been logged in (if the exchange needs a login) and open for
``healthy_after`` seconds. A server that accepts and closes at once (rate limit, rejected login)
therefore meets a growing delay, never a tight reconnect loop.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..plugin.retry import capped_exponential

__all__ = ["DEFAULT_BACKOFF", "Backoff"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """The reconnect policy. ``ws_connect(backoff=...)`` takes this or a 4-tuple of its first fields."""

    min: float = 1.92
    max: float = 60.0
    factor: float = 1.618
    initial: float = 5.0
    healthy_after: float = 10.0
    """Seconds a connection must have stayed up, after login, to reset the failure count."""
    random: Callable[[], float] = field(
        default=random.random, kw_only=True, compare=False, repr=False
    )
    """The jitter's source of numbers in [0, 1): a fixed one makes the delays exact (tests)."""
    sleep: Callable[[float], Awaitable[None]] = field(
        default=asyncio.sleep, kw_only=True, compare=False, repr=False
    )
    """How the app waits out a delay: a test hands in its own to run the cycle without waiting."""

    def __post_init__(self) -> None:
        if not (0 <= self.min <= self.max):
            raise ValueError(f"backoff needs 0 <= min <= max, got min={self.min} max={self.max}")
        if self.factor < 1:
            raise ValueError(f"backoff factor must be >= 1, got {self.factor}")
        if self.initial < 0 or self.healthy_after < 0:
            raise ValueError("backoff initial and healthy_after must be >= 0")

    @classmethod
    def of(cls, value: Backoff | tuple[float, float, float, float] | Any) -> Backoff:
        """Accept a ``Backoff`` or pybotters' ``(min, max, factor, initial)`` tuple."""
        if isinstance(value, Backoff):
            return value
        try:
            low, high, factor, initial = (float(v) for v in value)
        except (TypeError, ValueError):
            raise TypeError(
                "backoff must be a topgun.Backoff or a (min, max, factor, initial) tuple of numbers"
            ) from None
        return cls(low, high, factor, initial)

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failed connections (0: none failed)."""
        if failures <= 0:
            return 0.0
        if failures == 1:
            return self.random() * self.initial
        base = capped_exponential(self.min, self.max, self.factor, failures)
        return base * (0.5 + 0.5 * self.random())


DEFAULT_BACKOFF = Backoff()
