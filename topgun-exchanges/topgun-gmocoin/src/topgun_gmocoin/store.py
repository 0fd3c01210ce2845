"""``GMOCoinDataStore``: GMO Coin's Public and Private WebSocket API applied to DataStores.

Every message is a JSON object routed on its ``channel`` (https://api.coin.z.com/docs/ →
Public WebSocket API, Private WebSocket API). An ``{"error": ...}`` message (a refused
subscription, too many requests) and an unknown channel are logged (rate-limited, logger
``topgun.store.gmocoin``); a malformed message is checked whole before any store changes, so it
is skipped whole (``MalformedMessage``: counted in ``store.skipped`` and logged).

=================  ==================================  ==================  =====================
store              fed by                              keys                item
=================  ==================================  ==================  =====================
ticker             ``ticker``                          symbol              the message
orderbooks         ``orderbooks`` (whole book)         symbol, side, price {symbol, side, price,
                                                                           size}
trades             ``trades``                          none (last 9,999)   the message
orders             ``orderEvents``, ``executionEvents``  orderId           the message
executions         ``executionEvents``                 executionId         the message
positions          ``positionEvents``                  positionId          the message
position_summary   ``positionSummaryEvents``           symbol, side        the message
=================  ==================================  ==================  =====================

The Private WebSocket's URL carries an access token: open it with
``topgun_gmocoin.private_ws(client, send_json=..., hdlr_json=store.onmessage)``, whose token
manager creates, extends and replaces the token (``initialize()`` takes no ``ws-auth``
response, unlike the reference library's deprecated path).
"""

from __future__ import annotations

import logging
import math
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from yarl import URL

from topgun.plugin import (
    DataStore,
    DataStoreCollection,
    InitializeError,
    Item,
    Level,
    MalformedMessage,
    OrderBookStore,
)

__all__ = [
    "Executions",
    "GMOCoinDataStore",
    "OrderBooks",
    "Orders",
    "PositionSummary",
    "Positions",
    "Ticker",
    "Trades",
]

log = logging.getLogger("topgun.store.gmocoin")

_INF = math.inf
_WS_AUTH = "/private/v1/ws-auth"


# -- checks ------------------------------------------------------------------------------------


def _text(message: Item, field: str) -> str:
    value = message.get(field)
    if type(value) is not str or not value:
        raise MalformedMessage(f"{field!r} is {value!r}, not a non-empty string")
    return value


def _ident(message: Item, field: str) -> int | str:
    """An id field: a JSON integer (the docs' type ``number``) or a non-empty string."""
    value = message.get(field)
    if (type(value) is int) or (type(value) is str and value):
        return value
    raise MalformedMessage(f"{field!r} is {value!r}, not an id")


def decimal(value: Any, field: str) -> Decimal:
    """A finite decimal amount from the exchange's string (or number); booleans are not amounts."""
    if type(value) not in (str, int, float):
        raise MalformedMessage(f"{field!r} is {value!r}, not a number")
    try:
        amount = Decimal(value) if type(value) is not float else Decimal(repr(value))
    except InvalidOperation:
        raise MalformedMessage(f"{field!r} is {value!r}, not a number") from None
    if not amount.is_finite():
        raise MalformedMessage(f"{field!r} is {value!r}, not a finite number")
    return amount


def _levels(rows: Any, side: str) -> list[Level]:
    """One side of an ``orderbooks`` message as Levels; prices > 0, sizes >= 0, all finite."""
    if type(rows) is not list:
        raise MalformedMessage(f"{side!r} is not a JSON array")
    levels: list[Level] = []
    append = levels.append
    try:
        for row in rows:
            value = row["price"]
            size = row["size"]
            if type(value) is bool or type(size) is bool:
                raise TypeError("a boolean is not a price or a size")
            price = float(value)
            amount = float(size)
            if not (0.0 < price < _INF and 0.0 <= amount < _INF):
                raise ValueError(f"price={value!r} size={size!r}")
            if amount:
                append((price, value, size))
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise MalformedMessage(
            f"an {side} level is malformed ({type(exc).__name__}: {exc})"
        ) from None
    return levels


def response_list(data: Any, url: URL) -> list[Item]:
    """The ``data.list`` of a GMO Coin reply, or InitializeError naming the endpoint and why.

    A reply with ``status`` other than 0 is an error whose ``messages`` say what went wrong
    (https://api.coin.z.com/docs/#status-code). A successful reply with nothing to list carries
    no ``list`` (``"data": {}``): that is an empty list.
    """
    where = f"GMO Coin {url.path}"
    if type(data) is not dict or type(data.get("status")) is not int:
        raise InitializeError(f"{where}: the reply is not GMO Coin's JSON envelope: {data!r:.200}")
    if data["status"] != 0:
        messages = data.get("messages")
        said = "; ".join(
            f"{m.get('message_code', '?')} {m.get('message_string', '')}".strip()
            for m in (messages if type(messages) is list else ())
            if type(m) is dict
        )
        raise InitializeError(
            f"{where} answered status {data['status']}: {said or 'no message'}; nothing was applied"
        )
    body = data.get("data")
    if body is None or body == {} or body == []:
        return []
    items = body.get("list", []) if type(body) is dict else None
    if type(items) is not list or any(type(item) is not dict for item in items):
        raise InitializeError(f"{where}: 'data.list' is not a list of objects: {body!r:.200}")
    return items


