"""``BitgetV2DataStore``: Bitget V2 WebSocket pushes applied to DataStores, routed on ``arg.channel``.

Every item gets the ``instType`` of the push's ``arg``. Channels: ``ticker``, ``candle*``,
``books``/``books1``/``books5``/``books15`` (the verified ``book``), ``trade``, and the private
``account``, ``positions``, ``fill``, ``orders``, ``orders-algo``, ``positions-history``
(https://www.bitget.com/api-doc/spot/websocket/public/Tickers-Channel and the pages beside it,
spot and contract). Event replies change nothing but the books' state; ``error`` events are logged.
Unknown channels and malformed messages are logged (rate-limited, logger ``topgun.store.bitget``)
and skipped whole.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from typing import Any, ClassVar, cast

from topgun.plugin import DataStore, Item

from ._collection import BitgetCollection, Handler
from ._messages import MalformedMessage, arrays, objects, text
from .book import BitgetBook

__all__ = [
    "Account",
    "BitgetV2DataStore",
    "Book",
    "Candle",
    "Fill",
    "Orders",
    "OrdersAlgo",
    "Positions",
    "PositionsHistory",
    "Ticker",
    "Trade",
]

log = logging.getLogger("topgun.store.bitget")


def _tagged(arg: Item, data: Any, what: str, required: tuple[str, ...] = ()) -> list[Item]:
    """``data``'s objects, each as a new dict with the push's ``instType`` first."""
    inst_type = text(arg, "instType", what)
    return [{"instType": inst_type, **item} for item in objects(data, what, required)]


class Ticker(DataStore):
    """``ticker``: one item per (instType, instId), the push's fields plus ``instType``."""

    _KEYS = ("instType", "instId")

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        self._update(_tagged(arg, msg["data"], "ticker", ("instId",)))


class Candle(DataStore):
    """``candle1m``, ``candle5m``, ..., ``candle1Mutc``: ``{instType, instId, granularity (the
    channel name), startTime, openPr, highPr, lowPr, closePr, baseVolume, quoteVolume,
    usdtVolume}`` from ``[startTime, open, high, low, close, baseVolume, quoteVolume,
    usdtVolume]`` rows. A snapshot inserts, an update upserts.
    https://www.bitget.com/api-doc/spot/websocket/public/Candlesticks-Channel"""

    _KEYS = ("instType", "instId", "granularity", "startTime")

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        channel = arg["channel"]
        inst_type = text(arg, "instType", channel)
        inst_id = text(arg, "instId", channel)
        rows = arrays(msg["data"], channel, 8)
        items = [
            {
                "instType": inst_type,
                "instId": inst_id,
                "granularity": channel,
                "startTime": row[0],
                "openPr": row[1],
                "highPr": row[2],
                "lowPr": row[3],
                "closePr": row[4],
                "baseVolume": row[5],
                "quoteVolume": row[6],
                "usdtVolume": row[7],
            }
            for row in rows
        ]
        action = msg.get("action")
        if action == "snapshot":
            self._insert(items)
        elif action == "update":
            self._update(items)
        else:
            raise MalformedMessage(f"{channel}: unknown action {action!r}")


class Book(BitgetBook):
    """``books``, ``books1``, ``books5``, ``books15``: verified order books, one per (instType,
    instId). Items ``{instType, instId, side ("asks"/"bids"), price, amount}``, price and amount
    as sent; ``sorted({"instType": ..., "instId": ...})`` gives ``{"asks": [...], "bids": [...]}``
    best first. ``out_of_sync``, ``wait_synced((instType, instId))`` and ``stats`` tell whether a
    book can be trusted (docs/verified-books.rst); the rule is in ``topgun_bitget.store.book``."""

    _KEYS = ("instType", "instId", "side", "price")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "side", "price", "amount"

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        inst_type = arg.get("instType")
        inst_id = arg.get("instId")
        if type(inst_type) is not str or type(inst_id) is not str or not inst_type or not inst_id:
            raise MalformedMessage(f"{arg['channel']}: 'arg' has no instType or no instId")
        self._push((inst_type, inst_id), arg, msg.get("action"), msg["data"], ws)

    def _new_level(self, group: Hashable, side: str, price: Any, size: Any) -> Item:
        inst_type, inst_id = cast("tuple[str, str]", group)
        return {
            "instType": inst_type,
            "instId": inst_id,
            "side": side,
            "price": price,
            "amount": size,
        }


class Trade(DataStore):
    """``trade``: the push's fields plus ``instType`` and ``instId``; the last 99,999."""

    _KEYS = ("instType", "instId", "tradeId")
    _MAXLEN = 99_999

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        inst_type = text(arg, "instType", "trade")
        inst_id = text(arg, "instId", "trade")
        self._insert(
            [
                {"instType": inst_type, "instId": inst_id, **item}
                for item in objects(msg["data"], "trade", ("tradeId",))
            ]
        )


class Account(DataStore):
    """``account``: balances, one item per (instType, coin), the push's fields plus ``instType``.

    Keys: ``instType``, then the item's ``coin`` (spot) or ``marginCoin`` (futures): the
    reference keyed by instType alone, so one spot push of several coins kept only the last.
    """

    _KEYS = ("instType", "coin", "marginCoin")

    def _setup(self) -> None:
        super()._setup()
        self._key_of = _account_key

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        items = _tagged(arg, msg["data"], "account")
        for item in items:
            if type(item.get("coin", item.get("marginCoin"))) is not str:
                raise MalformedMessage("account: an element has neither 'coin' nor 'marginCoin'")
        self._update(items)


