"""Binance DataStores: ``BinanceSpotDataStore``, ``BinanceUSDSMDataStore``, ``BinanceCOINMDataStore``.

Modules: ``collections`` (the three collections and the routing), ``market`` and ``user`` (the
stores), ``book`` (the verified order book), ``depth`` and ``continuity`` (its parsing and its
rules, as pure functions).
"""

from .book import COINMOrderBook, FuturesOrderBook, OrderBook
from .collections import BinanceCOINMDataStore, BinanceSpotDataStore, BinanceUSDSMDataStore
from .market import (
    BookTicker,
    CompositeIndex,
    ContinuousKline,
    IndexPrice,
    IndexPriceKline,
    Kline,
    Liquidation,
    MarkPrice,
    Ticker,
    Trade,
)
from .user import Account, Balance, OCOOrder, Order, Position

__all__ = [
    "Account",
    "Balance",
    "BinanceCOINMDataStore",
    "BinanceSpotDataStore",
    "BinanceUSDSMDataStore",
    "BookTicker",
    "COINMOrderBook",
    "CompositeIndex",
    "ContinuousKline",
    "FuturesOrderBook",
    "IndexPrice",
    "IndexPriceKline",
    "Kline",
    "Liquidation",
    "MarkPrice",
    "OCOOrder",
    "Order",
    "OrderBook",
    "Position",
    "Ticker",
    "Trade",
]
