"""``PhemexDataStore``: Phemex's WebSocket data (contract, hedged perpetual ``_p``, spot) as DataStores.

Docs: https://github.com/phemex/phemex-api-docs (Public-Contract-API-en.md, Public-Hedged-Perpetual-
API.md, Public-Spot-API-en.md; the same text as https://phemex-docs.github.io/). Push messages
carry no ``id`` and are routed by the payload key they hold: ``book``/``orderbook_p``,
``trades``/``trades_p``, ``tick``/``tick_p``, ``market24h``/``market24h_p``, ``kline``/``kline_p``,
and the private ``accounts``, ``orders``, ``positions`` (``_p`` too; one AOP message may hold all
three). Replies (with an ``id``) are ignored, errors logged. Every message is validated whole
before any store changes; a malformed one is skipped and counted (``skipped``).

Values are kept as Phemex sends them, as in pybotters: the contract and spot channels send
*scaled* integers (``priceEp`` = price x the product's price scale, ``...Ev`` values,
``...Er`` ratios; https://github.com/phemex/phemex-api-docs/blob/master/Public-Contract-API-en.md
"Price/Ratio/Value Scales"), the hedged ``_p`` channels real values as strings (``priceRp``,
``...Rq``). The order book and trades keep the price under ``priceEp`` whichever channel fed it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from yarl import URL

from topgun.plugin import (
    DataStore,
    DataStoreCollection,
    InitializeError,
    Item,
    MalformedMessage,
    json_objects,
)

from .book import OrderBook

__all__ = [
    "Accounts",
    "Kline",
    "Market24h",
    "OrderBook",
    "Orders",
    "PhemexDataStore",
    "Positions",
    "Ticker",
    "Trade",
]

log = logging.getLogger("topgun.store.phemex")

_KLINE_FIELDS = (
    "timestamp",
    "interval",
    "last_close",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "turnover",
)


def _key_value(value: Any) -> bool:
    """A key field's value: a string or an integer (never a bool, a float NaN or a container)."""
    kind = type(value)
    return kind is str or kind is int


def _rows(message: Item, name: str, width: int) -> list[list[Any]]:
    rows = message[name]
    if type(rows) is not list:
        raise MalformedMessage(f"{name} is not a JSON array")
    for row in rows:
        if type(row) is not list or len(row) < width:
            raise MalformedMessage(f"a {name} row is not an array of {width} values")
        if not _key_value(row[0]):
            raise MalformedMessage(f"a {name} row has timestamp {row[0]!r}")
    return rows


def _symbol(message: Item) -> str:
    symbol = message.get("symbol")
    if type(symbol) is not str:
        raise MalformedMessage(f"symbol {symbol!r} is not a string")
    return symbol


def _objects(message: Item, name: str, keys: tuple[str, ...]) -> list[Item]:
    data = json_objects(message[name], name)
    for item in data:
        for key in keys:
            if not _key_value(item.get(key)):
                raise MalformedMessage(f"an element of {name} has {key}={item.get(key)!r}")
    return data


class Trade(DataStore):
    """``trades``/``trades_p``: ``{symbol, timestamp, side, priceEp, qty}``, the last 99,999.

    Keyed by symbol and timestamp (pybotters' keys): two trades of one symbol in the same
    nanosecond keep the later one.
    """

    _KEYS = ("symbol", "timestamp")
    _MAXLEN = 99_999

    def _on_trades(self, message: Item, name: str) -> None:
        symbol = _symbol(message)
        rows = _rows(message, name, 4)
        self._insert(
            [
                {"symbol": symbol, "timestamp": r[0], "side": r[1], "priceEp": r[2], "qty": r[3]}
                for r in rows
            ]
        )


class Ticker(DataStore):
    """``tick``/``tick_p``: the last tick per symbol, raw (``{symbol, last, scale, timestamp}``)."""

    _KEYS = ("symbol",)

    def _on_tick(self, message: Item, name: str) -> None:
        tick = message[name]
        if type(tick) is not dict or not _key_value(tick.get("symbol")):
            raise MalformedMessage(f"{name} is not an object with a symbol")
        self._update([tick])


