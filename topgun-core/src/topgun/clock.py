"""The one clock a Client signs with.

Exchanges reject requests whose timestamp drifts from theirs, and a skewed local clock is a
frequent cause. Every signer reads time from the Client's clock, so one ``offset`` (server
time minus local time) fixes every request and WebSocket login at once.
"""

from __future__ import annotations

import math
import time
from numbers import Real

__all__ = ["Clock", "FixedClock"]


def _seconds(value: object, what: str) -> float:
    """``value`` as a finite float, or a clear error: a NaN offset would break every signature."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{what} must be a number of seconds, not {type(value).__name__}")
    seconds = float(value)
    if not math.isfinite(seconds):
        raise ValueError(f"{what} must be a finite number of seconds, not {seconds}")
    return seconds


class Clock:
    """Wall-clock time plus an adjustable offset, in seconds since the Unix epoch.

    ``offset`` must be a finite number; anything else is refused when set, not when a signer
    later fails on it.
    """

    __slots__ = ("_offset",)

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    @property
    def offset(self) -> float:
        return self._offset

    @offset.setter
    def offset(self, value: float) -> None:
        self._offset = _seconds(value, "clock offset")

    def time(self) -> float:
        return time.time() + self._offset

    def time_ms(self) -> int:
        return int((time.time() + self._offset) * 1000)

    def sync_to(self, server_time: float) -> None:
        """Set the offset so that ``time()`` now equals ``server_time`` (seconds)."""
        self.offset = server_time - time.time()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(offset={self.offset!r})"


class FixedClock(Clock):
    """A clock stopped at one instant: for signature tests and reproducible vectors."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        super().__init__(0.0)
        self.at = _seconds(at, "FixedClock time")

    def time(self) -> float:
        return self.at + self._offset

    def time_ms(self) -> int:
        return round((self.at + self._offset) * 1000)

    def sync_to(self, server_time: float) -> None:
        self.offset = server_time - self.at

    def __repr__(self) -> str:
        return f"FixedClock(at={self.at!r}, offset={self.offset!r})"