def _with_keys(items: list[Item], url: URL, *keys: str) -> list[Item]:
    for item in items:
        for key in keys:
            if key not in item:
                raise InitializeError(f"GMO Coin {url.path}: an item has no {key!r}: {item!r:.200}")
    return items


# -- stores ------------------------------------------------------------------------------------


class Ticker(DataStore):
    """``ticker``: the latest message per symbol, as sent. https://api.coin.z.com/docs/#ws-ticker"""

    _KEYS = ("symbol",)

    def _on_ticker(self, message: Item) -> None:
        _text(message, "symbol")
        self._update([message])


class OrderBooks(OrderBookStore):
    """``orderbooks``: one book per symbol, ``sorted({"symbol": "BTC"}, limit=N)``.

    Items: ``{"symbol", "side" ("asks"/"bids"), "price", "size"}`` with price and size as sent
    (strings). Every message is the whole book of its symbol
    (https://api.coin.z.com/docs/#ws-orderbooks), so each one replaces the book and only the
    levels that really changed reach ``watch()``. There is no sequence: a lost message is healed
    by the next one. A book is out of sync (served empty) until its first message, and again
    after a reconnect until the new connection's first message. ``timestamp`` is the last
    message's, as sent.
    """

    _KEYS = ("symbol", "side", "price")

    def _init(self) -> None:
        self.timestamp: str | None = None
        """The ``timestamp`` of the last book applied."""

    def _on_book(self, message: Item, ws: Any) -> None:
        symbol = _text(message, "symbol")
        asks = _levels(message.get("asks"), "asks")
        bids = _levels(message.get("bids"), "bids")
        self._snapshot(symbol, (asks, bids), ws=ws)
        self.timestamp = message.get("timestamp")


class Trades(DataStore):
    """``trades``: every trade message as sent, newest last (the last 9,999).
    https://api.coin.z.com/docs/#ws-trades"""

    def _on_trade(self, message: Item) -> None:
        _text(message, "symbol")
        self._insert([message])


class Orders(DataStore):
    """Active orders, keyed by ``orderId``.

    ``orderEvents`` (https://api.coin.z.com/docs/#ws-order-events): ``msgType`` NOR (new) and ROR
    (changed) put the message in the store (merged into the order it updates); every other
    ``msgType`` (COR: cancelled, ER: executed or expired) removes the order.
    ``executionEvents``: an order that is in the store gets the event's ``orderExecutedSize``,
    and is removed once that equals its ``orderSize`` (compared as decimals: ``"0.80"`` equals
    ``"0.8"``). ``initialize()`` with ``/private/v1/activeOrders`` adds or updates its orders
    (the REST items' fields: ``size``, ``executedSize``, ``status``, ...).
    """

    _KEYS = ("orderId",)

    def _on_order(self, message: Item) -> None:
        if message["msgType"] in ("NOR", "ROR"):
            self._update([message])
        else:
            self._delete([message])

    def _on_execution(self, message: Item, executed: Decimal, ordered: Decimal) -> None:
        order = self.get(message)
        if order is None:
            return
        if executed >= ordered:
            self._delete([order])
        else:
            self._patch(order, {"orderExecutedSize": message["orderExecutedSize"]})

    def _onresponse(self, data: Any, url: URL) -> None:
        self._update([dict(item) for item in _with_keys(response_list(data, url), url, "orderId")])


class Executions(DataStore):
    """``executionEvents`` and ``/private/v1/latestExecutions`` items, keyed by ``executionId``.
    https://api.coin.z.com/docs/#ws-execution-events"""

    _KEYS = ("executionId",)

    def _onresponse(self, data: Any, url: URL) -> None:
        items = _with_keys(response_list(data, url), url, "executionId")
        self._insert([dict(item) for item in items])


class Positions(DataStore):
    """Open positions (margin trading), keyed by ``positionId``.

    ``positionEvents`` (https://api.coin.z.com/docs/#ws-position-events): OPR (opened) inserts
    the message, CPR (closed) removes the position, UPR and ULR (changed) update it.
    ``initialize()`` with ``/private/v1/openPositions`` adds or updates its positions.
    """

    _KEYS = ("positionId",)

    def _on_position(self, message: Item) -> None:
        kind = message["msgType"]
        if kind == "OPR":
            self._insert([message])
        elif kind == "CPR":
            self._delete([message])
        else:
            self._update([message])

    def _onresponse(self, data: Any, url: URL) -> None:
        items = _with_keys(response_list(data, url), url, "positionId")
        self._update([dict(item) for item in items])


