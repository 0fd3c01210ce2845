"""Bounded waiting for tests: poll until something other tasks change has happened."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["eventually"]


async def eventually(
    predicate: Callable[[], object], within: float = 5.0, *, interval: float = 0.01
) -> None:
    """Poll ``predicate`` every ``interval`` seconds until it holds.

    A bounded wait for an event (a message arrived, a reconnection happened), not a timing
    assertion: a predicate still false after ``within`` seconds fails the test with an
    ``AssertionError``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() >= deadline:
            raise AssertionError(f"condition not met within {within:g} s")
        await asyncio.sleep(interval)
