"""``OrderBookStore``: a DataStore of price levels, each book side kept sorted by numeric price.

Every side of every book (one book per group, e.g. per product code) is a sorted sequence of
prices (a ``bisect``-kept list while small, a sortedcontainers ``SortedList`` once large) plus a
dict from price to level item, so a level update costs O(log n) comparisons and
``sorted(limit=N)`` costs O(N): no full sort per call. Prices compare as numbers whatever their
JSON type (``"100.5"``, ``100.5`` and ``100.50`` are one level).

Exchange plugins subclass it and set the field names and side values of their own items::

    class Depth(OrderBookStore):
        _KEYS = ("symbol", "S", "p")  # group field(s), then the side and price fields
        _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "S", "p", "q"
        _ASKS, _BIDS = "a", "b"        # side values; also the keys of sorted()'s result

Iteration (and so ``find``) goes book by book, the asks then the bids, best price first: the
one place where a store does not iterate in insertion order, which means nothing for a book.

Bound policy: ``maxlen`` (default 9,999) applies to each side of each book, and when a side
grows past it the *worst* levels (farthest from the best price) are dropped, counted in
``evicted`` and logged. The best levels are never evicted. Such evictions are retention, not
market changes, so they are not reported to ``watch()`` streams.

Fast author API (on top of the generic ``_insert``/``_update``/``_delete``/... of DataStore):

``_apply_rows(group, asks, bids, ask_floor, bid_ceiling)``
    A diff as the exchange's own rows with numeric sizes, validated while applied and undone
    whole on a malformed row.
``_apply_items(group, asks, bids)``
    A diff of whole level items (rows with fields beyond price and size) at known prices.
``_apply_levels(group, asks, bids, ask_floor, bid_ceiling)``
    A diff already converted to ``Level`` tuples ``(price: float, price as sent, size)``.
``_replace_book(group, asks, bids)``
    A snapshot, as levels; only the levels that really change are reported.
``_discard_crossed(group, ask_floor, bid_ceiling)``, ``_drop_book(group)``

A size of 0 (or None) removes a level. Callers of the level-taking methods validate a whole
message into levels first, so a bad message never half-applies.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import islice
from operator import itemgetter
from typing import Any, ClassVar

from sortedcontainers import SortedList

from .change import Operation
from .datastore import DataStore, Item
from .integrity import VerifiedBook

__all__ = ["Level", "OrderBookStore", "price_of"]

Level = tuple[float, Any, Any]
"""``(numeric price, price as the exchange wrote it, size)``; a size of 0 or None removes it."""


def price_of(value: Any) -> float:
    """A level's price as a float; raises ValueError/TypeError for anything not a finite number."""
    price = float(value)
    if price - price != 0.0 or value is True or value is False:  # NaN, infinities, bools
        raise ValueError(f"price {value!r} is not a finite number")
    return price


class _Side:
    """One side of one book: rank (price, negated for bids so best is first) -> level item.

    ``ranks`` is a plain sorted list while the side is small, kept with ``bisect`` (C speed), and
    a ``SortedList`` once it outgrows ``_SMALL``: SortedList itself keeps sublists of up to that
    size, so the small form is the same algorithm without its Python-level bookkeeping.
    """

    __slots__ = ("levels", "ranks", "sign")

    def __init__(self, sign: float) -> None:
        self.sign = sign
        self.levels: dict[float, Item] = {}
        self.ranks: Any = []

    def add(self, rank: float) -> None:
        ranks = self.ranks
        if type(ranks) is list:
            insort(ranks, rank)
            if len(ranks) > _SMALL:
                self.ranks = SortedList(ranks)
        else:
            ranks.add(rank)

    def remove(self, rank: float) -> None:
        ranks = self.ranks
        if type(ranks) is list:
            del ranks[bisect_left(ranks, rank)]
        else:
            ranks.remove(rank)
            if len(ranks) < _SMALL // 4:
                self.ranks = list(ranks)

    def rebuild(self) -> None:
        ranks = sorted(self.levels)
        self.ranks = ranks if len(ranks) <= _SMALL else SortedList(ranks)

    def resize(self) -> None:
        ranks = self.ranks
        if type(ranks) is list:
            if len(ranks) > _SMALL:
                self.ranks = SortedList(ranks)
        elif len(ranks) < _SMALL // 4:
            self.ranks = list(ranks)

    def edge(self, depth: int) -> float:
        """The rank of the ``depth``-th best level (``depth`` > 0): a change at or before it
        changes the top ``depth`` levels (every rank is "before" while the side is shallower)."""
        ranks = self.ranks
        return ranks[depth - 1] if len(ranks) >= depth else _INF


