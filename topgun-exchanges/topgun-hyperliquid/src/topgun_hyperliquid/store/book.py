"""``L2Book``: Hyperliquid's ``l2Book`` snapshots on core's verified order book.

Every ``l2Book`` message (and every ``/info`` ``l2Book`` reply) is the whole book of one coin,
``{coin, time, levels: [bids, asks]}`` with levels ``{px, sz, n}``
(https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions,
``WsBook``). There is no sequence: ``time`` orders the snapshots, so one older than the last
applied for its coin is stale and dropped (``stats.stale_dropped``); a lost message is healed by
the next one. A coin's book is out of sync (served empty) until its first snapshot, and again
after a reconnect until the new connection's first one.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar, NamedTuple

from topgun.plugin import Item, Level, MalformedMessage, OrderBookStore

__all__ = ["BookSnapshot", "L2Book", "parse_book"]

_INF = float("inf")


class BookSnapshot(NamedTuple):
    """One ``WsBook`` read whole: levels as core's ``Level`` tuples plus each level's ``n``."""

    coin: str
    time: int
    asks: list[Level]
    bids: list[Level]
    ask_orders: dict[float, Any]
    """Price -> ``n`` (the number of orders at that level) of the asks."""
    bid_orders: dict[float, Any]


def _side(rows: Any, name: str) -> tuple[list[Level], dict[float, Any]]:
    if type(rows) is not list:
        raise MalformedMessage(f"the {name} are not a JSON array")
    levels: list[Level] = []
    orders: dict[float, Any] = {}
    append = levels.append
    try:
        for row in rows:
            px = row["px"]
            sz = row["sz"]
            n = row["n"]
            if type(px) is not str or type(sz) is not str or type(n) is not int:
                raise TypeError("not {px: string, sz: string, n: integer}")
            price = float(px)
            size = float(sz)
            if not (0.0 < price < _INF and 0.0 <= size < _INF):
                raise ValueError("not a finite price/size")
            if size:
                append((price, px, sz))
                orders[price] = n
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise MalformedMessage(f"a level of the {name} is malformed ({exc}): {row!r:.80}") from None
    return levels, orders


def parse_book(book: Any) -> BookSnapshot:
    """A ``WsBook`` (the WebSocket's ``data`` or ``/info`` ``l2Book``'s reply), checked whole."""
    if type(book) is not dict:
        raise MalformedMessage("the book is not a JSON object")
    coin = book.get("coin")
    time = book.get("time")
    levels = book.get("levels")
    if type(coin) is not str or not coin:
        raise MalformedMessage(f"'coin' is {coin!r}, not a coin name")
    if type(time) is not int:
        raise MalformedMessage(f"'time' is {time!r}, not an integer timestamp")
    if type(levels) is not list or len(levels) != 2:
        raise MalformedMessage("'levels' is not [bids, asks]")
    bids, bid_orders = _side(levels[0], "bids")
    asks, ask_orders = _side(levels[1], "asks")
    return BookSnapshot(coin, time, asks, bids, ask_orders, bid_orders)


class L2Book(OrderBookStore):
    """``l2Book``: one book per coin; ``sorted({"coin": "BTC"})`` gives ``{"A": asks ascending,
    "B": bids descending}``. Items: ``{coin, side ("A"/"B"), px, sz, n}``, strings as sent.

    ``time`` is the last applied snapshot's ``time`` (any coin), as in the reference library;
    ``times`` holds it per coin.
    """

    _KEYS = ("coin", "side", "px")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "side", "px", "sz"
    _ASKS, _BIDS = "A", "B"
    _MAX_TIMES: ClassVar[int] = 10_000

    def _init(self) -> None:
        self.time: int | None = None
        """``time`` of the last snapshot applied."""
        self.times: dict[str, int] = {}
        """``time`` of the last snapshot applied, per coin."""

    def _on_book(self, book: BookSnapshot, ws: Any = None) -> bool:
        """Apply a snapshot unless it is older than the coin's last; True when applied."""
        last = self.times.get(book.coin)
        if last is not None and book.time < last:
            self.stats.stale_dropped += 1
            return False
        if last is None and len(self.times) >= self._MAX_TIMES:
            self.times.pop(next(iter(self.times)))
        self._snapshot(book.coin, book, ws=ws)
        self.times[book.coin] = book.time
        self.time = book.time
        return True

    def _apply_snapshot(self, key: Hashable, snapshot: Any) -> None:
        book: BookSnapshot = snapshot
        if self._streams:
            # The generic path, so that watch() streams also see a change of ``n`` alone.
            items = [*self._items(book, "A"), *self._items(book, "B")]
            fresh = {(item["side"], float(item["px"])) for item in items}
            stale = [
                level
                for level in self.find({"coin": book.coin})
                if (level["side"], float(level["px"])) not in fresh
            ]
            self._delete(stale)
            self._update(items)
            return
        self._replace_book(key, book.asks, book.bids)
        asks, bids = self._top_levels(key, 0)
        for items, orders in ((asks, book.ask_orders), (bids, book.bid_orders)):
            for item in items:
                item["n"] = orders[float(item["px"])]

    @staticmethod
    def _items(book: BookSnapshot, side: str) -> list[Item]:
        levels, orders = (
            (book.asks, book.ask_orders) if side == "A" else (book.bids, book.bid_orders)
        )
        return [
            {"coin": book.coin, "side": side, "px": px, "sz": sz, "n": orders[price]}
            for price, px, sz in levels
        ]

    def _onresponse(self, data: Any, url: Any) -> None:
        self._on_book(data)
