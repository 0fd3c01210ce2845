"""``bitbankPrivateDataStore``: bitbank's private stream (orders, trades, assets ...) as DataStores.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/private-stream.md ("Step 4"): each
message, delivered through PubNub, is ``{"method": ..., "params": [...]}``. Feed it from the
plugin's ``BitbankPrivateStream``::

    store = topgun.bitbankPrivateDataStore()
    async with BitbankPrivateStream(client, store.onmessage):
        ...

A message whose method has no store is logged once (rate-limited, logger
``topgun.store.bitbank``) and ignored; a malformed one is skipped whole (``MalformedMessage``:
counted in ``store.skipped`` and logged).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Final

from yarl import URL

from topgun.plugin import (
    DataStore,
    DataStoreCollection,
    InitializeError,
    Item,
    MalformedMessage,
    json_objects,
)

__all__ = [
    "Asset",
    "DealerOrder",
    "Deposit",
    "MarginNotice",
    "MarginPayable",
    "MarginPosition",
    "SpotOrder",
    "SpotTrade",
    "Withdrawal",
    "bitbankPrivateDataStore",
]

log = logging.getLogger("topgun.store.bitbank")

ERRORS_URL: Final = "https://github.com/bitbankinc/bitbank-api-docs/blob/master/errors.md"

CLOSED: Final = frozenset({"FULLY_FILLED", "CANCELED_UNFILLED", "CANCELED_PARTIALLY_FILLED"})
"""Statuses of an order that is done: private-stream.md says to remove the order on them."""

STAGE: Final = {
    "INACTIVE": 0,
    "UNFILLED": 1,
    "PARTIALLY_FILLED": 2,
    "FULLY_FILLED": 3,
    "CANCELED_UNFILLED": 3,
    "CANCELED_PARTIALLY_FILLED": 3,
}
"""How far an order has come (the docs' example code: a status only moves forward)."""

CLOSED_MEMORY: Final = 10_000
"""Closed order ids remembered, so a late message cannot bring a closed order back."""


# -- checks ----------------------------------------------------------------------------------------


def _key_value(item: Item, field: str) -> None:
    value = item.get(field)
    if not ((type(value) is int) or (type(value) is str and value)):
        raise MalformedMessage(f"{field!r} is {value!r}, not an id")


def items_of(params: Any, keys: tuple[str, ...], what: str) -> list[Item]:
    """``params`` as a list of objects that all carry ``keys`` (checked before anything applies)."""
    items = json_objects(params, f"{what}: 'params'")
    for item in items:
        for key in keys:
            _key_value(item, key)
    return items


def amount(value: Any, field: str) -> Decimal | None:
    """A decimal-string amount as Decimal (exact: "0.0003" < "0.0004" always); None if absent."""
    if value is None:
        return None
    if type(value) is not str:
        raise MalformedMessage(f"{field!r} is {value!r}, not a decimal string")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise MalformedMessage(f"{field!r} is {value!r}, not a decimal string") from None
    if not number.is_finite():
        raise MalformedMessage(f"{field!r} is {value!r}, not a finite amount")
    return number


# -- stores ----------------------------------------------------------------------------------------


class Asset(DataStore):
    """``asset_update`` and ``/v1/user/assets``: one item per ``asset``, its fields as sent."""

    _KEYS = ("asset",)

    def _on_params(self, params: list[Item]) -> None:
        self._update(params)

    def _onresponse(self, data: Any, url: URL) -> None:
        self._clear()
        self._update([dict(item) for item in data["data"]["assets"]])


class SpotOrder(DataStore):
    """Active orders, keyed by ``order_id``: ``spot_order_new``, ``spot_order``,
    ``spot_order_invalidation`` and ``/v1/user/spot/active_orders``.

    The rules (private-stream.md, "method: spot_order" and the example code):

    - an order whose status is FULLY_FILLED, CANCELED_UNFILLED or CANCELED_PARTIALLY_FILLED is
      removed, and ``spot_order_invalidation`` removes the orders it lists;
    - messages may arrive out of order, so a message replaces a stored order only when it is
      further on: a later status (INACTIVE < UNFILLED < PARTIALLY_FILLED < done), or the same
      status with less ``remaining_amount`` (compared as Decimal); an older one is ignored;
    - the last 10,000 closed order ids are remembered: a message about one of them comes late
      and is ignored (it does not bring the order back);
    - INACTIVE orders (stop orders not yet triggered) are kept, as the REST endpoint lists them.

    ``initialize()`` with ``/v1/user/spot/active_orders`` replaces the orders (those of its
    ``pair`` when the request names one) with the ones it lists.
    """

    _KEYS = ("order_id",)

    def _init(self) -> None:
        self._closed: OrderedDict[Any, None] = OrderedDict()

    def _on_orders(self, params: Any, what: str) -> None:
        orders = items_of(params, ("order_id",), what)
        checked = []
        for order in orders:
            status = order.get("status")
            if type(status) is not str:
                raise MalformedMessage(f"{what}: 'status' is {status!r}, not a string")
            remaining = amount(order.get("remaining_amount"), "remaining_amount")
            checked.append((order, status, remaining))
        for order, status, remaining in checked:
            order_id = order["order_id"]
            if order_id in self._closed:
                continue  # late news of an order already done
            if status in CLOSED:
                self._close(order_id)
                continue
            stored = self.get(order)
            if stored is None or self._further(stored, status, remaining):
                self._insert([order])

    def _on_invalidation(self, params: Any) -> None:
        ids = params.get("order_id") if type(params) is dict else None
        if type(ids) is not list or any(
            not (type(i) is int or (type(i) is str and i)) for i in ids
        ):
            raise MalformedMessage(
                "spot_order_invalidation: 'params.order_id' is not a list of ids"
            )
        for order_id in ids:
            self._close(order_id)

    def _further(self, stored: Item, status: str, remaining: Decimal | None) -> bool:
        old, new = STAGE.get(stored.get("status")), STAGE.get(status)  # type: ignore[arg-type]
        if old is None or new is None or new != old:
            return old is None or new is None or new > old
        before = stored.get("remaining_amount")
        if remaining is None or type(before) is not str:
            return True
        try:
            return remaining < Decimal(before)
        except InvalidOperation:
            return True

    def _close(self, order_id: Any) -> None:
        found = self.get({"order_id": order_id})
        if found is not None:
            self._delete([found])
        closed = self._closed
        closed[order_id] = None
        closed.move_to_end(order_id)
        if len(closed) > CLOSED_MEMORY:
            closed.popitem(last=False)

    def _onresponse(self, data: Any, url: URL) -> None:
        orders = [dict(order) for order in data["data"]["orders"]]
        pair = url.query.get("pair")
        stale = self.find({"pair": pair}) if pair else self.find()
        self._delete(stale)
        for order in orders:
            self._closed.pop(order["order_id"], None)
        self._insert(orders)


class SpotTrade(DataStore):
    """``spot_trade``: your trades, keyed by ``trade_id``, as sent."""

    _KEYS = ("trade_id",)


class DealerOrder(DataStore):
    """``dealer_order_new``: orders with the dealer (販売所), keyed by ``order_id``, as sent."""

    _KEYS = ("order_id",)


class Withdrawal(DataStore):
    """``withdrawal``: withdrawals by ``uuid``; each message updates its withdrawal's fields."""

    _KEYS = ("uuid",)


class Deposit(DataStore):
    """``deposit``: deposits by ``uuid``; each message updates its deposit's fields."""

    _KEYS = ("uuid",)


class MarginPosition(DataStore):
    """``margin_position_update`` and ``/v1/user/margin/positions``, keyed by ``pair`` and
    ``position_side``; a closed position stays, with zero amounts, as bitbank sends it."""

    _KEYS = ("pair", "position_side")

    def _onresponse(self, data: Any, url: URL) -> None:
        self._clear()
        self._update([dict(item) for item in data["data"]["positions"]])


class MarginPayable(DataStore):
    """``margin_payable_update``: the latest payable ``{"amount"}`` (one item, replaced by each)."""


class MarginNotice(DataStore):
    """``margin_notice_update``: the latest notice (one item, replaced by each; all fields null
    once it is resolved, as bitbank sends it)."""


# -- the collection ----------------------------------------------------------------------------

_LISTS: Final = {
    "/v1/user/assets": ("assets", "asset"),
    "/v1/user/spot/active_orders": ("orders", "order_id"),
    "/v1/user/margin/positions": ("positions", "pair"),
}


def checked_reply(data: Any, url: URL) -> None:
    """Raise InitializeError (naming the endpoint) unless ``data`` is a usable success reply."""
    where = f"bitbank {url.path}"
    if type(data) is not dict:
        raise InitializeError(f"{where}: the reply is not a JSON object")
    success = data.get("success")
    body = data.get("data")
    if type(success) is not int or success != 1:
        code = body.get("code") if type(body) is dict else None
        raise InitializeError(
            f"{where} answered success={success!r} (error code {code!r}, see {ERRORS_URL}); "
            "nothing was applied"
        )
    field, key = _LISTS[url.path]
    items = body.get(field) if type(body) is dict else None
    try:
        items_of(items, (key,), f"'data.{field}'")
    except MalformedMessage as exc:
        raise InitializeError(f"{where}: {exc}; nothing was applied") from None


class bitbankPrivateDataStore(DataStoreCollection):
    """bitbank's private stream as DataStores; feed ``onmessage`` from ``BitbankPrivateStream``.

    Stores (the reference library's): ``asset``, ``spot_order``, ``spot_trade``,
    ``dealer_order``, ``withdrawal``, ``deposit``, ``margin_position``, ``margin_payable``,
    ``margin_notice``. ``initialize()`` takes ``/v1/user/assets``,
    ``/v1/user/spot/active_orders`` and ``/v1/user/margin/positions`` responses; a reply whose
    ``success`` is not 1 raises InitializeError naming the endpoint and bitbank's error code,
    and nothing is applied. Docs:
    https://github.com/bitbankinc/bitbank-api-docs/blob/master/private-stream.md and rest-api.md.
    """

    _LOGGER = log
    _RECONNECT_NOTE = (
        "bitbank private: the stream resumed after an interruption; messages may have been "
        "missed meanwhile: call initialize() with /v1/user/assets, "
        "/v1/user/spot/active_orders and /v1/user/margin/positions again to resync."
    )
    _ENDPOINTS: ClassVar[dict[str, str]] = {
        "/v1/user/assets": "asset",
        "/v1/user/spot/active_orders": "spot_order",
        "/v1/user/margin/positions": "margin_position",
    }

    def _init(self) -> None:
        self._asset = self._create("asset", datastore_class=Asset)
        self._spot_order = self._create("spot_order", datastore_class=SpotOrder)
        self._spot_trade = self._create("spot_trade", datastore_class=SpotTrade)
        self._dealer_order = self._create("dealer_order", datastore_class=DealerOrder)
        self._withdrawal = self._create("withdrawal", datastore_class=Withdrawal)
        self._deposit = self._create("deposit", datastore_class=Deposit)
        self._margin_position = self._create("margin_position", datastore_class=MarginPosition)
        self._margin_payable = self._create("margin_payable", datastore_class=MarginPayable)
        self._margin_notice = self._create("margin_notice", datastore_class=MarginNotice)

    async def _receive(self, *args: Any, **kwargs: Any) -> tuple[str, URL, Any]:
        """Check each reply's ``success`` and lists before any reply is applied."""
        name, url, data = await super()._receive(*args, **kwargs)
        checked_reply(data, url)
        return name, url, data

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is dict and "method" not in msg and type(msg.get("message")) is dict:
            msg = msg["message"]  # the envelope of the docs' samples (a PubNub SDK event)
        if type(msg) is not dict or type(msg.get("method")) is not str:
            raise MalformedMessage("not a private-stream message {'method', 'params'}")
        method = msg["method"]
        params = msg.get("params")
        if method in ("spot_order_new", "spot_order"):
            self._spot_order._on_orders(params, method)
        elif method == "spot_order_invalidation":
            self._spot_order._on_invalidation(params)
        elif method == "asset_update":
            self._asset._on_params(items_of(params, ("asset",), method))
        elif method == "spot_trade":
            self._spot_trade._insert(items_of(params, ("trade_id",), method))
        elif method == "dealer_order_new":
            self._dealer_order._insert(items_of(params, ("order_id",), method))
        elif method == "withdrawal":
            self._withdrawal._update(items_of(params, ("uuid",), method))
        elif method == "deposit":
            self._deposit._update(items_of(params, ("uuid",), method))
        elif method == "margin_position_update":
            items = items_of(params, ("pair", "position_side"), method)
            self._margin_position._update(items)
        elif method in ("margin_payable_update", "margin_notice_update"):
            store = (
                self._margin_payable if method == "margin_payable_update" else self._margin_notice
            )
            items = items_of(params, (), method)
            store._clear()
            store._insert(items[-1:])
        else:
            self._no_store_for("method", method)

    @property
    def asset(self) -> Asset:
        return self._asset

    @property
    def spot_order(self) -> SpotOrder:
        return self._spot_order

    @property
    def spot_trade(self) -> SpotTrade:
        return self._spot_trade

    @property
    def dealer_order(self) -> DealerOrder:
        return self._dealer_order

    @property
    def withdrawal(self) -> Withdrawal:
        return self._withdrawal

    @property
    def deposit(self) -> Deposit:
        return self._deposit

    @property
    def margin_position(self) -> MarginPosition:
        return self._margin_position

    @property
    def margin_payable(self) -> MarginPayable:
        return self._margin_payable

    @property
    def margin_notice(self) -> MarginNotice:
        return self._margin_notice
