"""bitFlyer Lightning for topgun: request signing, the realtime API login, bitFlyerDataStore."""

from .auth import sign_request
from .store import bitFlyerDataStore

__all__ = ["bitFlyerDataStore", "sign_request"]
