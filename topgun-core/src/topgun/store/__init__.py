"""DataStores: in-memory tables that exchange WebSocket and HTTP data is applied to.

``DataStore`` (keyed or append-only tables), ``OrderBookStore`` (price levels with sorted sides),
``DataStoreCollection`` (one exchange feed's stores and its ``onmessage`` handler), and the
change stream of ``DataStore.watch()``: ``StoreStream`` of ``StoreChange``.
"""

from ._limiter import LogLimiter
from .change import DEFAULT_STREAM_SIZE, Operation, StoreChange, StoreStream
from .collection import DataStoreCollection
from .datastore import DEFAULT_MAXLEN, DataStore, Item
from .orderbook import Level, OrderBookStore, price_of

__all__ = [
    "DEFAULT_MAXLEN",
    "DEFAULT_STREAM_SIZE",
    "DataStore",
    "DataStoreCollection",
    "Item",
    "Level",
    "LogLimiter",
    "Operation",
    "OrderBookStore",
    "StoreChange",
    "StoreStream",
    "price_of",
]
