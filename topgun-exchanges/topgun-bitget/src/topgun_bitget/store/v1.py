"""``BitgetDataStore``: Bitget's V1 (legacy) WebSocket pushes applied to DataStores.

Routed on ``arg.channel`` when the push has ``data``
(https://bitgetlimited.github.io/apidoc/en/mix/#websocketapi and
https://bitgetlimited.github.io/apidoc/en/spot/#websocketapi): ``trade``, ``ticker``,
``candle1m`` ... ``candle1W`` (every candle channel, not only ``candle1m``), ``books`` (the
verified ``orderbook``), and the private ``account``, ``orders``, ``positions``. Bitget now
documents V2 (``BitgetV2DataStore``); V1 keeps the reference library's shapes for code that
still uses it.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from typing import Any, ClassVar

from yarl import URL

from topgun.plugin import DataStore, InitializeError, Item

from ._collection import BitgetCollection, Handler
from ._messages import MalformedMessage, arrays, objects, response_data, text
from .book import BitgetBook

__all__ = [
    "Account",
    "BitgetDataStore",
    "CandleSticks",
    "OrderBook",
    "Orders",
    "Positions",
    "Ticker",
    "Trade",
]

log = logging.getLogger("topgun.store.bitget")

_CANDLE = "candle"


class Trade(DataStore):
    """``trade``: ``{instId, ts, px, sz, side}`` from ``[ts, px, sz, side]`` rows; the last
    99,999. Keyed by (instId, ts) as in the reference."""

    _KEYS = ("instId", "ts")
    _MAXLEN = 99_999

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        inst_id = text(arg, "instId", "trade")
        rows = arrays(msg["data"], "trade", 4)
        self._insert(
            [
                {"instId": inst_id, "ts": row[0], "px": row[1], "sz": row[2], "side": row[3]}
                for row in rows
            ]
        )


class OrderBook(BitgetBook):
    """``books``: verified order books, one per instId. Items ``{instId, side ("asks"/"bids"),
    px, sz}`` as sent; ``sorted({"instId": ...})`` gives ``{"asks": [...], "bids": [...]}``.

    A ``snapshot`` push replaces the book (the reference merged it into the old one, so levels
    removed while disconnected stayed forever), ``update`` pushes change it, and the
    ``checksum`` of every push is verified (see ``topgun_bitget.store.book``).
    ``timestamp`` is the ``ts`` of the last push.
    """

    _KEYS = ("instId", "side", "px")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "side", "px", "sz"
    _SEQUENCE = None  # V1 pushes carry no seq: the checksum alone verifies them

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        self._push(text(arg, "instId", "books"), arg, msg.get("action"), msg["data"], ws)


class Ticker(DataStore):
    """``ticker``: one item per instId, the push's fields."""

    _KEYS = ("instId",)

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        self._update([dict(item) for item in objects(msg["data"], "ticker", ("instId",))])


class CandleSticks(DataStore):
    """``candle1m``, ``candle5m``, ..., ``candle1W``: ``{instId, interval, ts, o, h, l, c,
    baseVol}`` from ``[ts, o, h, l, c, baseVol]`` rows; ``interval`` is the channel name
    without ``candle`` (``1m``, ``15m``, ``1H``, ``1D``...)."""

    _KEYS = ("instId", "interval", "ts")

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        channel = arg["channel"]
        inst_id = text(arg, "instId", channel)
        interval = channel[len(_CANDLE) :]
        rows = arrays(msg["data"], channel, 6)
        self._insert(
            [
                {
                    "instId": inst_id,
                    "interval": interval,
                    "ts": row[0],
                    "o": row[1],
                    "h": row[2],
                    "l": row[3],
                    "c": row[4],
                    "baseVol": row[5],
                }
                for row in rows
            ]
        )


class Account(DataStore):
    """``account`` (private): one item per marginCoin, the push's fields."""

    _KEYS = ("marginCoin",)

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        self._update([dict(item) for item in objects(msg["data"], "account", ("marginCoin",))])


