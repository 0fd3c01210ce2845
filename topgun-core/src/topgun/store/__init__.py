"""DataStores: in-memory tables that exchange WebSocket and HTTP data is applied to.

``DataStore`` (keyed or append-only tables), ``OrderBookStore`` (price levels with sorted sides),
``DataStoreCollection`` (one exchange feed's stores and its ``onmessage`` handler), and the
change stream of ``DataStore.watch()``: ``StoreStream`` of ``StoreChange``. ``MalformedMessage``,
the ``is_*`` checks and ``json_objects`` (``.validate``) are for store authors validating a
message before applying.
``DataStoreCollection`` (one exchange feed's stores and its ``onmessage`` handler), the
change stream of ``DataStore.watch()``: ``StoreStream`` of ``StoreChange``, and the verified-book
machinery (``integrity``, ``sequence``, ``recovery``; docs/verified-books.rst).
"""

from ..errors import MalformedMessage
from ._limiter import LogLimiter
from .change import DEFAULT_STREAM_SIZE, Operation, StoreChange, StoreStream
from .collection import DataStoreCollection, query_param
from .datastore import DEFAULT_MAXLEN, DataStore, Item
from .integrity import DEFAULT_MAX_BOOKS, DEFAULT_MAX_LEVELS
from .orderbook import Level, OrderBookStore, price_of
from .policy import BookStats, Recovery, RecoveryPolicy, SnapshotRequest
from .sequence import ChainRule, OrderRule, RangeRule, SequenceRule, Verdict, signed_crc32
from .validate import is_number, is_price, is_size, json_objects

__all__ = [
    "DEFAULT_MAXLEN",
    "DEFAULT_MAX_BOOKS",
    "DEFAULT_MAX_LEVELS",
    "DEFAULT_STREAM_SIZE",
    "BookStats",
    "ChainRule",
    "DataStore",
    "DataStoreCollection",
    "Item",
    "Level",
    "LogLimiter",
    "MalformedMessage",
    "Operation",
    "OrderBookStore",
    "OrderRule",
    "RangeRule",
    "Recovery",
    "RecoveryPolicy",
    "SequenceRule",
    "SnapshotRequest",
    "StoreChange",
    "StoreStream",
    "Verdict",
    "is_number",
    "is_price",
    "is_size",
    "json_objects",
    "price_of",
    "query_param",
    "signed_crc32",
]
