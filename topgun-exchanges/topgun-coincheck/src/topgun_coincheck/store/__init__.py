"""Coincheck DataStores: ``CoincheckDataStore`` (public) and ``CoincheckPrivateDataStore``."""

from .private import CoincheckPrivateDataStore, Execution, Order
from .public import CoincheckDataStore, OrderBook, Trades

__all__ = [
    "CoincheckDataStore",
    "CoincheckPrivateDataStore",
    "Execution",
    "Order",
    "OrderBook",
    "Trades",
]
