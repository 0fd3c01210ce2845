"""``OKXDataStore``: OKX v5 WebSocket pushes applied to DataStores, routed on ``arg.channel``.

Candle channels (``candle1m``, ``mark-price-candle1H``, ``index-candle1D``, ...) go to the
``candle``, ``mark-price-candle`` and ``index-candle`` stores, every book channel (``books``,
``books5``, ``bbo-tbt``, ``books-l2-tbt``, ``books50-l2-tbt``, ``books-elp``) to ``books``, and
the rest to the store of the same name. Event replies (``subscribe``, ``login``, ...) change
nothing except the books' recovery state; ``error`` events are logged. Unknown channels and
malformed messages are logged (rate-limited, logger ``topgun.store.okx``) and skipped whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from topgun.plugin import DataStore, DataStoreCollection, Item

from ._messages import MalformedMessage
from .books import Books
from .tables import (
    Account,
    AccountGreeks,
    AlgoAdvance,
    BalanceAndPosition,
    Candle,
    EstimatedPrice,
    FundingRate,
    IndexCandle,
    IndexTickers,
    Instruments,
    LiquidationWarning,
    MarkPrice,
    MarkPriceCandle,
    OpenInterest,
    OptSummary,
    Orders,
    OrdersAlgo,
    Positions,
    PriceLimit,
    Status,
    Tickers,
    Trades,
)

__all__ = ["OKXDataStore"]

log = logging.getLogger("topgun.store.okx")

_HANDLER_CACHE_LIMIT = 1024
_PRIVATE = ("account", "positions", "balance_and_position", "orders", "orders-algo")

Handler = Callable[[Item, Item, Any], None]


class OKXDataStore(DataStoreCollection):
    """OKX v5 channels as DataStores; pass ``onmessage`` as ``hdlr_json`` to ``ws_connect``.

    ``initialize()`` takes ``GET /api/v5/trade/orders-pending`` (orders),
    ``GET /api/v5/trade/orders-algo-pending`` (ordersalgo and algoadvance) and
    ``GET /api/v5/market/books`` (a REST snapshot for books in REST mode, see ``Books``).
    Docs: https://www.okx.com/docs-v5/en/
    """

    _LOGGER = log
    _RECONNECT_NOTE = (
        "OKX: reconnected; account, positions and open orders may have missed pushes: "
        "call initialize() again (orders-pending, orders-algo-pending) to resync."
    )
    _RECONNECT_NOTE_IF = _PRIVATE
    _ENDPOINTS: ClassVar[dict[str, str]] = {
        "/api/v5/trade/orders-pending": "orders",
        "/api/v5/trade/orders-algo-pending": "orders-algo",
        "/api/v5/market/books": "books",
    }

    def _init(self) -> None:
        create = self._create
        self._instruments = create("instruments", datastore_class=Instruments)
        self._tickers = create("tickers", datastore_class=Tickers)
        self._openinterest = create("open-interest", datastore_class=OpenInterest)
        self._candle = create("candle", datastore_class=Candle)
        self._trades = create("trades", datastore_class=Trades)
        self._estimatedprice = create("estimated-price", datastore_class=EstimatedPrice)
        self._markprice = create("mark-price", datastore_class=MarkPrice)
        self._markpricecandle = create("mark-price-candle", datastore_class=MarkPriceCandle)
        self._pricelimit = create("price-limit", datastore_class=PriceLimit)
        self._books = create("books", datastore_class=Books)
        self._optsummary = create("opt-summary", datastore_class=OptSummary)
        self._fundingrate = create("funding-rate", datastore_class=FundingRate)
        self._indexcandle = create("index-candle", datastore_class=IndexCandle)
        self._indextickers = create("index-tickers", datastore_class=IndexTickers)
        create("status", datastore_class=Status)
        self._account = create("account", datastore_class=Account)
        self._positions = create("positions", datastore_class=Positions)
        self._balance_and_position = create(
            "balance_and_position", datastore_class=BalanceAndPosition
        )
        self._orders = create("orders", datastore_class=Orders)
        self._ordersalgo = create("orders-algo", datastore_class=OrdersAlgo)
        self._algoadvance = create("algo-advance", datastore_class=AlgoAdvance)
        self._ordersalgo.advance = self._algoadvance
        self._liquidationwarning = create("liquidation-warning", datastore_class=LiquidationWarning)
        self._accountgreeks = create("account-greeks", datastore_class=AccountGreeks)
        self._handlers: dict[str, Handler] = {}

    # -- routing -------------------------------------------------------------------------

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        """Pushes go straight to their handler; anything else to ``_on_other``."""
        if type(msg) is dict:
            arg = msg.get("arg")
            if type(arg) is dict and "data" in msg:
                channel = arg.get("channel")
                handler = self._handlers.get(channel) if type(channel) is str else None
                if handler is None:
                    handler = self._route(channel)
                handler(arg, msg, ws)
                return
        self._on_other(msg, ws)

    def _on_other(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is not dict:
            self._not_an_object(msg)
            return
        event = msg.get("event")
        if event is None:
            self._limiter.warning("shape", "OKX: ignored a message with neither arg+data nor event")
            return
        arg = msg.get("arg")
        if event == "subscribe" and type(arg) is dict and _is_book(arg.get("channel")):
            self._books._on_subscribed(arg)
        elif event == "unsubscribe" and type(arg) is dict and _is_book(arg.get("channel")):
            self._books._on_unsubscribed(arg)
        elif event in ("error", "notice"):
            self._limiter.warning(
                ("event", event, str(msg.get("code"))),
                "OKX %s %s: %s",
                event,
                msg.get("code"),
                str(msg.get("msg"))[:200],
            )

    def _route(self, channel: Any) -> Handler:
        if type(channel) is not str:
            raise MalformedMessage("'arg.channel' is not a string")
        store: DataStore | None
        if _is_book(channel):
            handler: Handler = self._books._on_push
        else:
            if channel.startswith("candle"):
                store = self._candle
            elif channel.startswith("mark-price-candle"):
                store = self._markpricecandle
            elif channel.startswith("index-candle"):
                store = self._indexcandle
            else:
                store = self._stores.get(channel)
            unknown = store is None
            handler = partial(self._on_unknown, channel) if unknown else partial(_push, store)
        if len(self._handlers) < _HANDLER_CACHE_LIMIT:
            self._handlers[channel] = handler
        return handler

    def _on_unknown(self, channel: str, arg: Item, msg: Item, ws: Any) -> None:
        self._no_store_for("channel", channel)

    # -- the stores ----------------------------------------------------------------------

    @property
    def instruments(self) -> Instruments:
        """instruments channel."""
        return self._instruments

    @property
    def tickers(self) -> Tickers:
        """tickers channel."""
        return self._tickers

    @property
    def openinterest(self) -> OpenInterest:
        """open-interest channel."""
        return self._openinterest

    @property
    def candle(self) -> Candle:
        """candle{bar} channels."""
        return self._candle

    @property
    def trades(self) -> Trades:
        """trades channel."""
        return self._trades

    @property
    def estimatedprice(self) -> EstimatedPrice:
        """estimated-price channel."""
        return self._estimatedprice

    @property
    def markprice(self) -> MarkPrice:
        """mark-price channel."""
        return self._markprice

    @property
    def markpricecandle(self) -> MarkPriceCandle:
        """mark-price-candle{bar} channels."""
        return self._markpricecandle

    @property
    def pricelimit(self) -> PriceLimit:
        """price-limit channel."""
        return self._pricelimit

    @property
    def books(self) -> Books:
        """Order books: books, books5, bbo-tbt, books-l2-tbt, books50-l2-tbt (verified)."""
        return self._books

    @property
    def optsummary(self) -> OptSummary:
        """opt-summary channel."""
        return self._optsummary

    @property
    def fundingrate(self) -> FundingRate:
        """funding-rate channel."""
        return self._fundingrate

    @property
    def indexcandle(self) -> IndexCandle:
        """index-candle{bar} channels."""
        return self._indexcandle

    @property
    def indextickers(self) -> IndexTickers:
        """index-tickers channel."""
        return self._indextickers

    @property
    def account(self) -> Account:
        """account channel (private)."""
        return self._account

    @property
    def positions(self) -> Positions:
        """positions channel (private)."""
        return self._positions

    @property
    def balance_and_position(self) -> BalanceAndPosition:
        """balance_and_position channel (private)."""
        return self._balance_and_position

    @property
    def orders(self) -> Orders:
        """orders channel (private): open orders only; filled and canceled ones are removed."""
        return self._orders

    @property
    def ordersalgo(self) -> OrdersAlgo:
        """orders-algo channel (private)."""
        return self._ordersalgo

    @property
    def algoadvance(self) -> AlgoAdvance:
        """algo-advance channel (private)."""
        return self._algoadvance

    @property
    def liquidationwarning(self) -> LiquidationWarning:
        """liquidation-warning channel (private)."""
        return self._liquidationwarning

    @property
    def accountgreeks(self) -> AccountGreeks:
        """account-greeks channel (private)."""
        return self._accountgreeks


def _is_book(channel: Any) -> bool:
    return type(channel) is str and (channel.startswith("books") or channel == "bbo-tbt")


def _push(store: Any, arg: Item, msg: Item, ws: Any) -> None:
    store._on_push(arg, msg["data"])
