"""``BybitDataStore.orderbook``: order books verified by Bybit's update ID ``u``.

Items ``{"s": symbol, "S": "a" | "b", "p": price, "v": size}`` (price and size as sent), keyed
by ``s``, ``S``, ``p``, as in pybotters; ``sorted()`` gives ``{"a": asks ascending, "b": bids
descending}``. The rule itself is in ``_book_rules``.

One book per symbol, fed by one topic: ``u`` counts per topic, and ``orderbook.1.X`` and
``orderbook.50.X`` are different views of the market pushed at different rates, so mixing them
would corrupt the book. When several depths of a symbol are subscribed on one connection, the
deepest that has sent a snapshot feeds the book; the others are ignored (counted in
``ignored``). A symbol arriving on two connections (spot and linear share symbol names) keeps
the feed it had; use one BybitDataStore per category.
"""

from __future__ import annotations

from typing import Any

from topgun.store import OrderBookStore

from ._book_rules import Step, judge, parse_book
from ._shapes import MalformedMessage

__all__ = ["OrderBook"]


class _Feed:
    """The topic currently feeding one symbol's book, and the last ``u`` applied from it."""

    __slots__ = ("depth", "last", "topic", "ws")

    def __init__(self, topic: str, depth: int, ws: Any) -> None:
        self.topic = topic
        self.depth = depth
        self.ws = ws
        self.last: int | None = None


class OrderBook(OrderBookStore):
    """``orderbook.{depth}.{symbol}``, one verified book per symbol."""

    _KEYS = ("s", "S", "p")
    _SIDE_KEY = "S"
    _PRICE_KEY = "p"
    _SIZE_KEY = "v"
    _ASKS = "a"
    _BIDS = "b"

    def _init(self) -> None:
        self._feeds: dict[str, _Feed] = {}
        self.ignored = 0
        """Messages of a topic that does not feed its symbol's book (a shallower depth, another
        connection)."""
        self.stale = 0
        """Deltas whose ``u`` was not above the last one applied; ignored."""

    def _on_message(self, msg: dict[str, Any], topic: str, tail: list[str], ws: Any) -> None:
        kind, symbol, u, asks, bids = parse_book(msg)
        if len(tail) != 2 or tail[1] != symbol or not tail[0].isdigit():
            raise MalformedMessage(f"orderbook topic {topic!r} does not match symbol {symbol!r}")
        feed = self._feeds.get(symbol)
        if feed is None or feed.topic != topic or feed.ws is not ws:
            feed = self._switch(feed, symbol, topic, int(tail[0]), ws, kind)
            if feed is None:
                return
        step = judge(kind, u, feed.last)
        if step is Step.APPLY:
            feed.last = u
            self._apply_levels(symbol, asks, bids)
        elif step is Step.RESET:
            feed.last = u
            self._replace_book(symbol, asks, bids)
        elif step is Step.STALE:
            self.stale += 1
        else:
            self._lost(symbol, feed, step, u)

    def _switch(
        self, feed: _Feed | None, symbol: str, topic: str, depth: int, ws: Any, kind: str
    ) -> _Feed | None:
        """The feed for a message from a topic that is not (yet) the symbol's; None: ignore it."""
        if feed is None or (kind == "snapshot" and _replaces(feed, depth, ws)):
            feed = self._feeds[symbol] = _Feed(topic, depth, ws)
            return feed
        self.ignored += 1
        self._limit().warning(
            ("other-feed", symbol, topic),
            "orderbook %s: %s is ignored; the book follows %s (one depth per symbol, the "
            "deepest subscribed; one connection per symbol: use one BybitDataStore per category)",
            symbol,
            topic,
            feed.topic,
        )
        return None

    def _lost(self, symbol: str, feed: _Feed, step: Step, u: int) -> None:
        raise NotImplementedError

    def _onreconnect(self) -> None:
        self._feeds.clear()
        self._clear()


def _replaces(feed: _Feed, depth: int, ws: Any) -> bool:
    """A snapshot of another topic takes a symbol over when it is deeper on the same connection,
    or when the connection the symbol came from has closed (a reconnect the store missed)."""
    if ws is feed.ws:
        return depth > feed.depth
    return feed.ws is not None and bool(getattr(feed.ws, "closed", False))
