"""How long a plugin's own loop waits before retrying a failed HTTP call (a token renewal, a
long poll): capped exponential backoff with jitter."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Retry", "capped_exponential"]


def capped_exponential(first: float, cap: float, factor: float, step: int) -> float:
    """``min(cap, first * factor ** (step - 1))``, and ``cap`` where the power overflows."""
    try:
        return min(cap, first * factor ** (step - 1))
    except OverflowError:
        return cap


@dataclass(frozen=True, slots=True)
class Retry:
    """Failure ``n`` waits ``min(cap, first * factor ** (n - 1))`` seconds, times 0.5-1.0 at random.

    The jitter keeps many bots that failed together (an exchange maintenance) from retrying in
    lockstep; the cap keeps a long outage at one attempt per ``cap`` seconds.
    """

    first: float = 1.0
    cap: float = 60.0
    factor: float = 2.0

    def __post_init__(self) -> None:
        if not (0 < self.first <= self.cap) or self.factor < 1:
            raise ValueError(f"Retry needs 0 < first <= cap and factor >= 1, got {self}")

    def delay(self, failures: int, rand: Callable[[], float] = random.random) -> float:
        if failures <= 0:
            return 0.0
        return capped_exponential(self.first, self.cap, self.factor, failures) * (
            0.5 + 0.5 * rand()
        )
