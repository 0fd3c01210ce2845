"""``DataStore``: an in-memory table of plain dict items, keyed or append-only, bounded.

Reading (everyone): ``get``, ``find``, ``len``, iteration in insertion order, ``reversed``,
``await wait()``, ``watch()``.

Writing (store authors: exchange plugins, custom stores). These methods are the stable author API.
They keep the names pybotters used so custom stores written for it move over unchanged:

``_insert(items)``
    Add items. On a keyed store an item whose key is already present replaces that item whole.
``_update(items)``
    Merge each item into the stored item with the same key (``dict.update``), or insert it.
    On a keyless store this appends.
``_delete(items)``
    Remove the items with the same key (keyless: the same objects, or equal ones).
``_clear()``
    Remove everything.
``_find_and_delete(query)``
    Remove and return the items matching ``query`` (all items when it is empty).
``_patch(item, fields)``
    Merge ``fields`` into one stored item, found by key (keyless: by identity, as returned by
    ``find``). For keyless stores whose items change in place (positions, say).
``_pop(item)``
    Remove and return the stored item with the same key (None if absent or keyless). Unlike
    pybotters' it is reported like any delete (``wait``/``watch`` see it).
``_sorted(item_key, item_asc_key, item_desc_key, sort_key, query=None, limit=None)``
    pybotters' helper for a custom order book's ``sorted()``: the items matching ``query``, split
    by ``item[item_key]`` into ``{item_asc_key: [...], item_desc_key: [...]}``, sorted by
    ``float(item[sort_key])`` (ascending, descending), ``limit`` per side. A full sort per call:
    ``OrderBookStore`` keeps its sides sorted instead.
Hooks a subclass may define: ``_init()`` (called once after construction), ``_onmessage(...)``,
``_onresponse(data, url)`` (see ``DataStoreCollection.initialize``) and ``_onreconnect()``.
Class attributes: ``_KEYS`` (key field names) and ``_MAXLEN`` (the bound).

Items are stored as given (no copy) and ``get``/``find``/iteration return the live dicts, which
later changes update in place: read them, never modify them. ``watch()`` hands out copies.
An item lacking a key field is not stored; it is counted in ``missing_keys`` and logged
(rate-limited) under the ``topgun.store`` logger.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from ._limiter import LogLimiter
from .change import DEFAULT_STREAM_SIZE, Operation, StoreChange, StoreStream
from .wakeup import wait_on, wake_all

if TYPE_CHECKING:
    from yarl import URL

__all__ = ["DEFAULT_MAXLEN", "DataStore", "Item"]

Item = dict[str, Any]
"""A store item: the exchange's message fields as decoded from JSON."""

DEFAULT_MAXLEN = 9999
"""The bound of a store whose class does not set ``_MAXLEN``."""

log = logging.getLogger("topgun.store")


class _Owner(Protocol):
    """What a store tells its collection: only that something changed."""

    _waiters: list[asyncio.Future[None]]

    def _wake(self) -> None: ...


def _check_maxlen(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"maxlen must be a positive int, not {value!r}")
    return value


def _keyed_writer(merge: bool) -> Callable[[DataStore, Iterable[Item]], None]:
    """``DataStore._insert`` (``merge=False``) or ``_update``: one loop, made twice so that
    the per-message hot path pays no extra call for the one branch they differ in."""

    def write(self: DataStore, data: Iterable[Item]) -> None:
        """Store items by key: a new key inserts; a held one is replaced, or with ``merge``
        updated with the item's fields (an update message may carry only what changed)."""
        if not self._keys:
            self._append(data)
            return
        index = self._data
        key_of = self._key_of
        watching = bool(self._streams)
        changed = False
        for item in data:
            try:
                key = key_of(item)
                old = index.get(key)
            except (KeyError, TypeError):
                self._missing_key(item)
                continue
            if old is None:
                index[key] = item
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
                index[key] = item
                changed = True
                if watching:
                    self._emit("update", None, item.copy())
        if changed:
            if len(index) > self._maxlen:
                self._evict()
            self._notify()

    write.__name__ = "_update" if merge else "_insert"
    write.__qualname__ = f"DataStore.{write.__name__}"
    return write


