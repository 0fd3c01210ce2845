"""``BybitDataStore.orderbook``: order books verified by Bybit's update ID ``u``.

Items ``{"s": symbol, "S": "a" | "b", "p": price, "v": size}`` (price and size as sent), keyed
by ``s``, ``S``, ``p``, as in pybotters; ``sorted()`` gives ``{"a": asks ascending, "b": bids
descending}``. The message rule is in ``_book_rules``; core's verified-book machinery
(docs/verified-books.rst) keeps each symbol's sync state, hides books out of sync and repairs
them by resubscribing.

One book per symbol, fed by one topic: ``u`` counts per topic, and ``orderbook.1.X`` and
``orderbook.50.X`` are different views of the market pushed at different rates, so mixing them
would corrupt the book and report false gaps. When several depths of a symbol come on one
connection, the deepest that has sent a snapshot feeds the book; the others are ignored
(counted in ``ignored``). A symbol arriving on a second live connection (spot and linear share
symbol names) keeps the feed it had: use one BybitDataStore per category.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from topgun.plugin import OrderBookStore, RangeRule, Recovery

from ._book_rules import parse_book
from ._shapes import MalformedMessage

__all__ = ["OrderBook"]


class _Feed:
    """The topic feeding one symbol's book, and the connection it comes on."""

    __slots__ = ("depth", "topic", "ws")

    def __init__(self, topic: str, depth: int, ws: Any) -> None:
        self.topic = topic
        self.depth = depth
        self.ws = ws


class OrderBook(OrderBookStore):
    """``orderbook.{depth}.{symbol}``: one verified book per symbol (``out_of_sync``,
    ``wait_synced(symbol)``, ``stats``), ``sorted()`` -> ``{"a": [...], "b": [...]}``."""

    _KEYS = ("s", "S", "p")
    _SIDE_KEY = "S"
    _PRICE_KEY = "p"
    _SIZE_KEY = "v"
    _ASKS = "a"
    _BIDS = "b"
    _SEQUENCE = RangeRule()
    _RECOVERY = Recovery.SUBSCRIPTION

    def _init(self) -> None:
        self._feeds: dict[Hashable, _Feed] = {}
        self.ignored = 0
        """Messages of a topic that does not feed its symbol's book (a shallower depth of it, or
        the same symbol on another live connection)."""

    def _route(self, topic: str, tail: list[str]) -> Callable[[dict[str, Any], Any], None]:
        """The handler of one ``orderbook.{depth}.{symbol}`` topic (the topic parsed once)."""
        if len(tail) != 2 or not tail[0].isdigit() or not tail[1]:
            # orderbook.rpi.{symbol}, orderbook.full.{symbol} (deltas on a REST snapshot): other
            # feeds with their own rules, not handled here.
            limiter = self._limit()

            def unsupported(msg: dict[str, Any], ws: Any) -> None:
                limiter.warning(
                    ("unsupported", topic[:64]),
                    "orderbook: topic %r is not orderbook.{depth}.{symbol}; it is ignored",
                    topic[:128],
                )

            return unsupported
        depth, symbol = int(tail[0]), tail[1]
        feeds = self._feeds
        snapshot, diff = self._snapshot, self._diff

        def on_message(msg: dict[str, Any], ws: Any) -> None:
            kind, name, u, asks, bids = parse_book(msg)
            if name != symbol:
                raise MalformedMessage(f"topic {topic!r} carries symbol {name!r}")
            feed = feeds.get(symbol)
            if feed is None or feed.ws is not ws or feed.topic != topic:
                feed = self._switch(feed, symbol, topic, depth, ws, kind)
                if feed is None:
                    return
            if kind == "snapshot" or u == 1:  # is_reset, inline: the hot path
                snapshot(symbol, (asks, bids), seq=u, ws=ws)
            else:
                diff(symbol, (asks, bids), last=u, ws=ws)

        return on_message

    def _switch(
        self, feed: _Feed | None, symbol: str, topic: str, depth: int, ws: Any, kind: str
    ) -> _Feed | None:
        """The feed of a message from another topic or connection than the symbol's; None:
        ignore the message."""
        if feed is None or _gone(feed.ws):
            # The first message of the symbol, or its connection closed (a reconnect).
            feed = self._feeds[symbol] = _Feed(topic, depth, ws)
            return feed
        if ws is feed.ws and kind == "snapshot" and depth > feed.depth:
            feed.topic, feed.depth = topic, depth
            return feed
        self.ignored += 1
        self._limit().warning(
            ("other-feed", symbol, topic),
            "orderbook %s: %s is ignored, the book follows %s (one depth per symbol: the "
            "deepest subscribed; one connection per symbol: use one BybitDataStore per category)",
            symbol,
            topic,
            feed.topic,
        )
        return None

    def _resubscribe(self, key: Hashable) -> Sequence[Any]:
        """Unsubscribe and subscribe exactly the symbol's topic: Bybit answers with a snapshot."""
        feed = self._feeds.get(key)
        if feed is None:
            return []
        return [
            {"op": "unsubscribe", "args": [feed.topic]},
            {"op": "subscribe", "args": [feed.topic]},
        ]


def _gone(ws: Any) -> bool:
    return ws is not None and bool(getattr(ws, "closed", False))
