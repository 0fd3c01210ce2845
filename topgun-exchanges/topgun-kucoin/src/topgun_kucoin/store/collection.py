"""``KuCoinDataStore``: KuCoin's spot, margin and futures push messages applied to DataStores.

Messages ``{"topic", "type": "message", "subject", "data"}`` are routed on the topic's prefix
(https://www.kucoin.com/docs-new/websocket-api/base-info/introduction). ``welcome``, ``ack`` and
``pong`` frames are ignored and ``error`` frames logged; anything malformed is logged
(rate-limited, logger ``topgun.store.kucoin``) and skipped whole.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

import aiohttp
from yarl import URL

from topgun.plugin import DataStoreCollection, InitializeError, Item

from ..plugin import WS_HOSTS
from ..ws import remember_ping_interval
from ._messages import MalformedMessage, record, response_data, symbol_of
from .book import OrderBook, TopKOrderBook
from .market import (
    Announcements,
    Execution,
    IndexPrice,
    Instrument,
    Kline,
    MarginFundingBook,
    MarkPrice,
    SymbolSnapshot,
    Ticker,
    TransactionStats,
)
from .private import (
    Balance,
    BalanceEvents,
    MarginOrderEvents,
    MarginOrders,
    MarginPositionEvents,
    MarginPositions,
    OrderEvents,
    Orders,
    Positions,
)

__all__ = ["KuCoinDataStore", "endpoint_from_bullet"]

log = logging.getLogger("topgun.store.kucoin")

Handler = Callable[[Item, Any], None]

_ENDPOINT = "endpoint"
_TOPIC_CACHE_LIMIT = 1024
_QUIET = frozenset({"welcome", "ack", "pong"})


def endpoint_from_bullet(data: Any) -> str:
    """The WebSocket URL of a bullet response's ``data``, in the reference library's form:
    ``<server>?token=<token>&acceptUserMessage=true&connectId=<uuid4>``.

    It prefers a server whose host topgun registers for KuCoin (so its heartbeat and welcome
    check apply), else takes the first, and remembers the server's ``pingInterval`` for that
    token's connections.
    """
    try:
        token = data["token"]
        servers = data["instanceServers"]
        chosen = next(
            (s for s in servers if URL(s["endpoint"]).host in WS_HOSTS),
            servers[0],
        )
        endpoint = str(chosen["endpoint"])
    except (KeyError, IndexError, TypeError, ValueError):
        raise InitializeError("the bullet response has no token or instance server") from None
    if type(token) is not str or not token or not URL(endpoint).absolute:
        raise InitializeError("the bullet response has no usable token or endpoint")
    interval = chosen.get("pingInterval")
    if type(interval) in (int, float) and interval > 0:
        remember_ping_interval(token, interval / 1000)
    url = URL(endpoint).with_query(
        token=token, acceptUserMessage="true", connectId=str(uuid.uuid4())
    )
    return str(url)


class KuCoinDataStore(DataStoreCollection):
    """KuCoin's push channels as DataStores; pass ``onmessage`` as ``hdlr_json``.

    Stores: ``ticker``, ``kline``, ``symbolsnapshot``, ``orderbook`` (the full level-2 book,
    verified), ``orderbook5``, ``orderbook50``, ``execution``, ``indexprice``, ``markprice``,
    ``orderevents``, ``orders``, ``balance``, ``marginfundingbook``, ``marginpositions``,
    ``marginpositionevents``, ``marginorderevents``, ``marginorders``, ``instrument``,
    ``announcements``, ``transactionstats``, ``balanceevents``, ``positions``.

    ``initialize()`` takes ``GET /api/v1/market/candles`` (kline; with ``symbol`` and ``type``),
    ``GET /api/v1/positions`` (positions), ``GET /api/v3/market/orderbook/level2`` and
    ``GET /api/v1/level2/snapshot`` (orderbook; with ``symbol``), and ``POST
    /api/v1/bullet-public`` or ``/api/v1/bullet-private`` (sets ``endpoint``).
    """

    _LOGGER = log
    _RECONNECT_NOTE = (
        "KuCoin: reconnected; order books wait for fresh snapshots. Orders, balances and "
        "positions may have missed events: call initialize() again to resync."
    )
    _ENDPOINTS: ClassVar[dict[str, str]] = {
        "/api/v1/market/candles": "kline",
        "/api/v1/positions": "positions",
        "/api/v3/market/orderbook/level2": "orderbook",
        "/api/v1/level2/snapshot": "orderbook",
        "/api/v1/bullet-public": _ENDPOINT,
        "/api/v1/bullet-private": _ENDPOINT,
    }

    def _init(self) -> None:
        self._ticker = self._create("ticker", datastore_class=Ticker)
        self._kline = self._create("kline", datastore_class=Kline)
        self._symbolsnapshot = self._create("symbolsnapshot", datastore_class=SymbolSnapshot)
        self._orderbook = self._create("orderbook", datastore_class=OrderBook)
        self._orderbook5 = self._create("orderbook5", datastore_class=TopKOrderBook)
        self._orderbook50 = self._create("orderbook50", datastore_class=TopKOrderBook)
        self._execution = self._create("execution", datastore_class=Execution)
        self._indexprice = self._create("indexprice", datastore_class=IndexPrice)
        self._markprice = self._create("markprice", datastore_class=MarkPrice)
        self._orderevents = self._create("orderevents", datastore_class=OrderEvents)
        self._orders = self._create("orders", datastore_class=Orders)
        self._balance = self._create("balance", datastore_class=Balance)
        self._marginfundingbook = self._create(
            "marginfundingbook", datastore_class=MarginFundingBook
        )
        self._marginpositions = self._create("marginpositions", datastore_class=MarginPositions)
        self._marginpositionevents = self._create(
            "marginpositionevents", datastore_class=MarginPositionEvents
        )
        self._marginorderevents = self._create(
            "marginorderevents", datastore_class=MarginOrderEvents
        )
        self._marginorders = self._create("marginorders", datastore_class=MarginOrders)
        self._instrument = self._create("instrument", datastore_class=Instrument)
        self._announcements = self._create("announcements", datastore_class=Announcements)
        self._transactionstats = self._create("transactionstats", datastore_class=TransactionStats)
        self._balanceevents = self._create("balanceevents", datastore_class=BalanceEvents)
        self._positions = self._create("positions", datastore_class=Positions)
        self._endpoint: str | None = None
        self._handlers: dict[str, Handler] = {}

    # -- initialize() and the endpoint -------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """The WebSocket URL built from the last bullet response given to ``initialize()``.

        Raises RuntimeError before one. The token in it lasts 24 hours and is used by every
        reconnection of a ``ws_connect`` on it; ``topgun_kucoin.connect`` keeps a long-running
        connection on fresh tokens instead (feed its ``hdlr_json`` to this store all the same).
        """
        if self._endpoint is None:
            raise RuntimeError(
                "KuCoinDataStore.endpoint is not set: call initialize() with a "
                "POST /api/v1/bullet-public (or bullet-private) response first"
            )
        return self._endpoint

    def _takes_response(self, name: str) -> bool:
        return name == _ENDPOINT or super()._takes_response(name)

    def _apply_response(self, name: str, data: Any, response: aiohttp.ClientResponse) -> None:
        if name != _ENDPOINT:
            super()._apply_response(name, data, response)
            return
        self._endpoint = endpoint_from_bullet(response_data(data, response.url))

    # -- routing -----------------------------------------------------------------------------

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        """Pushes go straight to their topic's handler; other frames to ``_on_frame``."""
        if type(msg) is not dict:
            self._not_an_object(msg)
            return
        topic = msg.get("topic")
        if type(topic) is str:
            (self._handlers.get(topic) or self._route(topic))(msg, ws)
        else:
            self._on_frame(msg)

    def _on_frame(self, msg: Item) -> None:
        kind = msg.get("type")
        if type(kind) is str and kind in _QUIET:
            return
        if kind == "error":
            self._limiter.warning(
                ("error", str(msg.get("code"))[:32]),
                "KuCoin replied with an error (id %r): %s %s",
                msg.get("id"),
                msg.get("code"),
                str(msg.get("data"))[:200],
            )
            return
        self._limiter.warning(
            ("no-topic", str(kind)[:32]), "KuCoin: ignored a message of type %r", kind
        )

    def _route(self, topic: str) -> Handler:
        handler = self._handler_for(topic)
        if len(self._handlers) < _TOPIC_CACHE_LIMIT:
            self._handlers[topic] = handler
        return handler

    def _handler_for(self, topic: str) -> Handler:
        on = _on_message
        if topic.startswith("/market/level2:"):
            return self._orderbook._on_spot
        if topic.startswith("/contractMarket/level2:"):
            return partial(self._on_futures_level2, symbol_of(topic))
        if topic.startswith(
            ("/market/ticker", "/contractMarket/tickerV2", "/contractMarket/ticker")
        ):
            return on(self._ticker._on_message)
        if topic.startswith("/market/candles"):
            return on(self._kline._on_message)
        if topic.startswith("/market/snapshot"):
            return on(self._symbolsnapshot._on_message)
        if topic.startswith(("/spotMarket/level2Depth50", "/contractMarket/level2Depth50")):
            return partial(self._on_top, self._orderbook50)
        if topic.startswith(("/spotMarket/level2Depth5", "/contractMarket/level2Depth5")):
            return partial(self._on_top, self._orderbook5)
        if topic.startswith(("/market/match", "/contractMarket/execution")):
            return on(self._execution._on_message)
        if topic.startswith("/indicator/index"):
            return on(self._indexprice._on_message)
        if topic.startswith("/indicator/markPrice"):
            return on(self._markprice._on_message)
        if topic.endswith(("tradeOrders", "advancedOrders")):
            return self._on_order
        if topic.startswith("/contract/instrument"):
            return on(self._instrument._on_message)
        if topic.startswith("/contract/announcement"):
            return on(self._announcements._on_message)
        if topic.startswith("/contractMarket/snapshot"):
            return on(self._transactionstats._on_message)
        if topic.startswith("/account/balance"):
            return on(self._balance._on_message)
        if topic.startswith("/margin/fundingBook"):
            return on(self._marginfundingbook._on_message)
        if topic.startswith("/margin/position"):
            return self._on_margin_position
        if topic.startswith("/margin/loan"):
            return self._on_margin_loan
        if topic.startswith("/contractAccount/wallet"):
            return on(self._balanceevents._on_message)
        if topic.startswith("/contract/position"):
            return on(self._positions._on_message)
        return partial(self._on_unknown, topic)

    def _on_futures_level2(self, symbol: str, msg: Item, ws: Any) -> None:
        self._orderbook._on_futures(symbol, msg.get("data"), ws)

    def _on_top(self, store: TopKOrderBook, msg: Item, ws: Any) -> None:
        store._on_message(symbol_of(msg["topic"]), msg.get("data"), ws)

    def _on_order(self, msg: Item, ws: Any) -> None:
        data = record(msg.get("data"), "an order event's data", ("orderId", "type"))
        if type(data["orderId"]) is not str or type(data["type"]) is not str:
            raise MalformedMessage("an order event's orderId or type is not a string")
        self._orderevents._on_event(dict(data))
        self._orders._on_event(dict(data))

    def _on_margin_position(self, msg: Item, ws: Any) -> None:
        record(msg.get("data"), "a margin position event's data")
        self._marginpositions._on_message(msg)
        self._marginpositionevents._on_message(msg)

    def _on_margin_loan(self, msg: Item, ws: Any) -> None:
        record(msg.get("data"), "a margin order event's data", ("orderId",))
        self._marginorders._on_message(msg)
        self._marginorderevents._on_message(msg)

    def _on_unknown(self, topic: str, msg: Item, ws: Any) -> None:
        self._no_store_for("topic", topic, key=topic.partition(":")[0])

    # -- the stores ------------------------------------------------------------------------

    @property
    def ticker(self) -> Ticker:
        """/market/ticker, /contractMarket/tickerV2, /contractMarket/ticker."""
        return self._ticker

    @property
    def kline(self) -> Kline:
        """/market/candles (closed candles; ``latest()`` is the one in progress)."""
        return self._kline

    @property
    def symbolsnapshot(self) -> SymbolSnapshot:
        """/market/snapshot."""
        return self._symbolsnapshot

    @property
    def orderbook(self) -> OrderBook:
        """/market/level2 and /contractMarket/level2: full books, verified by sequence."""
        return self._orderbook

    @property
    def orderbook5(self) -> TopKOrderBook:
        """/spotMarket/level2Depth5, /contractMarket/level2Depth5."""
        return self._orderbook5

    @property
    def orderbook50(self) -> TopKOrderBook:
        """/spotMarket/level2Depth50, /contractMarket/level2Depth50."""
        return self._orderbook50

    @property
    def execution(self) -> Execution:
        """/market/match, /contractMarket/execution."""
        return self._execution

    @property
    def indexprice(self) -> IndexPrice:
        """/indicator/index."""
        return self._indexprice

    @property
    def markprice(self) -> MarkPrice:
        """/indicator/markPrice."""
        return self._markprice

    @property
    def orderevents(self) -> OrderEvents:
        """tradeOrders/advancedOrders topics: the latest event per order."""
        return self._orderevents

    @property
    def orders(self) -> Orders:
        """tradeOrders/advancedOrders topics: active orders only."""
        return self._orders

    @property
    def balance(self) -> Balance:
        """/account/balance."""
        return self._balance

    @property
    def marginfundingbook(self) -> MarginFundingBook:
        """/margin/fundingBook."""
        return self._marginfundingbook

    @property
    def marginpositions(self) -> MarginPositions:
        """/margin/position (the last event)."""
        return self._marginpositions

    @property
    def marginpositionevents(self) -> MarginPositionEvents:
        """/margin/position (every event)."""
        return self._marginpositionevents

    @property
    def marginorderevents(self) -> MarginOrderEvents:
        """/margin/loan (every message)."""
        return self._marginorderevents

    @property
    def marginorders(self) -> MarginOrders:
        """/margin/loan (active orders)."""
        return self._marginorders

    @property
    def instrument(self) -> Instrument:
        """/contract/instrument."""
        return self._instrument

    @property
    def announcements(self) -> Announcements:
        """/contract/announcement."""
        return self._announcements

    @property
    def transactionstats(self) -> TransactionStats:
        """/contractMarket/snapshot."""
        return self._transactionstats

    @property
    def balanceevents(self) -> BalanceEvents:
        """/contractAccount/wallet."""
        return self._balanceevents

    @property
    def positions(self) -> Positions:
        """/contract/position (one-way mode)."""
        return self._positions


def _on_message(method: Callable[[Item], None]) -> Handler:
    """A route for a store that takes the whole message and no WebSocket."""

    def handle(msg: Item, ws: Any) -> None:
        method(msg)

    return handle
