"""OKJ (OKCoin Japan) for topgun: request signing with the passphrase, WebSocket logins (V3, whose
replies arrive deflated, and V5), the V3 frame decoder and the ``ping`` heartbeat.

Timestamps come from the Client's clock; ``client.clock.offset`` (or
``client.clock.sync_to(server_time)``) corrects a skewed machine clock.
"""

from .auth import iso_timestamp, sign_request
from .ws import HEARTBEAT, authenticate_v3, authenticate_v5, inflate, login_sign

__all__ = [
    "HEARTBEAT",
    "authenticate_v3",
    "authenticate_v5",
    "inflate",
    "iso_timestamp",
    "login_sign",
    "sign_request",
]
