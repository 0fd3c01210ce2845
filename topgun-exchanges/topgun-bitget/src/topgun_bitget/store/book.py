"""Bitget order books, verified by the ``checksum``, ``seq`` and ``pseq`` of each push.

The rule, from the V2 docs' Depth Channel pages
(https://www.bitget.com/api-doc/spot/websocket/public/Depth-Channel and
https://www.bitget.com/api-doc/contract/websocket/public/Order-Book-Channel, now also under
https://www.bitget.com/docs/classic/websocket/contract/public/Order-Book-Channel):

- ``books`` sends a ``snapshot`` first, then ``update`` pushes; a size of ``"0"`` removes a
  level, any other size replaces it. ``books1``/``books5``/``books15`` send a snapshot each time.
- ``checksum`` is the CRC32, as a signed 32-bit integer, of ``bid1 price:bid1 size:ask1
  price:ask1 size:...`` over the best 25 levels of each side, bids and asks alternated, missing
  levels skipped, written with the **original strings** ("If price is '0.5000', DO NOT calculate
  the checksum by '0.5'"). Core's interleaved check string is exactly that, over the level items,
  which keep price and size as sent. ``checksum: 0`` (the docs' ``books5`` sample) or no
  ``checksum`` at all (Bitget's current pages no longer list it) means "not given".
- ``seq`` "increases when the order book is updated and can be used to determine whether there
  is out-of-order packets": it orders messages, it does not count them, so alone it finds no gap
  (core's ``OrderRule``). ``pseq``, "the serial number of the previous push" on the current
  pages, does: an update whose ``pseq`` is not the book's ``seq`` follows a lost push.

``BookRule`` combines the two: with ``pseq``, the chain; without, the order only. V1 pushes carry
neither (the checksum alone verifies them).

Recovery is by subscription: unsubscribe + subscribe of exactly the book's channel, what
Bitget's own SDK does on a checksum mismatch (BitgetLimited/v3-bitget-api-sdk,
``bitget_ws_client.py``); Bitget answers the subscribe with a snapshot.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any, ClassVar

from topgun.plugin import Item, Level, OrderBookStore, Recovery, SequenceRule, Verdict

from ._messages import MalformedMessage

__all__ = ["CHECKSUM_DEPTH", "BitgetBook", "BookRule", "Depth", "parse_depth"]

CHECKSUM_DEPTH = 25
"""Levels per side the checksum covers."""

_TEXTS_LIMIT = 5_000  # check strings kept per book before starting afresh

_INF = math.inf
APPLY, STALE, GAP = Verdict.APPLY, Verdict.STALE, Verdict.GAP


class BookRule:
    """``seq`` orders pushes; ``pseq``, when sent, chains them (core's ``SequenceRule``).

    With ``pseq`` (``prev``): ``pseq == book`` applies, ``seq <= book`` is stale (a duplicate),
    anything else is a gap, including ``pseq`` 0 on an update (a sequence restart). Without it:
    ``seq <= book`` is stale, anything else applies, and only the checksum can see a loss.
    """

    __slots__ = ()

    def check(self, book: int, first: int, last: int, prev: int | None, fresh: bool) -> Verdict:
        if prev is None:
            return STALE if last <= book else APPLY
        if prev == book:
            return APPLY
        return STALE if last <= book else GAP

    def expected(self, book: int, fresh: bool) -> str:
        return f"pseq {book}"

    def __repr__(self) -> str:
        return "BookRule()"


Depth = tuple[list[Level], list[Level], int | None, int | None, int | None, Any]
"""One validated element of a book push's ``data``: (asks, bids, checksum, seq, pseq, ts)."""


def _levels(rows: Any) -> list[Level]:
    """``[[price, size], ...]`` as levels (price as sent, size as sent; a zero size removes)."""
    if type(rows) is not list:
        raise MalformedMessage("asks/bids is not a JSON array")
    levels: list[Level] = []
    append = levels.append
    try:
        for row in rows:
            value = row[0]
            amount = row[1]
            price = float(value)
            size = float(amount)
            if (
                0.0 < price < _INF
                and 0.0 <= size < _INF
                and type(row) is list
                and type(value) is not bool is not type(amount)
            ):
                append((price, value, amount if size else 0))
            else:
                raise ValueError(f"[{value!r}, {amount!r}]")
    except (TypeError, ValueError, OverflowError, IndexError, KeyError) as exc:
        raise MalformedMessage(f"a book level is malformed ({exc})") from None
    return levels


def _integer(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if type(value) is int:
        return value
    if type(value) is str:
        try:
            return int(value)
        except ValueError:
            pass
    raise MalformedMessage(f"{what} {value!r} is not an integer")


def parse_depth(element: Any) -> Depth:
    """A book push's ``data`` element, validated whole: ``(asks, bids, checksum, seq, pseq,
    ts)``, checksum None when absent or 0 (not given)."""
    if type(element) is not dict:
        raise MalformedMessage("a book element is not a JSON object")
    get = element.get
    asks = _levels(get("asks", []))
    bids = _levels(get("bids", []))
    checksum = get("checksum")
    seq = get("seq")
    prev = get("pseq")
    # Bitget sends integers; anything else goes through the slow, checking path.
    if type(checksum) is not int:
        checksum = _integer(checksum, "checksum")
    if type(seq) is not int:
        seq = _integer(seq, "seq")
    if type(prev) is not int:
        prev = _integer(prev, "pseq")
    if seq is None and prev is not None:
        raise MalformedMessage("a book element has 'pseq' but no 'seq'")
    return asks, bids, checksum or None, seq, prev, get("ts")


class _Feed:
    """The channel feeding one book, its depth, its subscription argument and connection."""

    __slots__ = ("arg", "depth", "ws")

    def __init__(self, arg: dict[str, Any], depth: float, ws: Any) -> None:
        self.arg = arg
        self.depth = depth
        self.ws = ws


CHANNEL_DEPTH = {"books": _INF, "books15": 15, "books5": 5, "books1": 1}
"""Levels each book channel sends; ``books`` is the whole book, the others snapshots only."""


class BitgetBook(OrderBookStore):
    """The verified book shared by V1 ``orderbook`` and V2 ``book`` (see the module docs).

    One book per key (V1: instId; V2: (instType, instId)), fed by one channel: when several
    depths of one instrument are subscribed on one connection, the deepest that sent a snapshot
    feeds the book and the others are ignored (counted in ``ignored``), so a ``books5`` snapshot
    never cuts a full ``books`` book to five levels.
    """

    _SEQUENCE: ClassVar[SequenceRule | None] = BookRule()
    _RECOVERY = Recovery.SUBSCRIPTION
    _CHECKSUM_DEPTH = CHECKSUM_DEPTH
    _ASKS, _BIDS = "asks", "bids"

    def _init(self) -> None:
        self._feeds: dict[Hashable, _Feed] = {}
        self.ignored = 0
        """Pushes of a channel that does not feed its book (a shallower depth of it, or the same
        instrument on another live connection)."""
        self.timestamp: Any = None
        """The ``ts`` of the last book push (as sent)."""
        # Per checksummed book: "price:size" of its levels by rank (the price, negated for bids),
        # set by each diff for the levels it changes, so a check string is a join of ready
        # strings (the few missing after a snapshot are made when first needed).
        self._texts: dict[Hashable, dict[float, str]] = {}

    def _push(self, key: Hashable, arg: dict[str, Any], action: Any, data: Any, ws: Any) -> None:
        """Apply one book push for ``key`` (its ``arg``, ``action`` and ``data``)."""
        if type(data) is not list or not data:
            raise MalformedMessage("a book push has no 'data' elements")
        depths = [parse_depth(element) for element in data]
        snapshot = action == "snapshot"
        if not snapshot and action != "update":
            raise MalformedMessage(f"a book push has action {action!r}")
        feed = self._feeds.get(key)
        if feed is None or feed.ws is not ws or feed.arg != arg:
            feed = self._switch(feed, key, arg, ws, snapshot)
            if feed is None:
                return
        for asks, bids, checksum, seq, prev, ts in depths:
            if snapshot:
                self._snapshot(key, (asks, bids), seq=seq, checksum=checksum, ws=ws)
            else:
                self._diff(key, (asks, bids), last=seq, prev=prev, checksum=checksum, ws=ws)
            if ts is not None:
                self.timestamp = ts

    def _switch(
        self, feed: _Feed | None, key: Hashable, arg: dict[str, Any], ws: Any, snapshot: bool
    ) -> _Feed | None:
        """The feed of a push from another channel or connection than the book's; None: ignore."""
        depth = CHANNEL_DEPTH.get(str(arg.get("channel")), 0)
        if feed is None or _gone(feed.ws):
            feed = self._feeds[key] = _Feed(dict(arg), depth, ws)
            return feed
        if ws is feed.ws and feed.arg.get("channel") == arg.get("channel"):
            feed.arg = dict(arg)  # the same channel, its arg spelled anew (instType's case)
            return feed
        if ws is feed.ws and snapshot and depth > feed.depth:
            feed.arg, feed.depth = dict(arg), depth
            return feed
        self.ignored += 1
        self._limit().warning(
            ("other-feed", key, str(arg.get("channel"))),
            "%s %r: %s pushes are ignored, the book follows %s (one channel per book: the "
            "deepest subscribed; one connection per instrument)",
            self.name,
            key,
            arg.get("channel"),
            feed.arg.get("channel"),
        )
        return None

    def _apply_snapshot(self, key: Hashable, snapshot: Any) -> None:
        asks, bids = snapshot
        self._texts.pop(key, None)
        self._replace_book(key, asks, bids)

    def _apply_diff(self, key: Hashable, diff: Any) -> None:
        asks, bids = diff
        self._apply_levels(key, asks, bids)
        texts = self._texts.get(key)
        if texts is not None:  # the changed levels' strings, as the exchange wrote them
            for sign, rows in ((1.0, asks), (-1.0, bids)):
                for price, value, size in rows:
                    if size:
                        texts[sign * price] = f"{value}:{size}"
                    else:
                        texts.pop(sign * price, None)

    def _checksum_text(self, key: Hashable) -> str:
        """Core's interleaved check string (``bid1px:bid1sz:ask1px:ask1sz:...``, best 25), joined
        from the "price:size" strings kept per level."""
        book = self._books.get(key)
        if book is None:
            return ""
        texts = self._texts.get(key)
        if texts is None or len(texts) > _TEXTS_LIMIT:
            texts = self._texts[key] = {}
        ask_ranks = book.asks.ranks[:CHECKSUM_DEPTH]
        bid_ranks = book.bids.ranks[:CHECKSUM_DEPTH]
        asks: list[Any] = list(map(texts.get, ask_ranks))
        bids: list[Any] = list(map(texts.get, bid_ranks))
        if None in asks:
            self._fill(texts, book.asks.levels, ask_ranks, asks)
        if None in bids:
            self._fill(texts, book.bids.levels, bid_ranks, bids)
        both = min(len(asks), len(bids))
        parts: list[str] = [""] * (2 * both)
        parts[::2] = bids[:both]
        parts[1::2] = asks[:both]
        parts += bids[both:] or asks[both:]
        return ":".join(parts)

    def _fill(
        self,
        texts: dict[float, str],
        levels: dict[float, Item],
        ranks: list[float],
        strings: list[str | None],
    ) -> None:
        price, size = self._PRICE_KEY, self._SIZE_KEY
        for index, text in enumerate(strings):
            if text is None:
                rank = ranks[index]
                level = levels[rank]
                strings[index] = texts[rank] = f"{level[price]}:{level[size]}"

    def _drop_book(self, group: Hashable) -> bool:
        self._texts.pop(group, None)
        return super()._drop_book(group)

    def _clear(self) -> None:
        self._texts.clear()
        super()._clear()

    def _resubscribe(self, key: Hashable) -> Sequence[Any]:
        """Unsubscribe and subscribe exactly the book's channel: Bitget answers with a snapshot."""
        feed = self._feeds.get(key)
        if feed is None:
            return []
        return [
            {"op": "unsubscribe", "args": [feed.arg]},
            {"op": "subscribe", "args": [feed.arg]},
        ]

    def _on_unsubscribed(self, key: Hashable, arg: dict[str, Any]) -> None:
        """The user unsubscribed the book's channel: it is no longer kept, so it is not served."""
        feed = self._feeds.get(key)
        if feed is not None and feed.arg.get("channel") == arg.get("channel") and self.in_sync(key):
            self._desync(key, "unsubscribed")

    def _onreconnect(self) -> None:
        self._feeds.clear()
        super()._onreconnect()


def _gone(ws: Any) -> bool:
    return ws is not None and bool(getattr(ws, "closed", False))
