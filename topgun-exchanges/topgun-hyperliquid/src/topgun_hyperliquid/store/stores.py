"""The non-book stores of ``HyperliquidDataStore``, each with the check of its channel's data.

Each ``_read_*`` function reads one message's ``data`` whole (raising ``MalformedMessage``) and
returns what its store applies, so a message is applied whole or not at all. Item shapes follow
the reference library 1.11.2; data shapes are the ``Ws*`` types of
https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions.
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import DataStore, Item, MalformedMessage

__all__ = [
    "ActiveAssetCtx",
    "ActiveAssetData",
    "AllMids",
    "Bbo",
    "Candle",
    "Notification",
    "OrderUpdates",
    "Records",
    "UserEvents",
    "WebData2",
    "objects",
    "read_candles",
    "read_orders",
    "read_user_events",
    "text",
]

_LONG = 99_999  # the reference's bound of its append-only stores


def text(data: Item, field: str) -> str:
    value = data.get(field)
    if type(value) is not str or not value:
        raise MalformedMessage(f"{field!r} is {value!r:.60}, not a non-empty string")
    return value


def _ident(data: Item, field: str) -> int:
    value = data.get(field)
    if type(value) is not int:
        raise MalformedMessage(f"{field!r} is {value!r:.60}, not an integer")
    return value


def _obj(data: Any, what: str) -> Item:
    if type(data) is not dict:
        raise MalformedMessage(f"{what} is not a JSON object")
    return data


def objects(data: Any, what: str) -> list[Item]:
    """A JSON array of objects (``what`` names it in the error)."""
    if type(data) is not list or any(type(item) is not dict for item in data):
        raise MalformedMessage(f"{what} is not an array of objects")
    return data


def listed(data: Any, field: str) -> list[Item]:
    """``data[field]``, an array of objects (``WsUserFills.fills``, say)."""
    return objects(_obj(data, "data").get(field), repr(field))


class AllMids(DataStore):
    """``allMids``: ``{coin, px}`` per coin, from ``data.mids``."""

    _KEYS = ("coin",)

    def _on_mids(self, data: Any) -> None:
        mids = _obj(data, "data").get("mids")
        if type(mids) is not dict or any(type(px) is not str for px in mids.values()):
            raise MalformedMessage("'mids' is not an object of coin -> price strings")
        self._update([{"coin": coin, "px": px} for coin, px in mids.items()])

    def _onresponse(self, data: Any, url: Any) -> None:
        self._on_mids({"mids": data})


class Notification(DataStore):
    """``notification``: every ``{notification}`` as sent."""

    def _on_notification(self, data: Any) -> None:
        text(_obj(data, "data"), "notification")
        self._insert([data])


class WebData2(DataStore):
    """``webData2``: the latest data per ``user`` as sent (``clearinghouseState``, ...)."""

    _KEYS = ("user",)

    def _on_data(self, data: Any) -> None:
        text(_obj(data, "data"), "user")
        self._update([data])

    def _onresponse(self, data: Any, url: Any) -> None:
        user, state = data
        self._update([{"user": user, "clearinghouseState": state}])


def read_candles(data: Any) -> list[Item]:
    """``candle`` data: one candle (as sent) or an array of them (the docs say ``Candle[]``)."""
    candles = [data] if type(data) is dict else objects(data, "data")
    for candle in candles:
        _ident(candle, "t")
        _ident(candle, "T")
        text(candle, "s")
        text(candle, "i")
    return candles


class Candle(DataStore):
    """``candle``: candles as sent, the latest per (``t``, ``T``, ``s``, ``i``)."""

    _KEYS = ("t", "T", "s", "i")
    _MAXLEN = _LONG

    def _on_candles(self, candles: list[Item]) -> None:
        self._update(candles)

    def _onresponse(self, data: Any, url: Any) -> None:
        self._update([dict(candle) for candle in data])


class Records(DataStore):
    """An append-only store of objects as sent (the last 99,999): ``trades``, ``userFills``,
    ``userFundings``, ``userNonFundingLedgerUpdates``, ``userTwapSliceFills``,
    ``userTwapHistory``."""

    _MAXLEN = _LONG

    def _on_records(self, records: list[Item]) -> None:
        self._insert(records)

    def _onresponse(self, data: Any, url: Any) -> None:
        self._insert([dict(item) for item in data])


def read_orders(data: Any) -> list[tuple[Item, bool]]:
    """``orderUpdates`` data (``WsOrder[]``): each order flattened with its other fields
    (``status``, ``statusTimestamp``), and whether it is still open."""
    orders: list[tuple[Item, bool]] = []
    for update in objects(data, "data"):
        order = _obj(update.get("order"), "'order'")
        text(order, "coin")
        _ident(order, "oid")
        status = text(update, "status")
        flat = dict(order)
        for field, value in update.items():
            if field != "order":
                flat[field] = value
        orders.append((flat, status == "open"))
    return orders


class OrderUpdates(DataStore):
    """Open orders by (``coin``, ``oid``): an ``orderUpdates`` order with ``status`` ``"open"`` is
    upserted, any other status (filled, canceled, triggered, rejected, ...) removes it."""

    _KEYS = ("coin", "oid")

    def _on_orders(self, orders: list[tuple[Item, bool]]) -> None:
        for order, still_open in orders:
            if still_open:
                self._update([order])
            else:
                self._delete([order])

    def _onresponse(self, data: Any, url: Any) -> None:
        """``openOrders``/``frontendOpenOrders``: the user's open orders now, replacing all."""
        self._clear()
        self._update([dict(order) for order in data])


def read_user_events(data: Any) -> list[Item]:
    """``user`` data (``WsUserEvent``): each event as ``{type, **fields}``; ``fills`` and
    ``nonUserCancel`` carry arrays, ``funding`` and ``liquidation`` one object."""
    events: list[Item] = []
    for kind, value in _obj(data, "data").items():
        if type(value) is list:
            for item in objects(value, repr(kind)):
                events.append({"type": kind, **item})
        elif type(value) is dict:
            events.append({"type": kind, **value})
    return events


class UserEvents(DataStore):
    """``user``: every user event, ``{type, **fields}`` (the last 99,999)."""

    _MAXLEN = _LONG

    def _on_events(self, events: list[Item]) -> None:
        self._insert(events)


class ActiveAssetCtx(DataStore):
    """``activeAssetCtx``: ``{coin, **ctx}`` per coin."""

    _KEYS = ("coin",)

    def _on_ctx(self, data: Any) -> None:
        coin = text(_obj(data, "data"), "coin")
        ctx = _obj(data.get("ctx"), "'ctx'")
        self._update([{"coin": coin, **ctx}])


class ActiveAssetData(DataStore):
    """``activeAssetData``: the data as sent per (``user``, ``coin``)."""

    _KEYS = ("user", "coin")

    def _on_data(self, data: Any) -> None:
        text(_obj(data, "data"), "user")
        text(data, "coin")
        self._update([data])

    def _onresponse(self, data: Any, url: Any) -> None:
        self._update([dict(data)])


class Bbo(DataStore):
    """``bbo``: the latest ``{coin, time, bbo: [bid, ask]}`` per coin as sent (a side with no
    level is null)."""

    _KEYS = ("coin",)

    def _on_bbo(self, data: Any) -> None:
        text(_obj(data, "data"), "coin")
        bbo = data.get("bbo")
        if (
            type(bbo) is not list
            or len(bbo) != 2
            or any(level is not None and type(level) is not dict for level in bbo)
        ):
            raise MalformedMessage("'bbo' is not [bid level or null, ask level or null]")
        self._update([data])
