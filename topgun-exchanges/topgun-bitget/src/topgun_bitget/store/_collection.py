"""What both Bitget collections share: routing pushes on ``arg.channel``, and event replies.

Pushes (``{"action", "arg": {"instType", "channel", "instId"}, "data", "ts"}``) go to the
handler of their channel, found once per channel name and cached. Event replies
(``{"event": "subscribe" | "unsubscribe" | "login" | "error", ...}``,
https://www.bitget.com/api-doc/common/websocket-intro) change nothing, except that an unsubscribe
of a book channel stops serving that book (it would no longer be kept up to date); errors are
logged. Malformed messages are skipped whole (``skipped``), unknown channels logged.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from topgun.plugin import DataStoreCollection, Item

from ._messages import MalformedMessage
from .book import BitgetBook

__all__ = ["BitgetCollection", "Handler"]

Handler = Callable[[Item, Item, Any], None]
"""A channel's handler: ``(arg, msg, ws)``."""

_HANDLER_CACHE_LIMIT = 1024


class BitgetCollection(DataStoreCollection):
    """A Bitget DataStoreCollection: subclasses create their stores and name the handlers."""

    def _setup_routes(self, book: BitgetBook, handlers: dict[str, Handler]) -> None:
        self._routed_book = book
        self._handlers = handlers

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        """Pushes go straight to their handler; anything else to ``_on_other``."""
        arg = msg.get("arg") if type(msg) is dict and "data" in msg else None
        if type(arg) is not dict:
            self._on_other(msg, ws)
            return
        channel = arg.get("channel")
        handler = self._handlers.get(channel) if type(channel) is str else None
        (handler or self._handler(channel))(arg, msg, ws)

    def _handler(self, channel: Any) -> Handler:
        if type(channel) is not str:
            raise MalformedMessage("'arg.channel' is not a string")
        handler = self._route(channel) or self._unknown(channel)
        if len(self._handlers) < _HANDLER_CACHE_LIMIT:
            self._handlers[channel] = handler
        return handler

    def _route(self, channel: str) -> Handler | None:
        """The handler of a channel not listed up front (candles, ...); None: no store."""
        return None

    def _book_key(self, arg: Item) -> Hashable:
        """The book key a book channel's ``arg`` names."""
        raise NotImplementedError

    def _unknown(self, channel: str) -> Handler:
        def ignore(arg: Item, msg: Item, ws: Any) -> None:
            self._no_store_for("channel", channel)

        return ignore

    def _on_other(self, msg: Any, ws: Any = None) -> None:
        """Event replies and anything that is not a push."""
        limiter = self._limiter
        if type(msg) is not dict:
            self._not_an_object(msg)
            return
        event = msg.get("event")
        arg = msg.get("arg")
        if event == "unsubscribe" and type(arg) is dict:
            if str(arg.get("channel")).startswith("books"):
                self._routed_book._on_unsubscribed(self._book_key(arg), arg)
        elif event == "error":
            limiter.warning(
                ("error", str(msg.get("code"))),
                "Bitget error %s: %s",
                msg.get("code"),
                str(msg.get("msg"))[:200],
            )
        elif event is None:
            limiter.warning("shape", "Bitget: ignored a message with neither arg+data nor event")
