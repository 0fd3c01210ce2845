"""What every plugin object that keeps one task running in the background shares.

Exchanges that hand out short-lived tokens (a listen key, a private WebSocket token, a long-poll
channel) ship an object that keeps it alive from a task. Their ``start()`` differs (what is
fetched first) and some ``close()`` do more (revoke the token); whether the task runs, waiting for
it to end, cancelling it, ``async with`` and the counters shown by ``repr`` do not, so they live
here once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, ClassVar, Self

__all__ = ["BackgroundTask"]


class BackgroundTask:
    """Base for an object whose ``start()`` sets ``_task`` (after ``_check_open()``) and whose
    ``close()`` stops it for good; a subclass extends ``close()`` with what else it releases.
    ``async with`` starts it and closes it.

    ``COUNTERS`` names the attributes ``repr`` shows after the state (never a secret); override
    ``_repr_detail`` to put something non-secret before it (an endpoint, say).
    """

    COUNTERS: ClassVar[tuple[str, ...]] = ()
    _task: asyncio.Task[Any] | None = None
    _closing = False

    def start(self) -> Awaitable[object] | None:
        """Start the task; a coroutine where something must be fetched first (a token, say)."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        started = self.start()
        if started is not None:
            await started
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def running(self) -> bool:
        """Whether the task has started and not ended."""
        return self._task is not None and not self._task.done()

    async def wait(self) -> None:
        """Return when the task has ended (at once when it never started)."""
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task])

    async def close(self) -> None:
        """Cancel the task and return once it has ended; ``_check_open()`` refuses afterwards."""
        self._closing = True
        await self._cancel_task()

    def _check_open(self) -> None:
        """For ``start()``: a closed object is not started again."""
        if self._closing:
            raise RuntimeError(f"this {type(self).__name__} is closed")

    async def _cancel_task(self) -> None:
        """Cancel the task and return once it has ended (its exception, if any, stays on it)."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task])

    def _repr_detail(self) -> str:
        return ""

    def __repr__(self) -> str:
        parts = [type(self).__name__, self._repr_detail(), "running" if self.running else "stopped"]
        parts += [f"{name}={getattr(self, name)}" for name in self.COUNTERS]
        return "<" + " ".join(part for part in parts if part) + ">"
