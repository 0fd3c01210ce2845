"""GMO Coin for topgun: Private API request signing, the WebSocket rate limit, access tokens.

- HTTP: requests to ``https://api.coin.z.com/private/...`` are signed (``API-KEY``,
  ``API-TIMESTAMP``, ``API-SIGN``) with the ``gmocoin`` credentials; ``/public/...`` requests and
  WebSocket upgrades carry no credentials. Bodies are JSON.
- WebSocket: ``wss://api.coin.z.com/ws/public/v1`` and ``wss://api.coin.z.com/ws/private/v1/<token>``.
  Sends on both are paced locally to GMO Coin's one subscription message per second.
- ``GMOCoinTokenManager`` creates the Private WebSocket access token, extends it every 30 minutes,
  replaces it when it has died (for example after a maintenance) and keeps the WebSocket's URL on
  the current one; its task stops when the manager or every WebSocket it serves is closed.
  ``await private_ws(client, send_json=..., hdlr_json=...)`` does all of it for one WebSocket.

Signatures use ``client.clock``: if the exchange rejects timestamps, correct a skewed local clock
with ``client.clock.offset = server_time - local_time`` or ``client.clock.sync_to(server_time)``.
"""

from .auth import sign_request
from .errors import GMOCoinAPIError
from .private import GMOCoinPrivateStream, private_ws
from .retry import Retry
from .tokens import (
    ConnectFailures,
    GMOCoinTokenManager,
    TokenTarget,
    create_access_token,
    extend_access_token,
    revoke_access_token,
)
from .ws import PUBLIC_WS_URL, SUBSCRIPTION_LIMIT, private_ws_url

__all__ = [
    "PUBLIC_WS_URL",
    "SUBSCRIPTION_LIMIT",
    "ConnectFailures",
    "GMOCoinAPIError",
    "GMOCoinPrivateStream",
    "GMOCoinTokenManager",
    "Retry",
    "TokenTarget",
    "create_access_token",
    "extend_access_token",
    "private_ws",
    "private_ws_url",
    "revoke_access_token",
    "sign_request",
]