class PositionSummary(DataStore):
    """Position summaries per ``symbol`` and ``side``: ``positionSummaryEvents`` and
    ``/private/v1/positionSummary``. https://api.coin.z.com/docs/#ws-position-summary-events"""

    _KEYS = ("symbol", "side")

    def _on_summary(self, message: Item) -> None:
        self._update([message])

    def _onresponse(self, data: Any, url: URL) -> None:
        items = _with_keys(response_list(data, url), url, "symbol", "side")
        self._update([dict(item) for item in items])


# -- the collection ------------------------------------------------------------------------------


class GMOCoinDataStore(DataStoreCollection):
    """GMO Coin's WebSocket channels as DataStores; pass ``onmessage`` as ``hdlr_json``.

    ``initialize()`` takes ``/private/v1/latestExecutions``, ``/private/v1/activeOrders``,
    ``/private/v1/openPositions`` and ``/private/v1/positionSummary`` responses; a reply whose
    ``status`` is not 0 raises InitializeError naming the endpoint and GMO Coin's message, and
    then nothing is applied. Docs: https://api.coin.z.com/docs/
    """

    _CHANNEL_KEY = "channel"
    _LOGGER = log
    _RECONNECT_NOTE = (
        "GMO Coin: reconnected; order books wait for their next message. Orders, executions "
        "and positions may have missed events: call initialize() again to resync."
    )
    _ENDPOINTS: ClassVar[dict[str, str]] = {
        "/private/v1/latestExecutions": "executions",
        "/private/v1/activeOrders": "orders",
        "/private/v1/openPositions": "positions",
        "/private/v1/positionSummary": "position_summary",
    }

    def _init(self) -> None:
        self._ticker = self._create("ticker", datastore_class=Ticker)
        self._orderbooks = self._create("orderbooks", datastore_class=OrderBooks)
        self._trades = self._create("trades", datastore_class=Trades)
        self._orders = self._create("orders", datastore_class=Orders)
        self._positions = self._create("positions", datastore_class=Positions)
        self._executions = self._create("executions", datastore_class=Executions)
        self._position_summary = self._create("position_summary", datastore_class=PositionSummary)

    async def _receive(self, *args: Any, **kwargs: Any) -> tuple[str, URL, Any]:
        """Check each reply's ``status`` before any reply is applied (core checks the rest)."""
        try:
            name, url, data = await super()._receive(*args, **kwargs)
        except InitializeError as exc:
            if _WS_AUTH in str(exc):
                raise InitializeError(
                    f"{exc}. The Private WebSocket's access token is not kept by the DataStore: "
                    "open the WebSocket with topgun_gmocoin.private_ws(client, ...), whose token "
                    "manager creates, extends and renews it"
                ) from None
            raise
        response_list(data, url)
        return name, url, data

    # -- routing -------------------------------------------------------------------------

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is not dict:
            raise MalformedMessage(f"a frame that is not a JSON object ({type(msg).__name__})")
        channel = msg.get("channel")
        if channel == "orderbooks":
            self._orderbooks._on_book(msg, ws)
        elif channel == "ticker":
            self._ticker._on_ticker(msg)
        elif channel == "trades":
            self._trades._on_trade(msg)
        elif channel == "executionEvents":
            self._on_execution(msg)
        elif channel == "orderEvents":
            _ident(msg, "orderId")
            _text(msg, "msgType")
            self._orders._on_order(msg)
        elif channel == "positionEvents":
            _ident(msg, "positionId")
            _text(msg, "msgType")
            self._positions._on_position(msg)
        elif channel == "positionSummaryEvents":
            _text(msg, "symbol")
            _text(msg, "side")
            self._position_summary._on_summary(msg)
        elif "error" in msg:
            self._limiter.warning(
                ("error", str(msg["error"])[:80]),
                "GMO Coin replied with an error: %s",
                str(msg["error"])[:200],
            )
        else:
            self._no_store_for("channel", channel)

    def _on_execution(self, msg: Item) -> None:
        _ident(msg, "executionId")
        _ident(msg, "orderId")
        executed = decimal(msg.get("orderExecutedSize"), "orderExecutedSize")
        ordered = decimal(msg.get("orderSize"), "orderSize")
        self._executions._insert([msg])
        self._orders._on_execution(msg, executed, ordered)

    # -- the stores ----------------------------------------------------------------------

    @property
    def ticker(self) -> Ticker:
        """Tickers (``ticker``)."""
        return self._ticker

    @property
    def orderbooks(self) -> OrderBooks:
        """Order books (``orderbooks``)."""
        return self._orderbooks

    @property
    def trades(self) -> Trades:
        """Public trades (``trades``)."""
        return self._trades

    @property
    def orders(self) -> Orders:
        """Active orders (``orderEvents``, ``executionEvents``)."""
        return self._orders

    @property
    def executions(self) -> Executions:
        """Your executions (``executionEvents``)."""
        return self._executions

    @property
    def positions(self) -> Positions:
        """Open positions (``positionEvents``)."""
        return self._positions

    @property
    def position_summary(self) -> PositionSummary:
        """Position summaries (``positionSummaryEvents``)."""
        return self._position_summary
