"""KuCoin's public market stores (besides the books): items as the reference library shapes them.

Each ``_on_*`` method takes a whole push message ``{"topic", "subject", "data"}`` already known to
be a JSON object with a string ``topic``; it checks what it indexes before changing anything.
"""

from __future__ import annotations

import time
from typing import Any

from yarl import URL

from topgun.plugin import DataStore, InitializeError, Item

from ._messages import MalformedMessage, query_param, record, response_data, symbol_of

__all__ = [
    "Announcements",
    "Execution",
    "IndexPrice",
    "Instrument",
    "Kline",
    "MarginFundingBook",
    "MarkPrice",
    "SymbolSnapshot",
    "Ticker",
    "TransactionStats",
]


def _data(msg: Item, required: tuple[str, ...] = ()) -> Item:
    return record(msg.get("data"), f"the data of {msg['topic'][:64]!r}", required)


class Ticker(DataStore):
    """``/market/ticker:{symbol}`` (``:all`` takes the symbol from ``subject``),
    ``/contractMarket/tickerV2:{symbol}``, ``/contractMarket/ticker:{symbol}``: one item per
    symbol, ``{"symbol", **data}`` (https://www.kucoin.com/docs/websocket/spot-trading/public-channels/ticker,
    https://www.kucoin.com/docs/websocket/futures-trading/public-channels/get-ticker-v2,
    https://www.kucoin.com/docs-new/3470081w0)."""

    _KEYS = ("symbol",)

    def _on_message(self, msg: Item) -> None:
        data = _data(msg)
        topic: str = msg["topic"]
        symbol = msg.get("subject") if topic.endswith(":all") else symbol_of(topic)
        if type(symbol) is not str:
            raise MalformedMessage(f"a ticker message of {topic[:64]!r} names no symbol")
        self._update([{"symbol": symbol, **data}])


class Kline(DataStore):
    """``/market/candles:{symbol}_{type}``: **closed** candles only, keys symbol, interval,
    timestamp; ``latest(symbol, interval)`` is the candle in progress (as in the reference).

    A candle is stored when a candle with a newer ``timestamp`` arrives for its symbol and
    interval. Items ``{"symbol", "interval", "received_at", "timestamp", "open", "close", "high",
    "low", "volume", "amount"}`` (``candles`` is ``[time, open, close, high, low, volume,
    turnover]``, https://www.kucoin.com/docs/websocket/spot-trading/public-channels/klines). ``initialize()`` takes
    ``GET /api/v1/market/candles?symbol=...&type=...`` (newest first in the response, stored
    oldest first, ``received_at`` the local time in seconds).
    """

    _KEYS = ("symbol", "interval", "timestamp")

    def _init(self) -> None:
        self._latests: dict[tuple[str, str], Item] = {}

    def latest(self, symbol: str, interval: str) -> Item | None:
        """The candle in progress of ``symbol`` and ``interval`` (None before any)."""
        return self._latests.get((symbol, interval))

    def _on_message(self, msg: Item) -> None:
        data = _data(msg, ("candles",))
        symbol, sep, interval = symbol_of(msg["topic"]).rpartition("_")
        if not sep or not symbol:
            raise MalformedMessage(f"a candles topic without _interval: {msg['topic'][:64]!r}")
        candle = {"symbol": symbol, "interval": interval, "received_at": data.get("time")}
        candle.update(_ohlcva(data["candles"]))
        key = (symbol, interval)
        latest = self._latests.get(key)
        if latest is not None and latest["timestamp"] != candle["timestamp"]:
            self._insert([latest])
        self._latests[key] = candle

    def _onresponse(self, data: Any, url: URL) -> None:
        symbol = query_param(url, "symbol")
        interval = query_param(url, "type")
        rows = response_data(data, url)
        if type(rows) is not list:
            raise InitializeError(f"{url.path}: data is not a JSON array")
        now = int(time.time())
        try:
            candles = [
                {"symbol": symbol, "interval": interval, "received_at": now, **_ohlcva(row)}
                for row in reversed(rows)
            ]
        except MalformedMessage as exc:
            raise InitializeError(f"{url.path}: {exc}") from None
        self._insert(candles)

    def _onreconnect(self) -> None:
        # The candle in progress may have closed unseen: a stale one would be stored as closed.
        self._latests.clear()


