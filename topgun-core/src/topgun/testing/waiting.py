"""Bounded waiting for tests: poll until something other tasks change has happened."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

__all__ = ["eventually"]


async def eventually(
    predicate: Callable[[], object],
    within: float = 5.0,
    *,
    interval: float = 0.01,
    changed: asyncio.Event | None = None,
) -> None:
    """Check ``predicate`` every ``interval`` seconds until it holds.

    A bounded wait for an event (a message arrived, a reconnection happened), not a timing
    assertion: a predicate still false after ``within`` seconds fails the test with an
    ``AssertionError``. ``changed`` is an event that the side being watched (a test server's
    state) sets on every change: the predicate is then checked again at once. It is cleared
    before each wait.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"condition not met within {within:g} s")
        if changed is None:
            await asyncio.sleep(min(interval, remaining))
            continue
        changed.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(interval, remaining)):
                await changed.wait()
