"""Binance DataStores: ``BinanceSpotDataStore``, ``BinanceUSDSMDataStore``, ``BinanceCOINMDataStore``.

Modules: ``collections`` (the three collections and the routing), ``market`` and ``user`` (the
stores), ``book`` (the verified order book), ``depth`` and ``continuity`` (its parsing and its
rules, as pure functions).
"""

from . import market, user
from .book import COINMOrderBook, FuturesOrderBook, OrderBook
from .collections import BinanceCOINMDataStore, BinanceSpotDataStore, BinanceUSDSMDataStore
from .market import *  # noqa: F403
from .user import *  # noqa: F403

# Every store of ``market`` and ``user`` is public: their own ``__all__`` lists them.
__all__ = [
    "BinanceCOINMDataStore",
    "BinanceSpotDataStore",
    "BinanceUSDSMDataStore",
    "COINMOrderBook",
    "FuturesOrderBook",
    "OrderBook",
]
__all__ += market.__all__
__all__ += user.__all__
