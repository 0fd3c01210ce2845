"""Phemex for topgun: REST request signing, the WebSocket login, heartbeat and send limit."""

from .auth import EXPIRY_IN, sign_request, signed_text
from .store import PhemexDataStore
from .ws import HEARTBEAT, RATE_LIMIT, authenticate, login_message

__all__ = [
    "EXPIRY_IN",
    "HEARTBEAT",
    "RATE_LIMIT",
    "PhemexDataStore",
    "authenticate",
    "login_message",
    "sign_request",
    "signed_text",
]
