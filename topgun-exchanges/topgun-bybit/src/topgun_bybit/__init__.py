"""Bybit V5 for topgun: HTTP signing, WebSocket login and heartbeat, trade-stream headers."""

from .auth import DEFAULT_RECV_WINDOW, sign_request
from .ws import authenticate, login_message, sign_trade_message

__all__ = [
    "DEFAULT_RECV_WINDOW",
    "authenticate",
    "login_message",
    "sign_request",
    "sign_trade_message",
]
