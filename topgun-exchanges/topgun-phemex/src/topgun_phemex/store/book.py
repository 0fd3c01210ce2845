"""Phemex order books (``book``: contract and spot; ``orderbook_p``: hedged perpetual), verified.

Message (https://github.com/phemex/phemex-api-docs/blob/master/Public-Contract-API-en.md
"OrderBook Message"; Public-Hedged-Perpetual-API.md for ``orderbook_p``):
``{"book": {"asks": [[priceEp, qty]], "bids": [...]}, "depth": 30, "sequence": 1191905,
"symbol": "BTCUSD", "timestamp": ..., "type": "snapshot" | "incremental"}``; ``orderbook_p``
rows are strings (``[priceRp, qtyRq]``); qty 0 deletes a level; ``depth`` 0 is the full book.

Integrity: Phemex documents no continuity rule and its ``sequence`` is not consecutive (the
docs' samples skip numbers), so it only orders messages: one at or behind the book's is stale
(``OrderRule``). Snapshots come on subscription and then "with 60-second interval for client
self-verification": each snapshot of a book in sync is compared with the book first (the best
``len(side)`` levels of each side, or the whole side when the snapshot holds fewer than
``depth`` levels or is a full book); a difference is counted in ``stats.checksum_failures``
(and ``stats.last_reason``), logged, and the snapshot replaces the book.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import Any, NamedTuple

from topgun.plugin import Level, MalformedMessage, OrderBookStore, OrderRule, Recovery, price_of

__all__ = ["OrderBook"]

_INF = float("inf")
_METHODS = {"book": "orderbook", "orderbook_p": "orderbook_p"}
"""The payload key of a book message -> its subscription method's prefix."""


class _Book(NamedTuple):
    asks: list[Any]
    bids: list[Any]
    rows: bool
    """True: Phemex's own ``[priceEp, qty]`` integer rows; False: validated ``Level`` tuples."""


def _levels(rows: Any, name: str) -> list[Level]:
    """``[[price, qty], ...]`` as levels; a number or numeric string each, finite, price > 0."""
    if type(rows) is not list:
        raise MalformedMessage(f"{name} is not a JSON array")
    levels: list[Level] = []
    append = levels.append
    for row in rows:
        if type(row) is not list or len(row) < 2:
            raise MalformedMessage(f"a {name} row is not [price, qty]")
        value, qty = row[0], row[1]
        try:
            price = price_of(value)
            size = price_of(qty) if qty is not True else -1.0
        except (TypeError, ValueError, OverflowError):
            raise MalformedMessage(f"a {name} row has price {value!r} qty {qty!r}") from None
        if not price > 0 or size < 0 or type(value) is bool or type(qty) is bool:
            raise MalformedMessage(f"a {name} row has price {value!r} qty {qty!r}")
        append((price, value, qty if size else 0))
    return levels


