"""OKX's non-book stores: market tables, candles, trades, and the private account stores.

Every store takes one push's ``arg`` and ``data`` through ``_on_push``, after the whole ``data``
was checked; the rules for what each keeps follow pybotters 1.11.2's OKXDataStore (class and key
names included), with the differences listed in the docs' OKX section.
Channel docs: https://www.okx.com/docs-v5/en/#public-data-websocket,
https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws,
https://www.okx.com/docs-v5/en/#trading-account-websocket and
https://www.okx.com/docs-v5/en/#order-book-trading-trade-ws.
"""

from __future__ import annotations

from typing import Any, ClassVar

from yarl import URL

from topgun.plugin import DataStore, Item

from ._messages import MalformedMessage, objects, response_data

__all__ = [
    "Account",
    "AccountGreeks",
    "AlgoAdvance",
    "BalanceAndPosition",
    "Candle",
    "EstimatedPrice",
    "FundingRate",
    "IndexCandle",
    "IndexTickers",
    "Instruments",
    "LiquidationWarning",
    "MarkPrice",
    "MarkPriceCandle",
    "OpenInterest",
    "OptSummary",
    "Orders",
    "OrdersAlgo",
    "Positions",
    "PriceLimit",
    "Status",
    "Tickers",
    "Trades",
]


class _Table(DataStore):
    """A keyed table: each pushed item is merged into the item with the same key."""

    _KEYS: ClassVar[tuple[str, ...]] = ("instId",)

    def _on_push(self, arg: Item, data: Any) -> None:
        self._update(objects(data, str(arg.get("channel")), self._keys))


class _Log(DataStore):
    """An append-only log of pushed items, newest last."""

    def _on_push(self, arg: Item, data: Any) -> None:
        self._insert(objects(data, str(arg.get("channel"))))


class Instruments(_Table):
    """``instruments``, one item per instId."""


class Tickers(_Table):
    """``tickers``, one item per instId."""


class OpenInterest(_Table):
    """``open-interest``, one item per instId."""


class EstimatedPrice(_Table):
    """``estimated-price``, one item per instId."""


class MarkPrice(_Table):
    """``mark-price``, one item per instId."""


class PriceLimit(_Table):
    """``price-limit``, one item per instId."""


class OptSummary(_Table):
    """``opt-summary``, one item per instId."""


class FundingRate(_Table):
    """``funding-rate``, one item per instId."""


class IndexTickers(_Table):
    """``index-tickers``, one item per instId (an index such as ``BTC-USDT``)."""


class LiquidationWarning(_Table):
    """``liquidation-warning`` (private), one item per instId."""


class AccountGreeks(_Table):
    """``account-greeks`` (private), one item per ccy."""

    _KEYS = ("ccy",)


class Positions(_Table):
    """``positions`` (private), one item per (instId, mgnMode, posSide).

    A closed position is pushed with ``pos: "0"`` and kept so (as the reference does)."""

    _KEYS = ("instId", "mgnMode", "posSide")


class _CandleTable(DataStore):
    """Candles of every bar size, keyed (channel, instId, ts): the channel names the bar size.

    Rows are arrays ``[ts, o, h, l, c, ...]``; they become ``{channel, instId, ts, o, h, l, c,
    ...}`` as in the reference, plus ``confirm`` ("0" while the bar is open, "1" once closed),
    which the reference drops.
    """

    _KEYS = ("channel", "instId", "ts")
    _FIELDS: ClassVar[tuple[str, ...]] = ("ts", "o", "h", "l", "c")
    _CONFIRM_AT: ClassVar[int] = 5

    def _on_push(self, arg: Item, data: Any) -> None:
        channel, inst_id = arg.get("channel"), arg.get("instId")
        if type(inst_id) is not str:
            raise MalformedMessage(f"{channel}: 'arg' has no instId")
        if type(data) is not list:
            raise MalformedMessage(f"{channel}: 'data' is not a JSON array")
        fields, confirm_at = self._FIELDS, self._CONFIRM_AT
        items: list[Item] = []
        for row in data:
            if type(row) is not list or len(row) < len(fields) or type(row[0]) is not str:
                raise MalformedMessage(f"{channel}: a candle row is not [ts, o, h, l, c, ...]")
            item: Item = {"channel": channel, "instId": inst_id}
            item.update(zip(fields, row, strict=False))
            if len(row) > confirm_at:
                item["confirm"] = row[confirm_at]
            items.append(item)
        self._update(items)


