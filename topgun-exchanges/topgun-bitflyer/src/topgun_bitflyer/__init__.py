"""bitFlyer Lightning for topgun: request signing, the realtime API login, bitFlyerDataStore."""

from .auth import sign_request

__all__ = ["sign_request"]
