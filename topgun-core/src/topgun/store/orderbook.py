"""``OrderBookStore``: a DataStore of price levels, each book side kept sorted by numeric price.

Every side of every book (one book per group, e.g. per product code) is a ``SortedList`` of
prices plus a dict from price to level item, so a level update costs O(log n) and
``sorted(limit=N)`` costs O(N): no full sort per call. Prices compare as numbers whatever their
JSON type (``"100.5"``, ``100.5`` and ``100.50`` are one level).

Exchange plugins subclass it and set the field names and side values of their own items::

    class Depth(OrderBookStore):
        _KEYS = ("symbol", "S", "p")  # group field(s), then the side and price fields
        _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "S", "p", "q"
        _ASKS, _BIDS = "a", "b"        # side values; also the keys of sorted()'s result

Bound policy: ``maxlen`` (default 9,999) applies to each side of each book, and when a side
grows past it the *worst* levels (farthest from the best price) are dropped, counted in
``evicted`` and logged. The best levels are never evicted.

Fast author API (on top of the generic ``_insert``/``_update``/``_delete``/... of DataStore):
``_apply_levels(group, asks, bids)`` for diffs, ``_replace_book(group, asks, bids)`` for
snapshots, ``_discard_crossed(group, ask_floor, bid_ceiling)`` and ``_drop_book(group)``.
Levels there are ``(price: float, price_value, size)`` tuples, ``size`` None meaning "remove":
the caller validates a whole message into such tuples first, so a bad message never half-applies.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import islice
from operator import itemgetter
from typing import Any, ClassVar

from sortedcontainers import SortedList

from .datastore import DataStore, Item

__all__ = ["Level", "OrderBookStore", "price_of"]

Level = tuple[float, Any, Any]
"""``(numeric price, price as the exchange wrote it, size or None to remove the level)``."""


def price_of(value: Any) -> float:
    """A level's price as a float; raises ValueError/TypeError for anything not a finite number."""
    price = float(value)
    if price - price != 0.0:  # NaN and infinities
        raise ValueError(f"price {value!r} is not a finite number")
    return price


class _Side:
    """One side of one book: rank (price, negated for bids so best is first) -> level item."""

    __slots__ = ("levels", "ranks", "sign")

    def __init__(self, sign: float) -> None:
        self.sign = sign
        self.levels: dict[float, Item] = {}
        self.ranks: Any = SortedList()


class _Book:
    __slots__ = ("asks", "bids")

    def __init__(self) -> None:
        self.asks = _Side(1.0)
        self.bids = _Side(-1.0)


def _top(side: _Side, limit: int | None) -> list[Item]:
    levels = side.levels
    ranks = side.ranks[:limit] if limit else side.ranks
    return [levels[rank] for rank in ranks]