class Candle(_CandleTable):
    """``candle{bar}`` (``candle1m``, ``candle1H``, ``candle1Dutc``, ...)."""

    _FIELDS = ("ts", "o", "h", "l", "c", "vol", "volCcy")
    _CONFIRM_AT = 8


class MarkPriceCandle(_CandleTable):
    """``mark-price-candle{bar}``."""


class IndexCandle(_CandleTable):
    """``index-candle{bar}``."""


class Trades(_Log):
    """``trades``, newest last; keeps the last 99,999 (the reference keeps 9,999)."""

    _MAXLEN = 99_999


class Status(_Log):
    """``status`` (system maintenance notices), as pushed."""


class Account(DataStore):
    """``account`` (private): each push replaces the store's content, as in the reference."""

    def _on_push(self, arg: Item, data: Any) -> None:
        items = objects(data, "account")
        self._clear()
        self._insert(items)


class _Holdings(DataStore):
    """A sub-store of BalanceAndPosition: pushed items merged by key."""

    def _on_data(self, data: list[Item]) -> None:
        self._update(data)


class BalanceAndPosition(DataStore):
    """``balance_and_position`` (private): the pushes as a log, plus two merged views.

    ``balance`` (keys ccy) merges every push's ``balData`` and ``position`` (keys instId, mgnMode,
    posSide) its ``posData``; like the reference, closed positions stay with ``pos: "0"``.
    """

    def _init(self) -> None:
        self.balance = _Holdings("balance", keys=("ccy",))
        self.position = _Holdings("position", keys=("instId", "mgnMode", "posSide"))

    def _on_push(self, arg: Item, data: Any) -> None:
        items = objects(data, "balance_and_position")
        for item in items:
            objects(item.get("balData", []), "balance_and_position balData", ("ccy",))
            objects(
                item.get("posData", []),
                "balance_and_position posData",
                ("instId", "mgnMode", "posSide"),
            )
        self._insert(items)
        for item in items:
            self.balance._on_data(item.get("balData", []))
            self.position._on_data(item.get("posData", []))


class _OrderTable(DataStore):
    """Open orders: a pushed order in a state of ``_KEEP`` is merged in, any other is removed."""

    _KEEP: ClassVar[tuple[str, ...]] = ("live", "partially_filled")

    def _on_push(self, arg: Item, data: Any) -> None:
        keep = self._KEEP
        items = objects(data, str(arg.get("channel")), (*self._keys, "state"))
        for item in items:
            if item["state"] in keep:
                self._update([item])
            else:
                self._delete([item])


class Orders(_OrderTable):
    """``orders`` (private): open orders by ordId.

    An order pushed ``live`` or ``partially_filled`` is kept (merged); ``filled``, ``canceled``
    or ``mmp_canceled`` removes it. ``initialize()`` merges ``/api/v5/trade/orders-pending``.
    """

    _KEYS = ("ordId",)

    def _onresponse(self, data: Any, url: URL) -> None:
        self._update(response_data(data, url, self._keys))


class _AlgoTable(_OrderTable):
    _KEYS = ("algoId",)
    _TYPES: ClassVar[tuple[str, ...]] = ()

    def _take(self, data: list[Item]) -> None:
        self._update([item for item in data if item.get("ordType") in self._TYPES])


class AlgoAdvance(_AlgoTable):
    """``algo-advance`` (private): iceberg, twap and trailing (move_order_stop) orders by algoId.

    Kept while ``live`` or ``partially_filled``; any other state removes the order.
    """

    _TYPES = ("iceberg", "twap", "move_order_stop")


class OrdersAlgo(_AlgoTable):
    """``orders-algo`` (private): conditional, oco and trigger orders by algoId.

    Kept while ``live`` or ``order_failed`` (as the reference does); ``effective``, ``canceled``
    and the rest remove it. ``initialize()`` takes ``/api/v5/trade/orders-algo-pending``: its
    conditional/oco/trigger orders come here and its iceberg/twap/move_order_stop ones go to
    ``algoadvance``.
    """

    _KEEP = ("live", "order_failed")
    _TYPES = ("conditional", "oco", "trigger")

    def _init(self) -> None:
        self.advance: AlgoAdvance | None = None

    def _onresponse(self, data: Any, url: URL) -> None:
        items = response_data(data, url, ("algoId",))
        self._take(items)
        if self.advance is not None:
            self.advance._take(items)