class OrderBook(OrderBookStore):
    """Order books per symbol: ``sorted({"symbol": s})`` gives ``{"asks": [...], "bids": [...]}``.

    Items: ``{"symbol", "side" ("asks"/"bids"), "priceEp", "qty"}`` with the price and size as
    Phemex sent them (a scaled integer on ``book``, a string on ``orderbook_p``). A book is out
    of sync (not served) until its first snapshot and after a reconnect; see the module docs for
    the sequence rule and the periodic self-verification.

    Recovery re-subscribes. Phemex's ``orderbook.unsubscribe`` "unsubscribes all orderbook
    related subscriptions" of the connection, so the request is that unsubscribe followed by one
    subscribe per symbol whose book this store has received on that channel (the full book,
    ``[symbol, true]``, where its messages had ``depth`` 0). A symbol subscribed but never
    answered is not re-requested. Requests for one channel within ``recovery.timeout`` of the
    last are not repeated: the last one re-requests every book of the channel.
    """

    _KEYS = ("symbol", "side", "priceEp")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "side", "priceEp", "qty"
    _ASKS, _BIDS = "asks", "bids"
    _ROW_PRICE, _ROW_SIZE = 0, 1
    _SEQUENCE = OrderRule()
    _RECOVERY = Recovery.SUBSCRIPTION

    def _init(self) -> None:
        self.timestamp: int | None = None
        """The ``timestamp`` of the last book message that had one (pybotters' attribute)."""
        self._symbols: dict[str, dict[str, bool]] = {method: {} for method in _METHODS.values()}
        self._requested: dict[str, float] = {}

    def _on_book(self, message: Any, name: str, ws: Any) -> None:
        symbol = message.get("symbol")
        sequence = message.get("sequence")
        kind = message.get("type")
        depth = message.get("depth", 30)
        payload = message[name]
        timestamp = message.get("timestamp")
        if type(symbol) is not str:
            raise MalformedMessage(f"{name}: symbol {symbol!r} is not a string")
        if type(sequence) is not int:
            raise MalformedMessage(f"{name}: sequence {sequence!r} is not an integer")
        if kind not in ("snapshot", "incremental") or type(kind) is not str:
            raise MalformedMessage(f"{name}: type {kind!r} is neither snapshot nor incremental")
        if type(depth) is not int or depth < 0:
            raise MalformedMessage(f"{name}: depth {depth!r}")
        if type(payload) is not dict:
            raise MalformedMessage(f"{name} is not a JSON object")
        asks, bids = payload.get("asks", []), payload.get("bids", [])
        if type(asks) is not list or type(bids) is not list:
            raise MalformedMessage(f"{name}: asks or bids is not a JSON array")
        channel = self._symbols[_METHODS[name]]
        if symbol in channel or len(channel) < self._max_books:
            channel[symbol] = depth == 0
        if kind == "incremental" and name == "book":
            # Integer rows: core's _apply_rows validates them while applying, undoing on error.
            self._diff(symbol, _Book(asks, bids, True), last=sequence, ws=ws)
            if type(timestamp) is int:
                self.timestamp = timestamp
            return
        book = _Book(_levels(asks, "asks"), _levels(bids, "bids"), False)
        if kind == "snapshot":
            if self.in_sync(symbol):
                self._verify(symbol, book, depth)
            self._snapshot(symbol, book, seq=sequence, ws=ws)
        else:
            self._diff(symbol, book, last=sequence, ws=ws)
        if type(timestamp) is int:
            self.timestamp = timestamp

    def _verify(self, symbol: str, snapshot: _Book, depth: int) -> None:
        """Compare a periodic snapshot with the book in sync; count and log a difference."""
        ours_asks, ours_bids = self._whole(symbol)
        for side, theirs, ours in (
            ("asks", snapshot.asks, ours_asks),
            ("bids", snapshot.bids, ours_bids),
        ):
            want = sorted(
                ((price, float(size)) for price, _, size in theirs if size),
                reverse=side == "bids",
            )
            whole = depth == 0 or len(want) < depth
            have = [
                (price_of(i["priceEp"]), float(i["qty"]))
                for i in (ours if whole else ours[: len(want)])
            ]
            if have != want:
                self.stats.checksum_failures += 1
                differ = next(
                    (f"{h} vs {w}" for h, w in zip(have, want, strict=False) if h != w),
                    f"{len(have)} vs {len(want)} levels",
                )
                reason = f"snapshot mismatch on {side}: book {differ} (snapshot)"
                self.stats.last_reason = f"{symbol}: {reason}"
                self._limit().warning(
                    ("mismatch", symbol),
                    "%s: book %r differed from Phemex's periodic snapshot (%s); replaced by it",
                    self._label(),
                    symbol,
                    reason,
                )
                return

    def _whole(self, key: Hashable) -> tuple[list[Any], list[Any]]:
        book = self._books.get(key)
        if book is None:
            return [], []
        return self._top_levels(key, max(len(book.asks.levels), len(book.bids.levels), 1))

    def _apply_snapshot(self, key: Hashable, snapshot: Any) -> None:
        self._replace_book(key, snapshot.asks, snapshot.bids)

    def _apply_diff(self, key: Hashable, diff: Any) -> None:
        if not diff.rows:
            self._apply_levels(key, diff.asks, diff.bids)
            return
        try:
            self._apply_rows(key, diff.asks, diff.bids)
        except ValueError as exc:
            raise MalformedMessage(f"book: {exc}") from None

    def _resubscribe(self, key: Hashable) -> list[Any]:
        found = [(m, symbols) for m, symbols in self._symbols.items() if key in symbols]
        method, symbols = found[0] if found else ("orderbook", {str(key): False})
        now = time.monotonic()
        if now - self._requested.get(method, -_INF) < self.recovery.timeout:
            return []  # the request in flight re-requests this book too
        self._requested[method] = now
        messages: list[Any] = [{"id": 0, "method": f"{method}.unsubscribe", "params": []}]
        for symbol, full in symbols.items():
            params: list[Any] = [symbol, True] if full else [symbol]
            messages.append({"id": 0, "method": f"{method}.subscribe", "params": params})
        return messages

    def _onreconnect(self) -> None:
        self._requested.clear()
        super()._onreconnect()
