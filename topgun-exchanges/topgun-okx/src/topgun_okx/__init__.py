"""OKX v5 for topgun: HTTP signing for live and demo trading, WebSocket login and heartbeat."""

from .auth import choose_api, iso_timestamp, sign_request
from .ws import authenticate, login_message

__all__ = ["authenticate", "choose_api", "iso_timestamp", "login_message", "sign_request"]
