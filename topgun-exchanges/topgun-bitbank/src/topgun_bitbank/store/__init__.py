"""bitbank DataStores: ``bitbankDataStore`` (public stream) and ``bitbankPrivateDataStore``."""

from .private import bitbankPrivateDataStore
from .public import bitbankDataStore

__all__ = ["bitbankDataStore", "bitbankPrivateDataStore"]
