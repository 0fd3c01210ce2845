"""Bybit V5 for topgun: HTTP signing, WebSocket login and heartbeat, trade-stream headers,
and ``BybitDataStore``."""

from .auth import DEFAULT_RECV_WINDOW, sign_request
from .store import BybitDataStore
from .ws import authenticate, login_message, sign_trade_message

__all__ = [
    "DEFAULT_RECV_WINDOW",
    "BybitDataStore",
    "authenticate",
    "login_message",
    "sign_request",
    "sign_trade_message",
]
