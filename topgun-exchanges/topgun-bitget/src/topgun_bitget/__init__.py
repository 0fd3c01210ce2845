"""Bitget v2 for topgun: HTTP signing, WebSocket login, heartbeat and send rate limit."""

from .auth import sign_request
from .ws import authenticate, login_message

__all__ = ["authenticate", "login_message", "sign_request"]
