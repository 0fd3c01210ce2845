"""Rate-limited problem logging for the message path.

A bad feed can produce the same problem thousands of times a second. Each kind of problem is
logged the first time it happens, then at most once per ``interval`` seconds with a count of the
ones held back, so logs stay readable and the hot path never formats a message per item.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable
from typing import Any

__all__ = ["LogLimiter"]

_OVERFLOW_KIND = "(other kinds)"


class LogLimiter:
    """Logs each kind of problem once, then at most once per ``interval`` seconds with a count."""

    __slots__ = ("_interval", "_logger", "_max_kinds", "_seen")

    def __init__(
        self, logger: logging.Logger, *, interval: float = 60.0, max_kinds: int = 256
    ) -> None:
        self._logger = logger
        self._interval = interval
        self._max_kinds = max_kinds
        # kind -> [time of the last record, number held back since then]
        self._seen: dict[Hashable, list[float]] = {}

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    def warning(self, kind: Hashable, msg: str, *args: Any) -> None:
        self.log(logging.WARNING, kind, msg, *args)

    def log(self, level: int, kind: Hashable, msg: str, *args: Any, exc_info: bool = False) -> None:
        now = time.monotonic()
        state = self._seen.get(kind)
        if state is None:
            if len(self._seen) >= self._max_kinds:
                # Unbounded kinds (say, one per unknown channel name) must not grow memory.
                kind = _OVERFLOW_KIND
                state = self._seen.get(kind)
            if state is None:
                self._seen[kind] = [now, 0]
                self._logger.log(level, msg, *args, exc_info=exc_info)
                return
        if now - state[0] < self._interval:
            state[1] += 1
            return
        held = int(state[1])
        state[0], state[1] = now, 0
        if held:
            self._logger.log(
                level,
                msg + " (%d more like this in the last %.0f s)",
                *args,
                held,
                self._interval,
                exc_info=exc_info,
            )
        else:
            self._logger.log(level, msg, *args, exc_info=exc_info)
