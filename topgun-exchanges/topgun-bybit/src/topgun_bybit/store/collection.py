"""``BybitDataStore``: Bybit V5 WebSocket topics and REST snapshots applied to DataStores.

Push messages (``{"topic": ..., "type": ..., "ts": ..., "data": ...}``) route on the first
segment of ``topic`` (https://bybit-exchange.github.io/docs/v5/ws/connect). Replies to
``subscribe``/``auth``/``ping`` carry ``op`` and ``success``: a refused one is logged. A message
for a topic without a store, or of the wrong shape, is logged (rate-limited, logger
``topgun.store.bybit``) and skipped whole; nothing ever raises out of ``onmessage``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from yarl import URL

from topgun.plugin import DataStoreCollection, InitializeError

from ._shapes import TopicStore
from .orderbook import OrderBook
from .private import Execution, Greek, Order, Position, Wallet
from .public import AllLiquidation, Kline, Liquidation, LTKline, LTNav, LTTicker, Ticker, Trade

__all__ = ["BybitDataStore"]

log = logging.getLogger("topgun.store.bybit")

Route = Callable[[dict[str, Any], Any], None]

_ROUTE_CACHE_LIMIT = 4096
_PRIVATE = ("position", "execution", "order", "wallet", "greeks")


class BybitDataStore(DataStoreCollection):
    """Bybit V5 topics as DataStores; pass ``onmessage`` as ``hdlr_json``.

    ``initialize()`` takes ``GET /v5/position/list``, ``/v5/order/realtime`` and
    ``/v5/account/wallet-balance`` responses; one whose ``retCode`` is not 0 raises
    ``InitializeError`` before anything is applied. Stores are keyed by symbol, as in pybotters:
    use one BybitDataStore per category (spot, linear, ...) that subscribes the same symbols.
    Docs: https://bybit-exchange.github.io/docs/v5/intro
    """

    _CHANNEL_KEY = "topic"
    _LOGGER = log
    _ENDPOINTS: ClassVar[dict[str, str]] = {
        "/v5/position/list": "position",
        "/v5/order/realtime": "order",
        "/v5/account/wallet-balance": "wallet",
    }

    def _init(self) -> None:
        self._orderbook = self._create("orderbook", datastore_class=OrderBook)
        self._trade = self._create("publicTrade", datastore_class=Trade)
        self._ticker = self._create("tickers", datastore_class=Ticker)
        self._kline = self._create("kline", datastore_class=Kline)
        self._all_liquidation = self._create("allLiquidation", datastore_class=AllLiquidation)
        self._lt_kline = self._create("kline_lt", datastore_class=LTKline)
        self._lt_ticker = self._create("tickers_lt", datastore_class=LTTicker)
        self._lt_nav = self._create("lt", datastore_class=LTNav)
        self._liquidation = self._create("liquidation", datastore_class=Liquidation)
        self._position = self._create("position", datastore_class=Position)
        self._execution = self._create("execution", datastore_class=Execution)
        self._order = self._create("order", datastore_class=Order)
        self._wallet = self._create("wallet", datastore_class=Wallet)
        self._greek = self._create("greeks", datastore_class=Greek)
        self._topics = {
            name: store for name, store in self._stores.items() if isinstance(store, TopicStore)
        }
        self._routes: dict[str, Route] = {}

    # -- routing -------------------------------------------------------------------------

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        """Pushes go straight to their handler; anything else to ``_on_other``."""
        if type(msg) is dict:
            topic = msg.get("topic")
            if type(topic) is str:
                route = self._routes.get(topic) or self._route(topic)
                route(msg, ws)
                return
        self._on_other(msg, ws)

    def _route(self, topic: str) -> Route:
        head, _, rest = topic.partition(".")
        tail = rest.split(".") if rest else []
        route: Route
        if head == "orderbook":
            route = self._orderbook._route(topic, tail)
        elif head in self._topics:
            on_topic = self._topics[head]._on_topic

            def route(msg: dict[str, Any], ws: Any) -> None:
                on_topic(msg.get("data"), tail)

        else:

            def route(msg: dict[str, Any], ws: Any) -> None:
                self._no_store_for("topic", topic, key=head)

        if len(self._routes) < _ROUTE_CACHE_LIMIT:
            self._routes[topic] = route
        return route

    def _on_other(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is not dict:
            self._not_an_object(msg)
            return
        if msg.get("success") is False or msg.get("retCode") not in (None, 0):
            self._limiter.warning(
                ("refused", str(msg.get("op"))[:40]),
                "Bybit refused %r: %s",
                msg.get("op"),
                str(msg.get("ret_msg") or msg.get("retMsg") or "no reason given")[:200],
            )
        elif "op" not in msg and "retCode" not in msg:
            self._limiter.warning(
                "no-topic",
                "Bybit: ignored a message with neither topic nor op (fields %s)",
                sorted(map(str, msg))[:20],
            )

    def _onreconnect(self, ws_app: Any) -> None:
        super()._onreconnect(ws_app)
        if any(len(self._stores[name]) for name in _PRIVATE):
            log.info(
                "Bybit: reconnected; order books wait for fresh snapshots. Positions, orders "
                "and wallets may have missed updates: call initialize() again to resync."
            )
        else:
            log.info("Bybit: reconnected; order books wait for fresh snapshots.")

    # -- initialize ----------------------------------------------------------------------

    async def _receive(self, aw: Any, *args: Any) -> tuple[str, URL, Any]:
        """Core's check of each response, then Bybit's ``retCode``: both before any is applied."""
        name, url, data = await super()._receive(aw, *args)
        code = data.get("retCode") if isinstance(data, dict) else None
        if code != 0:
            message = data.get("retMsg") if isinstance(data, dict) else None
            raise InitializeError(
                f"{url.path} answered retCode {code!r}: {str(message)[:200]} (nothing applied)"
            )
        return name, url, data

    # -- the stores ----------------------------------------------------------------------

    @property
    def orderbook(self) -> OrderBook:
        """``orderbook.{depth}.{symbol}``: verified books, ``sorted()`` -> ``{"a": .., "b": ..}``."""
        return self._orderbook

    @property
    def trade(self) -> Trade:
        """``publicTrade.{symbol}``."""
        return self._trade

    @property
    def ticker(self) -> Ticker:
        """``tickers.{symbol}``."""
        return self._ticker

    @property
    def kline(self) -> Kline:
        """``kline.{interval}.{symbol}``."""
        return self._kline

    @property
    def all_liquidation(self) -> AllLiquidation:
        """``allLiquidation.{symbol}``."""
        return self._all_liquidation

    @property
    def lt_kline(self) -> LTKline:
        """``kline_lt.{interval}.{symbol}``."""
        return self._lt_kline

    @property
    def lt_ticker(self) -> LTTicker:
        """``tickers_lt.{symbol}``."""
        return self._lt_ticker

    @property
    def lt_nav(self) -> LTNav:
        """``lt.{symbol}``."""
        return self._lt_nav

    @property
    def liquidation(self) -> Liquidation:
        """``liquidation.{symbol}``."""
        return self._liquidation

    @property
    def position(self) -> Position:
        """``position`` (all categories or one)."""
        return self._position

    @property
    def execution(self) -> Execution:
        """``execution`` and ``execution.fast``."""
        return self._execution

    @property
    def order(self) -> Order:
        """``order``: open orders only; filled and cancelled ones are removed."""
        return self._order

    @property
    def wallet(self) -> Wallet:
        """``wallet``."""
        return self._wallet

    @property
    def greek(self) -> Greek:
        """``greeks``."""
        return self._greek
