"""``BinanceSpotDataStore``, ``BinanceUSDSMDataStore``, ``BinanceCOINMDataStore``.

Messages are routed on the event type ``e`` of the payload, which arrives bare (``/ws/<stream>``),
wrapped as ``{"stream": name, "data": payload}`` (``/stream?streams=...``), or, for the spot
WebSocket API's user data subscription, as ``{"subscriptionId": n, "event": payload}``
(https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams,
https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/user-data-stream-requests).
Replies to requests (``{"result": ..., "id": ...}``) are ignored and error replies logged.
Anything malformed is logged (rate-limited, logger ``topgun.store.binance``) and skipped whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar, Self

import aiohttp

from topgun import Client
from topgun.plugin import DEFAULT_MAX_RESPONSE_SIZE, DataStoreCollection, InitializeError, Retry

from ..listenkey import KEEPALIVE_EVERY, ListenKeyKeeper
from ._messages import MalformedMessage, record, response_object
from .book import COINMOrderBook, FuturesOrderBook, OrderBook
from .market import (
    BookTicker,
    CompositeIndex,
    ContinuousKline,
    IndexPrice,
    IndexPriceKline,
    Kline,
    Liquidation,
    MarkPrice,
    Ticker,
    Trade,
)
from .user import Account, Balance, OCOOrder, Order, Position, account_update

__all__ = ["BinanceCOINMDataStore", "BinanceSpotDataStore", "BinanceUSDSMDataStore"]

log = logging.getLogger("topgun.store.binance")

Handler = Callable[[Any], None]

# Events a collection knows but keeps no store for (the reference keeps none either).
_QUIET = frozenset(
    {
        "balanceUpdate",
        "externalLockUpdate",
        "eventStreamTerminated",
        "MARGIN_CALL",
        "ACCOUNT_CONFIG_UPDATE",
        "TRADE_LITE",
        "STRATEGY_UPDATE",
        "GRID_UPDATE",
        "CONDITIONAL_ORDER_TRIGGER_REJECT",
        "ALGO_UPDATE",
    }
)
_BOOK_TICKER_FIELDS = frozenset({"u", "s", "b", "B", "a", "A"})
_LISTEN_KEY = "listenkey"
_STREAM_CACHE_LIMIT = 256


class _BinanceDataStore(DataStoreCollection):
    """The stores and routing every Binance market shares."""

    _LOGGER = log
    _MARKET: ClassVar[str] = "Binance"
    _BOOK: ClassVar[type[OrderBook]] = OrderBook
    _ENDPOINTS: ClassVar[dict[str, str]] = {}

    def _init(self) -> None:
        self._trade = self._create("trade", datastore_class=Trade)
        self._kline = self._create("kline", datastore_class=Kline)
        self._ticker = self._create("ticker", datastore_class=Ticker)
        self._bookticker = self._create("bookticker", datastore_class=BookTicker)
        self._orderbook = self._create("orderbook", datastore_class=self._BOOK)
        self._order = self._create("order", datastore_class=Order)
        self.listenkey: str | None = None
        """The listen key of the last listen-key ``POST`` given to ``initialize()``."""
        self.listenkey_keeper: ListenKeyKeeper | None = None
        """What keeps ``listenkey`` alive (``None`` before a listen-key ``POST``)."""
        self.listenkey_interval = KEEPALIVE_EVERY
        """Seconds between keep-alives of the listen key (30 minutes; Binance's limit is 60)."""
        self.listenkey_retry = Retry()
        """How retries of a failed keep-alive are spaced."""
        self._retired: list[ListenKeyKeeper] = []
        self._partial_streams: dict[str, bool] = {}
        self._handlers: dict[str, Handler] = {
            "trade": self._trade._on_event,
            "aggTrade": self._trade._on_event,
            "kline": self._kline._on_event,
            "24hrMiniTicker": self._ticker._on_event,
            "24hrTicker": self._ticker._on_event,
            "bookTicker": self._bookticker._on_event,
            "listenKeyExpired": self._on_listen_key_expired,
        }
        self._arrays: dict[str, Handler] = {
            "24hrMiniTicker": self._ticker._on_events,
            "24hrTicker": self._ticker._on_events,
        }

    # -- initialize() and the listen key -------------------------------------------------------

    async def initialize(self, *aws: Any, max_size: int | None = DEFAULT_MAX_RESPONSE_SIZE) -> None:
        """Load REST responses into the stores (the endpoints are listed in the class docs).

        A listen-key ``POST`` sets ``listenkey`` and starts keeping it alive (``PUT`` every 30
        minutes, retried with backoff on failures) through the Client that made the request;
        that task ends with ``aclose()`` or when the Client closes.
        """
        try:
            await super().initialize(*aws, max_size=max_size)
        finally:
            retired, self._retired = self._retired, []
            for keeper in retired:
                await keeper.close()

    def _takes_response(self, name: str) -> bool:
        return name == _LISTEN_KEY or super()._takes_response(name)

    def _apply_response(self, name: str, data: Any, response: aiohttp.ClientResponse) -> None:
        if name != _LISTEN_KEY:
            super()._apply_response(name, data, response)
            return
        key = response_object(data, response.url, ("listenKey",))["listenKey"]
        if type(key) is not str or not key:
            raise InitializeError(f"{response.url.path}: listenKey is not a non-empty string")
        self.listenkey = key
        current = self.listenkey_keeper
        url = response.url.with_query(None)
        if current is not None and current.running and current.key == key and current.url == url:
            return  # the same key again (futures answer an active account's key)
        if current is not None:
            self._retired.append(current)
            self.listenkey_keeper = None
        client = Client.of(response)
        if client is None or client.closed:
            log.warning(
                "%s: the listen key from %s is not kept alive, since no open topgun.Client "
                "made that request; it expires in 60 minutes",
                self._MARKET,
                url.path,
            )
            return
        keeper = ListenKeyKeeper(
            client,
            url,
            key,
            every=self.listenkey_interval,
            retry=self.listenkey_retry,
            on_new_key=self._on_new_listen_key,
        )
        keeper.start()
        self.listenkey_keeper = keeper

    def _on_new_listen_key(self, key: str) -> None:
        self.listenkey = key

    async def aclose(self) -> None:
        """Stop keeping the listen key alive (cancels the keep-alive task and waits for it)."""
        keeper, self.listenkey_keeper = self.listenkey_keeper, None
        retired, self._retired = self._retired, []
        for old in (*retired, keeper):
            if old is not None:
                await old.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- routing -------------------------------------------------------------------------------

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        """Pushes go straight to their handler; anything else to ``_on_other``."""
        if type(msg) is dict:
            data = msg.get("data") if "stream" in msg else msg
            if type(data) is dict:
                kind = data.get("e")
                if kind == "depthUpdate":
                    self._on_depth(data, msg.get("stream") if data is not msg else None, ws)
                    return
                handler = self._handlers.get(kind) if type(kind) is str else None
                if handler is not None:
                    handler(data)
                    return
        self._on_other(msg, ws)

    def _on_other(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is list:
            self._on_array(msg)
            return
        if type(msg) is not dict:
            self._not_an_object(msg)
            return
        if "error" in msg:
            self._on_error(msg)
            return
        if "result" in msg and "id" in msg:
            return  # {"result": null, "id": 1}: a SUBSCRIBE reply
        stream = msg.get("stream")
        if stream is not None:
            data = msg.get("data")
        elif "event" in msg and "subscriptionId" in msg:
            data = msg["event"]
        else:
            data = msg
        if type(data) is list:
            self._on_array(data)
        elif type(data) is dict and "e" in data:
            handler = self._handlers.get(data["e"]) if type(data["e"]) is str else None
            if data["e"] == "depthUpdate":
                self._on_depth(data, stream if isinstance(stream, str) else None, ws)
            elif handler is None:
                self._on_unknown(str(data["e"]))
            else:
                handler(data)
        elif type(data) is dict and (
            (isinstance(stream, str) and stream.endswith("@bookTicker"))
            or data.keys() >= _BOOK_TICKER_FIELDS
        ):
            self._bookticker._on_event(data)
        elif type(data) is dict and "lastUpdateId" in data:
            self._on_partial_depth()
        else:
            raise MalformedMessage("a message without an event type 'e'")

    def _on_depth(self, event: Any, stream: str | None, ws: Any) -> None:
        """A ``depthUpdate``: a diff for the order book, unless it comes from a partial book
        depth stream (``<symbol>@depth<levels>``), which on futures has the same event type but
        carries the top levels, not changes: applied as diffs, levels that left the top would
        stay. The stream is known from a combined stream's name, or from the URL of a
        ``/ws/<stream>`` connection."""
        if stream is None:
            app = getattr(ws, "app", None)
            url = getattr(app, "url", None)
            stream = url if isinstance(url, str) else None
        if stream is not None and self._is_partial(stream):
            self._on_partial_depth()
        else:
            self._orderbook._on_diff(event, ws)

    def _is_partial(self, stream: str) -> bool:
        partial = self._partial_streams.get(stream)
        if partial is None:
            _, found, rest = stream.rpartition("/")[2].partition("@depth")
            partial = bool(found) and rest[:1].isdigit()
            if len(self._partial_streams) >= _STREAM_CACHE_LIMIT:
                self._partial_streams.clear()
            self._partial_streams[stream] = partial
        return partial

    def _on_partial_depth(self) -> None:
        self._limiter.warning(
            "partial-depth",
            "%s: partial book depth streams (<symbol>@depth<levels>) have no store; "
            "subscribe <symbol>@depth for the orderbook store",
            self._MARKET,
        )

    def _on_array(self, events: list[Any]) -> None:
        """An all-market array (``!miniTicker@arr``, ``!ticker@arr``, ``!markPrice@arr``)."""
        if not events:
            return
        kind = record(events[0], "an element of an event array", ("e",))["e"]
        if type(kind) is not str:
            raise MalformedMessage(f"an event array of type {kind!r}")
        handler = self._arrays.get(kind)
        if handler is None:
            self._on_unknown(f"[{kind}]")
            return
        handler(events)

    def _on_error(self, msg: dict[str, Any]) -> None:
        error = msg["error"]
        code = error.get("code") if isinstance(error, dict) else None
        text = error.get("msg") if isinstance(error, dict) else error
        self._limiter.warning(
            ("error", code),
            "%s replied with an error (id %r): %s %s",
            self._MARKET,
            msg.get("id"),
            code,
            str(text)[:200],
        )

    def _on_unknown(self, kind: str) -> None:
        if kind in _QUIET:
            return
        self._limiter.warning(
            ("unknown", kind[:64]),
            "%s: no store for %r events; they are ignored",
            self._MARKET,
            kind,
        )

    def _on_listen_key_expired(self, event: Any) -> None:
        self._limiter.warning(
            "listen-key-expired",
            "%s: the user data stream's listen key expired; create one with the listen-key "
            "POST, pass it to initialize() and reconnect with the new store.listenkey",
            self._MARKET,
        )

    def _onreconnect(self, ws_app: Any) -> None:
        super()._onreconnect(ws_app)
        log.info(
            "%s: reconnected; order books wait for fresh snapshots. Orders and balances may "
            "have missed events: call initialize() again to resync them.",
            self._MARKET,
        )

    # -- the stores ------------------------------------------------------------------------------

    @property
    def trade(self) -> Trade:
        """``trade`` and ``aggTrade`` events."""
        return self._trade

    @property
    def kline(self) -> Kline:
        """``kline`` candles (the ``k`` objects)."""
        return self._kline

    @property
    def ticker(self) -> Ticker:
        """``24hrMiniTicker`` and ``24hrTicker`` per symbol."""
        return self._ticker

    @property
    def bookticker(self) -> BookTicker:
        """``bookTicker`` per symbol."""
        return self._bookticker

    @property
    def orderbook(self) -> OrderBook:
        """Diff-depth order books per symbol, verified by update-id continuity."""
        return self._orderbook

    @property
    def order(self) -> Order:
        """Open orders (user data stream)."""
        return self._order


class BinanceSpotDataStore(_BinanceDataStore):
    """Binance spot streams and user data as DataStores; pass ``onmessage`` as ``hdlr_json``.

    ``initialize()`` takes ``GET /api/v3/depth`` (with ``symbol``), ``/api/v3/openOrders``,
    ``POST /api/v3/userDataStream``, ``GET /api/v3/klines`` (with ``symbol`` and ``interval``),
    ``/api/v3/account`` and ``/api/v3/openOrderList``.
    """

    _MARKET = "Binance spot"
    _ENDPOINTS: ClassVar[dict[str, str]] = {
        "/api/v3/depth": "orderbook",
        "/api/v3/openOrders": "order",
        "/api/v3/klines": "kline",
        "/api/v3/account": "account",
        "/api/v3/openOrderList": "ocoorder",
        "/api/v3/userDataStream": _LISTEN_KEY,
    }

    def _init(self) -> None:
        super()._init()
        self._account = self._create("account", datastore_class=Account)
        self._ocoorder = self._create("ocoorder", datastore_class=OCOOrder)
        self._handlers.update(
            {
                "executionReport": self._order._on_event,
                "outboundAccountPosition": self._account._on_event,
                "listStatus": self._ocoorder._on_event,
            }
        )

    @property
    def account(self) -> Account:
        """Balances per asset (``outboundAccountPosition``)."""
        return self._account

    @property
    def ocoorder(self) -> OCOOrder:
        """Open order lists (``listStatus``)."""
        return self._ocoorder


class _BinanceFuturesDataStore(_BinanceDataStore):
    """The stores USDⓈ-M and COIN-M share."""

    _BOOK = FuturesOrderBook

    def _init(self) -> None:
        super()._init()
        self._markprice = self._create("markprice", datastore_class=MarkPrice)
        self._continuouskline = self._create("continuouskline", datastore_class=ContinuousKline)
        self._liquidation = self._create("liquidation", datastore_class=Liquidation)
        self._balance = self._create("balance", datastore_class=Balance)
        self._position = self._create("position", datastore_class=Position)
        self._handlers.update(
            {
                "ORDER_TRADE_UPDATE": self._order._on_futures_event,
                "ACCOUNT_UPDATE": self._on_account_update,
                "markPriceUpdate": self._markprice._on_event,
                "continuous_kline": self._continuouskline._on_event,
                "forceOrder": self._liquidation._on_event,
            }
        )
        self._arrays["markPriceUpdate"] = self._markprice._on_events

    def _on_account_update(self, event: Any) -> None:
        balances, positions = account_update(event)
        self._balance._update(balances)
        self._position._update(positions)

    @property
    def orderbook(self) -> FuturesOrderBook:
        """Diff-depth order books per symbol, verified by the ``pu`` chain."""
        return self._orderbook  # type: ignore[return-value]

    @property
    def markprice(self) -> MarkPrice:
        """``markPriceUpdate`` per symbol."""
        return self._markprice

    @property
    def continuouskline(self) -> ContinuousKline:
        """``continuous_kline`` candles."""
        return self._continuouskline

    @property
    def liquidation(self) -> Liquidation:
        """``forceOrder`` liquidation orders."""
        return self._liquidation

    @property
    def balance(self) -> Balance:
        """Wallet balances per asset (``ACCOUNT_UPDATE``)."""
        return self._balance

    @property
    def position(self) -> Position:
        """Positions per symbol and position side (``ACCOUNT_UPDATE``)."""
        return self._position


class BinanceUSDSMDataStore(_BinanceFuturesDataStore):
    """Binance USDⓈ-M futures streams and user data; pass ``onmessage`` as ``hdlr_json``.

    ``initialize()`` takes ``GET /fapi/v1/depth`` (with ``symbol``), ``/fapi/v1/openOrders``,
    ``POST /fapi/v1/listenKey``, ``GET /fapi/v1/klines`` (with ``symbol`` and ``interval``),
    ``/fapi/v2/balance``, ``/fapi/v2/positionRisk`` and ``/fapi/v1/indexInfo``.
    """

    _MARKET = "Binance USDⓈ-M"
    _ENDPOINTS: ClassVar[dict[str, str]] = {
        "/fapi/v1/depth": "orderbook",
        "/fapi/v1/openOrders": "order",
        "/fapi/v1/klines": "kline",
        "/fapi/v2/balance": "balance",
        "/fapi/v2/positionRisk": "position",
        "/fapi/v1/indexInfo": "compositeindex",
        "/fapi/v1/listenKey": _LISTEN_KEY,
    }

    def _init(self) -> None:
        super()._init()
        self._compositeindex = self._create("compositeindex", datastore_class=CompositeIndex)
        self._handlers["compositeIndex"] = self._compositeindex._on_event

    @property
    def compositeindex(self) -> CompositeIndex:
        """``compositeIndex`` per symbol."""
        return self._compositeindex


class BinanceCOINMDataStore(_BinanceFuturesDataStore):
    """Binance COIN-M futures streams and user data; pass ``onmessage`` as ``hdlr_json``.

    ``initialize()`` takes ``GET /dapi/v1/depth`` (with ``symbol``), ``/dapi/v1/openOrders``,
    ``POST /dapi/v1/listenKey``, ``GET /dapi/v1/klines``, ``/dapi/v1/markPriceKlines`` (with
    ``symbol`` and ``interval``), ``/dapi/v1/indexPriceKlines`` (with ``pair`` and
    ``interval``), ``/dapi/v1/balance`` and ``/dapi/v1/positionRisk``.
    """

    _MARKET = "Binance COIN-M"
    _BOOK = COINMOrderBook
    _ENDPOINTS: ClassVar[dict[str, str]] = {
        "/dapi/v1/depth": "orderbook",
        "/dapi/v1/openOrders": "order",
        "/dapi/v1/klines": "kline",
        "/dapi/v1/indexPriceKlines": "indexpricekline",
        "/dapi/v1/markPriceKlines": "markpricekline",
        "/dapi/v1/balance": "balance",
        "/dapi/v1/positionRisk": "position",
        "/dapi/v1/listenKey": _LISTEN_KEY,
    }

    def _init(self) -> None:
        super()._init()
        self._indexprice = self._create("indexprice", datastore_class=IndexPrice)
        self._indexpricekline = self._create("indexpricekline", datastore_class=IndexPriceKline)
        self._markpricekline = self._create("markpricekline", datastore_class=Kline)
        self._handlers.update(
            {
                "indexPriceUpdate": self._indexprice._on_event,
                "indexPrice_kline": self._indexpricekline._on_index_event,
                "markPrice_kline": self._markpricekline._on_event,
            }
        )

    @property
    def indexprice(self) -> IndexPrice:
        """``indexPriceUpdate`` per pair."""
        return self._indexprice

    @property
    def indexpricekline(self) -> IndexPriceKline:
        """``indexPrice_kline`` candles (``s`` holds the pair)."""
        return self._indexpricekline

    @property
    def markpricekline(self) -> Kline:
        """``markPrice_kline`` candles."""
        return self._markpricekline
