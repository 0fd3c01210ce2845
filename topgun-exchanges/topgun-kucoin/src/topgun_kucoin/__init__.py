"""KuCoin for topgun: REST request signing, WebSocket bullet tokens, heartbeat and send limit."""

from .auth import passphrase_header, sign_request, signed_endpoint
from .bullet import BulletError, url_from_bullet, ws_url
from .stream import KuCoinStream, connect
from .ws import RATE_LIMIT, await_welcome, heartbeat_for

__all__ = [
    "RATE_LIMIT",
    "BulletError",
    "KuCoinStream",
    "await_welcome",
    "connect",
    "heartbeat_for",
    "passphrase_header",
    "sign_request",
    "signed_endpoint",
    "url_from_bullet",
    "ws_url",
]
