"""KuCoin's private stores: orders, balances, margin and futures positions, as in the reference.

Each ``_on_*`` method takes a whole push message ``{"topic", "subject", "data"}`` (``topic`` known
to be a string) and checks what it indexes or derives from before changing anything.
"""

from __future__ import annotations

import logging
from typing import Any

from yarl import URL

from topgun.plugin import DataStore, InitializeError, Item

from ._messages import MalformedMessage, record, response_data, symbol_of

__all__ = [
    "Balance",
    "BalanceEvents",
    "MarginOrderEvents",
    "MarginOrders",
    "MarginPositionEvents",
    "MarginPositions",
    "OrderEvents",
    "Orders",
    "Positions",
]

log = logging.getLogger("topgun.store.kucoin")


def _data(msg: Item, required: tuple[str, ...] = ()) -> Item:
    return record(msg.get("data"), f"the data of {msg['topic'][:64]!r}", required)


class OrderEvents(DataStore):
    """The latest event of each order (``tradeOrders``/``advancedOrders`` topics, spot and
    futures), as sent, keyed by ``orderId``
    (https://www.kucoin.com/docs/websocket/spot-trading/private-channels/private-order-change,
    https://www.kucoin.com/docs/websocket/futures-trading/private-channels/trade-orders)."""

    _KEYS = ("orderId",)

    def _on_event(self, data: Item) -> None:
        self._insert([data])


class Orders(DataStore):
    """Active orders from the same topics, keyed by ``orderId`` (the reference's rule).

    An unknown order is added on ``type: open`` (other types of an order never seen open are
    ignored); for a known order ``update`` merges the event into it, ``cancel``, ``canceled`` and
    ``filled`` remove it, ``match``, ``triggered`` and ``received`` leave it as is. Any other
    type is logged and ignored (the reference raises).
    """

    _KEYS = ("orderId",)
    _KEEP = frozenset({"match", "triggered", "received"})
    _DONE = frozenset({"cancel", "canceled", "filled"})

    def _on_event(self, data: Item) -> None:
        kind = data.get("type")
        order = self.get(data)
        if order is None:
            if kind == "open":
                self._insert([data])
        elif kind in self._DONE:
            self._delete([order])
        elif kind == "update":
            self._update([data])
        elif kind not in self._KEEP:
            self._limit().warning(
                ("order-type", str(kind)[:32]),
                "KuCoin orders: ignored an order event of unknown type %r",
                kind,
            )


class Balance(DataStore):
    """``/account/balance``: one item per ``accountId``, merged from each event
    (https://www.kucoin.com/docs/websocket/spot-trading/private-channels/account-balance-change)."""

    _KEYS = ("accountId",)

    def _on_message(self, msg: Item) -> None:
        self._update([_data(msg, ("accountId",))])


class MarginPositions(DataStore):
    """``/margin/position``: the last event only (cleared, then that event), as the reference
    (https://www.kucoin.com/docs/websocket/margin-trading/private-channels/cross-margin-position-event)."""

    def _on_message(self, msg: Item) -> None:
        data = _data(msg)
        self._clear()
        self._insert([data])


class MarginPositionEvents(DataStore):
    """``/margin/position``: every event's ``data``, appended."""

    def _on_message(self, msg: Item) -> None:
        self._insert([_data(msg)])


class MarginOrders(DataStore):
    """``/margin/loan:{currency}``: ``order.open`` adds, ``order.update`` merges, ``order.done``
    removes, keyed by ``orderId``
    (https://www.kucoin.com/docs/websocket/margin-trading/private-channels/margin-trade-order-event)."""

    _KEYS = ("orderId",)

    def _on_message(self, msg: Item) -> None:
        data = _data(msg, ("orderId",))
        subject = msg.get("subject")
        if subject == "order.open":
            self._insert([data])
        elif subject == "order.update":
            self._update([data])
        elif subject == "order.done":
            self._delete([data])


class MarginOrderEvents(DataStore):
    """``/margin/loan:{currency}``: every message appended whole, as ``{"subject", **message}``
    (the reference's shape)."""

    def _on_message(self, msg: Item) -> None:
        self._insert([{"subject": msg.get("subject"), **msg}])


class BalanceEvents(DataStore):
    """``/contractAccount/wallet``: every event appended as ``{"subject", "symbol", **data}``;
    ``symbol`` is the topic's part after ``:`` (the whole topic when it has none), as in the
    reference (https://www.kucoin.com/docs/websocket/futures-trading/private-channels/account-balance-events)."""

    def _on_message(self, msg: Item) -> None:
        data = _data(msg)
        self._insert([{"subject": msg.get("subject"), "symbol": symbol_of(msg["topic"]), **data}])


def _side(data: Item) -> str:
    quantity = data.get("currentQty")
    if type(quantity) is not int and type(quantity) is not float:
        raise MalformedMessage(f"a position has currentQty={quantity!r}")
    if not quantity:
        raise MalformedMessage("an open position has currentQty 0")
    return "BUY" if quantity > 0 else "SELL"


class Positions(DataStore):
    """Futures positions by ``symbol`` (one-way mode, as the reference), each with ``side``
    (``BUY`` for ``currentQty`` > 0, else ``SELL``).

    ``/contract/position:{symbol}``
    (https://www.kucoin.com/docs/websocket/futures-trading/private-channels/position-change-events): a
    ``markPriceChange`` event merges into the stored position (ignored when none is stored); any
    other event carrying the position (``positionChange`` in the reference; also
    ``marginChange``, ``liquidation``, ``adl`` ...) stores it when ``isOpen``, else removes it.
    ``initialize()`` takes ``GET /api/v1/positions`` (the open ones).
    """

    _KEYS = ("symbol",)

    def _on_message(self, msg: Item) -> None:
        data = _data(msg, ("symbol",))
        if data.get("changeReason") == "markPriceChange":
            if self.get(data) is not None:
                self._update([data])
            return
        if "isOpen" not in data:
            return
        if data["isOpen"]:
            side = _side(data)
            self._update([{**data, "side": side}])
        else:
            self._delete([data])

    def _onresponse(self, data: Any, url: URL) -> None:
        rows = response_data(data, url)
        if type(rows) is not list:
            raise InitializeError(f"{url.path}: data is not a JSON array")
        items = []
        try:
            for row in rows:
                row = record(row, "a position", ("symbol", "isOpen"))
                if row["isOpen"]:
                    items.append({"side": _side(row), **row})
        except MalformedMessage as exc:
            raise InitializeError(f"{url.path}: {exc}") from None
        self._insert(items)
