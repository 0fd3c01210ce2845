"""``HyperliquidDataStore`` and its stores (see ``collection`` for the routing, ``book`` for
``l2Book``). Importing this loads no signing library: the stores only read JSON."""

from .book import BookSnapshot, L2Book, parse_book
from .collection import INFO_REQUESTS, HyperliquidDataStore
from .stores import (
    ActiveAssetCtx,
    ActiveAssetData,
    AllMids,
    Bbo,
    Candle,
    Notification,
    OrderUpdates,
    Records,
    UserEvents,
    WebData2,
)

__all__ = [
    "INFO_REQUESTS",
    "ActiveAssetCtx",
    "ActiveAssetData",
    "AllMids",
    "Bbo",
    "BookSnapshot",
    "Candle",
    "HyperliquidDataStore",
    "L2Book",
    "Notification",
    "OrderUpdates",
    "Records",
    "UserEvents",
    "WebData2",
    "parse_book",
]
