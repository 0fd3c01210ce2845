"""``BybitDataStore`` and its stores (Bybit V5 WebSocket topics and REST snapshots)."""

from ._book_rules import is_reset, parse_book
from ._shapes import MalformedMessage
from .collection import BybitDataStore
from .orderbook import OrderBook
from .private import ORDER_STATES, Execution, Greek, Order, Position, Wallet
from .public import AllLiquidation, Kline, Liquidation, LTKline, LTNav, LTTicker, Ticker, Trade

__all__ = [
    "ORDER_STATES",
    "AllLiquidation",
    "BybitDataStore",
    "Execution",
    "Greek",
    "Kline",
    "LTKline",
    "LTNav",
    "LTTicker",
    "Liquidation",
    "MalformedMessage",
    "Order",
    "OrderBook",
    "Position",
    "Ticker",
    "Trade",
    "Wallet",
    "is_reset",
    "parse_book",
]
