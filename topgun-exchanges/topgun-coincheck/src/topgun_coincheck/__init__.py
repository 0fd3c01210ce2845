"""Coincheck for topgun: HTTP request signing and the private WebSocket login.

Signing uses a strictly increasing millisecond ACCESS-NONCE per API key taken from the Client's
clock (``client.clock.offset`` / ``client.clock.sync_to(server_time)`` correct a skewed clock).
"""

from .auth import CoincheckSigner, sign_request
from .nonce import NONCES, NonceSource
from .ws import SIGNED_URI, CoincheckLogin, authenticate, login_message

__all__ = [
    "NONCES",
    "SIGNED_URI",
    "CoincheckLogin",
    "CoincheckSigner",
    "NonceSource",
    "authenticate",
    "login_message",
    "sign_request",
]