def _ohlcva(row: Any) -> Item:
    if type(row) is not list or len(row) < 7:
        raise MalformedMessage("a candle is not [time, open, close, high, low, volume, amount]")
    return {
        "timestamp": row[0],
        "open": row[1],
        "close": row[2],
        "high": row[3],
        "low": row[4],
        "volume": row[5],
        "amount": row[6],
    }


class SymbolSnapshot(DataStore):
    """``/market/snapshot:{symbol|market}``: ``data.data`` per symbol, updated in place
    (https://www.kucoin.com/docs/websocket/spot-trading/public-channels/symbol-snapshot)."""

    _KEYS = ("symbol",)

    def _on_message(self, msg: Item) -> None:
        inner = _data(msg, ("data",))["data"]
        items = [inner] if type(inner) is dict else inner
        if type(items) is not list or not all(
            type(item) is dict and "symbol" in item for item in items
        ):
            raise MalformedMessage("a snapshot message's data.data is not symbol objects")
        self._update(items)


class Execution(DataStore):
    """``/market/match:{symbol}``, ``/contractMarket/execution:{symbol}``: trades by
    ``tradeId``, as sent (https://www.kucoin.com/docs/websocket/spot-trading/public-channels/match-execution-data,
    https://www.kucoin.com/docs/websocket/futures-trading/public-channels/match-execution-data)."""

    _KEYS = ("tradeId",)

    def _on_message(self, msg: Item) -> None:
        self._insert([_data(msg, ("tradeId",))])


class _UpdateData(DataStore):
    """Stores that merge each message's ``data`` into the item with the same keys."""

    def _on_message(self, msg: Item) -> None:
        self._update([_data(msg, tuple(self._keys))])


class IndexPrice(_UpdateData):
    """``/indicator/index:{symbol}`` by symbol
    (https://www.kucoin.com/docs/websocket/margin-trading/public-channels/index-price)."""

    _KEYS = ("symbol",)


class MarkPrice(_UpdateData):
    """``/indicator/markPrice:{symbol}`` by symbol
    (https://www.kucoin.com/docs/websocket/margin-trading/public-channels/mark-price)."""

    _KEYS = ("symbol",)


class MarginFundingBook(_UpdateData):
    """``/margin/fundingBook:{currency}``: each message appended as sent (no keys, as in the
    reference)."""


class Instrument(DataStore):
    """``/contract/instrument:{symbol}`` (mark/index price, funding rate): each message appended as
    ``{"symbol", "subject", **data}``
    (https://www.kucoin.com/docs/websocket/futures-trading/public-channels/contract-market-data)."""

    def _on_message(self, msg: Item) -> None:
        data = _data(msg)
        self._insert([{"symbol": symbol_of(msg["topic"]), "subject": msg.get("subject"), **data}])


class Announcements(DataStore):
    """``/contract/announcement``: each message appended as ``{"subject", **data}``
    (https://www.kucoin.com/docs/websocket/futures-trading/public-channels/funding-fee-settlement)."""

    def _on_message(self, msg: Item) -> None:
        self._insert([{"subject": msg.get("subject"), **_data(msg)}])


class TransactionStats(DataStore):
    """``/contractMarket/snapshot:{symbol}``: ``{"subject", "symbol", **data}`` keyed by symbol and
    subject
    (https://www.kucoin.com/docs/websocket/futures-trading/public-channels/transaction-statistics-timer-event)."""

    _KEYS = ("symbol", "subject")

    def _on_message(self, msg: Item) -> None:
        data = _data(msg)
        self._insert([{"subject": msg.get("subject"), "symbol": symbol_of(msg["topic"]), **data}])