class OrderBookStore(DataStore):
    """Price levels of one or more order books, with ``sorted()`` best-first per side."""

    _KEYS: ClassVar[tuple[str, ...]] = ("side", "price")
    _SIDE_KEY: ClassVar[str] = "side"
    _PRICE_KEY: ClassVar[str] = "price"
    _SIZE_KEY: ClassVar[str] = "size"
    _ASKS: ClassVar[str] = "asks"
    _BIDS: ClassVar[str] = "bids"

    def _setup(self) -> None:
        keys = self._keys
        if self._SIDE_KEY not in keys or self._PRICE_KEY not in keys:
            raise ValueError(
                f"{type(self).__name__} keys {keys} must include the side field "
                f"{self._SIDE_KEY!r} and the price field {self._PRICE_KEY!r}"
            )
        self._keyset = frozenset(keys)
        self._group_keys = tuple(k for k in keys if k not in (self._SIDE_KEY, self._PRICE_KEY))
        self._group_of: Callable[[Item], Hashable]
        if not self._group_keys:
            self._group_of = _no_group
        else:
            self._group_of = itemgetter(*self._group_keys)
        self._books: dict[Hashable, _Book] = {}
        # (group, side value, float price) -> level, in insertion order, for get/find/iteration.
        self._data: dict[Hashable, Item] = {}

    # -- reading -------------------------------------------------------------------------

    def get(self, item: Item) -> Item | None:
        try:
            side = item[self._SIDE_KEY]
            key = (self._group_of(item), side, price_of(item[self._PRICE_KEY]))
            return self._data.get(key)
        except (KeyError, TypeError, ValueError):
            return None

    def sorted(self, query: Item | None = None, limit: int | None = None) -> dict[str, list[Item]]:
        """``{asks: [...], bids: [...]}``, best price first, at most ``limit`` levels per side.

        ``query`` filters like ``find`` (``{"product_code": "FX_BTC_JPY"}``); without one, every
        book is merged by price. The lists hold the live level dicts: read them, don't modify them.
        """
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be >= 0 or None, not {limit!r}")
        asks, bids = self._ASKS, self._BIDS
        books = self._books
        if not query:
            if len(books) == 1:
                for book in books.values():
                    return {asks: _top(book.asks, limit), bids: _top(book.bids, limit)}
            selected = list(books.values())
            rest: Item = {}
        else:
            selected, rest = self._select(query)
        want_side = rest.pop(self._SIDE_KEY, None) if self._SIDE_KEY in rest else None
        result: dict[str, list[Item]] = {}
        for name, is_ask in ((asks, True), (bids, False)):
            if want_side is not None and want_side != name:
                result[name] = []
                continue
            sides = [book.asks if is_ask else book.bids for book in selected]
            if not rest and len(sides) == 1:
                result[name] = _top(sides[0], limit)
            else:
                result[name] = _merged(sides, limit, rest)
        return result

    def _select(self, query: Item) -> tuple[list[_Book], Item]:
        group_keys = self._group_keys
        if group_keys and all(k in query for k in group_keys):
            try:
                book = self._books.get(self._group_of(query))
            except TypeError:
                book = None
            rest = {k: v for k, v in query.items() if k not in group_keys}
            return ([book] if book is not None else []), rest
        return list(self._books.values()), dict(query)

    # -- the fast author API ---------------------------------------------------------------

    def _apply_levels(
        self, group: Hashable, asks: Iterable[Level] = (), bids: Iterable[Level] = ()
    ) -> bool:
        """Set or remove levels of one book (a diff); True when anything changed."""
        book = self._books.get(group)
        if book is None:
            book = self._books[group] = _Book()
        changed = self._apply_side(group, book.asks, self._ASKS, asks)
        changed = self._apply_side(group, book.bids, self._BIDS, bids) or changed
        if changed:
            self._notify()
        return changed

    def _apply_side(self, group: Hashable, side: _Side, name: str, levels: Iterable[Level]) -> bool:
        sign = side.sign
        index = side.levels
        ranks = side.ranks
        data = self._data
        size_key = self._SIZE_KEY
        watching = bool(self._streams)
        changed = False
        for price, value, size in levels:
            rank = sign * price
            level = index.get(rank)
            if size is None:
                if level is not None:
                    del index[rank]
                    ranks.remove(rank)
                    del data[(group, name, price)]
                    changed = True
                    if watching:
                        self._emit("delete", None, level)
            elif level is None:
                level = self._new_level(group, name, value, size)
                index[rank] = level
                ranks.add(rank)
                data[(group, name, price)] = level
                changed = True
                if watching:
                    self._emit("insert", None, level.copy())
            elif level.get(size_key) != size:
                level[size_key] = size
                changed = True
                if watching:
                    self._emit("update", None, level.copy())
        if len(index) > self._maxlen:
            self._trim(group, side, name)
        return changed

    def _replace_book(
        self, group: Hashable, asks: Iterable[Level] = (), bids: Iterable[Level] = ()
    ) -> bool:
        """Make one book exactly these levels (a snapshot), reporting only what really changed."""
        book = self._books.get(group)
        if book is None:
            book = self._books[group] = _Book()
        changed = self._replace_side(group, book.asks, self._ASKS, asks)
        changed = self._replace_side(group, book.bids, self._BIDS, bids) or changed
        if changed:
            self._notify()
        return changed

    def _replace_side(
        self, group: Hashable, side: _Side, name: str, levels: Iterable[Level]
    ) -> bool:
        sign = side.sign
        old = side.levels
        new: dict[float, Item] = {}
        data = self._data
        size_key = self._SIZE_KEY
        watching = bool(self._streams)
        changed = reshaped = False
        for price, value, size in levels:
            if size is None:
                continue
            rank = sign * price
            level = new.get(rank)
            if level is None:
                level = old.pop(rank, None)
                if level is None:
                    level = self._new_level(group, name, value, size)
                    data[(group, name, price)] = level
                    new[rank] = level
                    changed = reshaped = True
                    if watching:
                        self._emit("insert", None, level.copy())
                    continue
                new[rank] = level
            if level.get(size_key) != size:
                level[size_key] = size
                changed = True
                if watching:
                    self._emit("update", None, level.copy())
        for rank, level in old.items():
            del data[(group, name, sign * rank)]
            changed = reshaped = True
            if watching:
                self._emit("delete", None, level)
        side.levels = new
        if reshaped:
            side.ranks = SortedList(new)
        if len(new) > self._maxlen:
            self._trim(group, side, name)
        return changed

    def _discard_crossed(
        self, group: Hashable, ask_floor: float | None = None, bid_ceiling: float | None = None
    ) -> bool:
        """Remove asks priced below ``ask_floor`` and bids priced above ``bid_ceiling``.

        Such levels are stale (the exchange would have matched them); with sorted sides this
        only looks at the best end of each side, so it is O(1) when nothing is crossed.
        """
        book = self._books.get(group)
        if book is None:
            return False
        changed = False
        if ask_floor is not None:
            changed = self._drop_better(group, book.asks, self._ASKS, ask_floor)
        if bid_ceiling is not None:
            changed = self._drop_better(group, book.bids, self._BIDS, -bid_ceiling) or changed
        if changed:
            self._notify()
        return changed

    def _drop_better(self, group: Hashable, side: _Side, name: str, limit: float) -> bool:
        ranks = side.ranks
        if not ranks or ranks[0] >= limit:
            return False
        watching = bool(self._streams)
        while ranks and ranks[0] < limit:
            rank = ranks.pop(0)
            level = side.levels.pop(rank)
            del self._data[(group, name, side.sign * rank)]
            if watching:
                self._emit("delete", None, level)
        return True

    def _drop_book(self, group: Hashable) -> bool:
        """Remove every level of one book (it is no longer trustworthy)."""
        book = self._books.pop(group, None)
        if book is None:
            return False
        changed = self._forget_side(group, book.asks, self._ASKS)
        changed = self._forget_side(group, book.bids, self._BIDS) or changed
        if changed:
            self._notify()
        return changed

    def _forget_side(self, group: Hashable, side: _Side, name: str) -> bool:
        watching = bool(self._streams)
        for rank, level in side.levels.items():
            del self._data[(group, name, side.sign * rank)]
            if watching:
                self._emit("delete", None, level)
        return bool(side.levels)

    def _new_level(self, group: Hashable, side: str, price: Any, size: Any) -> Item:
        """A new level item in the exchange's shape: group fields, side, price, size."""
        keys = self._group_keys
        if len(keys) == 1:
            return {
                keys[0]: group,
                self._SIDE_KEY: side,
                self._PRICE_KEY: price,
                self._SIZE_KEY: size,
            }
        item: Item = dict(zip(keys, group, strict=True)) if keys else {}  # type: ignore[call-overload]
        item[self._SIDE_KEY] = side
        item[self._PRICE_KEY] = price
        item[self._SIZE_KEY] = size
        return item

    def _trim(self, group: Hashable, side: _Side, name: str) -> None:
        over = len(side.levels) - self._maxlen
        for _ in range(over):
            rank = side.ranks.pop()
            side.levels.pop(rank)
            del self._data[(group, name, side.sign * rank)]
        self.evicted += over
        self._limit().warning(
            "evict",
            "order book %r: a %s side of %r passed maxlen=%d levels; dropped its %d worst "
            "(the best levels are kept; raise maxlen for deeper books)",
            self.name,
            name,
            group,
            self._maxlen,
            over,
        )

    # -- the generic author API, kept consistent with the sorted sides -------------------------

    def _locate(self, item: Item) -> tuple[Hashable, str, _Side, float]:
        side_name = item[self._SIDE_KEY]
        price = price_of(item[self._PRICE_KEY])
        group = self._group_of(item)
        hash(group)
        book = self._books.get(group)
        if book is None:
            if side_name != self._ASKS and side_name != self._BIDS:
                raise KeyError(side_name)
            book = self._books[group] = _Book()
        if side_name == self._ASKS:
            return group, side_name, book.asks, price
        if side_name == self._BIDS:
            return group, side_name, book.bids, price
        raise KeyError(side_name)

    def _put(self, data: Iterable[Item], merge: bool) -> None:
        watching = bool(self._streams)
        changed = False
        touched: list[tuple[Hashable, _Side, str]] = []
        for item in data:
            try:
                group, name, side, price = self._locate(item)
            except (KeyError, TypeError, ValueError):
                self._missing_key(item)
                continue
            rank = side.sign * price
            old = side.levels.get(rank)
            if old is None:
                side.levels[rank] = item
                side.ranks.add(rank)
                self._data[(group, name, price)] = item
                touched.append((group, side, name))
                changed = True
                if watching:
                    self._emit("insert", None, item.copy())
            elif merge:
                if not item.items() <= old.items():
                    old.update(item)
                    changed = True
                    if watching:
                        self._emit("update", item, old.copy())
            elif old is not item and old != item:
                side.levels[rank] = item
                self._data[(group, name, price)] = item
                changed = True
                if watching:
                    self._emit("update", None, item.copy())
        for group, side, name in touched:
            if len(side.levels) > self._maxlen:
                self._trim(group, side, name)
        if changed:
            self._notify()

    def _insert(self, data: Iterable[Item]) -> None:
        self._put(data, merge=False)

    def _update(self, data: Iterable[Item]) -> None:
        self._put(data, merge=True)

    def _delete(self, data: Iterable[Item]) -> None:
        watching = bool(self._streams)
        changed = False
        for item in data:
            try:
                group, name, side, price = self._locate(item)
            except (KeyError, TypeError, ValueError):
                continue
            rank = side.sign * price
            level = side.levels.pop(rank, None)
            if level is None:
                continue
            side.ranks.remove(rank)
            del self._data[(group, name, price)]
            changed = True
            if watching:
                self._emit("delete", item, level)
        if changed:
            self._notify()

    def _clear(self) -> None:
        if not self._data:
            return
        if self._streams:
            for level in self._data.values():
                self._emit("delete", None, level)
        self._data.clear()
        self._books.clear()
        self._notify()

    def _find_and_delete(self, query: Item | None = None) -> list[Item]:
        removed = self.find(query)
        self._delete(removed)
        return removed

    def _rebound(self) -> None:
        for group, book in self._books.items():
            for side, name in ((book.asks, self._ASKS), (book.bids, self._BIDS)):
                if len(side.levels) > self._maxlen:
                    self._trim(group, side, name)


def _no_group(item: Item) -> None:
    return None


def _ranked(side: _Side) -> Iterator[tuple[float, Item]]:
    levels = side.levels
    for rank in side.ranks:
        yield rank, levels[rank]


def _merged(sides: list[_Side], limit: int | None, rest: Item) -> list[Item]:
    """Levels of several books (and/or filtered by ``rest``), best first, at most ``limit``."""
    if len(sides) == 1:
        pairs: Iterable[tuple[float, Item]] = _ranked(sides[0])
    else:
        pairs = heapq.merge(*(_ranked(side) for side in sides), key=itemgetter(0))
    items: Iterable[Item] = (item for _, item in pairs)
    if rest:
        wanted = rest.items()
        items = (item for item in items if wanted <= item.items())
    return list(islice(items, limit) if limit else items)