class Market24h(Ticker):
    """``market24h``/``market24h_p``: 24-hour statistics per symbol, raw."""


class Kline(DataStore):
    """``kline``/``kline_p`` and the REST klines: ``{symbol, timestamp, interval, last_close,
    open, high, low, close, volume, turnover}`` (scaled integers, or strings on ``_p``)."""

    _KEYS = ("symbol", "timestamp", "interval")

    def _on_kline(self, message: Item, name: str) -> None:
        symbol = _symbol(message)
        self._insert(_candles(symbol, _rows(message, name, 9), name))

    def _onresponse(self, data: Any, url: URL) -> None:
        """The kline endpoints: ``{"code": 0, "data": {"rows": [[...], ...]}}`` for ``symbol``."""
        symbol = url.query.get("symbol")
        if not symbol:
            raise InitializeError(f"{url.path}: the request has no symbol parameter")
        try:
            if type(data) is not dict or type(data.get("data")) is not dict:
                raise MalformedMessage("no data object")
            rows = _rows(data["data"], "rows", 9)
            candles = _candles(symbol, rows, "rows")
        except (MalformedMessage, KeyError) as exc:
            raise InitializeError(f"{url.path}: unexpected response: {exc}") from None
        self._insert(candles)


def _candles(symbol: str, rows: list[list[Any]], name: str) -> list[Item]:
    candles = []
    for row in rows:
        if not _key_value(row[1]):
            raise MalformedMessage(f"a {name} row has interval {row[1]!r}")
        candle: Item = {"symbol": symbol}
        candle.update(zip(_KLINE_FIELDS, row, strict=False))
        candles.append(candle)
    return candles


class Accounts(DataStore):
    """``accounts``/``accounts_p``: per account and currency, merged (raw fields)."""

    _KEYS = ("accountID", "currency")

    def _on_accounts(self, data: list[Item]) -> None:
        self._update(data)


class Orders(DataStore):
    """``orders``/``orders_p``: open orders by ``orderID`` (pybotters' rule, raw fields).

    ``New`` inserts or merges, ``Untriggered`` inserts, ``PartiallyFilled`` merges; ``Filled``,
    ``Deactivated`` and ``Canceled`` (unless its ``action`` is ``Replace``: an amend) remove the
    order. Other statuses (``Created``, ``Triggered``, ``Rejected``) change nothing.
    """

    _KEYS = ("orderID",)

    def _on_orders(self, data: list[Item]) -> None:
        for order in data:
            status = order.get("ordStatus")
            if status in ("New", "PartiallyFilled") and self.get(order) is not None:
                self._update([order])
            elif status in ("New", "Untriggered"):
                self._insert([order])
            elif status in ("Filled", "Deactivated") or (
                status == "Canceled" and order.get("action") != "Replace"
            ):
                self._delete([order])


class Positions(DataStore):
    """``positions``/``positions_p``: by account and symbol (pybotters' keys), replaced whole.

    In hedge mode the long and short positions of one symbol share that key, so the later
    message's position is the one kept (as in pybotters).
    """

    _KEYS = ("accountID", "symbol")

    def _on_positions(self, data: list[Item]) -> None:
        self._insert(data)


_PUBLIC = (
    ("book", "orderbook"),
    ("orderbook_p", "orderbook"),
    ("trades", "trade"),
    ("trades_p", "trade"),
    ("tick", "ticker"),
    ("tick_p", "ticker"),
    ("market24h", "market24h"),
    ("market24h_p", "market24h"),
    ("kline", "kline"),
    ("kline_p", "kline"),
)
_PRIVATE = (
    ("accounts", "accounts", ("accountID", "currency")),
    ("accounts_p", "accounts", ("accountID", "currency")),
    ("orders", "orders", ("orderID",)),
    ("orders_p", "orders", ("orderID",)),
    ("positions", "positions", ("accountID", "symbol")),
    ("positions_p", "positions", ("accountID", "symbol")),
)