_SMALL = 2000
_INF = float("inf")


class _Book:
    __slots__ = ("asks", "bids", "version")

    def __init__(self) -> None:
        self.asks = _Side(1.0)
        self.bids = _Side(-1.0)
        # Goes up whenever the best _CHECKSUM_DEPTH levels may have changed (any change, for
        # the generic paths), so a checksum is only recomputed when its input changed.
        self.version = 0


def _top(side: _Side, limit: int | None) -> list[Item]:
    levels = side.levels
    ranks = side.ranks[:limit] if limit else side.ranks
    return [levels[rank] for rank in ranks]


class OrderBookStore(VerifiedBook, DataStore):
    """Price levels of one or more order books, with ``sorted()`` best-first per side.

    Each book (one per key: the group fields' value, a symbol say) is verified against its
    exchange's integrity data and served only while in sync: see ``VerifiedBook`` for
    ``out_of_sync``, ``wait_synced``, ``stats``, ``max_books``/``max_levels`` and the author
    methods ``_snapshot``/``_diff``/``_desync`` (docs/verified-books.rst).
    """

    _KEYS: ClassVar[tuple[str, ...]] = ("side", "price")
    _SIDE_KEY: ClassVar[str] = "side"
    _PRICE_KEY: ClassVar[str] = "price"
    _SIZE_KEY: ClassVar[str] = "size"
    _ASKS: ClassVar[str] = "asks"
    _BIDS: ClassVar[str] = "bids"
    _ROW_PRICE: ClassVar[str | int] = "price"
    _ROW_SIZE: ClassVar[str | int] = "size"

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
        # The common case, one group field (a product code): new levels are built inline.
        self._group_key = self._group_keys[0] if len(self._group_keys) == 1 else None
        self._books: dict[Hashable, _Book] = {}
        self._count = 0
        self._setup_sync()

    # -- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Item]:
        """Book by book; in each, the asks then the bids, best price first."""
        for book in list(self._books.values()):
            for side in (book.asks, book.bids):
                levels = side.levels
                yield from [levels[rank] for rank in side.ranks]

    def __reversed__(self) -> Iterator[Item]:
        return reversed(list(self))

    def get(self, item: Item) -> Item | None:
        try:
            book = self._books.get(self._group_of(item))
            if book is None:
                return None
            side = item[self._SIDE_KEY]
            price = price_of(item[self._PRICE_KEY])
        except (KeyError, TypeError, ValueError):
            return None
        if side == self._ASKS:
            return book.asks.levels.get(price)
        if side == self._BIDS:
            return book.bids.levels.get(-price)
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
        self,
        group: Hashable,
        asks: Iterable[Level] = (),
        bids: Iterable[Level] = (),
        ask_floor: float | None = None,
        bid_ceiling: float | None = None,
    ) -> bool:
        """Set or remove levels of one book (a diff); True when anything changed.

        ``ask_floor``/``bid_ceiling`` then discard crossed levels as ``_discard_crossed`` does
        (in the same step, so waiters wake once per diff).
        """
        book = self._books.get(group) or self._new_book(group)
        size_key = self._SIZE_KEY
        group_key = self._group_key
        side_key, price_key = self._SIDE_KEY, self._PRICE_KEY
        watching = bool(self._streams)
        changed = False
        count = self._count
        depth = self._CHECKSUM_DEPTH
        top = refit = False
        maxlen = self._maxlen
        for side, name, levels in ((book.asks, self._ASKS, asks), (book.bids, self._BIDS, bids)):
            if not levels:
                continue
            sign = side.sign
            index = side.levels
            ranks = side.ranks
            small = type(ranks) is list
            edge = side.edge(depth) if depth else -_INF
            for price, value, size in levels:
                rank = sign * price
                if rank <= edge:
                    top = True
                level = index.get(rank)
                if not size:
                    if level is not None:
                        del index[rank]
                        if small:
                            del ranks[bisect_left(ranks, rank)]
                        else:
                            ranks.remove(rank)
                        count -= 1
                        changed = True
                        if watching:
                            self._emit("delete", None, level)
                elif level is None:
                    if group_key is not None:
                        level = {group_key: group, side_key: name, price_key: value, size_key: size}
                    else:
                        level = self._new_level(group, name, value, size)
                    index[rank] = level
                    if small:
                        insort(ranks, rank)
                    else:
                        ranks.add(rank)
                    count += 1
                    changed = True
                    if watching:
                        self._emit("insert", None, level.copy())
                elif level[size_key] != size:
                    level[size_key] = size
                    changed = True
                    if watching:
                        self._emit("update", None, level.copy())
            if len(index) > maxlen or (
                (len(ranks) > _SMALL) if small else (len(ranks) < _SMALL // 4)
            ):
                refit = True
        return self._settle(book, group, count, changed, top, refit, ask_floor, bid_ceiling)

    def _apply_items(
        self,
        group: Hashable,
        asks: Iterable[tuple[float, Item]] = (),
        bids: Iterable[tuple[float, Item]] = (),
        remove: bool = False,
    ) -> bool:
        """Set, merge or remove whole level items of one book (a diff); True when anything changed.

        For exchanges whose rows are the level items themselves (with fields beyond price and
        size, an id say): each pair is ``(numeric price, item)``, validated by the caller. An item
        at a price the side does not hold is stored as given; one at a held price is merged into
        the held level (an update row may carry only what changed). With ``remove`` the items are
        delete rows: the levels at their prices leave (watchers see the row as the source).
        """
        book = self._books.get(group) or self._new_book(group)
        watching = bool(self._streams)
        changed = False
        count = self._count
        depth = self._CHECKSUM_DEPTH
        top = refit = False
        maxlen = self._maxlen
        for side, pairs in ((book.asks, asks), (book.bids, bids)):
            if not pairs:
                continue
            sign = side.sign
            index = side.levels
            ranks = side.ranks
            small = type(ranks) is list
            edge = side.edge(depth) if depth else -_INF
            for price, item in pairs:
                rank = sign * price
                if rank <= edge:
                    top = True
                level = index.get(rank)
                if remove:
                    if level is not None:
                        del index[rank]
                        if small:
                            del ranks[bisect_left(ranks, rank)]
                        else:
                            ranks.remove(rank)
                        count -= 1
                        changed = True
                        if watching:
                            self._emit("delete", item, level)
                elif level is None:
                    index[rank] = item
                    if small:
                        insort(ranks, rank)
                    else:
                        ranks.add(rank)
                    count += 1
                    changed = True
                    if watching:
                        self._emit("insert", None, item.copy())
                elif not item.items() <= level.items():
                    level.update(item)
                    changed = True
                    if watching:
                        self._emit("update", item, level.copy())
            if len(index) > maxlen or (
                (len(ranks) > _SMALL) if small else (len(ranks) < _SMALL // 4)
            ):
                refit = True
        return self._settle(book, group, count, changed, top, refit, None, None)

    def _apply_rows(
        self,
        group: Hashable,
        asks: Iterable[Any] = (),
        bids: Iterable[Any] = (),
        ask_floor: float | None = None,
        bid_ceiling: float | None = None,
    ) -> bool:
        """Apply a diff given as the exchange's own rows, validating while applying.

        Each row holds a price (a number or numeric string) at ``row[_ROW_PRICE]`` and a size
        (a JSON number; 0 removes the level) at ``row[_ROW_SIZE]``: keys for object rows, 0 and
        1 for ``[price, size]`` arrays. One pass does the work; if any row is malformed, every
        change made so far is undone and ValueError is raised, so a bad diff never half-applies
        (and watchers see nothing of it). Rows priced 0 are not levels and are skipped. Use
        ``_apply_levels`` for rows that need converting first (string sizes, say).
        """
        book = self._books.get(group) or self._new_book(group)
        row_price, row_size = self._ROW_PRICE, self._ROW_SIZE
        size_key = self._SIZE_KEY
        group_key = self._group_key
        side_key, price_key = self._SIDE_KEY, self._PRICE_KEY
        pending: list[tuple[Operation, Item]] | None = [] if self._streams else None
        undo: list[tuple[Any, ...]] = []
        count = self._count
        depth = self._CHECKSUM_DEPTH
        top = refit = False
        maxlen = self._maxlen
        try:
            for side, name, rows in ((book.asks, self._ASKS, asks), (book.bids, self._BIDS, bids)):
                sign = side.sign
                index = side.levels
                ranks = side.ranks
                small = type(ranks) is list
                edge = side.edge(depth) if depth else -_INF
                for row in rows:
                    value = row[row_price]
                    size = row[row_size]
                    price = float(value)
                    if (
                        not (0 <= size < _INF and 0.0 < price < _INF)
                        or size is True
                        or size is False
                        or value is True
                        or value is False
                    ):
                        if price or value is False:  # NaN, infinity, a bool, a negative
                            raise ValueError(f"bad level row price={value!r} size={size!r}")
                        continue
                    rank = sign * price
                    if rank <= edge:
                        top = True
                    level = index.get(rank)
                    if not size:
                        if level is not None:
                            del index[rank]
                            if small:
                                del ranks[bisect_left(ranks, rank)]
                            else:
                                ranks.remove(rank)
                            count -= 1
                            undo.append((side, rank, level))
                            if pending is not None:
                                pending.append(("delete", level))
                    elif level is None:
                        if group_key is not None:
                            level = {
                                group_key: group,
                                side_key: name,
                                price_key: value,
                                size_key: size,
                            }
                        else:
                            level = self._new_level(group, name, value, size)
                        index[rank] = level
                        if small:
                            insort(ranks, rank)
                        else:
                            ranks.add(rank)
                        count += 1
                        undo.append((side, rank))
                        if pending is not None:
                            pending.append(("insert", level.copy()))
                    elif level[size_key] != size:
                        undo.append((level, level[size_key]))
                        level[size_key] = size
                        if pending is not None:
                            pending.append(("update", level.copy()))
                if len(index) > maxlen or (
                    (len(ranks) > _SMALL) if small else (len(ranks) < _SMALL // 4)
                ):
                    refit = True
        except (KeyError, TypeError, ValueError, OverflowError, IndexError) as exc:
            self._undo(undo, size_key)
            raise ValueError(f"malformed level row ({type(exc).__name__}: {exc})") from None
        if pending:
            for operation, data in pending:
                self._emit(operation, None, data)
        return self._settle(book, group, count, bool(undo), top, refit, ask_floor, bid_ceiling)

    def _new_book(self, group: Hashable) -> _Book:
        """An empty book for the group (one that has none yet)."""
        book = self._books[group] = _Book()
        return book

    def _undo(self, undo: list[tuple[Any, ...]], size_key: str) -> None:
        for entry in reversed(undo):
            if len(entry) == 2 and isinstance(entry[0], dict):
                entry[0][size_key] = entry[1]  # (level, its old size)
            elif len(entry) == 2:
                side, rank = entry  # an inserted level
                del side.levels[rank]
                side.remove(rank)
            else:
                side, rank, level = entry  # a removed level
                side.levels[rank] = level
                side.add(rank)

    def _settle(
        self,
        book: _Book,
        group: Hashable,
        count: int,
        changed: bool,
        top: bool,
        refit: bool,
        ask_floor: float | None,
        bid_ceiling: float | None,
    ) -> bool:
        """After a diff: record the new level ``count``; a new version if it touched the best
        levels (``top``); with ``refit`` (a side outgrew its rank container or ``maxlen``), fit
        the containers and drop the worst levels; discard crossed levels; then wake waiters once
        if anything changed."""
        if top:
            book.version += 1
        self._count = count
        if refit:
            for side, name in ((book.asks, self._ASKS), (book.bids, self._BIDS)):
                side.resize()
                if len(side.levels) > self._maxlen:
                    self._trim(group, side, name)
        if ask_floor is not None:
            ranks = book.asks.ranks
            if ranks and ranks[0] < ask_floor:
                book.version += 1
                changed = self._drop_better(group, book.asks, self._ASKS, ask_floor) or changed
        if bid_ceiling is not None:
            ranks = book.bids.ranks
            if ranks and ranks[0] < -bid_ceiling:
                book.version += 1
                changed = self._drop_better(group, book.bids, self._BIDS, -bid_ceiling) or changed
        if changed:
            owner = self._collection
            if self._waiters or (owner is not None and owner._waiters):
                self._notify()
            if self._count > self._max_levels or len(self._books) > self._max_books:
                self._bound(group)
        return changed

    def _replace_book(
        self, group: Hashable, asks: Iterable[Level] = (), bids: Iterable[Level] = ()
    ) -> bool:
        """Make one book exactly these levels (a snapshot), reporting only what really changed."""
        book = self._books.get(group) or self._new_book(group)
        book.version += 1
        changed = self._replace_side(group, book.asks, self._ASKS, asks)
        changed = self._replace_side(group, book.bids, self._BIDS, bids) or changed
        if changed:
            self._notify()
            if self._count > self._max_levels or len(self._books) > self._max_books:
                self._bound(group)
        return changed

    def _replace_side(
        self, group: Hashable, side: _Side, name: str, levels: Iterable[Level]
    ) -> bool:
        sign = side.sign
        old = side.levels
        before = len(old)
        new: dict[float, Item] = {}
        size_key = self._SIZE_KEY
        watching = bool(self._streams)
        changed = reshaped = False
        for price, value, size in levels:
            if not size:
                continue
            rank = sign * price
            level = new.get(rank)
            if level is None:
                level = old.pop(rank, None)
                if level is None:
                    level = self._new_level(group, name, value, size)
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
        for level in old.values():
            changed = reshaped = True
            if watching:
                self._emit("delete", None, level)
        self._count += len(new) - before
        side.levels = new
        if reshaped:
            side.rebuild()
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
        book.version += 1
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
            self._count -= 1
            if watching:
                self._emit("delete", None, level)
        side.resize()
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
        self._count -= len(side.levels)
        if watching:
            for level in side.levels.values():
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
        book = self._books.get(group)
        if book is not None:
            book.version += 1  # the worst levels: the best ones too when maxlen is tiny
        over = len(side.levels) - self._maxlen
        for _ in range(over):
            side.levels.pop(side.ranks.pop())
        self._count -= over
        side.resize()
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
        book.version += 1  # the generic paths: any change may be a best level
        if side_name == self._ASKS:
            return group, side_name, book.asks, price
        if side_name == self._BIDS:
            return group, side_name, book.bids, price
        raise KeyError(side_name)

    def _insert(self, data: Iterable[Item]) -> None:
        self._put(data, merge=False)

    def _update(self, data: Iterable[Item]) -> None:
        self._put(data, merge=True)

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
                side.add(rank)
                self._count += 1
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
                changed = True
                if watching:
                    self._emit("update", None, item.copy())
        for group, side, name in touched:
            if len(side.levels) > self._maxlen:
                self._trim(group, side, name)
        if changed:
            self._notify()
        if touched and (self._count > self._max_levels or len(self._books) > self._max_books):
            self._bound(touched[-1][0])

    def _delete(self, data: Iterable[Item]) -> None:
        watching = bool(self._streams)
        changed = False
        for item in data:
            try:
                _, _, side, price = self._locate(item)
            except (KeyError, TypeError, ValueError):
                continue
            rank = side.sign * price
            level = side.levels.pop(rank, None)
            if level is None:
                continue
            side.remove(rank)
            self._count -= 1
            changed = True
            if watching:
                self._emit("delete", item, level)
        if changed:
            self._notify()

    def _clear(self) -> None:
        if not self._count:
            return
        if self._streams:
            for level in self:
                self._emit("delete", None, level)
        self._books.clear()
        self._count = 0
        self._notify()

    def _onreconnect(self) -> None:
        """Every book waits for a fresh snapshot: the outage may have lost any diff."""
        self._reset_sync()

    def _ondisconnect(self) -> None:
        """The feed is down: no book can be kept true, so none is served until the reconnect's
        snapshots (the same reset as on reconnect, which then finds nothing left to do)."""
        self._reset_sync()

    def _top_levels(self, group: Hashable, depth: int) -> tuple[list[Item], list[Item]]:
        book = self._books.get(group)
        if book is None:
            return [], []
        return _top(book.asks, depth), _top(book.bids, depth)

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
