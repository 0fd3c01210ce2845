"""MEXC for topgun: spot v3 and futures (contract v1) request signing, futures WebSocket login.

API name ``mexc``, credentials ``[ACCESS_KEY, SECRET_KEY]``. The scheme follows the host and path:
api.mexc.com ``/api/v3/...`` signs the spot way (query signature), contract.mexc.com (and
``/api/v1/private/...`` on api.mexc.com) the futures way (headers). Futures WebSocket connections
(``wss://contract.mexc.com/edge``) log in automatically and send the ``ping`` heartbeat; spot user
streams use a listen key in the URL, created with ``client.post("https://api.mexc.com/api/v3/userDataStream")``.

Clock skew: MEXC rejects requests whose time is off (spot: outside ``recvWindow``, futures: more
than 10 s). Set ``client.clock.offset`` (seconds, server minus local) or call
``client.clock.sync_to(server_ms / 1000)`` with ``GET /api/v3/time``'s ``serverTime``.
"""

from .auth import sign_futures_request, sign_request, sign_spot_request
from .ws import futures_login

__all__ = ["futures_login", "sign_futures_request", "sign_request", "sign_spot_request"]
