"""``KuCoinDataStore``: KuCoin's push channels applied to DataStores.

Modules: ``collection`` (the collection and its routing), ``book`` (the verified level-2 book and
the top-K books), ``level2`` (level-2 parsing, pure functions), ``market`` and ``private`` (the
other stores).
"""

from .book import OrderBook, TopKOrderBook
from .collection import KuCoinDataStore, endpoint_from_bullet
from .market import (
    Announcements,
    Execution,
    IndexPrice,
    Instrument,
    Kline,
    MarginFundingBook,
    MarkPrice,
    SymbolSnapshot,
    Ticker,
    TransactionStats,
)
from .private import (
    Balance,
    BalanceEvents,
    MarginOrderEvents,
    MarginOrders,
    MarginPositionEvents,
    MarginPositions,
    OrderEvents,
    Orders,
    Positions,
)

__all__ = [
    "Announcements",
    "Balance",
    "BalanceEvents",
    "Execution",
    "IndexPrice",
    "Instrument",
    "Kline",
    "KuCoinDataStore",
    "MarginFundingBook",
    "MarginOrderEvents",
    "MarginOrders",
    "MarginPositionEvents",
    "MarginPositions",
    "MarkPrice",
    "OrderBook",
    "OrderEvents",
    "Orders",
    "Positions",
    "SymbolSnapshot",
    "Ticker",
    "TopKOrderBook",
    "TransactionStats",
    "endpoint_from_bullet",
]
