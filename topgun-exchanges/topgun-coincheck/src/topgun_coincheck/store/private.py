"""``CoincheckPrivateDataStore``: Coincheck's private WebSocket (orders, executions) as DataStores.

https://coincheck.com/documents/exchange/api#private-websocket: after the login (done by the
plugin's authenticator on ``wss://stream.coincheck.com``), ``order-events`` and
``execution-events`` messages are JSON objects with a ``channel`` field. A message with
``"success": false`` (a refused login or subscription) and an unknown channel are logged
(rate-limited, logger ``topgun.store.coincheck``); a malformed message is skipped whole
(``MalformedMessage``: counted in ``store.skipped`` and logged).
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from yarl import URL

from topgun.plugin import DataStore, DataStoreCollection, InitializeError, Item, MalformedMessage

__all__ = ["CoincheckPrivateDataStore", "Execution", "Order"]

log = logging.getLogger("topgun.store.coincheck")

_CLOSED = frozenset({"FILL", "EXPIRY", "CANCEL"})
_PENDING = (
    ("pending_amount", "latest_executed_amount"),
    ("pending_market_buy_amount", "latest_executed_market_buy_amount"),
)


def _decimal(value: Any, field: str) -> Decimal:
    if type(value) not in (str, int):
        raise MalformedMessage(f"{field!r} is {value!r}, not a decimal amount")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise MalformedMessage(f"{field!r} is {value!r}, not a decimal amount") from None
    if not amount.is_finite():
        raise MalformedMessage(f"{field!r} is {value!r}, not a finite amount")
    return amount


def remaining(pending: Any, executed: Any, fields: tuple[str, str]) -> Any:
    """``pending - executed`` computed in Decimal, as a string; ``pending`` when either is None.

    Coincheck sends amounts as decimal strings ("0.0064"); Decimal keeps them exact, so
    "0.0064" - "0.001" is "0.0054", never 0.005399999.
    """
    if pending is None or executed is None:
        return pending
    return str(_decimal(pending, fields[0]) - _decimal(executed, fields[1]))


def _check_order_key(item: Any, what: str) -> Item:
    if type(item) is not dict:
        raise MalformedMessage(f"{what} is not a JSON object")
    if type(item.get("id")) not in (int, str) or type(item.get("pair")) is not str:
        raise MalformedMessage(f"{what} has no 'id' and 'pair'")
    return item


class Order(DataStore):
    """Open orders, keyed by ``id`` and ``pair``.

    The WebSocket sends no event for a new order: pass the reply of ``POST
    /api/exchange/orders`` to ``feed_response()``, which stores it with ``pending_amount`` =
    ``amount`` and ``pending_market_buy_amount`` = ``market_buy_amount``. ``order-events``
    (https://coincheck.com/documents/exchange/api#websocket-order-events) then change only
    orders already in the store: the event's fields are merged in; PARTIALLY_FILL also lowers
    ``pending_amount`` by ``latest_executed_amount`` and ``pending_market_buy_amount`` by
    ``latest_executed_market_buy_amount`` (Decimal arithmetic, strings kept); TRIGGERED (a stop
    order fired) merges the event; FILL, EXPIRY and CANCEL remove the order; other events are
    ignored, as in the reference library.
    ``initialize()`` with ``/api/exchange/orders/opens`` replaces the store with its orders.
    """

    _KEYS = ("id", "pair")

    def feed_response(self, response: Any) -> None:
        """Store a new order from the ``POST /api/exchange/orders`` reply (its JSON object).

        A reply without ``"success": true`` (the order was refused) is logged and not stored, as
        in the reference library; one that claims success without ``id`` and ``pair`` raises
        ValueError.
        """
        if type(response) is not dict:
            raise TypeError(
                "feed_response() takes the JSON object replied by POST /api/exchange/orders, "
                f"not {type(response).__name__}"
            )
        if response.get("success") is not True:
            log.warning(
                "Coincheck: feed_response() got a reply without success: true; the order was "
                "not stored: %.200r",
                response,
            )
            return
        try:
            _check_order_key(response, "the order reply")
        except MalformedMessage as exc:
            raise ValueError(
                f"feed_response() takes the JSON reply of POST /api/exchange/orders: {exc}"
            ) from None
        self._insert(
            [
                {
                    **response,
                    "pending_amount": response.get("amount"),
                    "pending_market_buy_amount": response.get("market_buy_amount"),
                }
            ]
        )

    def _on_event(self, event: Item) -> None:
        kind = event.get("order_event")
        if type(kind) is not str:
            raise MalformedMessage(f"'order_event' is {kind!r}")
        order = self.get(event)
        if order is None:
            return
        if kind in _CLOSED:
            self._delete([order])
        elif kind == "PARTIALLY_FILL":
            fields = dict(event)
            for pending, executed in _PENDING:
                fields[pending] = remaining(
                    order.get(pending), event.get(executed), (pending, executed)
                )
            self._update([fields])
        elif kind == "TRIGGERED":
            self._update([event])

    def _onresponse(self, data: Any, url: URL) -> None:
        orders = opens(data, url)
        self._clear()
        self._insert([dict(order) for order in orders])


def opens(data: Any, url: URL) -> list[Item]:
    """The ``orders`` of ``/api/exchange/orders/opens``, or InitializeError saying why not."""
    where = f"Coincheck {url.path}"
    if type(data) is not dict:
        raise InitializeError(f"{where}: the reply is not a JSON object")
    if data.get("success") is not True:
        raise InitializeError(
            f"{where} answered success={data.get('success')!r}: "
            f"{data.get('error', 'no error message')!r:.200}; nothing was applied"
        )
    orders = data.get("orders")
    try:
        if type(orders) is not list:
            raise MalformedMessage("'orders' is not a JSON array")
        return [_check_order_key(order, "an order") for order in orders]
    except MalformedMessage as exc:
        raise InitializeError(f"{where}: {exc}") from None


class Execution(DataStore):
    """``execution-events`` as sent, newest last (the last 99,999).
    https://coincheck.com/documents/exchange/api#websocket-execution-events"""

    _MAXLEN = 99_999


class CoincheckPrivateDataStore(DataStoreCollection):
    """Coincheck's private WebSocket channels as DataStores; pass ``onmessage`` as ``hdlr_json``.

    ``initialize()`` takes ``/api/exchange/orders/opens`` responses (a reply with ``success``
    other than true raises InitializeError, and nothing is applied).
    """

    _CHANNEL_KEY = "channel"
    _LOGGER = log
    _RECONNECT_NOTE = (
        "Coincheck private: reconnected; orders may have missed events while disconnected: "
        "call initialize() with /api/exchange/orders/opens again to resync."
    )
    _ENDPOINTS: ClassVar[dict[str, str]] = {"/api/exchange/orders/opens": "order-events"}

    def _init(self) -> None:
        self._order = self._create("order-events", datastore_class=Order)
        self._execution = self._create("execution-events", datastore_class=Execution)

    async def _receive(self, *args: Any, **kwargs: Any) -> tuple[str, URL, Any]:
        """Check each reply's ``success`` before any reply is applied (core checks the rest)."""
        name, url, data = await super()._receive(*args, **kwargs)
        opens(data, url)
        return name, url, data

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is not dict:
            raise MalformedMessage(f"a frame that is not a JSON object ({type(msg).__name__})")
        channel = msg.get("channel")
        if channel == "order-events":
            self._order._on_event(_check_order_key(msg, "an order event"))
        elif channel == "execution-events":
            _check_order_key(msg, "an execution event")
            self._execution._insert([msg])
        elif msg.get("success") is False:
            self._limiter.warning(
                ("refused", str(msg.get("error"))[:80]),
                "Coincheck private: the exchange refused a request: %.200r",
                msg,
            )
        elif msg.get("success") is not True:  # a login or subscribe reply: nothing to store
            self._no_store_for("channel", channel)

    @property
    def order(self) -> Order:
        """Open orders (``order-events`` plus ``feed_response``)."""
        return self._order

    @property
    def execution(self) -> Execution:
        """Your executions (``execution-events``)."""
        return self._execution
