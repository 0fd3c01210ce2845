"""Binance market-data stores: trades, klines, tickers, book tickers, mark and index prices.

Items are the stream payloads as sent (or, for klines, the ``k`` object), so field names are the
docs' one-letter names. Payload docs: spot
https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams, USDⓈ-M
https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams,
COIN-M https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams.
"""

from __future__ import annotations

from typing import Any

from yarl import URL

from topgun.plugin import DataStore, InitializeError, Item

from ._messages import (
    MalformedMessage,
    objects,
    query_param,
    record,
    response_list,
    sub_record,
)

__all__ = [
    "BookTicker",
    "CompositeIndex",
    "ContinuousKline",
    "IndexPrice",
    "Kline",
    "Liquidation",
    "MarkPrice",
    "Ticker",
    "Trade",
]

_KLINE_KEYS = ("t", "s", "i")
_REST_KLINE_FIELDS = 12


class Trade(DataStore):
    """``trade`` and ``aggTrade`` events as sent, newest last (the last 99,999)."""

    _MAXLEN = 99_999

    def _on_event(self, event: Any) -> None:
        self._insert([record(event, "a trade event")])


class _Keyed(DataStore):
    """A store of the latest payload per key, merged (``dict.update``) as the reference does."""

    _WHAT = "an event"

    def _on_event(self, event: Any) -> None:
        self._update([record(event, self._WHAT, self._keys)])

    def _on_events(self, events: Any) -> None:
        """An all-market array (``!miniTicker@arr``, ``!markPrice@arr``), checked whole first."""
        self._update(objects(events, f"an array of {self._WHAT}s", self._keys))


class Ticker(_Keyed):
    """``24hrMiniTicker`` and ``24hrTicker`` per symbol ``s`` (single or all-market arrays)."""

    _KEYS = ("s",)
    _WHAT = "a ticker event"


class BookTicker(_Keyed):
    """``bookTicker`` per symbol ``s`` (spot sends it without ``e``; routed by stream name)."""

    _KEYS = ("s",)
    _WHAT = "a bookTicker event"


class MarkPrice(_Keyed):
    """``markPriceUpdate`` per symbol ``s`` (futures; single or ``!markPrice@arr``)."""

    _KEYS = ("s",)
    _WHAT = "a markPriceUpdate event"


class IndexPrice(_Keyed):
    """``indexPriceUpdate`` per pair ``i`` (COIN-M)."""

    _KEYS = ("i",)
    _WHAT = "an indexPriceUpdate event"


class Liquidation(DataStore):
    """``forceOrder`` events: the ``o`` object (the liquidation order), newest last."""

    def _on_event(self, event: Any) -> None:
        self._insert([sub_record(record(event, "a forceOrder event"), "o", "a forceOrder event")])


class Kline(DataStore):
    """Candles keyed by open time ``t``, symbol ``s`` and interval ``i``: the stream's ``k``.

    ``initialize()`` takes the REST klines (``/api/v3/klines``, ``/fapi/v1/klines``,
    ``/dapi/v1/klines``, and on COIN-M ``markPriceKlines`` and ``indexPriceKlines``): each array
    becomes the stream's fields, with ``x`` (closed) True and the trade ids ``f``/``L`` None,
    since REST does not give them.
    """

    _KEYS = _KLINE_KEYS
    _SYMBOL_PARAM = "symbol"

    def _on_event(self, event: Any) -> None:
        what = f"a {event.get('e') if type(event) is dict else 'kline'} event"
        self._update([sub_record(record(event, what), "k", what, _KLINE_KEYS)])

    def _on_index_event(self, event: Any) -> None:
        """``indexPrice_kline``: its ``k.s`` is a placeholder, so the pair ``ps`` is filed as ``s``."""
        event = record(event, "an indexPrice_kline event", ("ps",))
        candle = sub_record(event, "k", "an indexPrice_kline event", ("t", "i"))
        self._update([{**candle, "s": event["ps"]}])

    def _onresponse(self, data: Any, url: URL) -> None:
        symbol = query_param(url, self._SYMBOL_PARAM)
        interval = query_param(url, "interval")
        if type(data) is not list or any(
            type(row) is not list or len(row) < _REST_KLINE_FIELDS for row in data
        ):
            raise InitializeError(f"{url.path}: the response is not an array of kline arrays")
        self._update([_rest_kline(row, symbol, interval) for row in data])


class IndexPriceKline(Kline):
    """COIN-M ``indexPrice_kline`` candles; ``initialize()`` takes ``/dapi/v1/indexPriceKlines``
    (asked by ``pair``, which is what ``s`` holds here)."""

    _SYMBOL_PARAM = "pair"


def _rest_kline(row: list[Any], symbol: str, interval: str) -> Item:
    """A REST kline array (open time, open, high, low, close, volume, close time, quote volume,
    trades, taker buy base, taker buy quote, ignore) in the stream's field names."""
    return {
        "t": row[0],
        "T": row[6],
        "s": symbol,
        "i": interval,
        "f": None,
        "L": None,
        "o": row[1],
        "c": row[4],
        "h": row[2],
        "l": row[3],
        "v": row[5],
        "n": row[8],
        "x": True,
        "q": row[7],
        "V": row[9],
        "Q": row[10],
        "B": row[11],
    }


class ContinuousKline(DataStore):
    """``continuous_kline`` candles: ``{"ps", "ct", ...the k fields}``, keyed ps, ct, t, i."""

    _KEYS = ("ps", "ct", "t", "i")

    def _on_event(self, event: Any) -> None:
        event = record(event, "a continuous_kline event", ("ps", "ct"))
        candle = sub_record(event, "k", "a continuous_kline event", ("t", "i"))
        self._update([{"ps": event["ps"], "ct": event["ct"], **candle}])


class CompositeIndex(DataStore):
    """``compositeIndex`` per symbol ``s``: ``{"s", "p", "E", "c": [{"b", "q", "w", "W", "i"}]}``.

    ``initialize()`` takes ``/fapi/v1/indexInfo``, which has no price: ``p`` and each
    component's ``i`` are None until the stream sends them.
    """

    _KEYS = ("s",)

    def _on_event(self, event: Any) -> None:
        event = record(event, "a compositeIndex event", ("s",))
        if "p" not in event or "E" not in event:
            raise MalformedMessage("a compositeIndex event has no 'p' or no 'E'")
        objects(event.get("c"), "compositeIndex.c")
        self._update([{"s": event["s"], "p": event["p"], "E": event["E"], "c": event["c"]}])

    def _onresponse(self, data: Any, url: URL) -> None:
        indexes = response_list(data, url, ("symbol", "time", "baseAssetList"))
        try:
            items = [
                {
                    "s": index["symbol"],
                    "p": None,
                    "E": index["time"],
                    "c": [
                        {
                            "b": asset["baseAsset"],
                            "q": asset["quoteAsset"],
                            "w": asset["weightInQuantity"],
                            "W": asset["weightInPercentage"],
                            "i": None,
                        }
                        for asset in objects(index["baseAssetList"], "baseAssetList", scalars=False)
                    ],
                }
                for index in indexes
            ]
        except (KeyError, MalformedMessage) as exc:
            raise InitializeError(
                f"{url.path}: a baseAssetList entry is malformed ({exc})"
            ) from None
        self._update(items)
