"""``WebSocketQueue``: hand WebSocket messages to your own ``async for`` loop."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

__all__ = ["WebSocketQueue"]

log = logging.getLogger("topgun.ws")


class WebSocketQueue(asyncio.Queue[Any]):
    """An ``asyncio.Queue`` that is also a WebSocket handler: ``hdlr_json=queue.onmessage``.

    ``async for msg in queue`` yields messages forever, in arrival order. Unbounded by default;
    with ``maxsize`` set, a full queue drops its *oldest* message to make room (a live feed is
    worth more fresh than complete), counted in ``dropped`` and logged once.
    """

    def __init__(self, maxsize: int = 0) -> None:
        super().__init__(maxsize)
        self.dropped = 0

    def onmessage(self, msg: Any, ws: Any = None) -> None:
        if self.full():
            self.get_nowait()
            self.dropped += 1
            if self.dropped == 1:
                log.warning(
                    "WebSocketQueue(maxsize=%d) is full: dropping the oldest messages", self.maxsize
                )
        self.put_nowait(msg)

    def __aiter__(self) -> WebSocketQueue:
        return self

    async def __anext__(self) -> Any:
        return await self.get()
