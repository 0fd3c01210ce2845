"""OKX's DataStore: ``OKXDataStore`` (collection.py), its verified ``books`` (books.py) and its
other stores (tables.py)."""

from ._messages import MalformedMessage
from .books import SNAPSHOT_CHANNELS, Books
from .collection import OKXDataStore

__all__ = ["SNAPSHOT_CHANNELS", "Books", "MalformedMessage", "OKXDataStore"]
