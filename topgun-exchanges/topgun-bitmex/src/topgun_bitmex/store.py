"""``BitMEXDataStore``: BitMEX's Realtime API tables (https://www.bitmex.com/app/wsAPI) as DataStores.

Every table message is ``{"table", "action", "data", ...}`` with ``action`` one of ``partial``
(the table's current rows, with its ``keys`` and, for a filtered subscription such as
``trade:XBTUSD``, a ``filter``), ``insert``, ``update`` and ``delete``. Routing is on ``table``;
``orderBookL2_25`` shares the ``orderBookL2`` store, as in pybotters. Replies (``success``,
``info``) are ignored and errors (``error``) logged. Every message is validated whole before any
store changes; a malformed one is skipped and counted (``skipped``). A JSON array of table
messages (a recorded feed replayed, say) is taken as those messages in order, validated all
before any applies.

Rules (each documented in docs/bitmex.rst):

- A table's keys come from its ``partial``. A ``partial`` *replaces* the rows it covers (every row
  without a ``filter``, else the rows matching the filter); pybotters inserted without clearing.
- Data of a table before its first ``partial`` (since the connection opened) is not served: the
  rows it covers are unknown, so an ``update`` cannot be applied correctly.
- ``order``: after each message, orders whose ``ordStatus`` is ``Filled`` or ``Canceled`` are
  removed (pybotters' rule), so the store holds open orders.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from topgun.plugin import (
    DataStore,
    DataStoreCollection,
    Item,
    MalformedMessage,
    OrderBookStore,
    Recovery,
)

from .book import BookRow, book_rows

__all__ = ["BitMEXDataStore", "OrderBook", "Table"]

log = logging.getLogger("topgun.store.bitmex")

_BOOK_TABLES = frozenset({"orderBookL2", "orderBookL2_25"})
_PRIVATE = ("execution", "order", "margin", "position", "wallet")
_PUBLIC = (
    "funding",
    "instrument",
    "insurance",
    "liquidation",
    "quote",
    "quoteBin1m",
    "quoteBin5m",
    "quoteBin1h",
    "quoteBin1d",
    "trade",
    "tradeBin1m",
    "tradeBin5m",
    "tradeBin1h",
    "tradeBin1d",
)
_ACTIONS = frozenset({"partial", "insert", "update", "delete"})
_MAX_TABLES = 64
"""Tables created on the fly from partials of tables not listed above (announcement, ...)."""
_MAX_NAME = 64
_STORES_MAX = len(_PUBLIC) + len(_PRIVATE) + 1 + _MAX_TABLES
_GONE = 4096
"""Recently deleted level ids kept per book, so a repeated delete is recognised as such."""
_CLOSED = ("Filled", "Canceled")

Action = Callable[[], None]


class Table(DataStore):
    """One BitMEX table. Its keys come from the table's ``partial`` (``keys``); raw rows.

    ``_filters``: the ``filter`` of each partial received since the connection opened (``{}``
    for an unfiltered subscription); rows no partial covers are not applied.
    """

    def _init(self) -> None:
        self._filters: list[Item] = []

    def _covers(self, row: Item) -> bool:
        """Whether a partial covers the row: its filter's fields that the row carries match
        (update rows carry the key and the changed fields, not always the filter's)."""
        for wanted in self._filters:
            if all(row.get(field, value) == value for field, value in wanted.items()):
                return True
        return False

    def _partial(self, keys: tuple[str, ...], where: Item, rows: list[Item]) -> None:
        if keys != self._keys:
            self._rekey(keys)
        self._find_and_delete(where)
        if where not in self._filters:
            self._filters.append(where)
        self._insert(rows)

    def _rekey(self, keys: tuple[str, ...]) -> None:
        """New keys (the table's first partial, usually on an empty store): rows kept from
        other partials are re-indexed; one lacking a new key field is dropped."""
        items = list(self)
        self._keys = keys
        self._setup()
        if not keys:
            self._rows.extend(items)
            return
        for item in items:
            try:
                self._data[self._key_of(item)] = item
            except (KeyError, TypeError):
                self.evicted += 1

    def _change(self, action: str, rows: list[Item]) -> None:
        rows = [row for row in rows if self._covers(row)]
        if not rows:
            return
        if action == "insert":
            self._insert(rows)
        elif action == "update":
            self._update(rows)
        else:
            self._delete(rows)

    def _onreconnect(self) -> None:
        self._filters = []


class Trade(Table):
    """``trade``: the last 99,999 trades (pybotters raised the bound on the first partial)."""

    _MAXLEN = 99_999


class OrderBook(OrderBookStore):
    """``orderBookL2`` and ``orderBookL2_25``: one book per symbol, verified by level ids.

    Items are BitMEX's rows as sent (``symbol``, ``id``, ``side`` ``"Sell"``/``"Buy"``, ``size``,
    ``price``, ``timestamp``); ``sorted({"symbol": "XBTUSD"})`` gives ``{"Sell": [...], "Buy":
    [...]}``, best price first. Levels are located by ``side`` and ``price``, which BitMEX puts
    on every insert, update and delete row since July 2023
    (https://blog.bitmex.com/site_announcement/potentially-breaking-api-update-to-id-generation-on-websocket-orderbook-feeds);
    a map from level id to its side and price per book checks each row against the book:

    - a ``partial`` replaces the symbol's book and puts it in sync; before it, and after a
      reconnect, the book is out of sync (not served);
    - an ``update`` of an id the book does not hold (or holds at another price), an ``insert``
      of an id held at another price, or of a price held under another id, and a ``delete`` of
      an id never seen mean a message was lost: the book goes out of sync and is re-requested
      by unsubscribing and subscribing ``<table>:<symbol>`` on its WebSocket, which brings a
      fresh ``partial``;
    - an ``insert`` of a held id at its own price, and a ``delete`` of an id deleted recently,
      are repeats and change nothing wrongly (the book is right after them).

    BitMEX sends no sequence numbers or checksums, so a lost ``update`` or ``delete`` of a known
    level cannot be detected (docs/bitmex.rst).
    """

    _KEYS = ("symbol", "side", "price")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "side", "price", "size"
    _ASKS, _BIDS = "Sell", "Buy"
    _RECOVERY = Recovery.SUBSCRIPTION

    def _init(self) -> None:
        self._ids: dict[Hashable, dict[int, tuple[str, float]]] = {}
        """Per book: level id -> (side, price)."""
        self._at: dict[Hashable, dict[tuple[str, float], int]] = {}
        """Per book: (side, price) -> level id."""
        self._gone: dict[Hashable, OrderedDict[int, None]] = {}
        self._tables: dict[Hashable, str] = {}

    # -- messages ------------------------------------------------------------------------------

    def _on_partial(self, table: str, where: Item, rows: list[BookRow], ws: Any) -> None:
        by_symbol: dict[str, list[BookRow]] = {}
        symbol = where.get("symbol")
        if type(symbol) is str:
            by_symbol[symbol] = []
        for row in rows:
            by_symbol.setdefault(row.item["symbol"], []).append(row)
        for symbol, levels in by_symbol.items():
            self._tables[symbol] = table
            self._snapshot(symbol, levels, ws=ws)

    def _on_change(self, table: str, action: str, rows: list[BookRow], ws: Any) -> None:
        if not rows:
            return
        first = rows[0].item["symbol"]
        by_symbol: dict[str, list[BookRow]] = {first: rows}
        if any(row.item["symbol"] != first for row in rows):
            by_symbol = {}
            for row in rows:
                by_symbol.setdefault(row.item["symbol"], []).append(row)
        for symbol, levels in by_symbol.items():
            self._tables.setdefault(symbol, table)
            if self.in_sync(symbol):
                problem = self._check(symbol, action, levels)
                if problem is not None:
                    self._desync(symbol, problem, ws)
                    continue
            self._diff(symbol, (action, levels), ws=ws)

    def _check(self, symbol: str, action: str, rows: list[BookRow]) -> str | None:
        """Why these rows cannot follow the book (a message was lost), or None."""
        ids = self._ids.get(symbol, {})
        at = self._at.get(symbol, {})
        gone: dict[int, None] = self._gone.get(symbol) or {}
        for row in rows:
            held = ids.get(row.id)
            if action == "insert":
                if held is not None and held != (row.side, row.price):
                    return f"insert of id {row.id} held at {held[0]} {held[1]}: a delete was lost"
                if held is None:
                    other = at.get((row.side, row.price))
                    if other is not None:
                        return (
                            f"insert of id {row.id} at {row.side} {row.price}, held by id "
                            f"{other}: a delete was lost"
                        )
            elif held is None:
                if action == "delete" and row.id in gone:
                    continue
                return f"{action} of id {row.id}, which the book does not hold: an insert was lost"
            elif held != (row.side, row.price):
                return f"{action} of id {row.id} at {row.side} {row.price}, held at {held[1]}"
        return None

    # -- hooks of the verified book ------------------------------------------------------------

    def _apply_snapshot(self, key: Hashable, snapshot: Any) -> None:
        rows: list[BookRow] = snapshot
        self._drop_book(key)
        self._ids[key] = {row.id: (row.side, row.price) for row in rows}
        self._at[key] = {(row.side, row.price): row.id for row in rows}
        self._insert([row.item for row in rows])

    def _apply_diff(self, key: Hashable, diff: Any) -> None:
        action, rows = diff
        ids = self._ids.setdefault(key, {})
        at = self._at.setdefault(key, {})
        if action == "insert":
            gone = self._gone.get(key)
            for row in rows:
                ids[row.id] = at_price = (row.side, row.price)
                at[at_price] = row.id
                if gone:
                    gone.pop(row.id, None)
        elif action == "delete":
            gone = self._gone.setdefault(key, OrderedDict())
            for row in rows:
                held = ids.pop(row.id, None)
                if held is not None:
                    at.pop(held, None)
                    gone[row.id] = None
                    if len(gone) > _GONE:
                        gone.popitem(last=False)
        # An update merges into the held level (a level trimmed by maxlen comes back with it:
        # it is in the book); a delete removes the level at the row's side and price.
        asks = [(row.price, row.item) for row in rows if row.side == "Sell"]
        bids = [(row.price, row.item) for row in rows if row.side == "Buy"]
        self._apply_items(key, asks, bids, remove=action == "delete")

    def _resubscribe(self, key: Hashable) -> list[Any]:
        """Unsubscribe and subscribe the symbol's book topic: a fresh ``partial`` comes."""
        topic = f"{self._tables.get(key, 'orderBookL2')}:{key}"
        return [{"op": "unsubscribe", "args": [topic]}, {"op": "subscribe", "args": [topic]}]

    def _drop_book(self, group: Hashable) -> bool:
        self._ids.pop(group, None)
        self._at.pop(group, None)
        self._gone.pop(group, None)
        return super()._drop_book(group)

    def _clear(self) -> None:
        self._ids.clear()
        self._at.clear()
        self._gone.clear()
        super()._clear()


class BitMEXDataStore(DataStoreCollection):
    """BitMEX's Realtime API tables; pass ``onmessage`` as ``hdlr_json`` of ``ws_connect``.

    Stores (named by table, also as attributes): funding, instrument, insurance, liquidation,
    orderbook (``orderBookL2``), quote, quotebin1m/5m/1h/1d, trade, tradebin1m/5m/1h/1d,
    execution, order, margin, position, wallet. A partial of another table creates its store
    (reachable as ``store["<table>"]``). pybotters' BitMEX store has no ``initialize()``, nor
    does this one: every table starts from its ``partial``.
    """

    _LOGGER = log
    _RECONNECT_NOTE = (
        "BitMEX: reconnected; every table and book waits for its partial again (the "
        "subscriptions resent bring them). execution, order, margin, position and wallet "
        "may have missed updates until then: their partials replace them, or fetch them "
        "from the REST API."
    )

    def _init(self) -> None:
        self._orderbook = self._create("orderBookL2", datastore_class=OrderBook)
        for name in (*_PUBLIC, *_PRIVATE):
            self._create(name, datastore_class=Trade if name == "trade" else Table)

    # -- routing -------------------------------------------------------------------------------

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is list:
            actions = [action for message in msg for action in self._plan(message, ws)]
        else:
            actions = self._plan(msg, ws)
        for action in actions:
            action()

    def _plan(self, msg: Any, ws: Any) -> list[Action]:
        """Validate one message; the steps that apply it (none for replies and unknowns)."""
        if type(msg) is not dict:
            raise MalformedMessage(f"a {type(msg).__name__} frame, not a JSON object")
        table = msg.get("table")
        if table is None:
            if "error" in msg:
                self._limiter.warning(
                    ("error", str(msg.get("status"))),
                    "BitMEX replied with an error (status %r): %s",
                    msg.get("status"),
                    str(msg.get("error"))[:200],
                )
            return []
        action = msg.get("action")
        data = msg.get("data")
        if type(table) is not str or not 0 < len(table) <= _MAX_NAME:
            raise MalformedMessage(f"table {str(table)[:_MAX_NAME]!r} is not a table name")
        if type(action) is not str or action not in _ACTIONS:
            raise MalformedMessage(f"{table}: action {str(action)[:20]!r} is not one BitMEX sends")
        if type(data) is not list:
            raise MalformedMessage(f"{table}: data is not a JSON array")
        where = msg.get("filter") or {}
        if type(where) is not dict:
            raise MalformedMessage(f"{table}: filter is not a JSON object")
        if table in _BOOK_TABLES:
            rows = book_rows(table, action, data)
            book = self._orderbook
            if action == "partial":
                return [lambda: book._on_partial(table, where, rows, ws)]
            return [lambda: book._on_change(table, action, rows, ws)]
        _check_rows(table, data)
        if action == "partial":
            keys = msg.get("keys") or []
            if type(keys) is not list or not all(type(k) is str for k in keys):
                raise MalformedMessage(f"{table}: keys is not a list of field names")
            keyed = tuple(keys)
            if table not in self._stores and len(self._stores) >= _STORES_MAX:
                raise MalformedMessage(f"too many tables; a partial of {table!r} is not kept")
            _check_keys(table, keyed, data)
            return [lambda: self._table(table)._partial(keyed, where, data), self._after(table)]
        store = self._stores.get(table)
        if not isinstance(store, Table) or not store._filters:
            self._limiter.warning(
                ("no-partial", table),
                "BitMEX %s: %s before the table's partial is ignored",
                table,
                action,
            )
            return []
        _check_keys(table, store.keys, data)
        return [lambda: store._change(action, data), self._after(table)]

    def _table(self, name: str) -> Table:
        store = self._stores.get(name)
        if isinstance(store, Table):
            return store
        return self._create(name, datastore_class=Table)

    def _after(self, table: str) -> Action:
        if table != "order":
            return _nothing
        return self._drop_closed_orders

    def _drop_closed_orders(self) -> None:
        store = self._stores["order"]
        closed = [order for order in store if order.get("ordStatus") in _CLOSED]
        if closed:
            store._delete(closed)

    # -- the stores ----------------------------------------------------------------------------

    def _named(self, name: str) -> Table:
        return self._get(name, Table)

    @property
    def funding(self) -> Table:
        return self._named("funding")

    @property
    def instrument(self) -> Table:
        return self._named("instrument")

    @property
    def insurance(self) -> Table:
        return self._named("insurance")

    @property
    def liquidation(self) -> Table:
        return self._named("liquidation")

    @property
    def orderbook(self) -> OrderBook:
        """``orderBookL2`` and ``orderBookL2_25``."""
        return self._orderbook

    @property
    def quote(self) -> Table:
        return self._named("quote")

    @property
    def quotebin1m(self) -> Table:
        return self._named("quoteBin1m")

    @property
    def quotebin5m(self) -> Table:
        return self._named("quoteBin5m")

    @property
    def quotebin1h(self) -> Table:
        return self._named("quoteBin1h")

    @property
    def quotebin1d(self) -> Table:
        return self._named("quoteBin1d")

    @property
    def trade(self) -> Table:
        return self._named("trade")

    @property
    def tradebin1m(self) -> Table:
        return self._named("tradeBin1m")

    @property
    def tradebin5m(self) -> Table:
        return self._named("tradeBin5m")

    @property
    def tradebin1h(self) -> Table:
        return self._named("tradeBin1h")

    @property
    def tradebin1d(self) -> Table:
        return self._named("tradeBin1d")

    @property
    def execution(self) -> Table:
        return self._named("execution")

    @property
    def order(self) -> Table:
        """Open orders: Filled and Canceled ones are removed after each message."""
        return self._named("order")

    @property
    def margin(self) -> Table:
        return self._named("margin")

    @property
    def position(self) -> Table:
        return self._named("position")

    @property
    def wallet(self) -> Table:
        return self._named("wallet")


def _nothing() -> None:
    return None


def _check_rows(table: str, data: list[Any]) -> None:
    for row in data:
        if type(row) is not dict:
            raise MalformedMessage(f"{table}: a row is not a JSON object")


def _check_keys(table: str, keys: tuple[str, ...], data: list[Item]) -> None:
    """Every row carries the table's key fields, with hashable values (else nothing applies)."""
    if not keys:
        return
    for row in data:
        try:
            hash(tuple(row[key] for key in keys))
        except KeyError as exc:
            raise MalformedMessage(f"{table}: a row has no key field {exc}") from None
        except TypeError:
            raise MalformedMessage(f"{table}: a row's key field is not a plain value") from None
