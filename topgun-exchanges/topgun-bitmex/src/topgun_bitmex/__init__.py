"""BitMEX for topgun: REST request signing, the Realtime API login and its heartbeat."""

from .auth import EXPIRES_IN, sign_request, signature
from .store import BitMEXDataStore
from .ws import HEARTBEAT, authenticate, login_message

__all__ = [
    "EXPIRES_IN",
    "HEARTBEAT",
    "BitMEXDataStore",
    "authenticate",
    "login_message",
    "sign_request",
    "signature",
]