class DataStore:
    """A table of dict items; keyed by ``keys`` when given, else an append-only log.

    ``keys`` (default: the class's ``_KEYS``) index items by the tuple of those fields, in an
    ordinary dict, so lookups by key are O(1) and equal keys are really equal (no hash-only index).
    ``maxlen`` (default: the class's ``_MAXLEN``, 9,999) bounds the store: past it, the oldest
    inserted items are dropped (not reported as changes) and counted in ``evicted``.

    >>> ds = DataStore(keys=["id"], data=[{"id": 1, "data": "foo"}, {"id": 2, "data": "bar"}])
    >>> ds.get({"id": 1})
    {'id': 1, 'data': 'foo'}
    >>> ds.find({"data": "bar"})
    [{'id': 2, 'data': 'bar'}]
    """

    _KEYS: ClassVar[Sequence[str]] = ()
    _MAXLEN: ClassVar[int] = DEFAULT_MAXLEN

    def __init__(
        self,
        name: str | None = None,
        keys: Sequence[str] | None = None,
        data: Iterable[Item] | None = None,
        *,
        maxlen: int | None = None,
    ) -> None:
        self.name = name
        self._keys: tuple[str, ...] = tuple(keys) if keys else tuple(self._KEYS)
        self._maxlen = _check_maxlen(self._MAXLEN if maxlen is None else maxlen)
        self._waiters: list[asyncio.Future[None]] = []
        self._streams: tuple[weakref.ref[StoreStream], ...] = ()
        self._collection: _Owner | None = None
        self._limiter: LogLimiter | None = None
        self.missing_keys = 0
        """Items refused because a key field was missing (or unhashable)."""
        self.evicted = 0
        """Items dropped to stay within ``maxlen``."""
        self._setup()
        if data:
            self._insert(data)
        init: Callable[[], None] | None = getattr(self, "_init", None)
        if init is not None:
            init()

    def _setup(self) -> None:
        """Create the storage; subclasses with their own layout (order books) override it."""
        self._keyset = frozenset(self._keys)
        # An OrderedDict: dropping the oldest key is O(1) (a plain dict degrades to O(n) there).
        self._data: dict[Hashable, Item] = OrderedDict()
        self._rows: deque[Item] = deque(maxlen=self._maxlen)
        if self._keys:
            self._key_of: Callable[[Item], Hashable] = itemgetter(*self._keys)

    # -- reading -------------------------------------------------------------------------

    @property
    def keys(self) -> tuple[str, ...]:
        """The key field names (empty for an append-only store)."""
        return self._keys

    @property
    def maxlen(self) -> int:
        return self._maxlen

    @maxlen.setter
    def maxlen(self, value: int) -> None:
        self._maxlen = _check_maxlen(value)
        self._rebound()

    def _rebound(self) -> None:
        if self._keys:
            if len(self._data) > self._maxlen:
                self._evict()
        else:
            before = len(self._rows)
            self._rows = deque(self._rows, maxlen=self._maxlen)
            self.evicted += before - len(self._rows)

    def __len__(self) -> int:
        return len(self._data) if self._keys else len(self._rows)

    def __iter__(self) -> Iterator[Item]:
        return iter(self._data.values()) if self._keys else iter(self._rows)

    def __reversed__(self) -> Iterator[Item]:
        return reversed(self._data.values()) if self._keys else reversed(self._rows)

    def get(self, item: Item) -> Item | None:
        """The stored item with the same key fields as ``item``, or None (always None if keyless)."""
        if not self._keys:
            return None
        try:
            return self._data.get(self._key_of(item))
        except (KeyError, TypeError):
            return None

    def find(self, query: Item | None = None) -> list[Item]:
        """The items whose fields equal every field of ``query`` (all items without one)."""
        if not query:
            return list(self)
        keyset = self._keyset
        if keyset and keyset <= query.keys():
            found = self.get(query)
            return [found] if found is not None and query.items() <= found.items() else []
        wanted = query.items()
        return [item for item in self if wanted <= item.items()]

    async def wait(self) -> None:
        """Return after the next change to this store (operations that change nothing don't count)."""
        await wait_on(self._waiters)

    def watch(self, maxsize: int = DEFAULT_STREAM_SIZE) -> StoreStream:
        """Open a stream of this store's changes, bounded to ``maxsize`` (see StoreStream)."""
        return StoreStream(self, maxsize)

    # -- writing: the store-author API ----------------------------------------------------

    _insert = _keyed_writer(merge=False)
    _update = _keyed_writer(merge=True)

    def _append(self, data: Iterable[Item]) -> None:
        rows = self._rows
        items = data if isinstance(data, list) else list(data)
        if not items:
            return
        overflow = len(rows) + len(items) - self._maxlen
        if self._streams:
            for item in items:
                rows.append(item)
                self._emit("insert", None, item.copy())
        else:
            rows.extend(items)
        if overflow > 0:
            self.evicted += overflow
        self._notify()

    def _delete(self, data: Iterable[Item]) -> None:
        watching = bool(self._streams)
        changed = False
        if self._keys:
            index = self._data
            key_of = self._key_of
            for item in data:
                try:
                    old = index.pop(key_of(item), None)
                except (KeyError, TypeError):
                    continue
                if old is not None:
                    changed = True
                    if watching:
                        self._emit("delete", item, old)
        else:
            for item in data:
                old = self._remove_row(item)
                if old is not None:
                    changed = True
                    if watching:
                        self._emit("delete", item, old)
        if changed:
            self._notify()

    def _remove_row(self, item: Item) -> Item | None:
        rows = self._rows
        for position, row in enumerate(rows):
            if row is item:
                del rows[position]
                return row
        for position, row in enumerate(rows):
            if row == item:
                del rows[position]
                return row
        return None

    def _clear(self) -> None:
        if not len(self):
            return
        if self._streams:
            for item in self:
                self._emit("delete", None, item)
        self._data.clear()
        self._rows.clear()
        self._notify()

    def _find_and_delete(self, query: Item | None = None) -> list[Item]:
        if not query:
            removed = list(self)
            self._clear()
            return removed
        wanted = query.items()
        if self._keys:
            doomed = [(key, item) for key, item in self._data.items() if wanted <= item.items()]
            for key, _ in doomed:
                del self._data[key]
            removed = [item for _, item in doomed]
        else:
            removed = [item for item in self._rows if wanted <= item.items()]
            if removed:
                kept = [item for item in self._rows if not wanted <= item.items()]
                self._rows.clear()
                self._rows.extend(kept)
        if removed:
            if self._streams:
                for item in removed:
                    self._emit("delete", None, item)
            self._notify()
        return removed

    def _pop(self, item: Item) -> Item | None:
        found = self.get(item)
        if found is not None:
            self._delete([found])
        return found

    def _sorted(
        self,
        item_key: str,
        item_asc_key: str,
        item_desc_key: str,
        sort_key: str,
        query: Item | None = None,
        limit: int | None = None,
    ) -> dict[str, list[Item]]:
        result: dict[str, list[Item]] = {item_asc_key: [], item_desc_key: []}
        for item in self.find(query):
            result[item[item_key]].append(item)  # another side value is a KeyError, as in pybotters
        result[item_asc_key].sort(key=lambda item: float(item[sort_key]))
        result[item_desc_key].sort(key=lambda item: float(item[sort_key]), reverse=True)
        if limit:
            result = {side: items[:limit] for side, items in result.items()}
        return result

    def _patch(self, item: Item, fields: Item) -> bool:
        """Merge ``fields`` into the stored ``item``; True when that changed something."""
        if self._keys:
            if not self._keyset.isdisjoint(fields):
                raise ValueError(
                    f"_patch cannot change key fields {sorted(self._keyset & fields.keys())}"
                )
            target = self.get(item)
        else:
            target = next((row for row in self._rows if row is item), None)
        if target is None or fields.items() <= target.items():
            return False
        target.update(fields)
        if self._streams:
            self._emit("update", fields, target.copy())
        self._notify()
        return True

    def _onresponse(self, data: Any, url: URL) -> None:
        """Apply an HTTP response routed here by ``DataStoreCollection.initialize``."""
        raise NotImplementedError(f"{type(self).__name__} does not take HTTP responses")

    def _onreconnect(self) -> None:
        """The WebSocket feeding this store reconnected: reset stream-continuity state here."""

    def _ondisconnect(self) -> None:
        """The WebSocket feeding this store dropped (a reconnect follows): by default nothing,
        as the items stay what the exchange last said; order books go out of sync here."""

    # -- internals -----------------------------------------------------------------------

    def _evict(self) -> None:
        index = cast("OrderedDict[Hashable, Item]", self._data)
        over = len(index) - self._maxlen
        for _ in range(over):
            index.popitem(last=False)
        self.evicted += over
        self._limit().warning(
            "evict",
            "store %r holds more than maxlen=%d items: dropped the %d oldest "
            "(raise maxlen if the store should hold more)",
            self.name,
            self._maxlen,
            over,
        )

    def _missing_key(self, item: Any) -> None:
        self.missing_keys += 1
        fields = sorted(map(str, item)) if isinstance(item, dict) else type(item).__name__
        self._limit().warning(
            "missing_keys",
            "store %r: an item without key fields %s was not stored (its fields: %s)",
            self.name,
            list(self._keys),
            fields,
        )

    def _limit(self) -> LogLimiter:
        if self._limiter is None:
            self._limiter = LogLimiter(log)
        return self._limiter

    def _emit(self, operation: Operation, source: Item | None, data: Item) -> None:
        change = StoreChange(self, operation, source, data)
        for ref in self._streams:
            stream = ref()
            if stream is not None:
                stream._push(change)

    def _notify(self) -> None:
        waiters = self._waiters
        if waiters:
            self._waiters = []
            wake_all(waiters)
        owner = self._collection
        if owner is not None and owner._waiters:
            owner._wake()

    def _attach(self, stream: StoreStream) -> None:
        self._streams = (*self._streams, weakref.ref(stream, self._forget))

    def _detach(self, stream: StoreStream) -> None:
        self._streams = tuple(
            ref for ref in self._streams if ref() is not stream and ref() is not None
        )

    def _forget(self, ref: weakref.ref[StoreStream]) -> None:
        self._streams = tuple(r for r in self._streams if r is not ref)