class PhemexDataStore(DataStoreCollection):
    """Phemex's WebSocket channels; pass ``onmessage`` as ``hdlr_json`` of ``ws_connect``.

    Stores: trade, orderbook, ticker, market24h, kline, accounts, orders, positions.
    ``initialize()`` takes the kline endpoints pybotters takes (each with a ``symbol`` query
    parameter): ``/exchange/public/md/v2/kline``, ``/exchange/public/md/kline``,
    ``/exchange/public/md/v2/kline/last`` and ``/exchange/public/md/v2/kline/list``.
    """

    _LOGGER = log
    _RECONNECT_NOTE = (
        "Phemex: reconnected; order books wait for fresh snapshots. accounts, orders and "
        "positions may have missed updates: the AOP subscription's snapshot refreshes what "
        "it holds, or call initialize() / fetch them from the REST API to resync."
    )
    _ENDPOINTS: ClassVar[dict[str, str]] = {
        "/exchange/public/md/v2/kline": "kline",
        "/exchange/public/md/kline": "kline",
        "/exchange/public/md/v2/kline/last": "kline",
        "/exchange/public/md/v2/kline/list": "kline",
    }

    def _init(self) -> None:
        self._trade = self._create("trade", datastore_class=Trade)
        self._orderbook = self._create("orderbook", datastore_class=OrderBook)
        self._ticker = self._create("ticker", datastore_class=Ticker)
        self._market24h = self._create("market24h", datastore_class=Market24h)
        self._kline = self._create("kline", datastore_class=Kline)
        self._accounts = self._create("accounts", datastore_class=Accounts)
        self._orders = self._create("orders", datastore_class=Orders)
        self._positions = self._create("positions", datastore_class=Positions)

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is not dict:
            raise MalformedMessage(f"a {type(msg).__name__} frame, not a JSON object")
        if msg.get("error"):
            self._limiter.warning(
                ("error", str(msg.get("id"))[:20]),
                "Phemex replied with an error (id %r): %s",
                msg.get("id"),
                str(msg.get("error"))[:200],
            )
        if msg.get("id"):
            return  # a reply to a request (subscribe, auth, ping)
        for name, _ in _PUBLIC:
            if name in msg:
                self._public(msg, name, ws)
                return
        steps: list[Callable[[], None]] = []
        for name, store, keys in _PRIVATE:
            if name in msg:
                data = _objects(msg, name, keys)
                steps.append(self._private_step(store, data))
        if not steps and "result" not in msg:
            self._limiter.warning(
                ("unknown", ",".join(sorted(map(str, msg))[:5])[:80]),
                "Phemex: no store for a message with fields %s",
                sorted(map(str, msg))[:8],
            )
        for step in steps:
            step()

    def _private_step(self, store: str, data: list[Item]) -> Callable[[], None]:
        if store == "accounts":
            return lambda: self._accounts._on_accounts(data)
        if store == "orders":
            return lambda: self._orders._on_orders(data)
        return lambda: self._positions._on_positions(data)

    def _public(self, msg: Item, name: str, ws: Any) -> None:
        if name in ("book", "orderbook_p"):
            self._orderbook._on_book(msg, name, ws)
        elif name in ("trades", "trades_p"):
            self._trade._on_trades(msg, name)
        elif name in ("tick", "tick_p"):
            self._ticker._on_tick(msg, name)
        elif name in ("market24h", "market24h_p"):
            self._market24h._on_tick(msg, name)
        else:
            self._kline._on_kline(msg, name)

    # -- the stores ----------------------------------------------------------------------------

    @property
    def trade(self) -> Trade:
        return self._trade

    @property
    def orderbook(self) -> OrderBook:
        return self._orderbook

    @property
    def ticker(self) -> Ticker:
        return self._ticker

    @property
    def market24h(self) -> Market24h:
        return self._market24h

    @property
    def kline(self) -> Kline:
        return self._kline

    @property
    def accounts(self) -> Accounts:
        return self._accounts

    @property
    def orders(self) -> Orders:
        return self._orders

    @property
    def positions(self) -> Positions:
        return self._positions
