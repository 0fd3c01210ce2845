"""Binance user-data stores: open orders, OCO lists, spot account, futures balances and positions.

Fed by the user data stream (``wss://stream.binance.com:9443/ws/<listenKey>``, the futures
``fstream``/``dstream`` equivalents, or the spot WebSocket API's ``userDataStream.subscribe``) and
loaded by ``initialize()`` from the REST endpoints, whose responses are mapped to the stream's
one-letter field names. Payload docs: spot
https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream, USDⓈ-M
https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams, COIN-M
https://developers.binance.com/docs/derivatives/coin-margined-futures/user-data-streams.
"""

from __future__ import annotations

from typing import Any

from yarl import URL

from topgun.plugin import DataStore, Item

from ._messages import objects, record, response_list, response_object, sub_record

__all__ = ["Account", "Balance", "OCOOrder", "Order", "Position"]

DONE_STATUSES = frozenset({"FILLED", "CANCELED", "EXPIRED", "EXPIRED_IN_MATCH", "REJECTED"})
"""Order statuses after which an order is no longer open (``X`` of the order events)."""

# REST openOrders field -> stream field, per market (the reference's mapping).
_SPOT_ORDER_FIELDS = {
    "s": "symbol",
    "i": "orderId",
    "c": "clientOrderId",
    "p": "price",
    "q": "origQty",
    "z": "executedQty",
    "Z": "cummulativeQuoteQty",
    "f": "timeInForce",
    "o": "type",
    "S": "side",
    "P": "stopPrice",
    "F": "icebergQty",
    "E": "time",
    "T": "updateTime",
    "w": "isWorking",
    "Q": "origQuoteOrderQty",
    "X": "status",
}
_FUTURES_ORDER_FIELDS = {
    "s": "symbol",
    "c": "clientOrderId",
    "S": "side",
    "o": "type",
    "f": "timeInForce",
    "q": "origQty",
    "p": "price",
    "ap": "avgPrice",
    "sp": "stopPrice",
    "X": "status",
    "i": "orderId",
    "z": "executedQty",
    "T": "updateTime",
    "R": "reduceOnly",
    "wt": "workingType",
    "ot": "origType",
    "ps": "positionSide",
    "cp": "closePosition",
    "pP": "priceProtect",
}


def _mapped(item: Item, fields: dict[str, str]) -> Item:
    return {short: item.get(name) for short, name in fields.items()}


class Order(DataStore):
    """Open orders keyed by symbol ``s`` and order id ``i``.

    Spot stores each ``executionReport`` as sent; futures store the ``o`` object of
    ``ORDER_TRADE_UPDATE``. An event merges into the order; once its status ``X`` is FILLED,
    CANCELED, EXPIRED, EXPIRED_IN_MATCH or REJECTED the order is removed (the reference library
    does not know EXPIRED_IN_MATCH, the self-trade-prevention expiry, and keeps such orders).
    ``initialize()`` with ``openOrders``: asked with a ``symbol``, it replaces that symbol's
    orders; without one, all orders. REST orders get the stream's field names (plus ``X``).
    """

    _KEYS = ("s", "i")

    def _on_event(self, event: Any) -> None:
        """A spot ``executionReport``."""
        self._apply(record(event, "an executionReport event", ("s", "i", "X")))

    def _on_futures_event(self, event: Any) -> None:
        """A futures ``ORDER_TRADE_UPDATE`` (the order is its ``o``)."""
        what = "an ORDER_TRADE_UPDATE event"
        self._apply(sub_record(record(event, what), "o", what, ("s", "i", "X")))

    def _apply(self, order: Item) -> None:
        if order["X"] in DONE_STATUSES:
            self._delete([order])
        else:
            self._update([order])

    def _onresponse(self, data: Any, url: URL) -> None:
        orders = response_list(data, url, ("symbol", "orderId"))
        fields = (
            _FUTURES_ORDER_FIELDS
            if url.path.startswith(("/fapi/", "/dapi/"))
            else _SPOT_ORDER_FIELDS
        )
        symbol = url.query.get("symbol")
        if symbol:
            self._find_and_delete({"s": symbol})
        else:
            self._clear()
        self._insert([_mapped(order, fields) for order in orders])


