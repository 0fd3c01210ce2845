"""Bitget's DataStores: ``BitgetDataStore`` (V1) and ``BitgetV2DataStore``, with verified books."""

from . import v1, v2
from ._messages import MalformedMessage
from .book import CHECKSUM_DEPTH, BitgetBook, BookRule, parse_depth
from .v1 import BitgetDataStore
from .v2 import BitgetV2DataStore

__all__ = [
    "CHECKSUM_DEPTH",
    "BitgetBook",
    "BitgetDataStore",
    "BitgetV2DataStore",
    "BookRule",
    "MalformedMessage",
    "parse_depth",
    "v1",
    "v2",
]
