"""``bitFlyerDataStore``: bitFlyer Lightning's realtime API (JSON-RPC 2.0) applied to DataStores.

Messages arrive as ``{"jsonrpc": "2.0", "method": "channelMessage", "params": {"channel": ...,
"message": ...}}`` and are routed on ``params.channel``
(https://bf-lightning-api.readme.io/docs/json-rpc-20-over-websocket). Replies to
``subscribe``/``auth`` requests (``{"jsonrpc", "id", "result"}``) are ignored, error replies are
logged, and anything malformed is logged (rate-limited, logger ``topgun.store.bitflyer``) and
skipped whole: every message is validated before any store changes.

Stores and the channels that feed them (item shapes follow the exchange's own fields):

=================  ==========================================  ===================================
store              fed by                                      keys
=================  ==========================================  ===================================
board              lightning_board_snapshot_{pc},              product_code, side, price
                   lightning_board_{pc}
ticker             lightning_ticker_{pc}                       product_code
executions         lightning_executions_{pc}                   none (last 99,999)
childorderevents   child_order_events (raw log)                none
childorders        child_order_events (open orders)            child_order_acceptance_id
parentorderevents  parent_order_events (raw log)               none
parentorders       parent_order_events (open orders)           parent_order_acceptance_id
positions          child_order_events EXECUTION (derived)      none (one item per open lot)
collateral         child_order_events EXECUTION (derived)      none (one item)
balance            child_order_events EXECUTION (derived)      currency_code
=================  ==========================================  ===================================

positions, collateral and balance are local estimates computed from your executions; they
drift from the exchange's numbers (see each class) and should be re-initialized periodically.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from yarl import URL

from topgun.plugin import (
    DataStore,
    DataStoreCollection,
    InitializeError,
    Item,
    Level,
    OrderBookStore,
    Recovery,
    is_number,
    json_objects,
)
from topgun.plugin import MalformedMessage as CoreMalformedMessage

__all__ = [
    "Balance",
    "Board",
    "ChildOrderEvents",
    "ChildOrders",
    "Collateral",
    "Executions",
    "ParentOrderEvents",
    "ParentOrders",
    "Positions",
    "Ticker",
    "bitFlyerDataStore",
]

log = logging.getLogger("topgun.store.bitflyer")

DEFAULT_PRODUCT = "BTC_JPY"
"""What the HTTP API assumes when ``product_code`` is omitted (https://lightning.bitflyer.com/docs)."""

_HANDLER_CACHE_LIMIT = 1024
_INF = math.inf


class MalformedMessage(CoreMalformedMessage):
    """A message that does not have the documented shape; it is skipped whole."""


def is_margin_product(product_code: str) -> bool:
    """Crypto CFD (``FX_BTC_JPY``) and futures (``BTCJPY27JUN2025``-style codes) vs spot."""
    return product_code.startswith("FX_") or "_" not in product_code


# -- validation ------------------------------------------------------------------------------


def _board(message: Any) -> tuple[Any, float | None, list[Level], list[Level]]:
    """A board message as ``(mid_price, its float, ask levels, bid levels)``, validated whole.

    https://bf-lightning-api.readme.io/docs/realtime-board: ``size: 0`` means the level left the
    book; a ``price: 0`` row reports market orders matched during an itayose auction, which is
    not a price level, so it is skipped. Prices must be finite numbers (or numeric strings),
    sizes finite numbers that are not negative; booleans are neither (a comparison raises
    TypeError for other types, which makes the message malformed too).
    This is the hottest path of the feed, hence one function with both sides inline.
    """
    if type(message) is not dict:
        raise MalformedMessage("the board message is not a JSON object")
    sides: list[list[Level]] = []
    try:
        for raw in (message.get("asks", ()), message.get("bids", ())):
            levels: list[Level] = []
            append = levels.append
            for row in raw:
                value = row["price"]
                size = row["size"]
                price = float(value)
                if (
                    not (0 <= size < _INF and 0.0 < price < _INF)
                    or size is True
                    or size is False
                    or value is True
                    or value is False
                ):
                    if price or value is False:  # NaN, infinity, a bool, a negative
                        raise MalformedMessage(f"bad level price={value!r} size={size!r}")
                    continue  # a zero price is skipped
                append((price, value, size))
            sides.append(levels)
        mid_price = _mid_price(message)
        mid = message.get("mid_price")
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        if isinstance(exc, MalformedMessage):
            raise
        raise MalformedMessage(
            f"a board level is malformed ({type(exc).__name__}: {exc})"
        ) from None
    return mid, mid_price, sides[0], sides[1]


def _mid_price(message: Item) -> float | None:
    """``mid_price`` as a float (None when absent); a bool, NaN or infinity is malformed."""
    mid = message.get("mid_price")
    if mid is None:
        return None
    mid_price = float(mid)
    if not 0.0 < mid_price < _INF or mid is True or mid is False:
        raise MalformedMessage(f"mid_price {mid!r} is not a positive number")
    return mid_price


_number = is_number  # finite int or float, never a bool


def _check_event(event: Item, key: str, *, sized: bool) -> None:
    """What the stores compute with, checked for every event before anything changes.

    The acceptance id is a string (it keys the open orders); a child ORDER's (``sized``)
    ``price`` and ``size`` are numbers (a later EXECUTION subtracts from that size); an
    EXECUTION's fields are those the derived stores (orders, positions, collateral, balance)
    compute with.
    """
    if type(event[key]) is not str:
        raise MalformedMessage(f"an event has {key}={event[key]!r}, not a string")
    kind = event["event_type"]
    if type(kind) is not str:
        raise MalformedMessage(f"an event has event_type={kind!r}")
    if kind == "ORDER" and sized:
        if not (_number(event.get("size")) and event["size"] > 0):
            raise MalformedMessage(f"an ORDER event has size={event.get('size')!r}")
        if "price" in event and not (_number(event["price"]) and event["price"] >= 0):
            raise MalformedMessage(f"an ORDER event has price={event['price']!r}")
    elif kind == "EXECUTION":
        if event.get("side") not in ("BUY", "SELL"):
            raise MalformedMessage(f"an EXECUTION event has side {event.get('side')!r}")
        for field in ("price", "size"):
            if not (_number(event.get(field)) and event[field] > 0):
                raise MalformedMessage(f"an EXECUTION event has {field}={event.get(field)!r}")
        for field in ("commission", "sfd", "outstanding_size"):
            if field in event and not _number(event[field]):
                raise MalformedMessage(f"an EXECUTION event has {field}={event[field]!r}")
        if type(event["product_code"]) is not str:
            raise MalformedMessage("an EXECUTION event has a non-string product_code")


def _check_orders(orders: list[Item], url: URL) -> None:
    """Open orders from HTTP carry the numbers later EXECUTION events compute with."""
    for order in orders:
        if not (_number(order.get("size")) and order["size"] >= 0):
            raise InitializeError(f"{url.path}: an order has size={order.get('size')!r}")
        if "price" in order and not (_number(order["price"]) and order["price"] >= 0):
            raise InitializeError(f"{url.path}: an order has price={order['price']!r}")


def _lot_fields(lot: Item) -> str:
    return ", ".join(f"{field}={lot.get(field)!r}" for field in ("side", "price", "size"))


def _response_list(data: Any, url: URL, required: Iterable[str]) -> list[Item]:
    try:
        return json_objects(data, f"the response of {url.path}", required)
    except CoreMalformedMessage as exc:
        raise InitializeError(str(exc)) from None


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _like(value: Decimal, *examples: Any) -> int | float:
    """``value`` as an int when the inputs were ints and it is whole, else as a float."""
    if all(type(e) is int for e in examples) and value == value.to_integral_value():
        return int(value)
    return float(value)


def _products(url: URL, data: list[Item]) -> set[str]:
    """The products an order or position listing covers: its query's, else its items'."""
    asked = url.query.get("product_code")
    if asked:
        return {asked}
    return {item["product_code"] for item in data}


# -- stores ----------------------------------------------------------------------------------


class Board(OrderBookStore):
    """Order books per product: ``sorted({"product_code": pc}, limit=N)``.

    Items: ``{"product_code", "side" ("asks"/"bids"), "price", "size"}``. bitFlyer's board has no
    sequence numbers or checksums, so a book is verified only in the ways the feed allows
    (docs/verified-books.rst): a product is out of sync (``board.out_of_sync``, nothing served)
    until a snapshot (``lightning_board_snapshot_{pc}``, or ``/v1/board`` through
    ``initialize()``) arrives, and again after a WebSocket reconnect; diffs
    (``lightning_board_{pc}``) received meanwhile are dropped (counted in ``dropped_diffs``). A
    book out of sync for longer than ``recovery.grace`` re-subscribes its snapshot channel on the
    connection its diffs come from (unsubscribe + subscribe, backing off if none comes). Every
    snapshot resynchronises the book, reporting only the levels that really changed. After each
    message, levels on the wrong side of ``mid_price`` (asks below it, bids above it) are stale
    and are removed, looking only at the best end of each side.

    Subscribe to the snapshot channel as well as the diff channel, so the first snapshot comes.
    Docs: https://bf-lightning-api.readme.io/docs/realtime-board-snapshot,
    https://bf-lightning-api.readme.io/docs/realtime-board,
    https://bf-lightning-api.readme.io/docs/endpoint-json-rpc (subscribe/unsubscribe)
    """

    _KEYS = ("product_code", "side", "price")
    _RECOVERY = Recovery.SUBSCRIPTION

    def _init(self) -> None:
        self.mid_price: dict[str, Any] = {}
        """The last ``mid_price`` per product, as the exchange sent it."""

    @property
    def dropped_diffs(self) -> int:
        """Diffs ignored because their product's book was out of sync (no snapshot yet)."""
        return self.stats.unsynced_dropped

    def is_synced(self, product_code: str) -> bool:
        """Whether the product's book is in sync (``in_sync``): a snapshot since the (re)connect."""
        return self.in_sync(product_code)

    def _on_snapshot(self, product_code: str, message: Any, ws: Any = None) -> None:
        self._snapshot(product_code, _board(message), ws=ws)

    def _apply_snapshot(self, key: Hashable, snapshot: Any) -> None:
        mid, mid_price, asks, bids = snapshot
        self._replace_book(key, asks, bids)
        if mid is not None:
            self.mid_price[key] = mid  # type: ignore[index]
            self._discard_crossed(key, mid_price, mid_price)

    def _on_diff(self, product_code: str, message: Any, ws: Any = None) -> None:
        if self._diff(product_code, message, ws=ws) or self.in_sync(product_code):
            return
        if self.out_of_sync_reason(product_code) == "no snapshot yet":
            self._limit().warning(
                ("unsynced", product_code),
                "board %s: diffs are ignored until a snapshot arrives; subscribe "
                "lightning_board_snapshot_%s too (or initialize from /v1/board)",
                product_code,
                product_code,
            )

    def _apply_diff(self, key: Hashable, message: Any) -> None:
        if type(message) is not dict:
            raise MalformedMessage("the board message is not a JSON object")
        mid = message.get("mid_price")
        try:
            mid_price = _mid_price(message)
            self._apply_rows(
                key,
                message.get("asks") or (),
                message.get("bids") or (),
                mid_price,
                mid_price,
            )
        except (TypeError, ValueError, OverflowError) as exc:
            if isinstance(exc, MalformedMessage):
                raise
            raise MalformedMessage(str(exc)) from None
        if mid is not None:
            self.mid_price[key] = mid  # type: ignore[index]

    def _resubscribe(self, key: Hashable) -> list[Any]:
        """Unsubscribe and subscribe the product's snapshot channel: a fresh snapshot comes."""
        channel = f"lightning_board_snapshot_{key}"
        return [
            {"jsonrpc": "2.0", "method": method, "params": {"channel": channel}, "id": method}
            for method in ("unsubscribe", "subscribe")
        ]

    def _onresponse(self, data: Any, url: URL) -> None:
        """``/v1/board`` (``/v1/getboard``): a snapshot of ``product_code`` (default BTC_JPY)."""
        try:
            self._on_snapshot(url.query.get("product_code", DEFAULT_PRODUCT), data)
        except MalformedMessage as exc:
            raise InitializeError(f"{url.path}: {exc}") from None

    def _onreconnect(self) -> None:
        self.mid_price.clear()
        super()._onreconnect()


class Ticker(DataStore):
    """``lightning_ticker_{pc}``, one item per product, as sent.
    https://bf-lightning-api.readme.io/docs/realtime-ticker"""

    _KEYS = ("product_code",)

    def _on_ticker(self, message: Any, ws: Any = None) -> None:
        if type(message) is not dict:
            raise MalformedMessage("the ticker message is not a JSON object")
        self._update([message])


class Executions(DataStore):
    """``lightning_executions_{pc}``: ``{"product_code", ...the execution's fields}``, newest last.
    Keeps the last 99,999. https://bf-lightning-api.readme.io/docs/realtime-executions"""

    _MAXLEN = 99_999

    def _on_executions(self, product_code: str, message: Any, ws: Any = None) -> None:
        executions = json_objects(message, "the executions message")
        self._insert([{"product_code": product_code, **execution} for execution in executions])


class ChildOrderEvents(DataStore):
    """``child_order_events`` as received (the raw event log).
    https://bf-lightning-api.readme.io/docs/realtime-child-order-events"""


class ParentOrderEvents(DataStore):
    """``parent_order_events`` as received (the raw event log).
    https://bf-lightning-api.readme.io/docs/realtime-parent-order-events"""


class ChildOrders(DataStore):
    """Open child orders, kept from ``child_order_events`` (and ``/v1/me/getchildorders``).

    ORDER adds the order (its event fields); EXECUTION sets ``size`` to the order's remaining
    ``outstanding_size`` and removes the order once nothing remains; CANCEL, EXPIRE and
    ORDER_FAILED remove it. ``initialize()`` replaces the listed products' orders with the ACTIVE
    ones of the response (ask for ``child_order_state=ACTIVE`` so none is cut by ``count``).
    """

    _KEYS = ("child_order_acceptance_id",)
    _STATE = "child_order_state"
    _SIZED = True  # EXECUTION events subtract from the order's size

    def _on_events(self, events: list[Item]) -> None:
        for event in events:
            kind = event["event_type"]
            if kind == "ORDER":
                self._insert([dict(event)])
            elif kind == "EXECUTION":
                order = self.get(event)
                if order is None:
                    continue
                remaining: int | float = event.get("outstanding_size") or 0
                if "outstanding_size" not in event:
                    remaining = _like(_dec(order["size"]) - _dec(event["size"]), order["size"])
                if remaining <= 0:
                    self._delete([order])
                else:
                    fields: Item = {"size": remaining}
                    if "outstanding_size" in order:
                        fields["outstanding_size"] = remaining
                    self._patch(order, fields)
            elif kind in ("CANCEL", "EXPIRE", "ORDER_FAILED"):
                self._delete([event])

    def _onresponse(self, data: Any, url: URL) -> None:
        key = self._keys[0]
        orders = _response_list(data, url, (key, "product_code", self._STATE))
        if self._SIZED:
            _check_orders(orders, url)
        for product in _products(url, orders):
            active = {
                o[key]: o
                for o in orders
                if o["product_code"] == product and o[self._STATE] == "ACTIVE"
            }
            gone = [o for o in self.find({"product_code": product}) if o[key] not in active]
            self._delete(gone)
            self._insert([dict(o) for o in active.values()])


class ParentOrders(ChildOrders):
    """Open parent (special) orders, kept from ``parent_order_events``.

    ORDER adds it; CANCEL, EXPIRE and ORDER_FAILED remove it; COMPLETE removes it when its last
    child order completed (for IFD and IFDOCO, a COMPLETE of ``parameter_index`` 2 or more; for
    the others, any). ``initialize()`` takes ``/v1/me/getparentorders`` like ChildOrders.
    """

    _KEYS = ("parent_order_acceptance_id",)
    _STATE = "parent_order_state"
    _SIZED = False

    def _on_events(self, events: list[Item]) -> None:
        for event in events:
            kind = event["event_type"]
            if kind == "ORDER":
                self._insert([dict(event)])
            elif kind in ("CANCEL", "EXPIRE", "ORDER_FAILED"):
                self._delete([event])
            elif kind == "COMPLETE":
                order = self.get(event)
                if order is None:
                    continue
                staged = order.get("parent_order_type") in ("IFD", "IFDOCO")
                index: Any = event.get("parameter_index")
                if not staged or (_number(index) and index >= 2):
                    self._delete([order])


class Collateral(DataStore):
    """The ``/v1/me/getcollateral`` object, with ``collateral`` moved by realised P/L.

    Limits: only ``collateral`` is maintained, from the P/L of positions closed by your
    executions (rounded down to whole yen); ``open_position_pnl``, ``require_collateral``,
    ``keep_rate`` and the rest keep their initialized values, and fees, SFD and swap points are
    not applied. Nothing is computed before ``initialize()`` fills it.
    """

    def _onresponse(self, data: Any, url: URL) -> None:
        if type(data) is not dict or not _number(data.get("collateral")):
            raise InitializeError(f"{url.path}: expected an object with a numeric 'collateral'")
        current = next(iter(self), None)
        if current is None:
            self._insert([dict(data)])
        else:
            self._patch(current, data)

    def _realize(self, open_side: str, open_price: Any, close_price: Any, size: Decimal) -> None:
        current = next(iter(self), None)
        if current is None:
            return
        gain = (_dec(close_price) - _dec(open_price)) * size
        pnl = math.floor(gain if open_side == "BUY" else -gain)
        total = _dec(current["collateral"]) + pnl
        self._patch(current, {"collateral": _like(total, current["collateral"])})


class Positions(DataStore):
    """Open position lots of margin products (Crypto CFD ``FX_BTC_JPY``, futures), derived.

    Items: ``{"product_code", "side", "price", "size", "commission", "sfd"}``, oldest first.
    ``initialize()`` loads ``/v1/me/getpositions``; each EXECUTION of a margin product then
    closes opposite lots oldest first (realising P/L into ``collateral``) and opens a lot with
    what remains. Limits: an estimate from your own executions only: swap points, SFD,
    liquidations, and executions missed while disconnected are not seen, and the exchange's
    own lot matching may differ; re-initialize after a reconnect.
    """

    _FIELDS: ClassVar[tuple[str, ...]] = (
        "product_code",
        "side",
        "price",
        "size",
        "commission",
        "sfd",
    )

    def _onresponse(self, data: Any, url: URL) -> None:
        lots = _response_list(data, url, ("product_code", "side", "price", "size"))
        for lot in lots:
            if lot["side"] not in ("BUY", "SELL") or not (
                _number(lot["price"]) and _number(lot["size"]) and lot["size"] >= 0
            ):
                raise InitializeError(f"{url.path}: a position has {_lot_fields(lot)}")
            for field in ("commission", "sfd"):
                if field in lot and not _number(lot[field]):
                    raise InitializeError(f"{url.path}: a position has {field}={lot[field]!r}")
        for product in _products(url, lots):
            self._find_and_delete({"product_code": product})
            self._insert(
                [
                    {f: lot.get(f, 0) for f in self._FIELDS}
                    for lot in lots
                    if lot["product_code"] == product
                ]
            )

    def _on_execution(self, event: Item, collateral: Collateral) -> None:
        product, side, price = event["product_code"], event["side"], event["price"]
        remaining = _dec(event["size"])
        for lot in self.find({"product_code": product}):
            if remaining <= 0:
                break
            if lot["side"] == side:
                continue
            held = _dec(lot["size"])
            closed = min(held, remaining)
            collateral._realize(lot["side"], lot["price"], price, closed)
            if closed == held:
                self._delete([lot])
            else:
                self._patch(lot, {"size": _like(held - closed, lot["size"], event["size"])})
            remaining -= closed
        if remaining > 0:
            self._insert(
                [
                    {
                        "product_code": product,
                        "side": side,
                        "price": price,
                        "size": _like(remaining, event["size"]),
                        "commission": event.get("commission", 0),
                        "sfd": event.get("sfd", 0),
                    }
                ]
            )


class Balance(DataStore):
    """``/v1/me/getbalance`` items per currency, with ``amount`` moved by spot executions.

    A spot BUY of ``size`` at ``price`` adds ``size - commission`` of the base currency and takes
    ``size * price`` of the quote currency (yen rounded up); a SELL takes ``size + commission``
    and adds ``size * price`` (yen rounded down). Limits: only currencies loaded by
    ``initialize()`` move; ``available`` becomes None because open orders and withdrawals are not
    seen; deposits, withdrawals and executions missed while disconnected are not seen either.
    """

    _KEYS = ("currency_code",)

    def _onresponse(self, data: Any, url: URL) -> None:
        self._update(
            [dict(item) for item in _response_list(data, url, ("currency_code", "amount"))]
        )

    def _on_execution(self, event: Item) -> None:
        base, _, quote = event["product_code"].partition("_")
        buy = event["side"] == "BUY"
        size, commission = _dec(event["size"]), _dec(event.get("commission", 0))
        holding = self.get({"currency_code": base})
        if holding is not None and _number(holding.get("amount")):
            amount = _dec(holding["amount"]) + (size if buy else -size) - commission
            self._update([{"currency_code": base, "amount": float(amount), "available": None}])
        holding = self.get({"currency_code": quote})
        if holding is not None and _number(holding.get("amount")):
            value = size * _dec(event["price"])
            if quote == "JPY":
                value = Decimal(math.ceil(value) if buy else math.floor(value))
            amount = _dec(holding["amount"]) + (-value if buy else value)
            self._update([{"currency_code": quote, "amount": float(amount), "available": None}])


# -- the collection --------------------------------------------------------------------------


class bitFlyerDataStore(DataStoreCollection):
    """bitFlyer Lightning's realtime channels as DataStores; pass ``onmessage`` as ``hdlr_json``.

    ``initialize()`` takes ``/v1/me/getchildorders``, ``/v1/me/getparentorders``,
    ``/v1/me/getpositions``, ``/v1/me/getcollateral``, ``/v1/me/getbalance`` and ``/v1/board``
    (or ``/v1/getboard``) responses. Docs: https://bf-lightning-api.readme.io/docs and
    https://lightning.bitflyer.com/docs
    """

    _LOGGER = log
    _RECONNECT_NOTE = (
        "bitFlyer: reconnected; board books wait for fresh snapshots. Orders, positions, "
        "collateral and balance may have missed events: call initialize() again to resync."
    )
    _ENDPOINTS: ClassVar[dict[str, str]] = {
        "/v1/me/getchildorders": "childorders",
        "/v1/me/getparentorders": "parentorders",
        "/v1/me/getpositions": "positions",
        "/v1/me/getcollateral": "collateral",
        "/v1/me/getbalance": "balance",
        "/v1/board": "board",
        "/v1/getboard": "board",
    }

    def _init(self) -> None:
        self._board = self._create("board", datastore_class=Board)
        self._ticker = self._create("ticker", datastore_class=Ticker)
        self._executions = self._create("executions", datastore_class=Executions)
        self._childorderevents = self._create("childorderevents", datastore_class=ChildOrderEvents)
        self._childorders = self._create("childorders", datastore_class=ChildOrders)
        self._parentorderevents = self._create(
            "parentorderevents", datastore_class=ParentOrderEvents
        )
        self._parentorders = self._create("parentorders", datastore_class=ParentOrders)
        self._positions = self._create("positions", datastore_class=Positions)
        self._collateral = self._create("collateral", datastore_class=Collateral)
        self._balance = self._create("balance", datastore_class=Balance)
        self._handlers: dict[str, Callable[[Any, Any], None]] = {}

    # -- routing -------------------------------------------------------------------------

    def onmessage(self, msg: Any, ws: Any = None) -> None:
        """The ``hdlr_json`` callback for ``Client.ws_connect``; never raises."""
        if ws is not self._ws:  # a new connection: be told of its reconnections
            self._follow(ws)
        try:
            # The fast path, one frame deep: a channel message whose channel was seen before.
            if type(msg) is dict and msg.get("method") == "channelMessage":
                params = msg.get("params")
                if type(params) is dict:
                    channel = params.get("channel")
                    handler = self._handlers.get(channel) if type(channel) is str else None
                    if handler is not None and "message" in params:
                        handler(params["message"], ws)
                        return
            self._onmessage(msg, ws)
        except CoreMalformedMessage as exc:
            self._malformed(msg, exc)
        except Exception as exc:
            self._failed(exc)

    def _malformed(self, msg: Any, exc: CoreMalformedMessage) -> None:
        self.skipped += 1
        channel = str(msg.get("params", {}).get("channel"))[:64]
        self._limiter.warning(
            ("malformed", channel), "bitFlyer %s: skipped a malformed message: %s", channel, exc
        )

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is not dict:
            self._not_an_object(msg)
            return
        params = msg.get("params")
        if params is None:
            self._on_reply(msg)
            return
        if msg.get("method") != "channelMessage":
            self._limiter.warning(
                ("method", str(msg.get("method"))[:40]),
                "bitFlyer: ignored a message with method %r",
                msg.get("method"),
            )
            return
        try:
            channel = params["channel"]
            message = params["message"]
            handler = self._handlers.get(channel) or self._route(channel)
        except (KeyError, TypeError):
            self._limiter.warning("bad-params", "bitFlyer: ignored a message with malformed params")
            return
        handler(message, ws)

    def _on_reply(self, msg: Item) -> None:
        error = msg.get("error")
        if error is None:
            return  # {"jsonrpc": "2.0", "id": 1, "result": true}: a subscribe/auth reply
        code = error.get("code") if isinstance(error, dict) else None
        text = error.get("message") if isinstance(error, dict) else error
        self._limiter.warning(
            ("error", code),
            "bitFlyer replied with an error (id %r): %s %s",
            msg.get("id"),
            code,
            str(text)[:200],
        )

    def _route(self, channel: str) -> Callable[[Any, Any], None]:
        if type(channel) is not str:
            raise TypeError("channel is not a string")
        handler: Callable[[Any, Any], None]
        if channel.startswith("lightning_board_snapshot_"):
            handler = partial(self._board._on_snapshot, channel[len("lightning_board_snapshot_") :])
        elif channel.startswith("lightning_board_"):
            handler = partial(self._board._on_diff, channel[len("lightning_board_") :])
        elif channel.startswith("lightning_ticker_"):
            handler = self._ticker._on_ticker
        elif channel.startswith("lightning_executions_"):
            handler = partial(
                self._executions._on_executions, channel[len("lightning_executions_") :]
            )
        elif channel == "child_order_events":
            handler = self._on_child_order_events
        elif channel == "parent_order_events":
            handler = self._on_parent_order_events
        else:
            handler = partial(self._on_unknown, channel)
        if len(self._handlers) < _HANDLER_CACHE_LIMIT:
            self._handlers[channel] = handler
        return handler

    def _on_unknown(self, channel: str, message: Any, ws: Any = None) -> None:
        self._no_store_for("channel", channel)

    def _on_child_order_events(self, message: Any, ws: Any = None) -> None:
        events = json_objects(
            message,
            "child_order_events",
            ("event_type", "child_order_acceptance_id", "product_code"),
        )
        for event in events:
            _check_event(event, "child_order_acceptance_id", sized=True)
        executions = [e for e in events if e["event_type"] == "EXECUTION"]
        self._childorderevents._insert(events)
        self._childorders._on_events(events)
        for event in executions:
            if is_margin_product(event["product_code"]):
                self._positions._on_execution(event, self._collateral)
            else:
                self._balance._on_execution(event)

    def _on_parent_order_events(self, message: Any, ws: Any = None) -> None:
        events = json_objects(
            message, "parent_order_events", ("event_type", "parent_order_acceptance_id")
        )
        for event in events:
            _check_event(event, "parent_order_acceptance_id", sized=False)
        self._parentorderevents._insert(events)
        self._parentorders._on_events(events)

    # -- the stores ----------------------------------------------------------------------

    @property
    def board(self) -> Board:
        """Order books (lightning_board_snapshot_* and lightning_board_*)."""
        return self._board

    @property
    def ticker(self) -> Ticker:
        """Tickers (lightning_ticker_*)."""
        return self._ticker

    @property
    def executions(self) -> Executions:
        """Public executions (lightning_executions_*)."""
        return self._executions

    @property
    def childorderevents(self) -> ChildOrderEvents:
        """Raw child_order_events."""
        return self._childorderevents

    @property
    def childorders(self) -> ChildOrders:
        """Open child orders, from child_order_events."""
        return self._childorders

    @property
    def parentorderevents(self) -> ParentOrderEvents:
        """Raw parent_order_events."""
        return self._parentorderevents

    @property
    def parentorders(self) -> ParentOrders:
        """Open parent orders, from parent_order_events."""
        return self._parentorders

    @property
    def positions(self) -> Positions:
        """Open margin position lots (derived from executions)."""
        return self._positions

    @property
    def collateral(self) -> Collateral:
        """Collateral (derived from executions)."""
        return self._collateral

    @property
    def balance(self) -> Balance:
        """Spot balances (derived from executions)."""
        return self._balance
