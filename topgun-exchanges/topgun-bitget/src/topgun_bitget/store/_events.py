"""Bitget event replies: ``subscribe``/``unsubscribe`` acknowledgements, ``login``, ``error``.

``{"event": "subscribe", "arg": {...}}``, ``{"event": "error", "code": 30001, "msg": ...}``
(https://www.bitget.com/api-doc/common/websocket-intro). An unsubscribe of a book channel
stops serving that book (it would no longer be kept up to date); errors are logged.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from topgun.store import Item, LogLimiter

from .book import BitgetBook

__all__ = ["on_event"]


def on_event(
    limiter: LogLimiter, book: BitgetBook, msg: Any, key_of: Callable[[Item], Hashable]
) -> None:
    """Event replies (``subscribe``, ``unsubscribe``, ``login``, ``error``) and anything else."""
    if type(msg) is not dict:
        limiter.warning(
            "not-object",
            "Bitget: ignored a message that is not a JSON object (%s)",
            type(msg).__name__,
        )
        return
    event = msg.get("event")
    arg = msg.get("arg")
    if event == "unsubscribe" and type(arg) is dict and str(arg.get("channel")).startswith("books"):
        book._on_unsubscribed(key_of(arg), arg)
    elif event == "error":
        limiter.warning(
            ("error", str(msg.get("code"))),
            "Bitget error %s: %s",
            msg.get("code"),
            str(msg.get("msg"))[:200],
        )
    elif event is None:
        limiter.warning("shape", "Bitget: ignored a message with neither arg+data nor event")
