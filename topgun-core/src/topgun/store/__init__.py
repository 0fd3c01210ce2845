"""DataStores: in-memory tables that exchange WebSocket and HTTP data is applied to.

``DataStore`` (keyed or append-only tables), ``OrderBookStore`` (price levels with sorted sides),
``DataStoreCollection`` (one exchange feed's stores and its ``onmessage`` handler), and the
change stream of ``DataStore.watch()``: ``StoreStream`` of ``StoreChange``. ``MalformedMessage``
and the ``is_*`` checks (``.validate``) are for store authors validating a message before applying.
"""

from ._limiter import LogLimiter
from .change import DEFAULT_STREAM_SIZE, Operation, StoreChange, StoreStream
from .collection import DataStoreCollection
from .datastore import DEFAULT_MAXLEN, DataStore, Item
from .orderbook import Level, OrderBookStore, price_of
from .validate import MalformedMessage, is_number, is_price, is_size

__all__ = [
    "DEFAULT_MAXLEN",
    "DEFAULT_STREAM_SIZE",
    "DataStore",
    "DataStoreCollection",
    "Item",
    "Level",
    "LogLimiter",
    "MalformedMessage",
    "Operation",
    "OrderBookStore",
    "StoreChange",
    "StoreStream",
    "is_number",
    "is_price",
    "is_size",
    "price_of",
]