class OCOOrder(DataStore):
    """Open order lists (OCO, OTO, OTOCO) keyed by symbol ``s`` and list id ``g``: ``listStatus``
    events as sent, removed when ``l`` (list status type) is ALL_DONE.

    ``initialize()`` with ``/api/v3/openOrderList`` (every open list) replaces the store; the
    REST lists get the stream's fields, ``E`` None and ``r`` "NONE".
    """

    _KEYS = ("s", "g")

    def _on_event(self, event: Any) -> None:
        event = record(event, "a listStatus event", ("s", "g", "l"))
        if event["l"] == "ALL_DONE":
            self._delete([event])
        else:
            self._update([event])

    def _onresponse(self, data: Any, url: URL) -> None:
        lists = response_list(
            data,
            url,
            (
                "symbol",
                "orderListId",
                "contingencyType",
                "listStatusType",
                "listOrderStatus",
                "listClientOrderId",
                "transactionTime",
                "orders",
            ),
        )
        for order_list in lists:
            response_list(order_list["orders"], url, ("symbol", "orderId", "clientOrderId"))
        self._clear()
        self._insert(
            [
                {
                    "e": "listStatus",
                    "E": None,
                    "s": order_list["symbol"],
                    "g": order_list["orderListId"],
                    "c": order_list["contingencyType"],
                    "l": order_list["listStatusType"],
                    "L": order_list["listOrderStatus"],
                    "r": "NONE",
                    "C": order_list["listClientOrderId"],
                    "T": order_list["transactionTime"],
                    "O": [
                        {"s": o["symbol"], "i": o["orderId"], "c": o["clientOrderId"]}
                        for o in order_list["orders"]
                    ],
                }
                for order_list in lists
            ]
        )


class Account(DataStore):
    """Spot balances per asset ``a``: ``{"a", "f" (free), "l" (locked)}``, from
    ``outboundAccountPosition`` (its ``B``) and ``/api/v3/account`` (its ``balances``)."""

    _KEYS = ("a",)

    def _on_event(self, event: Any) -> None:
        event = record(event, "an outboundAccountPosition event")
        self._update(objects(event.get("B"), "outboundAccountPosition.B", ("a",)))

    def _onresponse(self, data: Any, url: URL) -> None:
        account = response_object(data, url, ("balances",))
        balances = response_list(account["balances"], url, ("asset", "free", "locked"))
        self._update([{"a": b["asset"], "f": b["free"], "l": b["locked"]} for b in balances])


def account_update(event: Any) -> tuple[list[Item], list[Item]]:
    """A futures ``ACCOUNT_UPDATE``'s balances (``a.B``) and positions (``a.P``), checked whole
    so that neither store changes when either part is malformed."""
    what = "an ACCOUNT_UPDATE event"
    account = sub_record(record(event, what), "a", what)
    balances = objects(account.get("B", []), "ACCOUNT_UPDATE.a.B", ("a",))
    positions = objects(account.get("P", []), "ACCOUNT_UPDATE.a.P", ("s", "ps"))
    return balances, positions


class Balance(DataStore):
    """Futures wallet balances per asset ``a``: ``ACCOUNT_UPDATE``'s ``a.B`` items as sent
    (``a``, ``wb``, ``cw``, ``bc``); ``initialize()`` maps ``/fapi/v2/balance`` or
    ``/dapi/v1/balance`` to ``{"a", "wb" (balance), "cw" (crossWalletBalance)}``."""

    _KEYS = ("a",)

    def _onresponse(self, data: Any, url: URL) -> None:
        rows = response_list(data, url, ("asset", "balance", "crossWalletBalance"))
        self._update(
            [{"a": r["asset"], "wb": r["balance"], "cw": r["crossWalletBalance"]} for r in rows]
        )


class Position(DataStore):
    """Futures positions per symbol ``s`` and position side ``ps``: ``ACCOUNT_UPDATE``'s ``a.P``
    items as sent; ``initialize()`` maps ``positionRisk`` to
    ``{"s", "pa", "ep", "up", "mt", "iw", "ps"}``."""

    _KEYS = ("s", "ps")

    def _onresponse(self, data: Any, url: URL) -> None:
        rows = response_list(data, url, ("symbol", "positionSide"))
        self._update(
            [
                {
                    "s": r["symbol"],
                    "pa": r.get("positionAmt"),
                    "ep": r.get("entryPrice"),
                    "up": r.get("unRealizedProfit"),
                    "mt": r.get("marginType"),
                    "iw": r.get("isolatedWallet"),
                    "ps": r["positionSide"],
                }
                for r in rows
            ]
        )
