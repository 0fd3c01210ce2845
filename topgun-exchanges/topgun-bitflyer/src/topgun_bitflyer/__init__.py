"""bitFlyer Lightning for topgun: request signing, the realtime API login, bitFlyerDataStore."""

from .auth import sign_request
from .store import bitFlyerDataStore
from .ws import authenticate

__all__ = ["authenticate", "bitFlyerDataStore", "sign_request"]
