"""Bitget v2 for topgun: HTTP signing, WebSocket login, heartbeat, send rate limit, DataStores."""

from .auth import sign_request
from .store import BitgetDataStore, BitgetV2DataStore
from .ws import authenticate, login_message

__all__ = [
    "BitgetDataStore",
    "BitgetV2DataStore",
    "authenticate",
    "login_message",
    "sign_request",
]
