"""Bybit V5 public topics other than the order book, stored as the exchange sends them.

Each store's ``_on_topic(data, tail)`` takes a push message's ``data`` and the topic's segments
after the first (``kline.5.BTCUSDT`` -> ``["5", "BTCUSDT"]``); it checks the whole message before
changing anything. Docs: https://bybit-exchange.github.io/docs/v5/websocket/public/trade and the
neighbouring pages named on each class.
"""

from __future__ import annotations

from typing import Any

from ._shapes import MalformedMessage, TopicStore, object_list, one_object

__all__ = [
    "AllLiquidation",
    "Kline",
    "LTKline",
    "LTNav",
    "LTTicker",
    "Liquidation",
    "Ticker",
    "Trade",
]


class Trade(TopicStore):
    """``publicTrade.{symbol}``: every trade as sent (``T``, ``s``, ``S``, ``v``, ``p``, ``i``, ...),
    oldest first, the last 99,999. https://bybit-exchange.github.io/docs/v5/websocket/public/trade
    """

    _MAXLEN = 99_999

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        self._insert(object_list(data, "publicTrade data"))


class Ticker(TopicStore):
    """``tickers.{symbol}``: one item per ``symbol``; a delta's fields are merged into the item.

    Linear, inverse and option tickers send a snapshot and then deltas holding only the fields
    that changed. https://bybit-exchange.github.io/docs/v5/websocket/public/ticker
    """

    _KEYS = ("symbol",)

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        self._update([one_object(data, f"{self.name} data", self._KEYS)])


class Kline(TopicStore):
    """``kline.{interval}.{symbol}``: candles keyed by ``symbol``, ``start``, ``end``.

    Items are the candle as sent (``start``, ``end``, ``interval``, ``open``, ..., ``confirm``)
    plus ``symbol``, taken from the topic. The open candle is updated in place until
    ``confirm`` is true. https://bybit-exchange.github.io/docs/v5/websocket/public/kline
    """

    _KEYS = ("symbol", "start", "end")

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        if len(tail) < 2 or not tail[1]:
            raise MalformedMessage(
                f"{self.name} topic has no symbol (kline.{{interval}}.{{symbol}})"
            )
        symbol = ".".join(tail[1:])
        candles = object_list(data, f"{self.name} data", ("start", "end"))
        self._update([{"symbol": symbol, **candle} for candle in candles])


class AllLiquidation(TopicStore):
    """``allLiquidation.{symbol}``: every liquidation as sent (``T``, ``s``, ``S``, ``v``, ``p``),
    the last 99,999. https://bybit-exchange.github.io/docs/v5/websocket/public/all-liquidation
    """

    _MAXLEN = 99_999

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        self._insert(object_list(data, "allLiquidation data"))


class Liquidation(TopicStore):
    """``liquidation.{symbol}`` (deprecated by Bybit for ``allLiquidation``): each message's one
    liquidation, the last 99,999. https://bybit-exchange.github.io/docs/v5/websocket/public/liquidation
    """

    _MAXLEN = 99_999

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        self._insert([one_object(data, "liquidation data")])


class LTKline(Kline):
    """``kline_lt.{interval}.{symbol}``: leveraged-token candles, as ``Kline``.
    https://bybit-exchange.github.io/docs/v5/websocket/public/etp-kline"""


class LTTicker(Ticker):
    """``tickers_lt.{symbol}``: leveraged-token tickers, one per ``symbol``.
    https://bybit-exchange.github.io/docs/v5/websocket/public/etp-ticker"""


class LTNav(Ticker):
    """``lt.{symbol}``: leveraged-token net asset values, one per ``symbol``.
    https://bybit-exchange.github.io/docs/v5/websocket/public/etp-nav"""