def _account_key(item: Item) -> tuple[Any, Any]:
    coin = item.get("coin")
    if coin is None:
        coin = item["marginCoin"]
    return item["instType"], coin


class Positions(DataStore):
    """``positions``: every push is the instType's whole list of open positions; positions of
    that instType missing from it are closed and removed (other instTypes' are kept)."""

    _KEYS = ("instType", "instId", "posId")

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        items = _tagged(arg, msg["data"], "positions", ("instId", "posId"))
        inst_type = arg["instType"]
        kept = {(item["instId"], item["posId"]) for item in items}
        self._delete(
            [
                item
                for item in self.find({"instType": inst_type})
                if (item["instId"], item["posId"]) not in kept
            ]
        )
        self._update(items)


class Fill(DataStore):
    """``fill``: your trades, the push's fields plus ``instType``; the last 99,999."""

    _KEYS = ("instType", "tradeId", "symbol")
    _MAXLEN = 99_999

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        self._insert(_tagged(arg, msg["data"], "fill", ("tradeId", "symbol")))


class Orders(DataStore):
    """``orders``: open orders. ``live`` and ``partially_filled`` are upserted; ``filled`` and
    ``canceled`` (``cancelled`` as spot spells it) remove the order."""

    _KEYS = ("instType", "instId", "orderId")
    _OPEN: ClassVar[frozenset[str]] = frozenset({"live", "partially_filled"})
    _DONE: ClassVar[frozenset[str]] = frozenset({"filled", "canceled", "cancelled"})

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        items = _tagged(arg, msg["data"], self.name or "orders", ("instId", "orderId", "status"))
        self._update([item for item in items if item["status"] in self._OPEN])
        self._delete([item for item in items if item["status"] in self._DONE])


class OrdersAlgo(Orders):
    """``orders-algo``: open plan orders. ``live`` and ``executing`` are upserted;
    ``executed``, ``fail_execute`` and ``cancelled`` (or ``canceled``) remove the order."""

    _OPEN = frozenset({"live", "executing"})
    _DONE = frozenset({"executed", "fail_execute", "cancelled", "canceled"})


class PositionsHistory(DataStore):
    """``positions-history``: closed positions, the push's fields plus ``instType``; the last
    99,999."""

    _KEYS = ("instType", "instId", "posId")
    _MAXLEN = 99_999

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        self._insert(_tagged(arg, msg["data"], "positions-history", ("instId", "posId")))


_PRIVATE = ("account", "positions", "fill", "orders", "orders-algo", "positions-history")


class BitgetV2DataStore(BitgetCollection):
    """Bitget V2 channels as DataStores; pass ``onmessage`` as ``hdlr_json`` to ``ws_connect``.

    No ``initialize()`` endpoints (as in the reference): Bitget pushes a snapshot of each
    channel on subscribe. Docs: https://www.bitget.com/api-doc/common/websocket-intro
    """

    _LOGGER = log
    _RECONNECT_NOTE = (
        "Bitget V2: reconnected; orders and plan orders filled or cancelled during the "
        "outage may still be listed (Bitget V2 has no initialize() endpoint here): "
        "check them with GET /api/v2/spot/trade/unfilled-orders or "
        "/api/v2/mix/order/orders-pending."
    )
    _RECONNECT_NOTE_IF = ("orders", "orders-algo")

    def _init(self) -> None:
        create = self._create
        self._ticker = create("ticker", datastore_class=Ticker)
        self._candle = create("candle", datastore_class=Candle)
        self._book = create("book", datastore_class=Book)
        self._trade = create("trade", datastore_class=Trade)
        self._account = create("account", datastore_class=Account)
        self._positions = create("positions", datastore_class=Positions)
        self._fill = create("fill", datastore_class=Fill)
        self._orders = create("orders", datastore_class=Orders)
        self._orders_algo = create("orders-algo", datastore_class=OrdersAlgo)
        self._positions_history = create("positions-history", datastore_class=PositionsHistory)
        self._setup_routes(
            self._book,
            {
                "ticker": self._ticker._on_push,
                "trade": self._trade._on_push,
                "account": self._account._on_push,
                "positions": self._positions._on_push,
                "fill": self._fill._on_push,
                "orders": self._orders._on_push,
                "orders-algo": self._orders_algo._on_push,
                "positions-history": self._positions_history._on_push,
            },
        )

    def _route(self, channel: str) -> Handler | None:
        if channel.startswith("books"):
            return self._book._on_push
        if channel.startswith("candle"):
            return self._candle._on_push
        return None

    def _book_key(self, arg: Item) -> Hashable:
        return (arg.get("instType"), arg.get("instId"))

    # -- the stores ----------------------------------------------------------------------

    @property
    def ticker(self) -> Ticker:
        """ticker channel."""
        return self._ticker

    @property
    def candle(self) -> Candle:
        """candle{granularity} channels."""
        return self._candle

    @property
    def book(self) -> Book:
        """books, books1, books5, books15 channels (verified books)."""
        return self._book

    @property
    def trade(self) -> Trade:
        """trade channel."""
        return self._trade

    @property
    def account(self) -> Account:
        """account channel (private)."""
        return self._account

    @property
    def positions(self) -> Positions:
        """positions channel (private)."""
        return self._positions

    @property
    def fill(self) -> Fill:
        """fill channel (private)."""
        return self._fill

    @property
    def orders(self) -> Orders:
        """orders channel (private): open orders only."""
        return self._orders

    @property
    def orders_algo(self) -> OrdersAlgo:
        """orders-algo channel (private): open plan orders only."""
        return self._orders_algo

    @property
    def positions_history(self) -> PositionsHistory:
        """positions-history channel (private)."""
        return self._positions_history