class Orders(DataStore):
    """``orders`` (private): open orders. ``new`` inserts, ``partial-fill`` updates,
    ``full-fill`` and ``cancelled`` remove the order.

    ``initialize()`` takes ``GET /api/mix/v1/order/current``, whose fields are renamed to the
    WebSocket's (``symbol`` -> ``instId``, ``clientOid`` -> ``clOrdId``, ``filledQty`` ->
    ``accFillSz`` ...; ``side`` open_long/close_short -> buy, else sell). With a ``symbol`` in the
    request, that symbol's orders missing from the answer are removed (they are no longer open).
    """

    _KEYS = ("instId", "clOrdId")

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        items = objects(msg["data"], "orders", ("instId", "clOrdId", "status"))
        for item in items:
            status = item["status"]
            if status == "new":
                self._insert([dict(item)])
            elif status == "partial-fill":
                self._update([dict(item)])
            elif status in ("full-fill", "cancelled"):
                self._delete([item])

    def _onresponse(self, data: Any, url: URL) -> None:
        try:
            orders = [_from_rest(order) for order in objects(response_data(data, url), url.path)]
        except (MalformedMessage, KeyError, TypeError, ValueError) as exc:
            raise InitializeError(f"{url.path}: an order is malformed ({exc})") from None
        symbol = url.query.get("symbol")
        if symbol:
            listed = {order["clOrdId"] for order in orders if order["instId"] == symbol}
            self._delete([o for o in self.find({"instId": symbol}) if o["clOrdId"] not in listed])
        self._insert(orders)


def _from_rest(order: Item) -> Item:
    """A ``/api/mix/v1/order/current`` order in the ``orders`` channel's shape."""
    return {
        "accFillSz": str(order["filledQty"]),
        "cTime": int(order["cTime"]),
        "clOrdId": order["clientOid"],
        "force": order["timeInForce"],
        "instId": order["symbol"],
        "ordId": order["orderId"],
        "ordType": order["orderType"],
        "posSide": order["posSide"],
        "px": str(order["price"]),
        "side": "buy" if order["side"] in ("close_short", "open_long") else "sell",
        "status": order["state"],
        "sz": str(order["size"]),
        "tgtCcy": order["marginCoin"],
        "uTime": int(order["uTime"]),
    }


class Positions(DataStore):
    """``positions`` (private): open positions, keyed by (posId, instId); a position whose
    ``total`` is 0 (as a number or ``"0"``) is removed."""

    _KEYS = ("posId", "instId")

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        items = objects(msg["data"], "positions", ("posId", "instId"))
        closed = [item for item in items if _is_zero(item.get("total"))]
        self._delete(closed)
        self._insert([dict(item) for item in items if item not in closed])


def _is_zero(value: Any) -> bool:
    if type(value) is bool or value is None:
        raise MalformedMessage(f"positions: total {value!r} is not a number")
    try:
        return float(value) == 0.0
    except (TypeError, ValueError):
        raise MalformedMessage(f"positions: total {value!r} is not a number") from None


class BitgetDataStore(BitgetCollection):
    """Bitget V1 channels as DataStores; pass ``onmessage`` as ``hdlr_json`` to ``ws_connect``.

    ``initialize()`` takes ``GET /api/mix/v1/order/current`` (``orders``). A non-zero ``code``
    raises InitializeError and changes nothing.
    """

    _LOGGER = log
    _RECONNECT_NOTE = (
        "Bitget V1: reconnected; orders, positions and account may have missed pushes: "
        "call initialize() again (GET /api/mix/v1/order/current) to resync orders."
    )
    _RECONNECT_NOTE_IF = ("orders", "positions", "account")
    _ENDPOINTS: ClassVar[dict[str, str]] = {"/api/mix/v1/order/current": "orders"}

    def _init(self) -> None:
        create = self._create
        self._trade = create("trade", datastore_class=Trade)
        self._orderbook = create("orderbook", datastore_class=OrderBook)
        self._ticker = create("ticker", datastore_class=Ticker)
        self._candlesticks = create("candlesticks", datastore_class=CandleSticks)
        self._account = create("account", datastore_class=Account)
        self._orders = create("orders", datastore_class=Orders)
        self._positions = create("positions", datastore_class=Positions)
        self._setup_routes(
            self._orderbook,
            {
                "trade": self._trade._on_push,
                "books": self._orderbook._on_push,
                "ticker": self._ticker._on_push,
                "account": self._account._on_push,
                "orders": self._orders._on_push,
                "positions": self._positions._on_push,
            },
        )

    def _route(self, channel: str) -> Handler | None:
        if channel.startswith(_CANDLE) and len(channel) > len(_CANDLE):
            return self._candlesticks._on_push
        return None

    def _book_key(self, arg: Item) -> Hashable:
        return arg.get("instId")

    @property
    def trade(self) -> Trade:
        """trade channel."""
        return self._trade

    @property
    def orderbook(self) -> OrderBook:
        """books channel (verified books)."""
        return self._orderbook

    @property
    def ticker(self) -> Ticker:
        """ticker channel."""
        return self._ticker

    @property
    def candlesticks(self) -> CandleSticks:
        """candle{interval} channels."""
        return self._candlesticks

    @property
    def account(self) -> Account:
        """account channel (private)."""
        return self._account

    @property
    def orders(self) -> Orders:
        """orders channel (private): open orders only; filled and cancelled ones are removed."""
        return self._orders

    @property
    def positions(self) -> Positions:
        """positions channel (private)."""
        return self._positions
