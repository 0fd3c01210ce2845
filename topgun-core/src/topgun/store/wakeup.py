"""The ``wait()`` of stores and collections: a future per waiter, woken all at once."""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["wait_on", "wake_all"]


async def wait_on(waiters: list[asyncio.Future[None]]) -> None:
    """Add a future to ``waiters`` and wait for whoever wakes them; if the wait is cancelled, the
    future leaves the list, so waits given up on do not pile up in a quiet store."""
    waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    waiters.append(waiter)
    try:
        await waiter
    except asyncio.CancelledError:
        with contextlib.suppress(ValueError):
            waiters.remove(waiter)
        raise


def wake_all(waiters: list[asyncio.Future[None]]) -> None:
    """Wake every waiter of a list the caller has already taken (and replaced by a new one)."""
    for waiter in waiters:
        if not waiter.done():
            waiter.set_result(None)
